"""Fixtures of the reporting tests: groups, handlers with keys, the channels.

- ``hanna`` handles reports at the police's triage desk (group ``aik``),
- ``hugo`` at customs (group ``customs``), which gets smuggling reports too,
- ``henk`` at Antwerp's port security unit (group ``antwerp``), which gets
  nothing unless a report is forwarded to it,
- ``charlie`` (the Ghent officer of the root conftest) handles nothing.

Key derivation runs with tiny Argon2 parameters and the proof of work asks a
few bits, so that the tests stay fast; sealed files go to a temporary folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from conftest import World, _client_for, _member
from port2port.core.models import Organisation, User
from port2port.core.tests import factories
from port2port.reporting import services
from port2port.reporting.models import (
    Category,
    Channel,
    HandlerGroup,
    Report,
    RoutingRule,
)

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings: Any, tmp_path: Any) -> None:
    settings.REPORTING_KDF = (1, 8, 1)
    settings.REPORTING_FILES_DIR = tmp_path / "sealed"
    settings.REPORTING_POW_BITS = 4
    settings.REPORTING_POW_LOGIN_BITS = 4


@dataclass
class Desk:
    police: Organisation
    customs: Organisation
    aik: HandlerGroup
    customs_group: HandlerGroup
    antwerp: HandlerGroup
    portwatch: Channel
    drug_free: Channel
    hanna: User
    hugo: User
    henk: User


@pytest.fixture
def desk(world: World) -> Desk:
    police = factories.OrganisationFactory(
        name="Federal Police", roles=["police"], ports=[world.antwerp, world.ghent]
    )
    customs = factories.OrganisationFactory(
        name="Customs", roles=["customs"], ports=[world.antwerp, world.ghent]
    )
    hanna = _member("hanna", police, "report_handler")
    hugo = _member("hugo", customs, "report_handler")
    henk = _member("henk", world.poab, "report_handler")
    aik = HandlerGroup.objects.create(
        code="aik", name="AIK triage", organisation=police
    )
    aik.members.add(hanna)
    customs_group = HandlerGroup.objects.create(
        code="customs", name="Customs investigations", organisation=customs
    )
    customs_group.members.add(hugo)
    antwerp = HandlerGroup.objects.create(
        code="antwerp", name="Antwerp security unit", organisation=world.poab
    )
    antwerp.members.add(henk)
    for user in (hanna, hugo, henk):
        services.handler_key_unlock(user=user, password=PASSWORD)
    portwatch = Channel.objects.create(
        slug="portwatch",
        name="Portwatch",
        intro_en="Tell the police.",
        intro_nl="Meld het aan de politie.",
        categories=list(Category.values),
        triage_group=aik,
    )
    RoutingRule.objects.create(
        channel=portwatch, category=Category.SMUGGLING, group=customs_group
    )
    drug_free = Channel.objects.create(
        slug="drug-free",
        name="Our Port Drug-Free",
        categories=[Category.DRUGS, Category.CORRUPTION],
        triage_group=aik,
    )
    drug_free.ports.set([world.antwerp])
    return Desk(
        police=police,
        customs=customs,
        aik=aik,
        customs_group=customs_group,
        antwerp=antwerp,
        portwatch=portwatch,
        drug_free=drug_free,
        hanna=hanna,
        hugo=hugo,
        henk=henk,
    )


def unlock(user: User) -> bytes:
    return services.handler_key_unlock(user=user, password=PASSWORD)


def submit(
    desk: Desk,
    *,
    what: str = "A grey van circled the terminal three times.",
    category: str = Category.SUSPICIOUS,
    port: Any = None,
    channel: Channel | None = None,
    **content: Any,
) -> tuple[Report, str]:
    return services.report_submit(
        channel=channel or desk.portwatch,
        category=category,
        port=port,
        content=services.ReportContent(what=what, **content),
    )


@pytest.fixture
def hanna_client(desk: Desk) -> Client:
    return _client_for(desk.hanna)


def unlocked_client(user: User) -> Client:
    """A client signed in as ``user`` whose key is unlocked, as after the unlock page."""
    client = Client()
    client.force_login(user)
    response = client.post("/reporting/unlock/", {"password": PASSWORD, "next": "/"})
    assert response.status_code == 302, response.content
    return client
