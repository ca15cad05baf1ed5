"""The MQTT consumer: Frigate and generic messages, against the real broker.

The payloads have the shape Frigate documents for ``frigate/events`` and
``frigate/reviews``. Each broker test uses its own client id and topic prefix,
so that runs sharing the broker do not see each other's messages, and removes
its persistent session at the end.
"""

from __future__ import annotations

import copy
import json
import queue
import socket
import time
import uuid
from collections.abc import Iterator
from typing import Any

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from conftest import REQUIRE_MQTT, World
from port2port.detection import mqtt, runner, services
from port2port.detection.models import Alert, Event, Source
from port2port.detection.services import EventResult
from port2port.detection.tests.conftest import Sensors

BROKER = ("127.0.0.1", 1883)
WAIT_S = 10.0

START = 1767226455.475377  # 2026-01-01 00:14:15 UTC: a night-time intrusion.

FRIGATE_PERSON: dict[str, Any] = {
    "type": "new",
    "before": {
        "id": "1767226455.475377-mxklsc",
        "camera": "deurganck_north",
        "frame_time": START,
        "snapshot_time": START,
        "label": "person",
        "sub_label": None,
        "top_score": 0.0,
        "false_positive": True,
        "start_time": START,
        "end_time": None,
        "score": 0.7890625,
        "box": [424, 500, 536, 712],
        "area": 23744,
        "ratio": 2.113207,
        "region": [264, 450, 667, 853],
        "current_zones": [],
        "entered_zones": [],
        "thumbnail": None,
        "has_snapshot": False,
        "has_clip": False,
        "active": True,
        "stationary": False,
        "motionless_count": 0,
        "position_changes": 0,
        "attributes": {},
        "current_attributes": [],
    },
    "after": {
        "id": "1767226455.475377-mxklsc",
        "camera": "deurganck_north",
        "frame_time": START + 6.6,
        "snapshot_time": START + 6.4,
        "label": "person",
        "sub_label": None,
        "top_score": 0.958984375,
        "false_positive": False,
        "start_time": START,
        "end_time": None,
        "score": 0.87890625,
        "box": [432, 496, 544, 854],
        "area": 40096,
        "ratio": 1.251397,
        "region": [218, 440, 693, 915],
        "current_zones": ["fence_line"],
        "entered_zones": ["fence_line"],
        "thumbnail": None,
        "has_snapshot": True,
        "has_clip": False,
        "active": True,
        "stationary": False,
        "motionless_count": 0,
        "position_changes": 1,
        "attributes": {"face": 0.64},
        "current_attributes": [],
        "current_estimated_speed": 0,
        "average_estimated_speed": 0,
        "velocity_angle": 0,
        "recognized_license_plate": None,
        "recognized_license_plate_score": None,
    },
}

FRIGATE_REVIEW: dict[str, Any] = {
    "type": "new",
    "before": {
        "id": "1767226455.308396-fqk5ka",
        "camera": "deurganck_north",
        "start_time": START,
        "end_time": None,
        "severity": "detection",
        "thumb_path": "/media/frigate/clips/review/thumb-deurganck_north-"
        "1767226455.308396-fqk5ka.webp",
        "data": {
            "detections": ["1767226455.475377-mxklsc"],
            "objects": ["person"],
            "sub_labels": [],
            "zones": [],
            "audio": [],
        },
    },
    "after": {
        "id": "1767226455.308396-fqk5ka",
        "camera": "deurganck_north",
        "start_time": START,
        "end_time": None,
        "severity": "alert",
        "thumb_path": "/media/frigate/clips/review/thumb-deurganck_north-"
        "1767226455.308396-fqk5ka.webp",
        "data": {
            "detections": ["1767226455.475377-mxklsc"],
            "objects": ["person"],
            "sub_labels": [],
            "zones": ["fence_line"],
            "audio": [],
        },
    },
}


