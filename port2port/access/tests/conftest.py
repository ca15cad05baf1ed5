"""Fixtures of the access tests: a gate at the Antwerp terminal, a driver, the officers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from conftest import World, _client_for, _member
from port2port.access import gate
from port2port.access.models import AccessGrant, PassActivation, PortPass
from port2port.access.tests.factories import PortPassFactory
from port2port.core import services as core_services
from port2port.core.models import AccessPoint, User, Zone
from port2port.core.tests import factories


@dataclass
class Gates:
    zone: Zone
    gate: AccessPoint
    lane: AccessPoint
    ghent_zone: Zone
    ghent_gate: AccessPoint
    driver_pass: PortPass
    grant: AccessGrant


@pytest.fixture(autouse=True)
def _fresh_snapshot() -> Any:
    """Every test starts with no cached gate snapshot in this process."""
    gate.snapshot_reset()
    yield
    gate.snapshot_reset()


@pytest.fixture
def gates(world: World) -> Gates:
    zone = factories.ZoneFactory(
        facility=world.deurganck, port=world.antwerp, name="Quay"
    )
    gate_point = factories.AccessPointFactory(
        zone=zone, code="G1", name="Main gate", kind=AccessPoint.Kind.TURNSTILE
    )
    lane = factories.AccessPointFactory(
        zone=zone, code="L1", name="Truck lane", kind=AccessPoint.Kind.VEHICLE_LANE
    )
    ghent_zone = factories.ZoneFactory(
        facility=world.kluizendok, port=world.ghent, name="Kluizendok quay"
    )
    ghent_gate = factories.AccessPointFactory(
        zone=ghent_zone,
        code="KG1",
        name="Kluizendok gate",
        kind=AccessPoint.Kind.TURNSTILE,
    )
    driver_pass = PortPassFactory(person=world.driver, number="P2P000000000001")
    PassActivation.objects.create(
        port_pass=driver_pass,
        facility=world.deurganck,
        activated_at=driver_pass.activated_at,
    )
    PassActivation.objects.create(
        port_pass=driver_pass,
        facility=world.kluizendok,
        activated_at=driver_pass.activated_at,
    )
    grant = AccessGrant.objects.create(
        zone=zone,
        person=world.driver,
        valid_from=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
    )
    AccessGrant.objects.create(
        zone=ghent_zone,
        person=world.driver,
        valid_from=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
    )
    return Gates(
        zone=zone,
        gate=gate_point,
        lane=lane,
        ghent_zone=ghent_zone,
        ghent_gate=ghent_gate,
        driver_pass=driver_pass,
        grant=grant,
    )


@pytest.fixture
def pfso(world: World) -> User:
    return _member("pfso", world.terminal_operator, "pfso", facility=world.deurganck)


@pytest.fixture
def judge(world: World) -> User:
    court = factories.OrganisationFactory(
        name="Public prosecutor Antwerp", roles=["other_authority"]
    )
    return _member("judge", court, "judicial_authority")


@pytest.fixture
def pfso_client(pfso: User) -> Client:
    return _client_for(pfso)


@pytest.fixture
def judge_client(judge: User) -> Client:
    return _client_for(judge)


@pytest.fixture
def gate_token(world: World, gates: Gates) -> str:
    """A gate controller's token for the Deurganck terminal."""
    admin = _member("opadmin", world.terminal_operator, "company_admin")
    _, secret = core_services.api_token_create(
        actor=admin,
        organisation=world.terminal_operator,
        facility=world.deurganck,
        name="Gate controller",
        permissions=["gate:decide", "registry:read"],
    )
    return secret


@pytest.fixture
def ghent_gate_token(world: World, gates: Gates) -> str:
    admin = _member("ghadmin", world.ghent_operator, "company_admin")
    _, secret = core_services.api_token_create(
        actor=admin,
        organisation=world.ghent_operator,
        facility=world.kluizendok,
        name="Kluizendok controller",
        permissions=["gate:decide"],
    )
    return secret
