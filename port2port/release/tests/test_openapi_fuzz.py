"""Property-based check of the release API against its own OpenAPI document.

Schemathesis generates requests, valid and invalid, for every release operation
and sends them in-process as the shipping agent's integration; no answer may be
a server error, and every answer must match the documented schema.
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

from port2port.core import services as core_services
from port2port.release.tests.conftest import Chain, release_for

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
release_schema = schema.include(tag="release")


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """Keep Django from closing the test's connection after each fuzzed request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def agent_token(chain: Chain) -> str:
    release_for(chain)
    _, secret = core_services.api_token_create(
        actor=chain.agent,
        organisation=chain.agent_org,
        name="Agency system",
        permissions=["registry:read", "registry:write", "gate:decide"],
    )
    return secret


@release_schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@pytest.mark.django_db
def test_release_api_never_answers_with_a_server_error(
    case: schemathesis.Case, agent_token: str
) -> None:
    # Schema-valid input may still be refused with a 400 (a check digit, a
    # terminal outside the caller's ports) or a 403/404/409 (not the caller's
    # chain, a clash): that is not a server error.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {agent_token}"},
        excluded_checks=[positive_data_acceptance],
    )
