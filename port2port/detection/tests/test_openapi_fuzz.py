"""Property-based check of the broadcast API against its own OpenAPI document.

Schemathesis generates requests, valid and invalid, for the broadcast operations
and sends them in-process as the port authority's integration; no answer may be
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

from conftest import World
from port2port.core import services as core_services
from port2port.core.models import User

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
broadcasts = schema.include(tag="detection", path_regex="broadcasts")


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """Keep Django from closing the test's connection after each fuzzed request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def control_room_token(world: World, admin_user: User) -> str:
    _, secret = core_services.api_token_create(
        actor=admin_user,
        organisation=world.poab,
        name="Control-room integration",
        permissions=["registry:read", "registry:write"],
    )
    return secret


@broadcasts.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@pytest.mark.django_db
def test_the_broadcast_api_never_answers_with_a_server_error(
    case: schemathesis.Case, control_room_token: str
) -> None:
    # Schema-valid input may still be refused: an unknown port (404), a level or
    # an area that is not one (400), a token acknowledging (403).
    case.call_and_validate(
        headers={"Authorization": f"Bearer {control_room_token}"},
        excluded_checks=[positive_data_acceptance],
    )
