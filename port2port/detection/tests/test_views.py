"""The control-room pages, the stream and the alert and incident actions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from port2port.core.models import AuditEntry
from port2port.detection import runner, services
from port2port.detection.models import Alert, Incident
from port2port.detection.tests.conftest import Sensors

pytestmark = pytest.mark.django_db


@pytest.fixture
def alert(sensors: Sensors) -> Alert:
    at = timezone.now() - dt.timedelta(minutes=2)
    services.events_ingest(
        actor=None,
        events=[
            {
                "source": "BEANR-F1",
                "id": "1",
                "kind": "fence.alarm",
                "time": at.isoformat(),
            },
            {
                "source": "BEANR-C1",
                "id": "2",
                "kind": "camera.object",
                "time": at.isoformat(),
                "payload": {"label": "person"},
            },
        ],
    )
    runner.rules_run()
    return Alert.objects.get()


def test_the_control_room_lists_the_open_alerts(
    bob_client: Client, alert: Alert
) -> None:
    response = bob_client.get("/detection/?port=BEANR")
    assert response.status_code == 200
    assert b"Confirmed intrusion" in response.content
    data = bob_client.get("/detection/map.json?port=BEANR").json()
    assert [a["id"] for a in data["alerts"]] == [alert.pk]
    assert {f["properties"]["code"] for f in data["features"]["features"]} == {
        "BEANR-F1",
        "BEANR-C1",
    }


def test_another_port_sees_nothing(charlie_client: Client, alert: Alert) -> None:
    assert b"Confirmed intrusion" not in charlie_client.get("/detection/").content
    response = charlie_client.post(f"/detection/alerts/{alert.pk}/acknowledge/")
    assert response.status_code == 404


def test_the_stream_sends_alert_changes(bob_client: Client, alert: Alert) -> None:
    response = bob_client.get("/detection/stream/?port=BEANR&seconds=1")
    body = b"".join(response.streaming_content).decode()  # type: ignore[arg-type]
    assert response["Content-Type"] == "text/event-stream"
    assert f"id: {alert.seq}\nevent: alert\n" in body
    again = bob_client.get(
        "/detection/stream/?port=BEANR&seconds=1",
        headers={"Last-Event-ID": str(alert.seq)},
    )
    assert "event: alert" not in b"".join(again.streaming_content).decode()  # type: ignore[arg-type]


def test_an_operator_acknowledges_dismisses_and_promotes(
    bob_client: Client, alert: Alert
) -> None:
    bob_client.post(f"/detection/alerts/{alert.pk}/acknowledge/")
    alert.refresh_from_db()
    assert alert.status == "acknowledged"
    bob_client.post(f"/detection/alerts/{alert.pk}/dismiss/", {"reason": ""})
    alert.refresh_from_db()
    assert alert.status == "acknowledged"
    response = bob_client.post(f"/detection/alerts/{alert.pk}/promote/")
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/detection/incidents/{incident.pk}/"
    alert.refresh_from_db()
    assert (alert.status, alert.incident_id) == ("promoted", incident.pk)
    assert AuditEntry.objects.filter(action__startswith="detection.").count() == 2


def test_an_incident_gets_notes_and_is_closed_with_a_description(
    bob_client: Client, alert: Alert
) -> None:
    bob_client.post(f"/detection/alerts/{alert.pk}/promote/")
    incident = Incident.objects.get()
    url = f"/detection/incidents/{incident.pk}/"
    bob_client.post(url, {"text": "Patrol sent to fence 1", "kind": "action"})
    bob_client.post(url, {"status": "closed", "description": ""})
    incident.refresh_from_db()
    assert incident.status == "open"
    bob_client.post(
        url, {"status": "closed", "description": "Intruder caught", "serious": "on"}
    )
    incident.refresh_from_db()
    assert incident.status == "closed"
    assert incident.report_due_at is not None
    kinds = list(incident.entries.values_list("kind", flat=True))
    assert kinds == ["alert", "action", "status"]
    page = bob_client.get(url)
    assert b"Intruder caught" in page.content
