"""Fixtures of the hub tests: the Antwerp LCMB, a Ghent gate, a bulletin with a plate."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from conftest import World, _member
from port2port.access.models import AccessEvent
from port2port.core.models import AccessPoint, Clearance, User
from port2port.core.tests import factories
from port2port.sharing import services
from port2port.sharing.models import Bulletin, CommitteeMember


@dataclass
class Hub:
    ghent_gate: AccessPoint
    antwerp_gate: AccessPoint
    lcmb: Any


@pytest.fixture
def hub(world: World, alice: User) -> Hub:
    """Alice chairs the Antwerp LCMB; a gate in each port."""
    alice.clearance = Clearance.SECRET
    alice.save(update_fields=["clearance"])
    lcmb = world.antwerp.committee
    services.committee_member_add(
        actor=None, committee=lcmb, user=alice, role=CommitteeMember.Role.CHAIR
    )
    ghent_zone = factories.ZoneFactory(
        facility=world.kluizendok, port=world.ghent, name="Kluizendok quay"
    )
    antwerp_zone = factories.ZoneFactory(
        facility=world.deurganck, port=world.antwerp, name="Quay"
    )
    return Hub(
        ghent_gate=factories.AccessPointFactory(
            zone=ghent_zone, code="KG1", name="Kluizendok gate"
        ),
        antwerp_gate=factories.AccessPointFactory(
            zone=antwerp_zone, code="G1", name="Main gate"
        ),
        lcmb=lcmb,
    )


@pytest.fixture
def ghent_operator(world: World) -> User:
    """The control-room operator of Ghent."""
    return _member("gino", world.nsp, "control_room_operator", port=world.ghent)


def bulletin_make(actor: User, **kwargs: Any) -> Bulletin:
    values: dict[str, Any] = {
        "title": "Trucks collecting containers with cloned plates",
        "text": "A crew uses a cloned plate to pick up containers at night.",
        "tlp": "amber",
        "distribution": "all_ports",
        "indicators": [services.IndicatorInput(kind="plate", value="1-XYZ-789")],
    }
    values.update(kwargs)
    return services.bulletin_create(actor=actor, **values)


def gate_read(
    point: AccessPoint, plate: str, *, at: dt.datetime | None = None
) -> AccessEvent:
    """Store one gate decision for a truck, as the access module logs it."""
    return AccessEvent.objects.create(
        at=at or timezone.now(),
        access_point=point,
        facility_id=point.zone.facility_id,
        port_id=point.zone.port_id,
        zone_id=point.zone_id,
        plate=plate,
        direction="in",
        biometric="not_checked",
        allowed=False,
        reasons="NO_GRANT",
        policy_version=1,
    )
