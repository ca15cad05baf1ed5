"""Every way a pick-up is refused, through the gate's API call, and the rules alone."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone

from port2port.access.models import PassActivation, PortBan
from port2port.core import services as core_services
from port2port.core.tests import factories
from port2port.detection.models import Alert, Event
from port2port.release import services
from port2port.release.lights import lights_compute
from port2port.release.models import (
    ContainerWatch,
    FraudSignal,
    PickupAttempt,
    Release,
)
from port2port.release.pickup import (
    AssignmentFacts,
    PassFacts,
    PickupReason,
    PickupRequest,
    ReleaseFacts,
    Signal,
    pickup_decide,
)
from port2port.release.tests.conftest import (
    CONTAINER,
    OTHER_CONTAINER,
    Chain,
    api,
    gate_headers,
    lights_green,
    ready_release,
    release_for,
    to_haulier,
)

Setup = Callable[[Chain], dict[str, Any]]


def _nothing(chain: Chain) -> dict[str, Any]:
    ready_release(chain)
    return {}


def _unknown_container(chain: Chain) -> dict[str, Any]:
    ready_release(chain)
    return {"container_number": OTHER_CONTAINER}


def _withdrawn(chain: Chain) -> dict[str, Any]:
    release = ready_release(chain)
    services.release_withdraw(actor=chain.agent, release=release, reason="Cancelled")
    return {}


def _expired(chain: Chain) -> dict[str, Any]:
    release = ready_release(chain)
    Release.objects.filter(pk=release.pk).update(
        valid_from=timezone.now() - dt.timedelta(days=2),
        valid_until=timezone.now() - dt.timedelta(minutes=1),
    )
    return {}


def _not_yet_valid(chain: Chain) -> dict[str, Any]:
    release = ready_release(chain)
    Release.objects.filter(pk=release.pk).update(
        valid_from=timezone.now() + dt.timedelta(days=1)
    )
    return {}


def _blocked(chain: Chain) -> dict[str, Any]:
    release = ready_release(chain)
    services.release_block(actor=chain.agent, release=release, reason="Not paid")
    return {}


def _picked_up(chain: Chain) -> dict[str, Any]:
    release = ready_release(chain)
    Release.objects.filter(pk=release.pk).update(
        status="picked_up", picked_up_at=timezone.now()
    )
    return {}


def _not_discharged(chain: Chain) -> dict[str, Any]:
    release = ready_release(chain)
    services.release_terminal_report(
        actor=chain.gate_operator, release=release, discharged=False
    )
    return {}


def _no_terminal_release(chain: Chain) -> dict[str, Any]:
    release = ready_release(chain)
    services.release_terminal_report(
        actor=chain.gate_operator, release=release, terminal_released=False
    )
    return {}


def _customs_scan(chain: Chain) -> dict[str, Any]:
    release = ready_release(chain)
    services.release_customs_report(
        actor=chain.customs, release=release, status="selectedforscan"
    )
    return {}


def _transfer_pending(chain: Chain) -> dict[str, Any]:
    release = ready_release(chain)
    services.transfer_create(
        actor=chain.haulier, release=release, receiver=chain.other_haulier
    )
    return {}


def _no_driver(chain: Chain) -> dict[str, Any]:
    lights_green(chain, to_haulier(chain, release_for(chain)))
    return {}


def _no_credential(chain: Chain) -> dict[str, Any]:
    ready_release(chain)
    return {"credential": None}


def _unknown_credential(chain: Chain) -> dict[str, Any]:
    ready_release(chain)
    return {"credential": "P2P999999999999"}


def _pass_state(state: str) -> Setup:
    def setup(chain: Chain) -> dict[str, Any]:
        ready_release(chain)
        chain.driver_pass.state = state
        chain.driver_pass.save()
        return {}

    return setup


def _pass_expired(chain: Chain) -> dict[str, Any]:
    ready_release(chain)
    chain.driver_pass.valid_until = timezone.now() - dt.timedelta(days=1)
    chain.driver_pass.save()
    return {}


def _not_activated_here(chain: Chain) -> dict[str, Any]:
    ready_release(chain)
    PassActivation.objects.filter(
        port_pass=chain.driver_pass, facility=chain.world.deurganck
    ).delete()
    return {}


def _banned(chain: Chain) -> dict[str, Any]:
    ready_release(chain)
    court = factories.OrganisationFactory(roles=["other_authority"])
    PortBan.objects.create(
        person=chain.world.driver,
        issued_by=court,
        starts_on=timezone.localdate() - dt.timedelta(days=1),
        ends_on=timezone.localdate() + dt.timedelta(days=365),
        legal_reference="AN.12.L3.2026/123",
    )
    return {}


def _banned_in_this_port_only(chain: Chain) -> dict[str, Any]:
    ready_release(chain)
    court = factories.OrganisationFactory(roles=["other_authority"])
    ban = PortBan.objects.create(
        person=chain.world.driver,
        issued_by=court,
        starts_on=timezone.localdate() - dt.timedelta(days=1),
        ends_on=timezone.localdate() + dt.timedelta(days=365),
        legal_reference="AN.12.L3.2026/124",
        all_ports=False,
    )
    ban.ports.set([chain.world.antwerp])
    return {}


def _no_biometric(chain: Chain) -> dict[str, Any]:
    ready_release(chain)
    return {"biometric": "not_checked"}


def _biometric_mismatch(chain: Chain) -> dict[str, Any]:
    ready_release(chain)
    return {"biometric": "no_match"}


def _other_driver_of_the_same_company(chain: Chain) -> dict[str, Any]:
    ready_release(chain)
    return {"credential": chain.colleague_pass.number}


def _wrong_visit(chain: Chain) -> dict[str, Any]:
    ready_release(chain, mode="barge", pass_number="", visit_reference="BRG-2026-77")
    return {"credential": None, "visit_reference": "BRG-2026-99"}


def _wrong_plate(chain: Chain) -> dict[str, Any]:
    ready_release(chain, plate="1-ABC-123")
    return {"plate": "2XYZ999"}


def _outside_slot(chain: Chain) -> dict[str, Any]:
    now = timezone.now()
    ready_release(
        chain,
        slot_from=now + dt.timedelta(hours=2),
        slot_until=now + dt.timedelta(hours=4),
    )
    return {}


REFUSALS: list[tuple[str, Setup, list[str]]] = [
    ("release_not_found", _unknown_container, ["RELEASE_NOT_FOUND"]),
    ("withdrawn", _withdrawn, ["RELEASE_WITHDRAWN", "NO_DRIVER_ASSIGNED"]),
    ("expired", _expired, ["RELEASE_EXPIRED"]),
    ("not_yet_valid", _not_yet_valid, ["RELEASE_NOT_YET_VALID"]),
    ("blocked", _blocked, ["RELEASE_BLOCKED"]),
    ("already_picked_up", _picked_up, ["ALREADY_PICKED_UP"]),
    ("not_discharged", _not_discharged, ["NOT_DISCHARGED"]),
    ("no_terminal_release", _no_terminal_release, ["TERMINAL_RELEASE_MISSING"]),
    ("customs_follow_up", _customs_scan, ["CUSTOMS_NOT_CLEARED"]),
    ("transfer_pending", _transfer_pending, ["TRANSFER_PENDING"]),
    ("no_driver", _no_driver, ["NO_DRIVER_ASSIGNED"]),
    ("no_credential", _no_credential, ["NO_CREDENTIAL"]),
    ("unknown_credential", _unknown_credential, ["UNKNOWN_CREDENTIAL"]),
    ("pass_issued", _pass_state("issued"), ["PASS_NOT_ACTIVE"]),
    ("pass_suspended", _pass_state("suspended"), ["PASS_SUSPENDED"]),
    ("pass_lost", _pass_state("lost"), ["PASS_LOST"]),
    ("pass_revoked", _pass_state("revoked"), ["PASS_REVOKED"]),
    ("pass_expired", _pass_expired, ["PASS_EXPIRED"]),
    ("not_activated_here", _not_activated_here, ["PASS_NOT_ACTIVATED_HERE"]),
    ("port_ban", _banned, ["PORT_BAN"]),
    ("port_ban_of_this_port", _banned_in_this_port_only, ["PORT_BAN"]),
    ("biometric_required", _no_biometric, ["BIOMETRIC_REQUIRED"]),
    ("biometric_mismatch", _biometric_mismatch, ["BIOMETRIC_MISMATCH"]),
    ("wrong_driver", _other_driver_of_the_same_company, ["WRONG_DRIVER"]),
    ("wrong_visit", _wrong_visit, ["WRONG_VISIT"]),
    ("wrong_plate", _wrong_plate, ["PLATE_MISMATCH"]),
    ("outside_slot", _outside_slot, ["OUTSIDE_SLOT"]),
]


def _check(chain: Chain, **overrides: Any) -> Any:
    body: dict[str, Any] = {
        "container_number": CONTAINER,
        "credential": chain.driver_pass.number,
        "biometric": "match",
    }
    body.update(overrides)
    body = {k: v for k, v in body.items() if v is not None}
    return api(Client(), "post", "/releases/pickups", body, **gate_headers(chain))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("setup", "reasons"),
    [pytest.param(setup, reasons, id=name) for name, setup, reasons in REFUSALS],
)
def test_a_pickup_is_refused_with_its_reason(
    chain: Chain, setup: Setup, reasons: list[str]
) -> None:
    overrides = setup(chain)
    before = list(Release.objects.order_by("pk").values_list("status", flat=True))
    response = _check(chain, **overrides)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["allowed"] is False
    assert [r["code"] for r in body["reasons"]] == reasons
    attempt = PickupAttempt.objects.get(pk=body["attempt_id"])
    assert attempt.allowed is False
    assert attempt.reason_list == reasons
    # A refusal never consumes the release.
    assert (
        list(Release.objects.order_by("pk").values_list("status", flat=True)) == before
    )


@pytest.mark.django_db
def test_the_assigned_driver_is_let_through(chain: Chain) -> None:
    _nothing(chain)
    body = _check(chain).json()
    assert body["allowed"] is True
    assert body["person_id"] == chain.world.driver.pk
    assert Release.objects.get().status == "picked_up"
    assert FraudSignal.objects.count() == 0


@pytest.mark.django_db
def test_a_barge_visit_picks_up_without_a_personal_card(chain: Chain) -> None:
    ready_release(chain, mode="rail", pass_number="", visit_reference="TRN-2026-0042")
    body = _check(chain, credential=None, visit_reference="trn-2026-0042").json()
    assert body["allowed"] is True
    assert body["reasons"] == []


@pytest.mark.django_db
def test_a_wrong_driver_raises_a_fraud_signal(chain: Chain) -> None:
    ready_release(chain)
    body = _check(chain, credential=chain.colleague_pass.number).json()
    signal = FraudSignal.objects.get()
    assert signal.kind == "wrong_driver"
    assert signal.attempt_id == body["attempt_id"]
    assert signal.person_id == chain.colleague.pk
    assert signal.port_id == chain.world.antwerp.pk


@pytest.mark.django_db
def test_a_wrong_driver_becomes_a_control_room_alert_and_a_detection_event(
    chain: Chain,
) -> None:
    release = ready_release(chain)
    body = _check(chain, credential=chain.colleague_pass.number, plate="1-ABC-123")
    signal = FraudSignal.objects.get()
    alert = Alert.objects.get()
    facts = {
        "signal": signal.pk,
        "kind": "wrong_driver",
        "container": CONTAINER,
        "release": release.pk,
        "terminal": chain.world.deurganck.code,
        "reasons": ["WRONG_DRIVER"],
        "plate": "1ABC123",
    }
    assert body.json()["allowed"] is False
    assert (alert.rule_code, alert.severity, alert.port_id, alert.count) == (
        "release.fraud",
        "high",
        chain.world.antwerp.pk,
        1,
    )
    assert alert.title == (
        "Pick-up by a driver other than the assigned one: "
        f"{CONTAINER} at {chain.world.deurganck.name}"
    )
    assert alert.dedup_key == f"release.fraud:{release.pk}:wrong_driver"
    assert alert.details == facts
    event = Event.objects.get(kind="release.fraud")
    assert (event.port_id, event.source_event_id, event.payload) == (
        chain.world.antwerp.pk,
        f"release.fraud:{signal.pk}",
        facts,
    )


@pytest.mark.django_db
def test_the_control_room_alert_of_a_fraud_signal_names_no_driver(
    chain: Chain,
) -> None:
    ready_release(chain)
    _check(chain, credential=chain.colleague_pass.number)
    alert = Alert.objects.get()
    shown = f"{alert.title} {alert.details} {Event.objects.get().payload}"
    assert chain.colleague.full_name not in shown
    assert chain.colleague_pass.number not in shown
    assert "person" not in alert.details


@pytest.mark.django_db
def test_repeated_fraud_signals_of_one_kind_count_up_on_one_alert(
    chain: Chain,
) -> None:
    ready_release(chain)
    _check(chain, credential=chain.colleague_pass.number)
    _check(chain, credential=chain.colleague_pass.number)
    assert list(Alert.objects.values_list("rule_code", "count")) == [
        ("release.fraud", 2)
    ]
    assert Event.objects.filter(kind="release.fraud").count() == 2


@pytest.mark.django_db
def test_an_allowed_pickup_raises_no_control_room_alert(chain: Chain) -> None:
    ready_release(chain)
    assert _check(chain).json()["allowed"] is True
    assert Alert.objects.count() == 0
    assert Event.objects.filter(kind="release.fraud").count() == 0


@pytest.mark.django_db
def test_a_pickup_at_another_terminal_is_refused_and_signalled(chain: Chain) -> None:
    ready_release(chain)
    admin = core_services.membership_create(
        actor=None,
        user=factories.UserFactory(username="ghadmin"),
        organisation=chain.world.ghent_operator,
        role="company_admin",
    ).user
    _, secret = core_services.api_token_create(
        actor=admin,
        organisation=chain.world.ghent_operator,
        facility=chain.world.kluizendok,
        name="Kluizendok gate",
        permissions=["gate:decide", "registry:read"],
    )
    response = api(
        Client(),
        "post",
        "/releases/pickups",
        {
            "container_number": CONTAINER,
            "credential": chain.driver_pass.number,
            "biometric": "match",
        },
        Authorization=f"Bearer {secret}",
    )
    assert [r["code"] for r in response.json()["reasons"]] == ["WRONG_TERMINAL"]
    assert list(FraudSignal.objects.values_list("kind", flat=True)) == [
        "wrong_terminal"
    ]
    # The Ghent terminal still may not read the Antwerp release.
    release = Release.objects.get()
    assert (
        api(
            Client(),
            "get",
            f"/releases/{release.pk}",
            Authorization=f"Bearer {secret}",
        ).status_code
        == 404
    )


@pytest.mark.django_db
def test_a_container_named_in_a_bulletin_is_noted_and_signalled(chain: Chain) -> None:
    ready_release(chain)
    ContainerWatch.objects.create(container_number=CONTAINER, reference="TLP-AMBER-17")
    body = _check(chain).json()
    assert body["allowed"] is True
    assert [n["code"] for n in body["notes"]] == ["BULLETIN_MATCH"]
    assert list(FraudSignal.objects.values_list("kind", flat=True)) == [
        "bulletin_match"
    ]


@pytest.mark.django_db
def test_an_expired_release_is_refused_after_its_validity(chain: Chain) -> None:
    ready_release(chain)
    with time_machine.travel(timezone.now() + dt.timedelta(days=11)):
        body = _check(chain).json()
    assert [r["code"] for r in body["reasons"]] == ["RELEASE_EXPIRED"]


@pytest.mark.django_db(transaction=True)
def test_under_concurrent_attempts_exactly_one_pickup_succeeds(chain: Chain) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every writer; the race needs PostgreSQL")
    release = ready_release(chain)
    terminal = chain.world.deurganck
    barrier = threading.Barrier(8)
    answers: list[bool] = []
    errors: list[BaseException] = []

    def attempt() -> None:
        try:
            barrier.wait(timeout=10)
            outcome = services.pickup_check(
                actor=chain.gate_operator,
                terminal=terminal,
                container_number=CONTAINER,
                credential=chain.driver_pass.number,
                biometric="match",
            )
            answers.append(outcome.decision.allowed)
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(answers) == [False] * 7 + [True]
    release.refresh_from_db()
    assert release.status == "picked_up"
    assert PickupAttempt.objects.filter(allowed=True).count() == 1
    assert {
        tuple(a.reason_list) for a in PickupAttempt.objects.filter(allowed=False)
    } == {("ALREADY_PICKED_UP",)}


def _changed_after_reading(
    monkeypatch: pytest.MonkeyPatch, change: Callable[[], Any]
) -> list[bool]:
    """Make ``change`` happen between the check's first read and its take."""
    original = services._pickup_read
    locked: list[bool] = []

    def read(container: str, at: dt.datetime, *, lock: bool = False) -> Any:
        result = original(container, at, lock=lock)
        locked.append(lock)
        if len(locked) == 1:
            change()
        return result

    monkeypatch.setattr(services, "_pickup_read", read)
    return locked


