"""Property-based check of the registry API against its own OpenAPI document.

Schemathesis generates requests from the schema, valid and invalid, and sends
them in-process; no answer may be a server error, and every answer must match
the documented schema.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from conftest import World
from port2port.core.models import ApiToken

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
registry = schema.include(tag="registry")


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """Keep Django from closing the test's connection after each fuzzed request.

    Django's own test client does the same: closing "old" connections at the end
    of a request would end the test's transaction on PostgreSQL.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token_secret(haulier_token: tuple[ApiToken, str], world: World) -> str:
    return haulier_token[1]


@registry.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@pytest.mark.django_db
def test_registry_api_never_answers_with_a_server_error(
    case: schemathesis.Case, token_secret: str
) -> None:
    # Schema-valid input may still be refused with a 400: a check digit that does
    # not match or a reference outside the caller's scope. Every other check runs,
    # including that schema-invalid input is refused and that no answer is a 5xx.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token_secret}"},
        excluded_checks=[positive_data_acceptance],
    )
