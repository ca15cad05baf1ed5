"""Declarations of Security and pre-arrival security information."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from conftest import World, _member
from port2port.compliance import services
from port2port.compliance.models import DeclarationOfSecurity, Reminder, ShipCall
from port2port.core.errors import Conflict, InvalidInput, NotPermitted
from port2port.core.models import AuditEntry, User
from port2port.core.tests import factories

pytestmark = pytest.mark.django_db

CALLS = [
    {
        "port": "NLRTM",
        "facility": "Maasvlakte",
        "arrived_on": "2026-01-03",
        "departed_on": "2026-01-04",
        "level": 1,
    },
    {
        "port": "COCTG",
        "facility": "Cartagena",
        "arrived_on": "2025-12-10",
        "departed_on": "2025-12-11",
        "level": 2,
    },
]


def pre_arrival(**overrides: Any) -> dict[str, Any]:
    return {
        "issc_number": "ISSC-12345",
        "issc_issuer": "Lloyd's Register for Liberia",
        "issc_expires_on": dt.date(2028, 5, 1),
        "ship_level": 1,
        "sso_contact": "SSO Mr. Ortiz, +231 555 0101",
        "port_calls": CALLS,
        **overrides,
    }


@pytest.fixture
def agent(world: World) -> User:
    agency = factories.OrganisationFactory(
        name="Scheldt Shipping Agency", roles=["shipping_agent"], ports=[world.antwerp]
    )
    return _member("agent", agency, "company_admin")


def announce(actor: User, world: World, eta: dt.datetime) -> ShipCall:
    call, _created = services.ship_call_announce(
        actor=actor,
        facility=world.deurganck,
        ship_name="MSC Aurora",
        imo="IMO 9074729",
        mmsi="636012345",
        eta=eta,
        flag="LR",
    )
    return call


def test_a_declaration_is_in_force_once_both_have_signed(
    world: World, pfso: User
) -> None:
    now = timezone.now()
    declaration = services.declaration_create(
        actor=pfso,
        facility=world.deurganck,
        ship_name="MSC Aurora",
        imo="9074729",
        flag="lr",
        reason="ship_higher_level",
        valid_from=now,
        valid_until=now + dt.timedelta(days=2),
        ship_level=2,
        activities=[
            {"activity": "Access control at the gangway", "responsible": "ship"},
            {"activity": "Monitoring of the quay", "responsible": "facility"},
        ],
    )
    assert (declaration.flag, declaration.facility_level) == ("LR", 1)
    declaration = services.declaration_sign(
        actor=pfso, declaration=declaration, party="facility"
    )
    assert declaration.status == DeclarationOfSecurity.Status.DRAFT
    with pytest.raises(Conflict):
        services.declaration_sign(actor=pfso, declaration=declaration, party="facility")
    with pytest.raises(InvalidInput):
        services.declaration_sign(actor=pfso, declaration=declaration, party="ship")
    declaration = services.declaration_sign(
        actor=pfso,
        declaration=declaration,
        party="ship",
        name="Capt. Ortiz",
        capacity="Master",
    )
    assert declaration.status == DeclarationOfSecurity.Status.SIGNED
    assert AuditEntry.objects.filter(action="declaration.sign").count() == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [("imo", "9074728"), ("flag", "LIB"), ("activities", []), ("reason", "fun")],
)
def test_a_declaration_with_bad_input_is_refused(
    world: World, pfso: User, field: str, value: Any
) -> None:
    now = timezone.now()
    data: dict[str, Any] = {
        "ship_name": "MSC Aurora",
        "imo": "9074729",
        "flag": "LR",
        "reason": "threat",
        "valid_from": now,
        "valid_until": now + dt.timedelta(days=1),
        "ship_level": 1,
        "activities": [{"activity": "Gangway", "responsible": "both"}],
        field: value,
    }
    with pytest.raises(InvalidInput) as refused:
        services.declaration_create(actor=pfso, facility=world.deurganck, **data)
    assert field in refused.value.fields
    assert not DeclarationOfSecurity.objects.exists()


@pytest.mark.parametrize(
    ("imo", "mmsi", "field"),
    [
        ("9074728", "636012345", "imo"),
        ("9074729", "63601234", "mmsi"),
        ("9074729", "002051234", "mmsi"),
    ],
)
def test_imo_and_mmsi_are_validated(
    world: World, pfso: User, imo: str, mmsi: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.ship_call_announce(
            actor=pfso,
            facility=world.deurganck,
            ship_name="X",
            imo=imo,
            mmsi=mmsi,
            eta=timezone.now() + dt.timedelta(days=2),
        )
    assert field in refused.value.fields


def test_an_agent_announces_once_and_sends_the_information_on_time(
    world: World, agent: User, pfso: User
) -> None:
    eta = timezone.now() + dt.timedelta(days=3)
    call = announce(agent, world, eta)
    assert announce(agent, world, eta).pk == call.pk
    assert call.agent is not None
    assert call.agent.name == "Scheldt Shipping Agency"
    call = services.pre_arrival_submit(actor=agent, call=call, **pre_arrival())
    assert call.flag_state == ""
    assert [c["port"] for c in call.port_calls] == ["NLRTM", "COCTG"]
    assert not Reminder.objects.exists()


def test_an_agent_of_another_port_may_not_announce(world: World) -> None:
    agency = factories.OrganisationFactory(
        name="Ghent agency", roles=["shipping_agent"], ports=[world.ghent]
    )
    outsider = _member("outsider", agency, "company_admin")
    with pytest.raises(NotPermitted):
        announce(outsider, world, timezone.now() + dt.timedelta(days=3))


def test_late_information_is_flagged_to_the_pfso_and_the_port_officer(
    world: World, agent: User, pfso: User, alice: User
) -> None:
    now = timezone.now()
    call = announce(agent, world, now + dt.timedelta(hours=10))
    call = services.pre_arrival_submit(actor=agent, call=call, now=now, **pre_arrival())
    assert call.flag_state == "late"
    assert set(Reminder.objects.values_list("recipient__username", flat=True)) == {
        "pfso",
        "alice",
    }


def test_missing_information_is_flagged_once_at_the_deadline(
    world: World, agent: User, pfso: User, alice: User
) -> None:
    now = timezone.now()
    call = announce(agent, world, now + dt.timedelta(hours=30))
    assert services.pre_arrival_check(now=now) == 0
    later = now + dt.timedelta(hours=7)
    assert services.pre_arrival_check(now=later) == 1
    assert services.pre_arrival_check(now=later + dt.timedelta(hours=1)) == 0
    call.refresh_from_db()
    assert call.flag_state == "missing"
    assert Reminder.objects.filter(kind="pre_arrival").count() == 2
    assert AuditEntry.objects.filter(action="pre_arrival.flag").count() == 1


@pytest.mark.parametrize(
    "overrides",
    [
        {"port_calls": []},
        {"port_calls": [{**CALLS[0], "port": "XX"}]},
        {"port_calls": [{**CALLS[0], "level": 4}]},
        {"port_calls": [{**CALLS[0], "departed_on": "2025-01-01"}]},
        {"port_calls": CALLS * 6},
        {"ship_level": 0},
    ],
)
def test_bad_pre_arrival_information_is_refused(
    world: World, agent: User, overrides: dict[str, Any]
) -> None:
    call = announce(agent, world, timezone.now() + dt.timedelta(days=3))
    with pytest.raises(InvalidInput):
        services.pre_arrival_submit(actor=agent, call=call, **pre_arrival(**overrides))
    call.refresh_from_db()
    assert call.received_at is None