def frigate(kind: str, **after: Any) -> dict[str, Any]:
    message = copy.deepcopy(FRIGATE_PERSON)
    message["type"] = kind
    message["after"].update(after)
    return message


@pytest.fixture
def camera(sensors: Sensors, world: World) -> Source:
    """A camera named as Frigate names it, looking at the Deurganck fence."""
    return services.source_create(
        port=world.antwerp,
        code="deurganck_north",
        name="Deurganck north camera",
        kind=Source.Kind.CAMERA,
        geometry={"type": "Point", "coordinates": [4.255, 51.268]},
        covers=[sensors.fence],
    )


# Mapping (no broker) ----------------------------------------------------------------


def test_a_frigate_new_person_becomes_a_camera_object_event() -> None:
    (event,) = mqtt.frigate_event(frigate("new"))
    assert event == {
        "source": "deurganck_north",
        "id": "1767226455.475377-mxklsc:new",
        "time": "2026-01-01T00:14:15.475377+00:00",
        "kind": "camera.object",
        "payload": {
            "frigate_id": "1767226455.475377-mxklsc",
            "camera": "deurganck_north",
            "type": "new",
            "label": "person",
            "sub_label": None,
            "score": 0.87890625,
            "top_score": 0.958984375,
            "zones": ["fence_line"],
            "entered_zones": ["fence_line"],
            "has_snapshot": True,
            "has_clip": False,
            "stationary": False,
        },
    }


def test_frigate_snapshot_updates_share_an_id_and_zone_changes_do_not() -> None:
    better = mqtt.frigate_event(frigate("update", score=0.9, frame_time=START + 9))
    again = mqtt.frigate_event(frigate("update", score=0.95, frame_time=START + 12))
    moved = mqtt.frigate_event(
        frigate("update", entered_zones=["fence_line", "stack_row_7"])
    )
    assert (
        better[0]["id"]
        == again[0]["id"]
        == ("1767226455.475377-mxklsc:update:person:fence_line")
    )
    assert moved[0]["id"] == (
        "1767226455.475377-mxklsc:update:person:fence_line,stack_row_7"
    )
    (end,) = mqtt.frigate_event(frigate("end", end_time=START + 40.5))
    assert (end["id"], end["kind"], end["time"]) == (
        "1767226455.475377-mxklsc:end",
        "camera.object.end",
        "2026-01-01T00:14:55.975377+00:00",
    )


def test_a_frigate_plate_is_also_an_anpr_read_and_false_positives_are_dropped() -> None:
    car = frigate(
        "update",
        label="car",
        sub_label=["Reefer truck", 0.8],
        recognized_license_plate="1abc123",
        recognized_license_plate_score=0.92,
    )
    camera_event, read = mqtt.frigate_event(car)
    assert camera_event["payload"]["plate"] == "1ABC123"
    assert camera_event["payload"]["sub_label"] == "Reefer truck"
    assert read["id"] == "1767226455.475377-mxklsc:plate:1ABC123"
    assert read["kind"] == "anpr.read"
    assert read["payload"]["plate"] == "1ABC123"
    assert read["payload"]["score"] == 0.92
    assert mqtt.frigate_event(frigate("update", false_positive=True)) == []
    with pytest.raises(mqtt.MessageError):
        mqtt.frigate_event({"type": "new", "after": {"camera": "x"}})


def test_a_frigate_review_becomes_a_camera_review_event() -> None:
    (event,) = mqtt.frigate_review(FRIGATE_REVIEW)
    assert event["id"] == "1767226455.308396-fqk5ka:new"
    assert event["kind"] == "camera.review"
    assert event["payload"]["severity"] == "alert"
    assert event["payload"]["zones"] == ["fence_line"]
    assert event["payload"]["detections"] == ["1767226455.475377-mxklsc"]


