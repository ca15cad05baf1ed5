"""Bulletins' life cycle, receipts, audit, and matching against past and live data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from conftest import World, _member
from port2port.core.errors import InvalidInput, NotFound, NotPermitted
from port2port.core.models import AuditEntry, User
from port2port.detection.models import Alert, Event
from port2port.release import services as release_services
from port2port.release.models import ContainerWatch, FraudSignal
from port2port.release.services import PickupOutcome
from port2port.sharing import selectors, services
from port2port.sharing.models import Bulletin, BulletinRead, Match
from port2port.sharing.tests.conftest import Hub, bulletin_make, gate_read


def test_invalid_indicators_refuse_the_whole_bulletin(
    world: World, hub: Hub, alice: User
) -> None:
    with pytest.raises(InvalidInput) as refused:
        bulletin_make(
            alice,
            indicators=[
                services.IndicatorInput(kind="plate", value="1-ABC-123"),
                services.IndicatorInput(kind="container", value="CSQU3054384"),
            ],
        )
    assert refused.value.fields["indicators"] == [
        "2: CSQU3054384 – A container number is 4 letters, 6 digits and a check "
        "digit (ISO 6346), e.g. CSQU3054383."
    ]
    assert Bulletin.objects.count() == 0


def test_red_is_refused_for_a_port_wide_distribution(
    world: World, hub: Hub, alice: User
) -> None:
    with pytest.raises(InvalidInput) as refused:
        bulletin_make(alice, tlp="red", distribution="all_ports")
    assert "distribution" in refused.value.fields


def test_a_company_administrator_may_not_publish(
    world: World, hub: Hub, dave: User
) -> None:
    with pytest.raises(NotPermitted):
        bulletin_make(dave)


def test_reads_and_acknowledgements_are_receipted_and_audited(
    world: World, hub: Hub, alice: User, charlie: User
) -> None:
    bulletin = bulletin_make(alice)
    services.bulletin_view(actor=charlie, bulletin=bulletin)
    services.bulletin_view(actor=charlie, bulletin=bulletin)
    services.bulletin_acknowledge(actor=charlie, bulletin=bulletin)
    reads = selectors.bulletin_reads_for_owner(actor=alice, bulletin=bulletin)
    assert [(r.user.username, r.acknowledged_at is not None) for r in reads] == [
        ("charlie", True)
    ]
    assert selectors.bulletin_reads_for_owner(actor=charlie, bulletin=bulletin) == []
    actions = list(
        AuditEntry.objects.filter(
            object_id=str(bulletin.pk), object_type="sharing.bulletin"
        )
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "sharing.bulletin.create",
        "sharing.bulletin.view",
        "sharing.bulletin.view",
        "sharing.bulletin.acknowledge",
    ]


def test_an_update_asks_for_a_new_acknowledgement_and_withdrawal_stops_matching(
    world: World, hub: Hub, alice: User, charlie: User
) -> None:
    bulletin = bulletin_make(alice)
    services.bulletin_acknowledge(actor=charlie, bulletin=bulletin)
    with pytest.raises(NotPermitted):
        services.bulletin_update(actor=charlie, bulletin=bulletin, title="Mine now")
    services.bulletin_update(actor=alice, bulletin=bulletin, text="Now also by day.")
    receipt = BulletinRead.objects.get(bulletin=bulletin, user=charlie)
    assert (bulletin.version, receipt.acknowledged_at) == (2, None)
    services.bulletin_withdraw(actor=alice, bulletin=bulletin, reason="Crew arrested")
    gate_read(hub.ghent_gate, "1XYZ789")
    assert services.matches_run_live() == 0
    # Recipients keep the withdrawn bulletin, marked as such.
    seen = selectors.bulletin_get_for_user(actor=charlie, pk=bulletin.pk)
    assert seen.status == Bulletin.Status.WITHDRAWN


def test_a_plate_seen_at_a_gate_in_another_port_raises_an_alert_without_the_bulletin(
    world: World, hub: Hub, alice: User, ghent_operator: User
) -> None:
    bulletin = bulletin_make(alice, tlp="amber+strict")
    gate_read(hub.antwerp_gate, "1ABC123")
    read = gate_read(hub.ghent_gate, "1XYZ789")
    assert services.matches_run_live() == 1
    match = Match.objects.get()
    assert (match.bulletin, match.source, match.source_ref, match.port) == (
        bulletin,
        Match.Source.GATE,
        str(read.pk),
        world.ghent,
    )
    alert = Alert.objects.get(pk=match.alert_id)
    assert alert.port == world.ghent
    assert alert.title == "Watched number plate 1-XYZ-789 seen at Kluizendok gate"
    assert bulletin.title not in str(alert.details)
    assert bulletin.text not in str(alert.details)
    # The Ghent operator sees the match, not the bulletin; Alice sees both.
    assert selectors.match_get_for_user(actor=ghent_operator, pk=match.pk) == match
    assert selectors.match_bulletin_for_user(actor=ghent_operator, match=match) is None
    assert selectors.match_bulletin_for_user(actor=alice, match=match) == bulletin
    assert list(selectors.match_list_for_user(actor=alice)) == [match]
    # Running again matches nothing new.
    assert services.matches_run_live() == 0


def test_an_operator_of_a_third_port_does_not_see_the_match(
    world: World, hub: Hub, alice: User, charlie: User
) -> None:
    bulletin_make(alice)
    gate_read(hub.ghent_gate, "1XYZ789")
    services.matches_run_live()
    match = Match.objects.get()
    from port2port.core.tests import factories

    zee = factories.PortFactory(locode="BEZEE", name_en="Zeebrugge")
    zeebrugge = _member("zee", world.poab, "control_room_operator", port=zee)
    with pytest.raises(NotFound):
        selectors.match_get_for_user(actor=zeebrugge, pk=match.pk)


def test_a_new_bulletin_is_matched_against_the_past_days(
    world: World, hub: Hub, alice: User, settings: object
) -> None:
    old = gate_read(
        hub.ghent_gate, "1XYZ789", at=timezone.now() - dt.timedelta(days=60)
    )
    recent = gate_read(
        hub.ghent_gate, "1XYZ789", at=timezone.now() - dt.timedelta(days=3)
    )
    Event.objects.create(
        time=timezone.now() - dt.timedelta(days=1),
        source_id=0,
        port_id=world.antwerp.pk,
        kind="anpr.read",
        payload={"plate": "1XYZ789"},
        source_event_id="cam-1",
    )
    bulletin = bulletin_make(alice)
    assert services.bulletin_match_past(bulletin_id=bulletin.pk) == 2
    assert {(m.source, m.source_ref, m.live) for m in Match.objects.all()} == {
        (Match.Source.GATE, str(recent.pk), False),
        (Match.Source.ANPR, str(Event.objects.get().pk), False),
    }
    gate_refs = {m.source_ref for m in Match.objects.filter(source=Match.Source.GATE)}
    assert str(old.pk) not in gate_refs


def test_registry_people_and_companies_are_matched(
    world: World, hub: Hub, alice: User
) -> None:
    world.haulier.kbo_number = "0403170701"
    world.haulier.save()
    bulletin = bulletin_make(
        alice,
        indicators=[
            services.IndicatorInput(
                kind="person",
                value="PEETERS Jan",
                date_of_birth=world.driver.date_of_birth,
            ),
            services.IndicatorInput(kind="kbo", value="BE 0403.170.701"),
        ],
    )
    assert services.bulletin_match_past(bulletin_id=bulletin.pk) == 2
    assert sorted(Match.objects.values_list("source", "where")) == [
        ("organisation", "Scheldt Haulage BV"),
        ("person", "Jan Peeters"),
    ]
    # Registry matches have no port: no control-room alert.
    assert Alert.objects.count() == 0


# The release watch list ------------------------------------------------------------

CONTAINER = "CSQU3054383"


def _container_bulletin(alice: User, **kwargs: Any) -> Bulletin:
    return bulletin_make(
        alice,
        indicators=[
            services.IndicatorInput(kind="plate", value="1-XYZ-789"),
            services.IndicatorInput(kind="container", value="csqu 305438-3"),
        ],
        **kwargs,
    )


def _watched() -> list[tuple[str, bool]]:
    return list(ContainerWatch.objects.values_list("container_number", "active"))


def _gate_pickup(world: World) -> PickupOutcome:
    gate = _member(
        "gateop", world.terminal_operator, "gate_operator", facility=world.deurganck
    )
    return release_services.pickup_check(
        actor=gate, terminal=world.deurganck, container_number=CONTAINER
    )


def test_a_pickup_of_a_container_in_a_bulletin_alerts_the_control_room(
    world: World, hub: Hub, alice: User
) -> None:
    bulletin = _container_bulletin(alice)
    assert _watched() == [(CONTAINER, True)]
    outcome = _gate_pickup(world)
    assert [str(note) for note in outcome.decision.notes] == ["BULLETIN_MATCH"]
    signal = FraudSignal.objects.get()
    assert (signal.kind, signal.container_number, signal.port_id) == (
        "bulletin_match",
        CONTAINER,
        world.antwerp.pk,
    )
    alert = Alert.objects.get(rule_code="release.fraud")
    assert alert.port_id == world.antwerp.pk
    assert alert.title == (
        f"Pick-up of a container named in a bulletin: {CONTAINER} "
        f"at {world.deurganck.name}"
    )
    # The control room learns that the container is watched, not the bulletin.
    shown = f"{alert.title} {alert.details}"
    assert bulletin.title not in shown
    assert str(bulletin.uuid) not in shown


def test_withdrawing_a_bulletin_ends_its_container_watch(
    world: World, hub: Hub, alice: User
) -> None:
    bulletin = _container_bulletin(alice)
    services.bulletin_withdraw(actor=alice, bulletin=bulletin, reason="Caught")
    assert _watched() == [(CONTAINER, False)]
    _gate_pickup(world)
    assert FraudSignal.objects.count() == 0
    assert Alert.objects.filter(rule_code="release.fraud").count() == 0


def test_an_update_without_the_container_ends_its_watch_and_a_new_one_starts_it(
    world: World, hub: Hub, alice: User
) -> None:
    bulletin = _container_bulletin(alice)
    services.bulletin_update(
        actor=alice,
        bulletin=bulletin,
        indicators=[services.IndicatorInput(kind="plate", value="1-XYZ-789")],
    )
    assert _watched() == [(CONTAINER, False)]
    services.bulletin_update(
        actor=alice,
        bulletin=bulletin,
        indicators=[services.IndicatorInput(kind="container", value=CONTAINER)],
    )
    assert _watched() == [(CONTAINER, True)]


def test_the_watch_follows_the_bulletins_validity(
    world: World, hub: Hub, alice: User
) -> None:
    start = timezone.now() + dt.timedelta(days=1)
    _container_bulletin(
        alice, valid_from=start, valid_until=start + dt.timedelta(days=2)
    )
    assert _watched() == []
    with time_machine.travel(start + dt.timedelta(hours=1)):
        assert services.container_watches_refresh() == 1
    assert _watched() == [(CONTAINER, True)]
    with time_machine.travel(start + dt.timedelta(days=3)):
        assert services.container_watches_refresh() == 0
    assert _watched() == [(CONTAINER, False)]


def test_the_watch_of_a_deleted_bulletin_ends(
    world: World, hub: Hub, alice: User
) -> None:
    _container_bulletin(alice).delete()
    services.container_watches_refresh()
    assert _watched() == [(CONTAINER, False)]


def test_a_watched_pickup_is_matched_once_not_again_through_its_fraud_event(
    world: World, hub: Hub, alice: User
) -> None:
    _container_bulletin(alice)
    _gate_pickup(world)
    assert Event.objects.filter(kind="release.fraud").count() == 1
    services.matches_run_live()
    assert list(Match.objects.values_list("source", flat=True)) == ["pickup"]
