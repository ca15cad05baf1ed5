"""Vessels on the control-room map, and the replay of a time window."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from conftest import World
from port2port.detection import runner, services
from port2port.detection.models import Alert, Vessel
from port2port.detection.tests.conftest import Sensors

pytestmark = pytest.mark.django_db


def _vessel(world: World, mmsi: int = 205123000, **values: object) -> Vessel:
    now = timezone.now()
    defaults: dict[str, object] = {
        "name": "SCHELDE TRADER",
        "port_id": world.antwerp.pk,
        "lon": 4.26,
        "lat": 51.3,
        "sog": 8.5,
        "cog": 120.0,
        "position_at": now,
        "track": [[now.timestamp() - 60, 4.25, 51.31], [now.timestamp(), 4.26, 51.3]],
    }
    defaults.update(values)
    return Vessel.objects.create(mmsi=mmsi, **defaults)


def test_the_map_shows_the_ports_recent_vessels_with_their_tracks(
    bob_client: Client, world: World
) -> None:
    _vessel(world)
    _vessel(
        world,
        mmsi=205999000,
        name="OLD",
        position_at=timezone.now() - dt.timedelta(days=1),
    )
    _vessel(world, mmsi=205888000, name="GHENT", port_id=world.ghent.pk)
    data = bob_client.get("/detection/map.json?port=BEANR").json()
    assert [v["name"] for v in data["vessels"]] == ["SCHELDE TRADER"]
    assert data["vessels"][0]["track"] == [[4.25, 51.31], [4.26, 51.3]]
    assert data["vessels"][0]["sog"] == 8.5


def test_the_stream_sends_vessels_that_moved(
    bob_client: Client, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from port2port.detection import views

    monkeypatch.setattr(views, "VESSEL_SECONDS", 0.1)
    vessel = _vessel(world)
    Vessel.objects.filter(pk=vessel.pk).update(
        updated_at=timezone.now() - dt.timedelta(minutes=5)
    )
    response = bob_client.get("/detection/stream/?port=BEANR&seconds=1")
    iterator = iter(response.streaming_content)  # type: ignore[arg-type]
    assert next(iterator) == b"retry: 2000\n\n"
    vessel.lon = 4.27
    vessel.save()
    body = b"".join(iterator).decode()
    assert body.count("event: vessels\n") == 1
    assert '"lon": 4.27' in body


def test_replay_returns_the_events_and_alerts_of_the_window(
    bob_client: Client, sensors: Sensors
) -> None:
    at = timezone.now() - dt.timedelta(hours=2)
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
                "time": (at + dt.timedelta(seconds=10)).isoformat(),
                "payload": {"label": "person"},
            },
            {
                "source": "BEANR-F1",
                "id": "4",
                "kind": "heartbeat",
                "time": (at + dt.timedelta(seconds=20)).isoformat(),
                "exercise": True,
            },
            {
                "source": "BEANR-F1",
                "id": "3",
                "kind": "fence.alarm",
                "time": (at - dt.timedelta(hours=3)).isoformat(),
            },
        ],
    )
    runner.rules_run()
    alert = Alert.objects.get()
    start = (at - dt.timedelta(minutes=5)).isoformat()
    end = (at + dt.timedelta(minutes=5)).isoformat()
    data = bob_client.get(
        "/detection/replay.json", {"port": "BEANR", "start": start, "end": end}
    ).json()
    assert [(e["kind"], e["source"], e["exercise"]) for e in data["events"]] == [
        ("fence.alarm", "BEANR-F1", False),
        ("camera.object", "BEANR-C1", False),
        ("heartbeat", "BEANR-F1", True),
    ]
    assert [a["id"] for a in data["alerts"]] == [alert.pk]
    assert data["truncated"] is False
    before = bob_client.get(
        "/detection/replay.json",
        {"port": "BEANR", "end": (at - dt.timedelta(hours=1)).isoformat()},
    ).json()
    assert (len(before["events"]), before["alerts"]) == (0, [])


def test_replay_of_another_port_is_refused(
    charlie_client: Client, sensors: Sensors
) -> None:
    assert charlie_client.get("/detection/replay.json?port=BEANR").status_code == 404
    page = charlie_client.get("/detection/replay/?port=BEANR")
    assert page.status_code == 200
    assert b"Antwerp" not in page.content


def test_the_replay_page_renders(bob_client: Client, sensors: Sensors) -> None:
    page = bob_client.get("/detection/replay/?port=BEANR")
    assert page.status_code == 200
    assert b'id="rp-time"' in page.content
    assert b"/detection/replay.json?port=BEANR" in page.content
