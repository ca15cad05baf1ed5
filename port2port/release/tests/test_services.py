from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from stdnum import iso6346

from port2port.core.audit import audit_verify
from port2port.core.errors import Conflict, NotPermitted
from port2port.core.models import AuditEntry
from port2port.release import selectors, services
from port2port.release.lights import Colour, commercial_value, lights_compute
from port2port.release.models import (
    DriverAssignment,
    Release,
    ReleaseEvent,
    ReleaseTransfer,
)
from port2port.release.tests.conftest import (
    Chain,
    ready_release,
    release_for,
    to_haulier,
)


def container(serial: int) -> str:
    base = f"TGHU{serial:06d}"
    return base + iso6346.calc_check_digit(base)


# Lights ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("commercial", "discharged", "terminal", "customs", "overall"),
    [
        ("ok", True, True, "released", Colour.GREEN),
        ("ok", True, True, "gateoutreceived", Colour.GREEN),
        ("ok", True, True, "selectedforscan", Colour.YELLOW),
        ("ok", True, True, "favv", Colour.YELLOW),
        ("ok", True, True, "portequalisation", Colour.YELLOW),
        ("ok", True, True, "transhipment", Colour.YELLOW),
        ("ok", True, True, "partiallycleared", Colour.YELLOW),
        ("ok", True, True, "documentarycontrol", Colour.RED),
        ("ok", True, True, "notreleased", Colour.RED),
        ("blocked", True, True, "released", Colour.RED),
        ("expired", True, True, "released", Colour.RED),
        ("nok", True, True, "released", Colour.RED),
        ("ok", False, True, "released", Colour.GREY),
        ("ok", True, False, "released", Colour.GREY),
        ("unknown", True, True, "released", Colour.GREY),
        ("blocked", False, False, "selectedforscan", Colour.RED),
        ("ok", False, False, "selectedforscan", Colour.YELLOW),
        ("ok", True, True, "somethingnew", Colour.RED),
    ],
)
def test_the_overall_light(
    commercial: str, discharged: bool, terminal: bool, customs: str, overall: Colour
) -> None:
    lights = lights_compute(
        commercial=commercial,
        discharged=discharged,
        terminal_released=terminal,
        customs=customs,
    )
    assert lights.overall == overall
    assert lights.green is (overall == Colour.GREEN)


@pytest.mark.parametrize(
    ("status", "expired", "value"),
    [
        ("active", False, "ok"),
        ("active", True, "expired"),
        ("blocked", False, "blocked"),
        ("blocked", True, "blocked"),
        ("withdrawn", False, "nok"),
        ("expired", False, "expired"),
        ("picked_up", True, "ok"),
        ("gated_out", False, "ok"),
    ],
)
def test_the_commercial_light_follows_the_status(
    status: str, expired: bool, value: str
) -> None:
    assert commercial_value(status=status, expired=expired) == value


def test_changes_name_each_light_that_moved() -> None:
    before = lights_compute(
        commercial="ok", discharged=False, terminal_released=True, customs="released"
    )
    after = lights_compute(
        commercial="ok", discharged=True, terminal_released=True, customs="released"
    )
    assert after.changes(before) == [
        ("discharge", "notdischarged", "discharged"),
        ("overall", "grey", "green"),
    ]


# Creating ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_bulk_creation_writes_in_batches_with_one_audit_entry_each(
    chain: Chain, monkeypatch: Any
) -> None:
    monkeypatch.setattr(services, "BATCH_SIZE", 40)
    rows = [
        services.ReleaseInput(
            container_number=container(n),
            terminal_id=chain.world.deurganck.pk,
            holder_id=chain.forwarder_org.pk,
            valid_until=timezone.now() + dt.timedelta(days=5),
            bills_of_lading=[f"BL{n:06d}"],
            reference=f"B{n:05d}",
        )
        for n in range(100)
    ]
    result = services.release_create_bulk(
        actor=chain.agent, agent=chain.agent_org, rows=rows
    )
    assert result.count == 100
    assert Release.objects.count() == 100
    assert ReleaseEvent.objects.filter(kind="created").count() == 100
    entries = list(
        AuditEntry.objects.filter(action="release.create_bulk").order_by("seq")
    )
    assert [e.object_repr for e in entries] == [
        "40 releases",
        "40 releases",
        "20 releases",
    ]
    assert audit_verify().ok


