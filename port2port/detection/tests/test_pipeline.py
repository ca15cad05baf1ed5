"""Ingestion, the rules runner and the alerts it raises."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from port2port.access.models import AccessEvent
from port2port.detection import runner, services
from port2port.detection.models import Alert, Event
from port2port.detection.tests.conftest import Sensors

pytestmark = pytest.mark.django_db


def _event(
    source: str, eid: str, kind: str, at: dt.datetime, **extra: Any
) -> dict[str, Any]:
    return {"source": source, "id": eid, "kind": kind, "time": at.isoformat(), **extra}


def _intrusion(at: dt.datetime, suffix: str = "") -> list[dict[str, Any]]:
    return [
        _event("BEANR-F1", f"f{suffix}", "fence.alarm", at),
        _event(
            "BEANR-C1",
            f"c{suffix}",
            "camera.object",
            at + dt.timedelta(seconds=20),
            payload={"label": "person"},
        ),
    ]


def test_a_batch_gives_one_result_per_event(sensors: Sensors) -> None:
    at = timezone.now() - dt.timedelta(minutes=1)
    batch = [
        *_intrusion(at),
        _event("BEANR-F1", "f", "fence.alarm", at),
        _event("NOPE", "x", "fence.alarm", at),
        {"source": "BEANR-F1", "id": "y", "kind": "k", "time": "yesterday"},
    ]
    results = services.events_ingest(actor=None, events=batch)
    assert [r.status for r in results] == [
        "accepted",
        "accepted",
        "duplicate",
        "rejected",
        "rejected",
    ]
    assert results[3].errors == ["source: unknown source."]
    assert results[4].errors == ["time: an ISO 8601 time with its offset is required."]
    again = services.events_ingest(actor=None, events=_intrusion(at))
    assert [r.status for r in again] == ["duplicate", "duplicate"]
    assert Event.objects.count() == 2
    stored = Event.objects.get(source_event_id="f")
    assert (stored.lon, stored.lat) == (4.25, 51.27)


def test_a_batch_of_several_inserts_stores_all_and_a_retry_only_the_new(
    sensors: Sensors,
) -> None:
    at = timezone.now() - dt.timedelta(minutes=2)
    stamp = at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    first = [
        {"source": "BEANR-F1", "id": f"e{i}", "kind": "fence.alarm", "time": stamp}
        for i in range(2500)
    ]
    results = services.events_ingest(actor=None, events=first)
    assert {r.status for r in results} == {"accepted"}
    assert Event.objects.count() == 2500
    # A retry of the last half with 500 new ones: only those are stored.
    retry = first[1250:] + [
        {"source": "BEANR-F1", "id": f"n{i}", "kind": "fence.alarm", "time": stamp}
        for i in range(500)
    ]
    again = services.events_ingest(actor=None, events=retry)
    assert [r.status for r in again] == ["duplicate"] * 1250 + ["accepted"] * 500
    assert Event.objects.count() == 3000
    assert Event.objects.get(source_event_id="e0").time == at


def test_a_fence_alarm_and_a_person_on_camera_raise_one_intrusion_alert(
    sensors: Sensors,
) -> None:
    at = timezone.now() - dt.timedelta(minutes=5)
    services.events_ingest(actor=None, events=_intrusion(at))
    assert runner.rules_run() == 2
    alert = Alert.objects.get()
    assert (alert.rule_code, alert.severity, alert.count) == ("intrusion", "high", 1)
    assert alert.port_id == sensors.fence.port_id
    assert sorted(alert.event_ids) == sorted(Event.objects.values_list("id", flat=True))
    # A second intrusion three minutes later folds into the same alert.
    services.events_ingest(
        actor=None, events=_intrusion(at + dt.timedelta(minutes=3), "2")
    )
    runner.rules_run()
    alert.refresh_from_db()
    assert (Alert.objects.count(), alert.count) == (1, 2)


def test_a_restarted_runner_carries_on_from_its_cursor(sensors: Sensors) -> None:
    at = timezone.now() - dt.timedelta(minutes=5)
    services.events_ingest(actor=None, events=_intrusion(at)[:1])
    runner.rules_run()
    runner.engine_reset()  # A restart: the fence alarm is re-read, not re-judged.
    services.events_ingest(actor=None, events=_intrusion(at)[1:])
    assert runner.rules_run() == 1
    assert Alert.objects.get().count == 1


def test_a_person_without_a_fence_alarm_raises_nothing(sensors: Sensors) -> None:
    at = timezone.now() - dt.timedelta(minutes=5)
    services.events_ingest(actor=None, events=_intrusion(at)[1:])
    runner.rules_run()
    assert Alert.objects.count() == 0


def test_gate_denials_become_events_and_probing_alerts(
    sensors: Sensors, world: Any
) -> None:
    services.rule_save(
        actor=None,
        definition={
            "id": "probing",
            "kind": "count",
            "match": {"kinds": ["access.denied"]},
            "within_s": 600,
            "threshold": 3,
            "group_by": "payload.credential",
            "distinct": "payload.access_point",
        },
    )
    from port2port.core.tests import factories

    zone = factories.ZoneFactory(facility=world.deurganck, port=world.antwerp)
    now = timezone.now()
    for index in range(3):
        point = factories.AccessPointFactory(zone=zone, code=f"G{index}")
        AccessEvent.objects.create(
            at=now - dt.timedelta(minutes=3 - index),
            access_point=point,
            port_id=world.antwerp.pk,
            zone_id=zone.pk,
            credential="P2P000000000009",
            direction="in",
            biometric="not_checked",
            allowed=False,
            reasons="suspended",
            policy_version=1,
        )
    runner.detection_tick()
    assert Event.objects.filter(kind="access.denied").count() == 3
    alert = Alert.objects.get()
    assert alert.rule_code == "probing"
    runner.detection_tick()
    assert Event.objects.count() == 3


def test_the_api_takes_a_batch_with_an_events_token(
    sensors: Sensors, sensor_token: Any
) -> None:
    _token, secret = sensor_token
    client = Client()
    at = timezone.now() - dt.timedelta(minutes=1)
    batch = [*_intrusion(at), _event("BEGNE-F1", "g", "fence.alarm", at)]
    response = client.post(
        "/api/v1/events",
        {"events": batch},
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["accepted"], body["duplicate"], body["rejected"]) == (2, 0, 1)
    assert body["results"] == [
        {"index": 2, "status": "rejected", "errors": ["source: unknown source."]}
    ]


def test_the_api_refuses_a_token_without_the_events_permission(
    sensors: Sensors, haulier_token: Any
) -> None:
    _token, secret = haulier_token
    response = Client().post(
        "/api/v1/events",
        {"events": []},
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 403


def test_rules_go_out_and_back_in_as_yaml(sensors: Sensors) -> None:
    text = services.rules_export_yaml(rules=[sensors.rule])
    sensors.rule.delete()
    (rule,) = services.rules_import_yaml(actor=None, text=text)
    assert rule.code == "intrusion"
    assert rule.definition["relation"] == "covers"