@pytest.mark.django_db
def test_a_generic_message_speaks_only_for_the_source_of_its_topic(
    sensors: Sensors,
) -> None:
    body = {
        "id": "fz-2291-000154",
        "time": "2026-01-01T01:14:07.250+01:00",
        "kind": "fence.alarm",
        "payload": {"sensor": "s2", "alarm": "climb"},
    }
    topic = "port2port/BEANR/BEANR-F1/events"
    results = mqtt.message_ingest(
        topic=topic, payload=json.dumps([body]).encode(), fmt="generic"
    )
    assert [r.status for r in results] == ["accepted"]
    stored = Event.objects.get()
    assert (stored.kind, stored.source_id, stored.payload["alarm"]) == (
        "fence.alarm",
        sensors.fence.pk,
        "climb",
    )
    with pytest.raises(mqtt.MessageError, match="no source BEANR-F1 in port BEGNE"):
        mqtt.message_events(
            topic="port2port/BEGNE/BEANR-F1/events",
            payload=json.dumps(body).encode(),
            fmt="generic",
        )
    with pytest.raises(mqtt.MessageError, match="another source"):
        mqtt.message_events(
            topic=topic,
            payload=json.dumps({**body, "source": "BEANR-C1"}).encode(),
            fmt="generic",
        )
    with pytest.raises(mqtt.MessageError, match="not JSON"):
        mqtt.message_events(topic=topic, payload=b"\xff{", fmt="generic")


def test_the_topic_map_matches_wildcards_and_shared_subscriptions() -> None:
    consumer = mqtt.Consumer(
        url="mqtt://127.0.0.1:1883",
        client_id="p2p-map-test",
        topics={
            "$share/p2p/frigate/+": "frigate",
            "port2port/+/+/events": "generic",
        },
        session_expiry_s=0,
    )
    assert consumer.format_of("frigate/events") == "frigate"
    assert consumer.format_of("port2port/BEANR/BEANR-F1/events") == "generic"
    assert consumer.format_of("port2port/BEANR/events") is None
    with pytest.raises(ValueError, match="Unknown MQTT formats: csv"):
        mqtt.Consumer(
            url="mqtt://h", client_id="x", topics={"a": "csv"}, session_expiry_s=0
        )


# Against the broker -------------------------------------------------------------------


