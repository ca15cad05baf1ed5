from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import World
from port2port.access import services
from port2port.access.models import PortPass
from port2port.access.tests.conftest import Gates
from port2port.access.tests.factories import PortPassFactory
from port2port.core.errors import Conflict
from port2port.core.models import User

pytestmark = pytest.mark.django_db


def _ban(judge: User, world: World) -> object:
    today = timezone.localdate()
    return services.ban_issue(
        actor=judge,
        person=world.driver,
        starts_on=today,
        ends_on=today + dt.timedelta(days=30),
        legal_reference="AN.12.L3.2026/7",
    )


def test_lifting_a_ban_gives_back_the_active_pass_but_not_an_uncollected_one(
    judge: User, dave: User, gates: Gates, world: World
) -> None:
    waiting = PortPassFactory(
        number="P2P000000000077",
        person=world.driver,
        state=PortPass.State.ISSUED,
        activated_at=None,
    )
    ban = _ban(judge, world)
    gates.driver_pass.refresh_from_db()
    waiting.refresh_from_db()
    assert gates.driver_pass.state == PortPass.State.SUSPENDED
    assert waiting.state == PortPass.State.ISSUED
    with pytest.raises(Conflict, match="port ban"):
        services.pass_collect(actor=dave, port_pass=waiting)

    services.ban_lift(actor=judge, ban=ban, reason="Conditions lifted by the court")

    gates.driver_pass.refresh_from_db()
    waiting.refresh_from_db()
    assert gates.driver_pass.state == PortPass.State.ACTIVE
    assert waiting.state == PortPass.State.ISSUED


def test_a_banned_person_gets_no_new_pass(
    judge: User, dave: User, world: World
) -> None:
    _ban(judge, world)
    with pytest.raises(Conflict, match="port ban"):
        services.pass_issue(actor=dave, person=world.driver)
