"""The MQTT consumer: Frigate and generic sensor messages into the event pipeline.

The topic map (``settings.MQTT_TOPICS``) says which topic filter carries which
format:

``frigate``
    What Frigate publishes on ``<prefix>/events`` (a tracked object's ``new``,
    ``update`` and ``end``, each with ``before`` and ``after``) and on
    ``<prefix>/reviews`` (review items of severity ``detection`` or ``alert``).
    The source is the camera source whose code is Frigate's camera name.
``generic``
    The platform's own format on ``port2port/<locode>/<source code>/events``:
    one event object, or a list of them, as the events API takes them but
    without ``source`` (the topic names it). See ``docs/modules/detection.md``.

Every message goes through :func:`~port2port.detection.services.events_ingest`,
so MQTT events are validated, deduplicated and judged like the API's.

Delivery: QoS 1 with a persistent session (a fixed client id, ``clean_start``
off and a session expiry), so that the broker keeps what it receives while the
consumer is away and delivers it when the consumer is back. A message is
acknowledged only after its events are stored; when the database fails, the
consumer drops the connection instead, and the broker delivers the message
again after the automatic reconnect. A message that cannot be read is logged
and acknowledged: sending it again would not make it readable.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import socket
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as paho
from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from port2port.detection.models import Source
from port2port.detection.services import EventResult, events_ingest

logger = logging.getLogger(__name__)

FRIGATE = "frigate"
GENERIC = "generic"
FORMATS = (FRIGATE, GENERIC)

CAMERA_OBJECT = "camera.object"
CAMERA_OBJECT_END = "camera.object.end"
CAMERA_REVIEW = "camera.review"
ANPR_READ = "anpr.read"


class MessageError(ValueError):
    """A message that cannot be read in its topic's format."""


# Mapping --------------------------------------------------------------------------


def _iso(epoch: object) -> str:
    if isinstance(epoch, bool) or not isinstance(epoch, int | float):
        raise MessageError(f"not a time: {epoch!r}")
    return dt.datetime.fromtimestamp(float(epoch), tz=dt.UTC).isoformat()


def _names(value: object) -> list[str]:
    if not isinstance(value, list):
        return []
    return [str(item) for item in value if isinstance(item, str)]


def _sub_label(value: object) -> str | None:
    """Return Frigate's sub label: a name, or ``[name, score]`` in recent versions."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value and isinstance(value[0], str):
        return value[0]
    return None


def _plate(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip().upper()
    if isinstance(value, list) and value and isinstance(value[0], str):
        return value[0].strip().upper() or None
    return None


def frigate_event(message: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return the events of one ``frigate/events`` message.

    ``new`` and ``end`` give one event each (ids ``<frigate id>:new`` and
    ``:end``). Frigate sends ``update`` whenever it finds a better snapshot; only
    an update that changes what the rules read (the label, or the zones entered)
    makes a new event, so the update id carries those: a repeated snapshot
    update is a duplicate. A recognised licence plate is also an ``anpr.read``,
    once per object and plate.
    """
    kind = message.get("type")
    after = message.get("after")
    if kind not in {"new", "update", "end"} or not isinstance(after, Mapping):
        raise MessageError("a Frigate event has a type and an 'after' object")
    object_id, camera = after.get("id"), after.get("camera")
    if not isinstance(object_id, str) or not isinstance(camera, str):
        raise MessageError("a Frigate event names its id and camera")
    if after.get("false_positive") is True:
        return []
    label = str(after.get("label") or "")
    entered = sorted(_names(after.get("entered_zones")))
    if kind == "new":
        event_id, time = f"{object_id}:new", after.get("start_time")
    elif kind == "end":
        event_id = f"{object_id}:end"
        time = after.get("end_time") or after.get("frame_time")
    else:
        event_id = f"{object_id}:update:{label}:{','.join(entered)}"
        time = after.get("frame_time") or after.get("start_time")
    plate = _plate(after.get("recognized_license_plate"))
    payload: dict[str, Any] = {
        "frigate_id": object_id,
        "camera": camera,
        "type": kind,
        "label": label,
        "sub_label": _sub_label(after.get("sub_label")),
        "score": after.get("score"),
        "top_score": after.get("top_score"),
        "zones": _names(after.get("current_zones")),
        "entered_zones": entered,
        "has_snapshot": bool(after.get("has_snapshot")),
        "has_clip": bool(after.get("has_clip")),
        "stationary": bool(after.get("stationary")),
    }
    if plate:
        payload["plate"] = plate
    events = [
        {
            "source": camera,
            "id": event_id,
            "time": _iso(time),
            "kind": CAMERA_OBJECT_END if kind == "end" else CAMERA_OBJECT,
            "payload": payload,
        }
    ]
    if plate:
        events.append(
            {
                "source": camera,
                "id": f"{object_id}:plate:{plate}",
                "time": _iso(after.get("frame_time") or time),
                "kind": ANPR_READ,
                "payload": {
                    "plate": plate,
                    "score": after.get("recognized_license_plate_score"),
                    "frigate_id": object_id,
                    "camera": camera,
                    "label": label,
                },
            }
        )
    return events


