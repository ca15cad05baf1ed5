"""Security levels: set with a reason and validity, acknowledged by every PFSO, kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import World
from port2port.access import gate
from port2port.access.tests.conftest import Gates
from port2port.compliance import services
from port2port.compliance.models import (
    LevelAcknowledgement,
    Reminder,
    SecurityLevelChange,
)
from port2port.core.errors import InvalidInput, NotPermitted
from port2port.core.models import AuditEntry, Facility, Port, User
from port2port.core.tests import factories

pytestmark = pytest.mark.django_db


def test_the_port_officer_raises_the_port_and_every_isps_pfso_must_acknowledge(
    world: World, alice: User
) -> None:
    second = factories.FacilityFactory(
        port=world.antwerp, code="BEANR-0002", name="Bulk Terminal"
    )
    factories.FacilityFactory(
        port=world.antwerp, code="BEANR-0003", name="Marina", isps=False
    )
    change = services.security_level_set(
        actor=alice, port=world.antwerp, level=2, reason="Threat to container traffic"
    )
    assert Port.objects.get(pk=world.antwerp.pk).security_level == 2
    assert (change.level, change.previous_level, change.set_by_label) == (2, 1, "alice")
    assert sorted(change.acknowledgements.values_list("facility__name", flat=True)) == [
        "Bulk Terminal",
        "Deurganck Terminal",
    ]
    assert second.pk in set(
        change.acknowledgements.values_list("facility_id", flat=True)
    )
    entry = AuditEntry.objects.get(action="security_level.set")
    assert entry.port_id == world.antwerp.pk
    assert '"to":2' in entry.details


def test_the_pfso_acknowledges_once(world: World, alice: User, pfso: User) -> None:
    change = services.security_level_set(
        actor=alice, port=world.antwerp, level=2, reason="Exercise"
    )
    ack = change.acknowledgements.get(facility=world.deurganck)
    reminder = Reminder.objects.get(recipient=pfso)
    assert (reminder.kind, reminder.late) == ("level", True)
    assert reminder.message == "Acknowledge security level 2 at Deurganck Terminal."
    services.reminders_run()
    assert Reminder.objects.filter(recipient=pfso, kind="level").count() == 1
    services.security_level_acknowledge(actor=pfso, acknowledgement=ack)
    services.security_level_acknowledge(actor=pfso, acknowledgement=ack)
    ack.refresh_from_db()
    assert ack.acknowledged_by == pfso
    assert AuditEntry.objects.filter(action="security_level.acknowledge").count() == 1


def test_another_facilitys_pfso_cannot_acknowledge(
    world: World, alice: User, ghent_pfso: User
) -> None:
    change = services.security_level_set(
        actor=alice, port=world.antwerp, level=2, reason="Exercise"
    )
    with pytest.raises(NotPermitted):
        services.security_level_acknowledge(
            actor=ghent_pfso, acknowledgement=change.acknowledgements.get()
        )


@pytest.mark.parametrize("who", ["bob", "charlie", "pfso"])
def test_only_the_ports_officer_sets_its_level(
    request: pytest.FixtureRequest, world: World, who: str
) -> None:
    actor = request.getfixturevalue(who)
    with pytest.raises(NotPermitted):
        services.security_level_set(
            actor=actor, port=world.antwerp, level=3, reason="No"
        )
    assert Port.objects.get(pk=world.antwerp.pk).security_level == 1
    assert not SecurityLevelChange.objects.exists()


def test_the_national_authority_sets_any_facilitys_level(
    world: World, namb: User
) -> None:
    services.security_level_set(
        actor=namb,
        port=world.ghent,
        facility=world.kluizendok,
        level=3,
        reason="Imminent threat",
    )
    kluizendok = Facility.objects.get(pk=world.kluizendok.pk)
    assert (kluizendok.security_level, kluizendok.effective_security_level) == (3, 3)
    assert Port.objects.get(pk=world.ghent.pk).security_level == 1


def test_a_level_needs_a_reason_and_a_future_end(world: World, alice: User) -> None:
    with pytest.raises(InvalidInput) as empty:
        services.security_level_set(
            actor=alice, port=world.antwerp, level=2, reason=" "
        )
    assert "reason" in empty.value.fields
    with pytest.raises(InvalidInput) as past:
        services.security_level_set(
            actor=alice,
            port=world.antwerp,
            level=2,
            reason="x",
            valid_until=timezone.now() - dt.timedelta(minutes=1),
        )
    assert "valid_until" in past.value.fields


def test_a_new_level_ends_the_previous_one_and_the_history_is_kept(
    world: World, alice: User
) -> None:
    first = services.security_level_set(
        actor=alice, port=world.antwerp, level=2, reason="Threat"
    )
    second = services.security_level_set(
        actor=alice, port=world.antwerp, level=1, reason="Threat over"
    )
    first.refresh_from_db()
    assert first.end == SecurityLevelChange.End.SUPERSEDED
    assert second.ended_at is None
    assert second.previous_level == 2
    assert SecurityLevelChange.objects.count() == 2


def test_when_its_validity_ends_the_previous_level_returns_for_acknowledgement(
    world: World, alice: User
) -> None:
    now = timezone.now()
    change = services.security_level_set(
        actor=alice,
        port=world.antwerp,
        facility=world.deurganck,
        level=3,
        reason="Suspicious vessel",
        valid_until=now + dt.timedelta(hours=6),
    )
    assert services.security_level_expire_due(now=now + dt.timedelta(hours=5)) == 0
    assert services.security_level_expire_due(now=now + dt.timedelta(hours=6)) == 1
    assert services.security_level_expire_due(now=now + dt.timedelta(hours=7)) == 0
    change.refresh_from_db()
    assert change.end == SecurityLevelChange.End.LAPSED
    assert Facility.objects.get(pk=world.deurganck.pk).security_level is None
    lapse = SecurityLevelChange.objects.get(ended_at__isnull=True)
    assert (lapse.level, lapse.previous_level, lapse.set_by_label) == (1, 3, "system")
    assert LevelAcknowledgement.objects.filter(change=lapse).count() == 1
    assert AuditEntry.objects.filter(action="security_level.lapse").count() == 1


def test_the_gates_apply_a_new_level_without_being_told(
    world: World, alice: User, gates: Gates
) -> None:
    before = gate.snapshot_current().zones[gates.zone.pk].security_level
    services.security_level_set(
        actor=alice, port=world.antwerp, facility=world.deurganck, level=3, reason="x"
    )
    after = gate.state_current(force_poll=True).snapshot.zones[gates.zone.pk]
    assert (before, after.security_level) == (1, 3)
