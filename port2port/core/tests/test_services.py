from __future__ import annotations

import pytest
from django.utils import translation

from conftest import World
from port2port.core import services
from port2port.core.errors import InvalidInput, NotPermitted
from port2port.core.models import User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Only the port's security officer can set its level."),
        (
            "nl",
            "Alleen de havenveiligheidsfunctionaris kan het beveiligingsniveau van de haven vastleggen.",
        ),
        (
            "fr",
            "Seul l'agent de sûreté portuaire peut fixer le niveau de sûreté du port.",
        ),
    ],
)
def test_a_refusal_is_translated_when_it_is_raised(
    bob: User, world: World, language: str, message: str
) -> None:
    with translation.override(language), pytest.raises(NotPermitted) as refused:
        services.port_set_security_level(
            actor=bob, port=world.antwerp, level=2, reason="Exercise"
        )
    assert refused.value.message == message
    world.antwerp.refresh_from_db()
    assert world.antwerp.security_level == 1


def test_a_helper_s_refusal_is_translated_by_the_service(
    dave: User, world: World
) -> None:
    with translation.override("nl"), pytest.raises(InvalidInput) as refused:
        services.vehicle_create(
            actor=dave, plate="12-34", country="BE", kind="truck", owner=world.haulier
        )
    assert refused.value.fields["plate"][0].startswith(
        "Een Belgische nummerplaat ziet eruit als 1-ABC-123"
    )
