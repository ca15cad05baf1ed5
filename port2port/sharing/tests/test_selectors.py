"""TLP, distribution and clearance on every read path of a bulletin."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import World, _member
from port2port.compliance.models import Course, TrainingRecord, TrainingRule
from port2port.core.errors import NotFound
from port2port.core.models import Clearance, User
from port2port.core.tests import factories
from port2port.sharing import selectors
from port2port.sharing.models import SharingGroup
from port2port.sharing.tests.conftest import Hub, bulletin_make


def _visible(user: User) -> set[str]:
    return {b.title for b in selectors.bulletin_list_for_user(actor=user)}


@pytest.fixture
def cast(
    world: World, hub: Hub, alice: User, bob: User, charlie: User
) -> dict[str, User]:
    charlie.clearance = Clearance.CONFIDENTIAL
    charlie.save(update_fields=["clearance"])
    return {
        "alice": alice,
        "bob": bob,
        "charlie": charlie,
        "gino": _member("gino", world.nsp, "control_room_operator", port=world.ghent),
        "driver_admin": _member("hauladmin", world.haulier, "company_admin"),
    }


def test_distribution_and_tlp_decide_who_reads_a_bulletin(
    world: World, hub: Hub, cast: dict[str, User]
) -> None:
    alice = cast["alice"]
    bulletin_make(alice, title="all-amber", tlp="amber", distribution="all_ports")
    bulletin_make(
        alice, title="all-strict", tlp="amber+strict", distribution="all_ports"
    )
    bulletin_make(alice, title="own", tlp="green", distribution="organisation")
    bulletin_make(
        alice, title="ghent", tlp="green", distribution="port", port=world.ghent
    )
    bulletin_make(
        alice,
        title="antwerp-strict",
        tlp="amber+strict",
        distribution="port",
        port=world.antwerp,
    )
    bulletin_make(
        alice, title="lcmb-red", tlp="red", distribution="committee", committee=hub.lcmb
    )
    bulletin_make(
        alice,
        title="secret",
        tlp="green",
        distribution="all_ports",
        min_clearance=Clearance.SECRET,
    )

    assert _visible(alice) == {
        "all-amber",
        "all-strict",
        "own",
        "ghent",
        "antwerp-strict",
        "lcmb-red",
        "secret",
    }
    # Bob is in Alice's organisation: he reads its bulletins except RED and SECRET.
    assert _visible(cast["bob"]) == {
        "all-amber",
        "all-strict",
        "own",
        "ghent",
        "antwerp-strict",
    }
    # Charlie, Ghent's security officer with CONFIDENTIAL clearance.
    assert _visible(cast["charlie"]) == {"all-amber", "all-strict", "ghent"}
    # Ghent's control room: no AMBER+STRICT.
    assert _visible(cast["gino"]) == {"all-amber", "ghent"}
    # A haulier active in Antwerp only.
    assert _visible(cast["driver_admin"]) == {"all-amber"}


def test_a_sharing_group_reaches_its_organisations_only(
    world: World, hub: Hub, cast: dict[str, User]
) -> None:
    group = SharingGroup.objects.create(name="Terminals taskforce")
    group.organisations.set([world.poab, world.haulier])
    bulletin_make(
        cast["alice"], title="group", distribution="group", sharing_group=group
    )
    assert "group" in _visible(cast["driver_admin"])
    assert "group" not in _visible(cast["charlie"])


def test_hidden_bulletins_are_not_found_on_detail_search_and_export(
    world: World, hub: Hub, cast: dict[str, User]
) -> None:
    strict = bulletin_make(cast["alice"], title="Cloned plates", tlp="amber+strict")
    with pytest.raises(NotFound):
        selectors.bulletin_get_for_user(actor=cast["gino"], pk=strict.pk)
    assert (
        list(selectors.bulletin_list_for_user(actor=cast["gino"], q="1-XYZ-789")) == []
    )
    assert list(
        selectors.bulletin_list_for_user(actor=cast["charlie"], q="1XYZ789")
    ) == [strict]
    assert list(
        selectors.bulletin_list_for_user(actor=cast["charlie"], q="cloned")
    ) == [strict]


def test_raising_a_reader_clearance_reveals_the_bulletin(
    world: World, hub: Hub, cast: dict[str, User]
) -> None:
    secret = bulletin_make(cast["alice"], min_clearance=Clearance.SECRET)
    charlie = cast["charlie"]
    with pytest.raises(NotFound):
        selectors.bulletin_get_for_user(actor=charlie, pk=secret.pk)
    charlie = User.objects.get(pk=charlie.pk)
    charlie.clearance = Clearance.SECRET
    charlie.save()
    charlie = User.objects.get(pk=charlie.pk)
    assert selectors.bulletin_get_for_user(actor=charlie, pk=secret.pk) == secret


def test_the_overview_gives_training_compliance_per_port_and_hides_small_groups(
    world: World, hub: Hub
) -> None:
    namb = _member("namb", world.poab, "national_authority")
    course = Course.objects.create(code="isps-awareness", name="ISPS awareness")
    for port in (world.antwerp, world.ghent):
        TrainingRule.objects.create(course=course, port=port)
    today = timezone.now().date()
    for index in range(5):
        person = factories.PersonFactory(employer=world.haulier)
        TrainingRecord.objects.create(
            person=person,
            course=course,
            completed_on=today - dt.timedelta(days=400),
            # The last one ran out yesterday.
            expires_on=today + dt.timedelta(days=30 if index < 4 else -1),
        )
    training = {
        row["port"]: (row["people"], row["percent"])
        for row in selectors.national_overview(actor=namb)["training"]
    }
    # Antwerp: the driver (no record) and five more, four of them valid: 4 of 6.
    assert training == {world.antwerp.name: (6, 67), world.ghent.name: (None, None)}