@pytest.mark.django_db
def test_a_bulk_creation_reports_the_rows_at_fault(chain: Chain) -> None:
    good = services.ReleaseInput(
        container_number=container(1),
        terminal_id=chain.world.deurganck.pk,
        holder_id=chain.forwarder_org.pk,
        valid_until=timezone.now() + dt.timedelta(days=5),
        bills_of_lading=["BL1"],
    )
    rows = [
        good,
        services.ReleaseInput(
            container_number=container(1),
            terminal_id=chain.world.deurganck.pk,
            holder_id=chain.forwarder_org.pk,
            valid_until=timezone.now() + dt.timedelta(days=5),
            bills_of_lading=["BL2"],
        ),
    ]
    with pytest.raises(Exception) as caught:
        services.release_create_bulk(
            actor=chain.agent, agent=chain.agent_org, rows=rows
        )
    assert caught.value.fields == {  # type: ignore[attr-defined]
        "releases.1.container_number": ["Repeats row 0."]
    }


# The chain ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_accepting_a_transfer_ends_the_former_holders_assignment(chain: Chain) -> None:
    release = ready_release(chain)
    transfer = services.transfer_create(
        actor=chain.haulier, release=release, receiver=chain.other_haulier
    )
    services.transfer_accept(actor=_member_of(chain.other_haulier), transfer=transfer)
    assert not DriverAssignment.objects.filter(release=release, active=True).exists()
    release.refresh_from_db()
    assert release.holder_id == chain.other_haulier.pk


def _member_of(organisation: Any) -> Any:
    from conftest import _member

    return _member(f"admin{organisation.pk}", organisation, "company_admin")


@pytest.mark.django_db
def test_a_withdrawal_revokes_the_waiting_transfer(chain: Chain) -> None:
    release = release_for(chain)
    transfer = services.transfer_create(
        actor=chain.forwarder, release=release, receiver=chain.world.haulier
    )
    services.release_withdraw(actor=chain.agent, release=release, reason="Cancelled")
    transfer.refresh_from_db()
    assert transfer.state == ReleaseTransfer.State.REVOKED
    with pytest.raises(Conflict):
        services.transfer_accept(actor=chain.haulier, transfer=transfer)


@pytest.mark.django_db
def test_the_receiver_alone_accepts(chain: Chain) -> None:
    release = release_for(chain)
    transfer = services.transfer_create(
        actor=chain.forwarder, release=release, receiver=chain.world.haulier
    )
    with pytest.raises(NotPermitted):
        services.transfer_accept(actor=chain.forwarder, transfer=transfer)


@pytest.mark.django_db
def test_the_holder_sees_the_release_and_a_former_holder_still_does(
    chain: Chain,
) -> None:
    release = to_haulier(chain, release_for(chain))
    for user in (chain.agent, chain.forwarder, chain.haulier, chain.gate_operator):
        assert selectors.may_read(actor=user, release=release)
    assert not selectors.may_read(actor=chain.outsider, release=release)
    assert [
        r.pk for r in selectors.release_list_for_user(actor=chain.haulier, held=True)
    ] == [release.pk]
    assert not selectors.release_list_for_user(
        actor=chain.forwarder, held=True
    ).exists()


# Expiry and retention ----------------------------------------------------------------------


@pytest.mark.django_db
def test_due_releases_expire_and_picked_up_ones_close(chain: Chain) -> None:
    open_release = release_for(chain, container="MWCU6059784", days=1)
    picked = ready_release(chain)
    Release.objects.filter(pk=picked.pk).update(status="picked_up")
    transfer = services.transfer_create(
        actor=chain.forwarder, release=open_release, receiver=chain.world.haulier
    )
    with time_machine.travel(timezone.now() + dt.timedelta(days=12)):
        assert services.release_expire_due() == 2
        assert services.release_expire_due() == 0
    open_release.refresh_from_db()
    picked.refresh_from_db()
    assert open_release.status == "expired"
    assert open_release.light == "red"
    assert open_release.closed_at is not None
    assert picked.status == "closed"
    transfer.refresh_from_db()
    assert transfer.state == "revoked"
    assert list(
        ReleaseEvent.objects.filter(release=open_release, kind="light_changed")
        .order_by("id")
        .values_list("details", flat=True)
    )[-1] == {"light": "commercialRelease", "from": "ok", "to": "expired"}


@pytest.mark.django_db
def test_closed_chains_are_purged_after_the_retention(
    chain: Chain, settings: Any
) -> None:
    settings.RELEASE_RETENTION_DAYS = 30
    old = release_for(chain)
    services.release_withdraw(actor=chain.agent, release=old, reason="Cancelled")
    kept = release_for(chain, container="MWCU6059784")
    with time_machine.travel(timezone.now() + dt.timedelta(days=29)):
        assert services.release_retention_purge() == 0
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        assert services.release_retention_purge() == 1
    assert list(Release.objects.values_list("pk", flat=True)) == [kept.pk]
    assert AuditEntry.objects.filter(action="release.retention_purge").count() == 1
    assert audit_verify().ok
