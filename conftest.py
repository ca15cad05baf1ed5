"""The cast of the test suite and the clients that act for them.

- ``alice`` is the port security officer of Antwerp: she owns the Antwerp objects.
- ``bob`` is her colleague at the port authority with a smaller role
  (control-room operator of Antwerp): he sees, but may not change.
- ``charlie`` is the port security officer of Ghent: he must get 404 for
  everything of Antwerp.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from port2port.core import services
from port2port.core.models import (
    ApiToken,
    Facility,
    Organisation,
    Person,
    Port,
    User,
    Vehicle,
)
from port2port.core.tests import factories

# CI sets these so that a missing browser or broker fails the run instead of
# skipping the tests that need them.
REQUIRE_BROWSER = os.environ.get("P2P_REQUIRE_BROWSER") == "1"
REQUIRE_MQTT = os.environ.get("P2P_REQUIRE_MQTT") == "1"


@pytest.fixture(autouse=True)
def _default_language() -> Any:
    """Start and end every test in the default language.

    The locale middleware activates the language a request asks for and leaves it
    active in the thread; the services translate their refusals when they raise
    them, so a test must not inherit the language of the previous test's request.
    """
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@dataclass
class World:
    antwerp: Port
    ghent: Port
    poab: Organisation
    nsp: Organisation
    terminal_operator: Organisation
    haulier: Organisation
    ghent_operator: Organisation
    deurganck: Facility
    kluizendok: Facility
    driver: Person
    truck: Vehicle
    ghent_person: Person


@pytest.fixture
def world(db: Any) -> World:
    """Two ports, their authorities, a terminal in each, a haulier, a driver and a truck."""
    antwerp = factories.PortFactory(
        locode="BEANR",
        committee=factories.CommitteeFactory(code="lcmb-antwerp", name="LCMB Antwerp"),
    )
    ghent = factories.PortFactory(
        locode="BEGNE",
        name_en="Ghent",
        name_nl="Gent",
        name_fr="Gand",
        committee=factories.CommitteeFactory(code="lcmb-ghent", name="LCMB Ghent"),
        centre={"type": "Point", "coordinates": [3.74, 51.1]},
        boundary=factories.square(3.7, 51.05, 0.15),
    )
    poab = factories.OrganisationFactory(
        name="Port of Antwerp-Bruges", roles=["port_authority"], ports=[antwerp]
    )
    nsp = factories.OrganisationFactory(
        name="North Sea Port", roles=["port_authority"], ports=[ghent]
    )
    operator = factories.OrganisationFactory(
        name="Deurganck Container Terminal NV",
        roles=["terminal_operator"],
        ports=[antwerp],
    )
    haulier = factories.OrganisationFactory(
        name="Scheldt Haulage BV", roles=["transport_operator"], ports=[antwerp]
    )
    ghent_operator = factories.OrganisationFactory(
        name="Kluizendok Terminal NV", roles=["terminal_operator"], ports=[ghent]
    )
    deurganck = factories.FacilityFactory(
        port=antwerp, code="BEANR-0001", name="Deurganck Terminal", operator=operator
    )
    kluizendok = factories.FacilityFactory(
        port=ghent,
        code="BEGNE-0001",
        name="Kluizendok Terminal",
        operator=ghent_operator,
        boundary=factories.square(3.78, 51.17),
    )
    return World(
        antwerp=antwerp,
        ghent=ghent,
        poab=poab,
        nsp=nsp,
        terminal_operator=operator,
        haulier=haulier,
        ghent_operator=ghent_operator,
        deurganck=deurganck,
        kluizendok=kluizendok,
        driver=factories.PersonFactory(
            first_name="Jan", last_name="Peeters", employer=haulier
        ),
        truck=factories.VehicleFactory(plate="1ABC123", owner=haulier),
        ghent_person=factories.PersonFactory(
            first_name="Marie", last_name="Dubois", employer=ghent_operator
        ),
    )


def _member(username: str, organisation: Organisation, role: str, **scope: Any) -> User:
    user = factories.UserFactory(username=username)
    services.membership_create(
        actor=None, user=user, organisation=organisation, role=role, **scope
    )
    return user


@pytest.fixture
def alice(world: World) -> User:
    return _member("alice", world.poab, "port_security_officer", port=world.antwerp)


@pytest.fixture
def bob(world: World) -> User:
    return _member("bob", world.poab, "control_room_operator", port=world.antwerp)


@pytest.fixture
def charlie(world: World) -> User:
    return _member("charlie", world.nsp, "port_security_officer", port=world.ghent)


@pytest.fixture
def dave(world: World) -> User:
    """The company administrator of the Antwerp haulier."""
    return _member("dave", world.haulier, "company_admin")


@pytest.fixture
def admin_user(world: World) -> User:
    return _member("root", world.poab, "platform_admin")


def _client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def alice_client(alice: User) -> Client:
    return _client_for(alice)


@pytest.fixture
def bob_client(bob: User) -> Client:
    return _client_for(bob)


@pytest.fixture
def charlie_client(charlie: User) -> Client:
    return _client_for(charlie)


@pytest.fixture
def dave_client(dave: User) -> Client:
    return _client_for(dave)


@pytest.fixture
def admin_client_(admin_user: User) -> Client:
    return _client_for(admin_user)


@pytest.fixture
def haulier_token(dave: User, world: World) -> tuple[ApiToken, str]:
    """A read-and-write token of the haulier, created by its administrator."""
    return services.api_token_create(
        actor=dave,
        organisation=world.haulier,
        name="TMS integration",
        permissions=["registry:read", "registry:write"],
    )


@pytest.fixture
def chromium_path() -> str:
    """Return Debian's Chromium, or skip (fail in CI) when it is not installed."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if REQUIRE_BROWSER:
            pytest.fail(
                "Chromium is required (P2P_REQUIRE_BROWSER=1) but not installed"
            )
        pytest.skip("Chromium is not installed")
    return path
