"""Fixtures of the release tests: the parties of one Antwerp chain, and outsiders.

- ``agent`` is the staff member of the shipping agent (Meridian Liner Agency);
- ``forwarder`` the dispatcher of the first release party (Brabo Freight);
- ``dave`` (root cast) administers the haulier, Scheldt Haulage, whose driver is
  Jan Peeters (pass ``P2P000000000001``); Piet Claes drives for the same haulier;
- the terminal is Deurganck: a gate token (``gate_token``) and a gate operator;
- ``customs`` and ``police`` work in Antwerp;
- ``outsider`` is another forwarder and ``charlie`` the Ghent officer: both 404.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import World, _client_for, _member
from port2port.access import gate
from port2port.access.models import PassActivation, PortPass
from port2port.access.tests.factories import PortPassFactory
from port2port.core import services as core_services
from port2port.core.models import Organisation, Person, User
from port2port.core.tests import factories
from port2port.release import services
from port2port.release.models import Release

CONTAINER = "CSQU3054383"
OTHER_CONTAINER = "MWCU6059784"


@dataclass
class Chain:
    world: World
    agent_org: Organisation
    forwarder_org: Organisation
    other_haulier: Organisation
    outsider_org: Organisation
    customs_org: Organisation
    police_org: Organisation
    agent: User
    forwarder: User
    haulier: User
    outsider: User
    customs: User
    police: User
    gate_operator: User
    terminal_admin: User
    driver_pass: PortPass
    colleague: Person
    colleague_pass: PortPass
    gate_token: str


@pytest.fixture(autouse=True)
def _fresh_snapshot() -> Any:
    """Every test starts with no cached gate snapshot in this process."""
    gate.snapshot_reset()
    yield
    gate.snapshot_reset()


@pytest.fixture
def chain(world: World, dave: User) -> Chain:
    antwerp = world.antwerp
    agent_org = factories.OrganisationFactory(
        name="Meridian Liner Agency NV",
        roles=["shipping_agent"],
        ports=[antwerp],
        kbo_number="0490000151",
        eori="BE0490000151",
    )
    forwarder_org = factories.OrganisationFactory(
        name="Brabo Freight NV",
        roles=["forwarder"],
        ports=[antwerp],
        kbo_number="0490000250",
        eori="BE0490000250",
    )
    other_haulier = factories.OrganisationFactory(
        name="Kempen Trucking NV", roles=["transport_operator"], ports=[antwerp]
    )
    outsider_org = factories.OrganisationFactory(
        name="Gateway Forwarding NV", roles=["forwarder"], ports=[antwerp]
    )
    customs_org = factories.OrganisationFactory(
        name="Customs and Excise", roles=["customs"], ports=[antwerp]
    )
    police_org = factories.OrganisationFactory(
        name="Shipping Police", roles=["police"], ports=[antwerp]
    )
    world.haulier.ports.set([antwerp])
    driver_pass = PortPassFactory(person=world.driver, number="P2P000000000001")
    colleague = factories.PersonFactory(
        first_name="Piet", last_name="Claes", employer=world.haulier
    )
    colleague_pass = PortPassFactory(person=colleague, number="P2P000000000002")
    for port_pass in (driver_pass, colleague_pass):
        for facility in (world.deurganck, world.kluizendok):
            PassActivation.objects.create(
                port_pass=port_pass,
                facility=facility,
                activated_at=port_pass.activated_at,
            )
    terminal_admin = _member("opadmin", world.terminal_operator, "company_admin")
    _, gate_token = core_services.api_token_create(
        actor=terminal_admin,
        organisation=world.terminal_operator,
        facility=world.deurganck,
        name="Deurganck gate",
        permissions=["gate:decide", "registry:read", "registry:write"],
    )
    return Chain(
        world=world,
        agent_org=agent_org,
        forwarder_org=forwarder_org,
        other_haulier=other_haulier,
        outsider_org=outsider_org,
        customs_org=customs_org,
        police_org=police_org,
        agent=_member("agent", agent_org, "company_admin"),
        forwarder=_member("forwarder", forwarder_org, "transport_dispatcher"),
        haulier=dave,
        outsider=_member("outsider", outsider_org, "company_admin"),
        customs=_member("customs", customs_org, "report_handler"),
        police=_member("police", police_org, "report_handler"),
        gate_operator=_member(
            "gateop", world.terminal_operator, "gate_operator", facility=world.deurganck
        ),
        terminal_admin=terminal_admin,
        driver_pass=driver_pass,
        colleague=colleague,
        colleague_pass=colleague_pass,
        gate_token=gate_token,
    )


def client_for(user: User) -> Client:
    return _client_for(user)


def api(
    client: Client,
    method: str,
    path: str,
    data: dict[str, Any] | None = None,
    **headers: str,
) -> Any:
    """Call the API with a JSON body and return the response."""
    return getattr(client, method)(
        f"/api/v1{path}",
        data=json.dumps(data, default=str) if data is not None else None,
        content_type="application/json",
        headers=headers,
    )


def gate_headers(chain: Chain) -> dict[str, str]:
    return {"Authorization": f"Bearer {chain.gate_token}"}


def release_for(
    chain: Chain,
    *,
    container: str = CONTAINER,
    days: int = 10,
    reference: str = "",
) -> Release:
    """Release a container to the forwarder, through the service."""
    return services.release_create(
        actor=chain.agent,
        agent=chain.agent_org,
        container_number=container,
        terminal=chain.world.deurganck,
        holder=chain.forwarder_org,
        valid_until=timezone.now() + dt.timedelta(days=days),
        bills_of_lading=["MEDUAN123456"],
        reference=reference,
    )


def to_haulier(chain: Chain, release: Release) -> Release:
    """Transfer the right from the forwarder to the haulier, accepted."""
    transfer = services.transfer_create(
        actor=chain.forwarder, release=release, receiver=chain.world.haulier
    )
    services.transfer_accept(actor=chain.haulier, transfer=transfer)
    release.refresh_from_db()
    return release


def lights_green(chain: Chain, release: Release) -> Release:
    services.release_terminal_report(
        actor=chain.gate_operator,
        release=release,
        discharged=True,
        terminal_released=True,
    )
    services.release_customs_report(
        actor=chain.customs, release=release, status="released"
    )
    release.refresh_from_db()
    return release


def ready_release(chain: Chain, **assignment: Any) -> Release:
    """A release held by the haulier, the driver assigned, every light green."""
    release = to_haulier(chain, release_for(chain))
    services.release_assign(
        actor=chain.haulier,
        release=release,
        pass_number=assignment.pop("pass_number", chain.driver_pass.number),
        **assignment,
    )
    return lights_green(chain, release)