def _check_service(chain: Chain, credential: str) -> services.PickupOutcome:
    return services.pickup_check(
        actor=chain.gate_operator,
        terminal=chain.world.deurganck,
        container_number=CONTAINER,
        credential=credential,
        biometric="match",
    )


def test_a_block_between_the_decision_and_the_pickup_refuses_it(
    chain: Chain, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = ready_release(chain)
    reads = _changed_after_reading(
        monkeypatch,
        lambda: services.release_block(
            actor=chain.agent, release=release, reason="Carrier dispute"
        ),
    )
    outcome = _check_service(chain, chain.driver_pass.number)
    assert reads == [False, True]  # decided again on a fresh, locked read
    assert outcome.decision.allowed is False
    assert "RELEASE_BLOCKED" in outcome.attempt.reason_list
    release.refresh_from_db()
    assert release.status == "blocked"
    assert release.picked_up_at is None


def test_a_new_driver_between_the_decision_and_the_pickup_refuses_the_old_one(
    chain: Chain, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = ready_release(chain)
    _changed_after_reading(
        monkeypatch,
        lambda: services.release_assign(
            actor=chain.haulier,
            release=release,
            pass_number=chain.colleague_pass.number,
        ),
    )
    outcome = _check_service(chain, chain.driver_pass.number)
    assert outcome.decision.allowed is False
    assert outcome.attempt.reason_list == ["WRONG_DRIVER"]
    release.refresh_from_db()
    assert release.status == "active"


def test_an_unrelated_change_between_the_decision_and_the_pickup_still_lets_it_go(
    chain: Chain, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = ready_release(chain)
    reads = _changed_after_reading(
        monkeypatch, lambda: Release.objects.get(pk=release.pk).save()
    )
    outcome = _check_service(chain, chain.driver_pass.number)
    assert reads == [False, True]
    assert outcome.decision.allowed is True
    release.refresh_from_db()
    assert release.status == "picked_up"
    assert release.picked_up_by_id == chain.driver_pass.person_id
    assert PickupAttempt.objects.filter(release=release, allowed=True).count() == 1


# The rules alone ---------------------------------------------------------------------------

AT = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
GREEN = lights_compute(
    commercial="ok", discharged=True, terminal_released=True, customs="released"
)


def _facts(**changes: Any) -> ReleaseFacts:
    values: dict[str, Any] = {
        "status": "active",
        "terminal_id": 1,
        "valid_from": AT - dt.timedelta(days=1),
        "valid_until": AT + dt.timedelta(days=1),
        "lights": GREEN,
        "transfer_pending": False,
        "assignment": AssignmentFacts(
            operator_is_holder=True,
            mode="truck",
            driver_person_id=7,
            plate="",
            slot_from=None,
            slot_until=None,
            visit_reference="",
        ),
    }
    values.update(changes)
    return ReleaseFacts(**values)


PASS = PassFacts(
    person_id=7,
    state="active",
    valid_from=AT - dt.timedelta(days=100),
    valid_until=AT + dt.timedelta(days=100),
    activated_here=True,
    banned=False,
)


def test_the_rules_list_every_reason_at_once() -> None:
    decision = pickup_decide(
        request=PickupRequest(terminal_id=2, credential="X", biometric="no_match"),
        release=_facts(status="blocked", transfer_pending=True),
        presented=PassFacts(
            person_id=8,
            state="suspended",
            valid_from=PASS.valid_from,
            valid_until=PASS.valid_until,
            activated_here=False,
            banned=True,
        ),
        watched=True,
        biometric_required=True,
        at=AT,
    )
    assert decision.allowed is False
    assert decision.reasons == (
        PickupReason.WRONG_TERMINAL,
        PickupReason.RELEASE_BLOCKED,
        PickupReason.TRANSFER_PENDING,
        PickupReason.PASS_SUSPENDED,
        PickupReason.PASS_NOT_ACTIVATED_HERE,
        PickupReason.PORT_BAN,
        PickupReason.BIOMETRIC_MISMATCH,
        PickupReason.WRONG_DRIVER,
    )
    assert decision.notes == (PickupReason.BULLETIN_MATCH,)
    assert decision.signals == (
        Signal.WRONG_TERMINAL,
        Signal.BLOCKED_RELEASE,
        Signal.WRONG_DRIVER,
        Signal.BULLETIN_MATCH,
    )


def test_the_rules_let_the_assigned_driver_through_without_biometrics_when_not_required() -> (
    None
):
    decision = pickup_decide(
        request=PickupRequest(terminal_id=1, credential="X"),
        release=_facts(),
        presented=PASS,
        watched=False,
        biometric_required=False,
        at=AT,
    )
    assert decision.allowed is True
    assert decision.person_id == 7


def test_the_rules_need_an_aware_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        pickup_decide(
            request=PickupRequest(terminal_id=1, credential="X"),
            release=_facts(),
            presented=PASS,
            watched=False,
            biometric_required=False,
            at=AT.replace(tzinfo=None),
        )
