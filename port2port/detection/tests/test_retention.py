"""Event retention per kind, and the reminders of serious incidents' reports."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from conftest import World
from port2port.core.models import AuditEntry, User
from port2port.detection import services
from port2port.detection.models import Alert, Event, Incident
from port2port.detection.tests.conftest import Sensors

pytestmark = pytest.mark.django_db


def _read(eid: str, days: float, kind: str = "anpr.read") -> dict[str, Any]:
    at = timezone.now() - dt.timedelta(days=days)
    return {"source": "BEANR-F1", "id": eid, "kind": kind, "time": at.isoformat()}


def test_old_anpr_reads_go_unless_an_alert_or_incident_holds_them(
    sensors: Sensors, settings: Any
) -> None:
    settings.DETECTION_RETENTION_DAYS = {"anpr.read": 30, "heartbeat": 0}
    services.events_ingest(
        actor=None,
        events=[
            _read("old", 31),
            _read("in-alert", 40),
            _read("in-incident", 45),
            _read("recent", 29),
            _read("old-heartbeat", 400, kind="heartbeat"),
            _read("old-fence", 400, kind="fence.alarm"),
        ],
    )
    ids = dict(Event.objects.values_list("source_event_id", "pk"))
    alert = services.alert_raise(
        port_id=sensors.fence.port_id,
        rule_code="watch",
        title="Watched plate",
        severity="high",
        dedup_key="watch",
        at=timezone.now(),
    )
    Alert.objects.filter(pk=alert.pk).update(event_ids=[ids["in-alert"]])
    Incident.objects.create(
        port_id=sensors.fence.port_id, title="Theft", event_ids=[ids["in-incident"]]
    )

    assert services.events_purge() == {"anpr.read": 1}
    assert sorted(Event.objects.values_list("source_event_id", flat=True)) == [
        "in-alert",
        "in-incident",
        "old-fence",
        "old-heartbeat",
        "recent",
    ]
    entry = AuditEntry.objects.get(action="detection.events.purge")
    assert json.loads(entry.details) == {"anpr.read": 1}
    assert services.events_purge() == {}


def test_a_serious_incident_is_reminded_of_its_written_report(
    world: World, bob: User, settings: Any, bob_client: Client
) -> None:
    settings.DETECTION_REPORT_REMINDER_HOURS = [12, 2, 0]
    bob.email = "bob@portofantwerp.example"
    bob.save(update_fields=["email"])
    declared = timezone.now()
    incident = Incident.objects.create(
        port=world.antwerp,
        title="Intrusion",
        serious=True,
        assignee=bob,
        report_due_at=declared + dt.timedelta(hours=24),
    )
    assert services.incident_report_remind(now=declared) == []
    twelve = declared + dt.timedelta(hours=12)
    assert services.incident_report_remind(now=twelve) == [incident]
    assert services.incident_report_remind(now=twelve) == []
    # Both later reminders fall due together: one message.
    late = declared + dt.timedelta(hours=25)
    assert services.incident_report_remind(now=late) == [incident]
    assert [m.to for m in mail.outbox] == [[bob.email], [bob.email]]
    assert "is overdue since" in mail.outbox[1].body
    incident.refresh_from_db()
    assert incident.report_reminders == 3
    assert incident.entries.count() == 2
    assert (
        AuditEntry.objects.filter(action="detection.incident.report_reminder").count()
        == 2
    )


def test_a_submitted_report_is_not_reminded(
    world: World, bob: User, bob_client: Client
) -> None:
    incident = Incident.objects.create(
        port=world.antwerp,
        title="Intrusion",
        serious=True,
        report_due_at=timezone.now() + dt.timedelta(hours=1),
    )
    bob_client.post(f"/detection/incidents/{incident.pk}/", {"report_submitted": "on"})
    incident.refresh_from_db()
    assert incident.report_submitted_at is not None
    assert (
        services.incident_report_remind(now=timezone.now() + dt.timedelta(hours=2))
        == []
    )