def _broker_up() -> bool:
    try:
        with socket.create_connection(BROKER, timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def broker() -> str:
    if not _broker_up():
        if REQUIRE_MQTT:
            pytest.fail("The MQTT broker is required (P2P_REQUIRE_MQTT=1) but down")
        pytest.skip("No MQTT broker at 127.0.0.1:1883")
    return f"mqtt://{BROKER[0]}:{BROKER[1]}"


class Harness:
    """A consumer with its own client id and topics, and a publisher."""

    def __init__(self, url: str) -> None:
        self.url = url
        tag = uuid.uuid4().hex[:10]
        self.client_id = f"p2p-test-{tag}"
        self.prefix = f"p2p-test-{tag}"
        self.topics = {
            f"{self.prefix}/frigate/events": "frigate",
            f"{self.prefix}/frigate/reviews": "frigate",
            f"{self.prefix}/port2port/+/+/events": "generic",
        }
        self.ingested: queue.Queue[tuple[str, list[EventResult]]] = queue.Queue()
        self.consumer: mqtt.Consumer | None = None
        self.publisher = paho.Client(CallbackAPIVersion.VERSION2, protocol=paho.MQTTv5)
        self.publisher.connect(*BROKER)
        self.publisher.loop_start()

    def start(self) -> mqtt.Consumer:
        self.consumer = mqtt.Consumer(
            url=self.url,
            client_id=self.client_id,
            topics=self.topics,
            session_expiry_s=300,
            reconnect_max_s=2,
            on_ingested=lambda topic, results: self.ingested.put((topic, results)),
        )
        self.consumer.start()
        assert self.consumer.subscribed.wait(WAIT_S)
        return self.consumer

    def publish(self, topic: str, message: object) -> None:
        info = self.publisher.publish(
            f"{self.prefix}/{topic}", json.dumps(message), qos=1
        )
        info.wait_for_publish(WAIT_S)

    def received(self, count: int) -> list[str]:
        statuses = []
        for _ in range(count):
            _topic, results = self.ingested.get(timeout=WAIT_S)
            statuses.extend(r.status for r in results)
        return statuses

    def close(self) -> None:
        if self.consumer is not None:
            self.consumer.stop()
        self.publisher.disconnect()
        self.publisher.loop_stop()
        # End the persistent session, so that the broker forgets it.
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = 0
        cleaner = paho.Client(
            CallbackAPIVersion.VERSION2, client_id=self.client_id, protocol=paho.MQTTv5
        )
        cleaner.connect(*BROKER, clean_start=True, properties=properties)
        cleaner.loop_start()
        cleaner.disconnect()
        cleaner.loop_stop()


@pytest.fixture
def harness(broker: str) -> Iterator[Harness]:
    harness = Harness(broker)
    yield harness
    harness.close()


def _fence_alarm(event_id: str, at: float) -> dict[str, Any]:
    return {
        "id": event_id,
        "time": mqtt._iso(at),
        "kind": "fence.alarm",
        "payload": {"sensor": "s1", "alarm": "climb"},
    }


@pytest.mark.django_db(transaction=True)
def test_a_fence_alarm_and_a_frigate_person_raise_an_intrusion_alert(
    harness: Harness, camera: Source
) -> None:
    harness.start()
    harness.publish("port2port/BEANR/BEANR-F1/events", _fence_alarm("fz-1", START))
    harness.publish("frigate/events", frigate("new"))
    harness.publish("frigate/reviews", FRIGATE_REVIEW)
    assert harness.received(3) == ["accepted", "accepted", "accepted"]
    # Frigate repeats an update with a better snapshot: stored once.
    harness.publish("frigate/events", frigate("update", frame_time=START + 8))
    harness.publish("frigate/events", frigate("update", frame_time=START + 9))
    assert harness.received(2) == ["accepted", "duplicate"]
    assert sorted(Event.objects.values_list("kind", flat=True)) == [
        "camera.object",
        "camera.object",
        "camera.review",
        "fence.alarm",
    ]
    runner.rules_run()
    alert = Alert.objects.get()
    assert (alert.rule_code, alert.severity) == ("intrusion", "high")


@pytest.mark.django_db(transaction=True)
def test_messages_sent_while_the_consumer_is_away_arrive_after_it_returns(
    harness: Harness, camera: Source
) -> None:
    harness.start()
    harness.publish("frigate/events", frigate("new"))
    assert harness.received(1) == ["accepted"]
    # The consumer goes away (a restart of the worker): the broker keeps the
    # session and queues what is published at QoS 1 meanwhile.
    assert harness.consumer is not None
    harness.consumer.stop()
    harness.publish("frigate/events", frigate("update", entered_zones=["quay"]))
    harness.publish("frigate/events", frigate("end", end_time=START + 60))
    harness.publish("port2port/BEANR/BEANR-F1/events", _fence_alarm("fz-2", START))
    consumer = harness.start()
    assert harness.received(3) == ["accepted", "accepted", "accepted"]
    assert Event.objects.count() == 4
    # The connection breaks (a broker restart, as the client sees it): the
    # client reconnects by itself and resumes the same session.
    consumer.drop()
    harness.publish("port2port/BEANR/BEANR-F1/events", _fence_alarm("fz-3", START))
    assert harness.received(1) == ["accepted"]
    deadline = time.monotonic() + WAIT_S
    while consumer.connects < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert consumer.connects == 2
    assert Event.objects.count() == 5
    assert set(Event.objects.values_list("source_event_id", flat=True)) == {
        "1767226455.475377-mxklsc:new",
        "1767226455.475377-mxklsc:update:person:quay",
        "1767226455.475377-mxklsc:end",
        "fz-2",
        "fz-3",
    }