def frigate_review(message: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return the event of one ``frigate/reviews`` message.

    A review item groups a camera's detections; its ``update`` makes a new
    event only when its severity, objects or zones change.
    """
    kind = message.get("type")
    after = message.get("after")
    if kind not in {"new", "update", "end"} or not isinstance(after, Mapping):
        raise MessageError("a Frigate review has a type and an 'after' object")
    review_id, camera = after.get("id"), after.get("camera")
    if not isinstance(review_id, str) or not isinstance(camera, str):
        raise MessageError("a Frigate review names its id and camera")
    raw_data = after.get("data")
    data: Mapping[str, Any] = raw_data if isinstance(raw_data, Mapping) else {}
    severity = str(after.get("severity") or "")
    objects = sorted(_names(data.get("objects")))
    zones = sorted(_names(data.get("zones")))
    if kind == "update":
        event_id = (
            f"{review_id}:update:{severity}:{','.join(objects)}:{','.join(zones)}"
        )
    else:
        event_id = f"{review_id}:{kind}"
    time = after.get("end_time") if kind == "end" else after.get("start_time")
    return [
        {
            "source": camera,
            "id": event_id,
            "time": _iso(time or after.get("start_time")),
            "kind": CAMERA_REVIEW,
            "payload": {
                "review_id": review_id,
                "camera": camera,
                "type": kind,
                "severity": severity,
                "objects": objects,
                "zones": zones,
                "sub_labels": _names(data.get("sub_labels")),
                "detections": _names(data.get("detections")),
            },
        }
    ]


def generic_events(topic: str, message: object) -> list[dict[str, Any]]:
    """Return the events of a generic message on ``port2port/<locode>/<code>/events``.

    The topic names the port and the source; an event that names another
    source, or a source of another port, is refused, so that a device's topic
    permissions on the broker are what lets it speak for a source.
    """
    levels = topic.split("/")
    if len(levels) < 3 or levels[-1] != "events":
        raise MessageError(f"{topic}: expected port2port/<locode>/<source>/events")
    locode, code = levels[-3], levels[-2]
    if not Source.objects.filter(code=code, port__locode=locode).exists():
        raise MessageError(f"{topic}: no source {code} in port {locode}")
    items = message if isinstance(message, list) else [message]
    events = []
    for item in items:
        if not isinstance(item, dict):
            raise MessageError("an event is a JSON object")
        if item.get("source", code) != code:
            raise MessageError(f"{topic}: an event of another source")
        events.append({**item, "source": code})
    return events


def message_events(*, topic: str, payload: bytes, fmt: str) -> list[dict[str, Any]]:
    """Return the events a message carries in format ``fmt``."""
    try:
        message = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MessageError(f"{topic}: not JSON ({exc})") from None
    if fmt == GENERIC:
        return generic_events(topic, message)
    if fmt == FRIGATE:
        if not isinstance(message, dict):
            raise MessageError(f"{topic}: a Frigate message is a JSON object")
        last = topic.rsplit("/", 1)[-1]
        if last == "events":
            return frigate_event(message)
        if last == "reviews":
            return frigate_review(message)
        return []  # Other Frigate topics (stats, counts) carry no events.
    raise MessageError(f"unknown format {fmt!r}")


def message_ingest(*, topic: str, payload: bytes, fmt: str) -> list[EventResult]:
    """Store the events of one message; return their results."""
    events = message_events(topic=topic, payload=payload, fmt=fmt)
    if not events:
        return []
    results = events_ingest(actor=None, events=events)
    for result in results:
        if result.status == "rejected":
            logger.warning(
                "MQTT %s: event %d refused: %s",
                topic,
                result.index,
                "; ".join(result.errors),
            )
    return results


# The consumer ---------------------------------------------------------------------


def _filter_of(topic_filter: str) -> str:
    """Return the filter without its shared-subscription prefix ``$share/<group>/``."""
    if topic_filter.startswith("$share/"):
        return topic_filter.split("/", 2)[2]
    return topic_filter


@dataclass(frozen=True)
class Broker:
    """Where the broker is: ``mqtt://user:password@host:1883`` (``mqtts`` for TLS)."""

    host: str
    port: int
    tls: bool = False
    username: str | None = None
    password: str | None = None

    @classmethod
    def from_url(cls, url: str) -> Broker:
        parts = urlsplit(url)
        if parts.scheme not in {"mqtt", "mqtts"} or not parts.hostname:
            raise ValueError("The MQTT URL reads mqtt://host:port or mqtts://host:port")
        tls = parts.scheme == "mqtts"
        return cls(
            host=parts.hostname,
            port=parts.port or (8883 if tls else 1883),
            tls=tls,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )


class Consumer:
    """A persistent MQTT session that feeds the event pipeline.

    ``start`` returns at once: the client connects, subscribes and reconnects
    in its own thread. ``on_ingested`` is called after each message's events
    are stored (the tests wait on it).
    """

    def __init__(
        self,
        *,
        url: str,
        client_id: str,
        topics: Mapping[str, str],
        session_expiry_s: int,
        reconnect_max_s: int = 30,
        on_ingested: Callable[[str, list[EventResult]], None] | None = None,
    ) -> None:
        unknown = {fmt for fmt in topics.values() if fmt not in FORMATS}
        if unknown:
            raise ValueError(f"Unknown MQTT formats: {', '.join(sorted(unknown))}")
        self.broker = Broker.from_url(url)
        self.topics = dict(topics)
        self.on_ingested = on_ingested
        self.connected = threading.Event()
        self.subscribed = threading.Event()
        self.connects = 0
        self._session_expiry_s = session_expiry_s
        client = paho.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id,
            protocol=paho.MQTTv5,
            manual_ack=True,
        )
        if self.broker.username:
            client.username_pw_set(self.broker.username, self.broker.password)
        if self.broker.tls:
            client.tls_set()
        client.reconnect_delay_set(min_delay=1, max_delay=reconnect_max_s)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        self.client = client

    def start(self) -> None:
        """Connect (retrying until the broker answers) and consume in a thread."""
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = self._session_expiry_s
        self.client.connect_async(
            self.broker.host,
            self.broker.port,
            keepalive=30,
            clean_start=False,
            properties=properties,
        )
        self.client.loop_start()

    def stop(self) -> None:
        """Disconnect; the broker keeps the session for the next start."""
        self.client.disconnect()
        self.client.loop_stop()

    def drop(self) -> None:
        """Cut the connection as a failing network would; the client reconnects."""
        sock = self.client.socket()
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def format_of(self, topic: str) -> str | None:
        """Return the format of a topic by the first filter of the map it matches."""
        for topic_filter, fmt in self.topics.items():
            if paho.topic_matches_sub(_filter_of(topic_filter), topic):
                return fmt
        return None

    def _on_connect(
        self,
        client: paho.Client,
        userdata: Any,
        flags: paho.ConnectFlags,
        reason: Any,
        properties: Any,
    ) -> None:
        if reason.is_failure:
            logger.error("The MQTT broker refused the connection: %s", reason)
            return
        self.connects += 1
        self.connected.set()
        logger.info(
            "Connected to the MQTT broker (session %s)",
            "resumed" if flags.session_present else "new",
        )
        # Subscribing again is harmless and covers a session that the broker lost.
        client.subscribe([(topic, 1) for topic in self.topics])

    def _on_disconnect(
        self,
        client: paho.Client,
        userdata: Any,
        flags: Any,
        reason: Any,
        properties: Any,
    ) -> None:
        self.connected.clear()
        # This is the client's thread: give its database connection back while
        # no message can arrive (and before the thread ends, on ``stop``).
        connections.close_all()
        logger.warning("Disconnected from the MQTT broker (%s)", reason)

    def _on_subscribe(
        self, client: paho.Client, userdata: Any, mid: int, reasons: Any, props: Any
    ) -> None:
        self.subscribed.set()

    def _on_message(
        self, client: paho.Client, userdata: Any, message: paho.MQTTMessage
    ) -> None:
        fmt = self.format_of(message.topic)
        results: list[EventResult] = []
        try:
            close_old_connections()
            if fmt is not None:
                results = message_ingest(
                    topic=message.topic, payload=message.payload, fmt=fmt
                )
        except DatabaseError:
            # Not acknowledged: the broker sends it again after the reconnect.
            logger.exception("MQTT %s: could not store the events", message.topic)
            self.drop()
            return
        except Exception:
            logger.exception("MQTT %s: message skipped", message.topic)
        finally:
            close_old_connections()
        client.ack(message.mid, message.qos)
        if self.on_ingested is not None:
            self.on_ingested(message.topic, results)


def consumer_from_settings(**extra: Any) -> Consumer:
    """Return the consumer the settings describe."""
    return Consumer(
        url=settings.MQTT_URL,
        client_id=settings.MQTT_CLIENT_ID or f"port2port-{uuid.uuid4().hex[:8]}",
        topics=settings.MQTT_TOPICS,
        session_expiry_s=settings.MQTT_SESSION_EXPIRY_SECONDS,
        reconnect_max_s=settings.MQTT_RECONNECT_MAX_SECONDS,
        **extra,
    )


def consume(stop: threading.Event | None = None) -> None:
    """Consume until ``stop`` is set (the worker's thread and ``mqtt_consume``)."""
    stop = stop or threading.Event()
    consumer = consumer_from_settings()
    consumer.start()
    logger.info(
        "MQTT consumer %s on %s:%d: %s",
        settings.MQTT_CLIENT_ID,
        consumer.broker.host,
        consumer.broker.port,
        ", ".join(f"{t} ({f})" for t, f in consumer.topics.items()),
    )
    try:
        while not stop.wait(1.0):
            pass
    finally:
        consumer.stop()
