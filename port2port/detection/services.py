"""Writes of the detection app: ingestion, alerts, incidents and rules."""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import yaml
from django.conf import settings
from django.core.mail import send_mail
from django.db import connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from port2port.ais import AisFeed, VesselTracker
from port2port.ais import Vessel as TrackedVessel
from port2port.core.audit import audit_record
from port2port.core.db import prepared_cursor
from port2port.core.errors import InvalidInput, NotPermitted
from port2port.core.models import ApiToken, Facility, Organisation, Port, Role, User
from port2port.core.scopes import Actor, scope_for
from port2port.detection.models import (
    SEVERITY_RANK,
    Alert,
    Broadcast,
    BroadcastRecipient,
    Cursor,
    Event,
    Incident,
    IncidentEntry,
    Notification,
    OnCallRule,
    Rule,
    Source,
    Vessel,
)
from port2port.lib.geo import point_in_polygon, polygon_centroid, polygon_validate
from port2port.rules import AlertUpdate, RuleError, from_time, rule_from_dict
from port2port.rules import Event as EngineEvent

ALERT_SEQ = "alert.seq"
MAX_ALERT_EVENTS = 100
REPORT_HOURS = 24
OPERATOR_ROLES = (Role.PORT_SECURITY_OFFICER, Role.CONTROL_ROOM_OPERATOR)

# Ingestion ------------------------------------------------------------------------


@dataclass
class EventResult:
    """What became of one event of a batch."""

    index: int
    status: str  # accepted, duplicate or rejected
    errors: list[str] = field(default_factory=list)


class NewEvent(NamedTuple):
    """An incoming event, validated, as it will be stored (an Event row's fields)."""

    time: dt.datetime
    received_at: dt.datetime
    source_id: int
    port_id: int
    zone_id: int | None
    lon: float | None
    lat: float | None
    kind: str
    payload: dict[str, Any]
    source_event_id: str
    exercise: bool


def _parse_time(value: str) -> dt.datetime | None:
    """Parse an ISO 8601 time: the standard library's parser, Django's as fallback."""
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        try:
            return parse_datetime(value)
        except ValueError:
            return None


def ports_writable(actor: Actor) -> set[int] | None:
    """Return the ports whose sources the caller may send events for (None: all)."""
    scope = scope_for(actor)
    if scope.is_national:
        return None
    if isinstance(actor, ApiToken):
        if actor.facility is not None:
            return {actor.facility.port_id}
        return set(actor.organisation.ports.values_list("id", flat=True))
    return set(scope.port_ids | scope.facility_port_ids)


_EVENT_FIELDS = frozenset(
    ("source", "id", "time", "kind", "zone", "position", "payload", "exercise")
)


@dataclass(frozen=True, slots=True)
class _Known:
    """A source of the batch, with what each of its events takes from it."""

    id: int
    port_id: int
    zone_id: int | None
    position: tuple[float, float] | None


def _is_coordinate(value: object) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


def _event_row(
    raw: object, sources: Mapping[str, _Known], now: dt.datetime
) -> tuple[NewEvent | None, list[str]]:
    """Return the stored form of one incoming event, or the problems with it.

    Called for every event of every batch: the checks are written for speed (a
    well-formed event passes each with one test), the messages stay complete.
    """
    if not isinstance(raw, dict):
        return None, [_("An event is a JSON object.")]
    errors: list[str] = []
    if not raw.keys() <= _EVENT_FIELDS:
        unknown = sorted(raw.keys() - _EVENT_FIELDS)
        errors.append(_("Unknown fields: %s.") % ", ".join(unknown))
    code = raw.get("source", "")
    source = sources.get(code if isinstance(code, str) else str(code))
    if source is None:
        errors.append(_("source: unknown source."))
    event_id = raw.get("id")
    if isinstance(event_id, int) and not isinstance(event_id, bool):
        event_id = str(event_id)
    if not isinstance(event_id, str) or not 1 <= len(event_id) <= 200:
        errors.append(_("id: 1 to 200 characters are required."))
    kind = raw.get("kind")
    if not isinstance(kind, str) or not 1 <= len(kind) <= 60 or "\x00" in kind:
        errors.append(_("kind: 1 to 60 characters are required."))
    stamp = raw.get("time")
    time = _parse_time(stamp) if isinstance(stamp, str) else None
    if time is None or time.utcoffset() is None:
        errors.append(_("time: an ISO 8601 time with its offset is required."))
    elif time > now + _FUTURE:
        errors.append(_("time: the time lies in the future."))
    lon = lat = None
    position = raw.get("position")
    if position is not None:
        if (
            isinstance(position, list)
            and len(position) == 2
            and _is_coordinate(position[0])
            and _is_coordinate(position[1])
            and -180 <= position[0] <= 180
            and -90 <= position[1] <= 90
        ):
            lon, lat = float(position[0]), float(position[1])
        else:
            errors.append(_("position: [longitude, latitude] in degrees is required."))
    payload = raw.get("payload", {})
    if not isinstance(payload, dict):
        errors.append(_("payload: a JSON object is required."))
    exercise = raw.get("exercise", False)
    if not isinstance(exercise, bool):
        errors.append(_("exercise: true or false is required."))
    zone = raw.get("zone")
    if zone is not None and (not isinstance(zone, int) or isinstance(zone, bool)):
        errors.append(_("zone: a zone id is required."))
    if errors or source is None or time is None:
        return None, errors
    if lon is None and source.position is not None:
        lon, lat = source.position
    return (
        NewEvent(
            time,
            now,
            source.id,
            source.port_id,
            zone if zone is not None else source.zone_id,
            lon,
            lat,
            kind,  # type: ignore[arg-type]
            payload,
            event_id,  # type: ignore[arg-type]
            exercise,
        ),
        [],
    )


_FUTURE = dt.timedelta(minutes=5)


def events_ingest(*, actor: Actor | None, events: list[Any]) -> list[EventResult]:
    """Validate and store a batch of events; return one result per event.

    Accepted events are written in one transaction (``bulk_create`` ignoring
    conflicts, so that a retried batch stores nothing twice); the rules runner
    judges them from there.
    """
    if len(events) > settings.DETECTION_BATCH_MAX:
        raise InvalidInput(
            _("A batch holds at most %(max)d events.")
            % {"max": settings.DETECTION_BATCH_MAX}
        )
    codes = {
        str(raw.get("source"))
        for raw in events
        if isinstance(raw, dict) and raw.get("source") is not None
    }
    sources_qs = Source.objects.filter(code__in=codes, active=True)
    writable = ports_writable(actor) if actor is not None else None
    if writable is not None:
        sources_qs = sources_qs.filter(port_id__in=writable)
    sources = {
        source.code: _Known(source.pk, source.port_id, source.zone_id, source.position)
        for source in sources_qs
    }
    now = timezone.now()
    results: list[EventResult] = []
    rows: list[tuple[int, NewEvent]] = []
    for index, raw in enumerate(events):
        new, errors = _event_row(raw, sources, now)
        if new is None:
            results.append(EventResult(index, "rejected", errors))
        else:
            results.append(EventResult(index, "accepted"))
            rows.append((index, new))
    # Repeats inside the batch are duplicates; so are pairs stored before (a
    # retried batch), which the insert itself skips and leaves out of its answer.
    seen: set[tuple[int, str]] = set()
    fresh: list[tuple[int, NewEvent]] = []
    for index, row in rows:
        key = (row.source_id, row.source_event_id)
        if key in seen:
            results[index].status = "duplicate"
            continue
        seen.add(key)
        fresh.append((index, row))
    stored = events_store([row for _, row in fresh])
    for index, row in fresh:
        if (row.source_id, row.source_event_id) not in stored:
            results[index].status = "duplicate"
    return results


_EVENT_COLUMNS = (
    "time",
    "received_at",
    "source_id",
    "port_id",
    "zone_id",
    "lon",
    "lat",
    "kind",
    "payload",
    "source_event_id",
    "exercise",
)


# Writers of events take this PostgreSQL advisory lock for their transaction, so
# that event ids become visible in the order they were given: the rules runner
# reads events after the last id it judged, and a smaller id committed later would
# never be judged. SQLite serialises writers by itself.
EVENTS_WRITE_LOCK = 0x50325045  # "P2PE"


_STORE_CHUNK = 1000


def _time_adapter(connection: Any) -> Any:
    """Return what turns an aware time into the database's value for it.

    On SQLite, Django's adapter (UTC, without its offset, as text) checks its
    settings on each call, a third of a batch's adaptation; this is the same
    result directly. PostgreSQL takes aware times as they are.
    """
    if connection.vendor != "sqlite":
        return connection.ops.adapt_datetimefield_value

    def adapt(value: dt.datetime | None) -> str | None:
        if value is None:
            return None
        offset = value.utcoffset()
        if offset is None:  # naive: the ORM's own adapter and its checks
            return connection.ops.adapt_datetimefield_value(value)  # type: ignore[no-any-return]
        return str((value - offset).replace(tzinfo=None))

    return adapt


@functools.cache
def _events_insert_sql(rows: int) -> str:
    columns = ", ".join(f'"{c}"' for c in _EVENT_COLUMNS)
    marks = "(" + ", ".join(["%s"] * len(_EVENT_COLUMNS)) + ")"
    return (
        f'INSERT INTO "{Event._meta.db_table}" ({columns}) VALUES '  # noqa: S608 - constant names
        + ", ".join([marks] * rows)
        + ' ON CONFLICT DO NOTHING RETURNING "source_id", "source_event_id"'
    )


def events_store(events: Sequence[Event | NewEvent]) -> set[tuple[int, str]]:
    """Store events, skipping pairs (source, source event id) already stored.

    Every writer of detection events goes through here (the ingestion API, MQTT,
    AIS, gate denials, release fraud signals). Return the pairs stored now.

    This is the hot path of ingestion (batches of up to 10,000 events): rows go
    in multi-row inserts of a thousand (the ORM's ``bulk_create`` spent about
    90 µs of CPU per event preparing its values, against a few µs here), which
    return what they stored. The values are adapted before the write
    transaction starts, so that the database is held only for the inserts.
    ``ON CONFLICT DO NOTHING`` (SQLite and PostgreSQL) makes a retried batch
    store nothing twice.
    """
    if not events:
        return set()
    connection = connections[Event.objects.db]
    adapt_time = _time_adapter(connection)
    # JSON as text for both: SQLite stores it so (as Django's adapter does), and
    # PostgreSQL's COPY reads it into the jsonb column.
    adapt_json = json.dumps
    values: list[Any] = []
    received: tuple[dt.datetime, Any] | None = None
    for e in events:
        # A batch shares its time of arrival: adapt it once.
        if received is None or received[0] is not e.received_at:
            received = (e.received_at, adapt_time(e.received_at))
        values += (
            adapt_time(e.time),
            received[1],
            e.source_id,
            e.port_id,
            e.zone_id,
            e.lon,
            e.lat,
            e.kind,
            adapt_json(e.payload),
            e.source_event_id,
            e.exercise,
        )
    width = len(_EVENT_COLUMNS)
    if connection.vendor == "postgresql":
        return _events_copy(connection, values, width)
    stored: set[tuple[int, str]] = set()
    with transaction.atomic(), prepared_cursor() as cursor:
        for start in range(0, len(events), _STORE_CHUNK):
            count = min(_STORE_CHUNK, len(events) - start)
            cursor.execute(
                _events_insert_sql(count),
                values[start * width : (start + count) * width],
            )
            stored.update(cursor.fetchall())
    return stored


# PostgreSQL: the rows are copied into a temporary table of the connection (the
# COPY protocol, no statement to parse per row) and moved from there in one
# INSERT … SELECT, in the order they came.
_INCOMING = "p2p_detection_event_incoming"
_INCOMING_TABLE = (
    f'CREATE TEMPORARY TABLE IF NOT EXISTS "{_INCOMING}" ('
    '"ord" bigserial, "time" timestamptz, "received_at" timestamptz, '
    '"source_id" bigint, "port_id" bigint, "zone_id" bigint, '
    '"lon" double precision, "lat" double precision, "kind" varchar(60), '
    '"payload" jsonb, "source_event_id" varchar(200), "exercise" boolean'
    ") ON COMMIT DELETE ROWS"
)


def _events_copy(
    connection: Any, values: list[Any], width: int
) -> set[tuple[int, str]]:
    columns = ", ".join(f'"{c}"' for c in _EVENT_COLUMNS)
    move = (
        f'INSERT INTO "{Event._meta.db_table}" ({columns}) '  # noqa: S608 - constant names
        f'SELECT {columns} FROM "{_INCOMING}" ORDER BY "ord" '
        'ON CONFLICT DO NOTHING RETURNING "source_id", "source_event_id"'
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [EVENTS_WRITE_LOCK])
        cursor.execute(_INCOMING_TABLE)
        raw = cursor.cursor
        with (
            connection.wrap_database_errors,
            raw.copy(f'COPY "{_INCOMING}" ({columns}) FROM STDIN') as copy,
        ):
            for start in range(0, len(values), width):
                copy.write_row(values[start : start + width])
        cursor.execute(move)
        return set(cursor.fetchall())


# AIS ------------------------------------------------------------------------------

VESSEL_TRACK_POINTS = 60


def _vessel_values(tracked: TrackedVessel, port_id: int) -> dict[str, Any]:
    return {
        "imo": tracked.imo,
        "name": (tracked.name or "")[:40],
        "callsign": (tracked.callsign or "")[:12],
        "ship_type": tracked.ship_type,
        "length_m": tracked.length_m,
        "port_id": port_id,
        "lon": tracked.lon,
        "lat": tracked.lat,
        "sog": tracked.sog,
        "cog": tracked.cog,
        "heading": tracked.heading,
        "nav_status": tracked.nav_status,
        "position_at": from_time(tracked.position_time)
        if tracked.position_time is not None
        else None,
        "track": [
            [round(t, 1), lon, lat]
            for t, lon, lat in list(tracked.history)[-VESSEL_TRACK_POINTS:]
        ],
    }


def _ais_event(event: EngineEvent, source: Source, exercise: bool) -> dict[str, Any]:
    return {
        "source": source.code,
        "id": event.id,
        "time": from_time(event.time).isoformat(),
        "kind": event.kind,
        "position": list(event.position) if event.position else None,
        "payload": dict(event.payload),
        "exercise": exercise,
    }


def ais_feed_for(*, source: Source) -> AisFeed:
    """Return a decoder and tracker for an AIS receiver: its vessels are its port's."""
    return AisFeed(
        tracker=VesselTracker(source_id=source.code, default_port=source.port.locode)
    )


def ais_ingest(
    *,
    source: Source,
    feed: AisFeed,
    lines: Iterable[str | bytes],
    received_at: float,
    exercise: bool = False,
) -> list[EventResult]:
    """Decode NMEA lines received together, store the vessels and their events.

    The feed (one per receiver: it holds the first parts of multi-part messages
    and the tracks) turns position reports into ``ais.position`` events and
    identity changes into ``ais.static``; both go through ``events_ingest`` as
    events of the AIS receiver ``source``. Each vessel heard is written with
    its identity, last position and recent track.
    """
    events = feed.feed_lines(lines, received_at)
    mmsis = {int(str(e.payload.get("mmsi"))) for e in events if e.payload.get("mmsi")}
    with transaction.atomic():
        known = {v.mmsi: v for v in Vessel.objects.filter(mmsi__in=mmsis)}
        fresh, changed = [], []
        for mmsi in sorted(mmsis):
            tracked = feed.tracker.get(mmsi)
            if tracked is None:
                continue
            values = _vessel_values(tracked, source.port_id)
            vessel = known.get(mmsi)
            if vessel is None:
                fresh.append(Vessel(mmsi=mmsi, **values))
            else:
                for name, value in values.items():
                    setattr(vessel, name, value)
                vessel.updated_at = timezone.now()
                changed.append(vessel)
        Vessel.objects.bulk_create(fresh, ignore_conflicts=True)
        if changed:
            Vessel.objects.bulk_update(changed, VESSEL_FIELDS)
        results = []
        for start in range(0, len(events), settings.DETECTION_BATCH_MAX):
            chunk = events[start : start + settings.DETECTION_BATCH_MAX]
            results += events_ingest(
                actor=None, events=[_ais_event(e, source, exercise) for e in chunk]
            )
    return results


VESSEL_FIELDS = [
    "imo",
    "name",
    "callsign",
    "ship_type",
    "length_m",
    "port_id",
    "lon",
    "lat",
    "sog",
    "cog",
    "heading",
    "nav_status",
    "position_at",
    "track",
    "updated_at",
]


# Alerts ---------------------------------------------------------------------------


def _next_seq() -> int:
    """Return the next alert sequence number (in the caller's transaction)."""
    cursor, _created = Cursor.objects.get_or_create(name=ALERT_SEQ)
    cursor = Cursor.objects.select_for_update().get(pk=cursor.pk)
    cursor.last_id += 1
    cursor.save(update_fields=["last_id"])
    return cursor.last_id


def alerts_apply(*, updates: Iterable[AlertUpdate], locodes: Mapping[int, str]) -> None:
    """Turn the engine's folded matches into alerts: open new ones, count repeats."""
    port_ids = {locode: pk for pk, locode in locodes.items()}
    rules = dict(Rule.objects.values_list("code", "id"))
    for update in updates:
        match = update.match
        port_id = port_ids.get(match.port_id)
        if port_id is None:
            continue
        event_ids = [int(e.id) for e in update.events if e.id.isdigit()]
        alert = None
        if not update.new:
            alert = (
                Alert.objects.filter(
                    dedup_key=match.dedup_key,
                    status__in=[Alert.Status.NEW, Alert.Status.ACKNOWLEDGED],
                )
                .order_by("-last_seen")
                .first()
            )
        if alert is None:
            zone = match.zone_id
            position = match.position
            Alert.objects.create(
                rule_id=rules.get(match.rule_id),
                rule_code=match.rule_id,
                title=match.title[:200],
                severity=str(match.severity),
                port_id=port_id,
                zone_id=int(zone) if zone and zone.isdigit() else None,
                lon=position[0] if position else None,
                lat=position[1] if position else None,
                count=update.added,
                first_seen=from_time(update.first_time),
                last_seen=from_time(match.time),
                dedup_key=match.dedup_key[:400],
                event_ids=event_ids[-MAX_ALERT_EVENTS:],
                details=_plain(match.details),
                exercise=match.exercise,
                seq=_next_seq(),
            )
        else:
            alert.count += update.added
            alert.last_seen = max(alert.last_seen, from_time(match.time))
            alert.event_ids = (alert.event_ids + event_ids)[-MAX_ALERT_EVENTS:]
            alert.seq = _next_seq()
            alert.save(update_fields=["count", "last_seen", "event_ids", "seq"])


def alert_raise(
    *,
    port_id: int,
    rule_code: str,
    title: str,
    severity: str,
    dedup_key: str,
    at: dt.datetime,
    details: Mapping[str, Any] | None = None,
    zone_id: int | None = None,
    position: tuple[float, float] | None = None,
    exercise: bool = False,
) -> Alert:
    """Raise an alert in a port's control room from another module's finding.

    For findings made outside the rules engine (a bulletin's watched plate seen at
    a gate, say). An open alert with the same ``dedup_key`` is counted again
    instead of a new one being opened, as the engine's repeats are.
    """
    alert = (
        Alert.objects.filter(
            dedup_key=dedup_key[:400],
            status__in=[Alert.Status.NEW, Alert.Status.ACKNOWLEDGED],
        )
        .order_by("-last_seen")
        .first()
    )
    if alert is not None:
        alert.count += 1
        alert.last_seen = max(alert.last_seen, at)
        alert.seq = _next_seq()
        alert.save(update_fields=["count", "last_seen", "seq"])
        return alert
    return Alert.objects.create(
        rule_id=Rule.objects.filter(code=rule_code)
        .values_list("id", flat=True)
        .first(),
        rule_code=rule_code,
        title=title[:200],
        severity=severity,
        port_id=port_id,
        zone_id=zone_id,
        lon=position[0] if position else None,
        lat=position[1] if position else None,
        count=1,
        first_seen=at,
        last_seen=at,
        dedup_key=dedup_key[:400],
        event_ids=[],
        details=_plain(details or {}),
        exercise=exercise,
        seq=_next_seq(),
    )


def _plain(value: object) -> Any:
    """Return the match details as JSON-ready values."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _check_operator(actor: Actor, port_id: int) -> None:
    if not scope_for(actor).has_role(*OPERATOR_ROLES, port_id=port_id):
        raise NotPermitted(_("Only the port's control room may handle its alerts."))


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def _alert_touch(alert: Alert, actor: Actor, status: str) -> None:
    alert.status = status
    alert.handled_by = _user(actor)
    alert.handled_at = timezone.now()
    alert.seq = _next_seq()


@transaction.atomic
def alert_acknowledge(*, actor: Actor, alert: Alert) -> Alert:
    """Mark an alert as seen by the control room or a guard."""
    _check_operator(actor, alert.port_id)
    if alert.status != Alert.Status.NEW:
        return alert
    _alert_touch(alert, actor, Alert.Status.ACKNOWLEDGED)
    alert.save(update_fields=["status", "handled_by", "handled_at", "seq"])
    audit_record(
        actor=actor,
        action="detection.alert.acknowledge",
        obj=alert,
        port_id=alert.port_id,
    )
    return alert


@transaction.atomic
def alert_dismiss(*, actor: Actor, alert: Alert, reason: str) -> Alert:
    """Close an alert as a false or harmless alarm, saying why."""
    _check_operator(actor, alert.port_id)
    reason = reason.strip()
    if not reason:
        raise InvalidInput(
            _("Say why the alert is dismissed."), fields={"reason": [_("Required.")]}
        )
    if not alert.open:
        raise InvalidInput(_("This alert is already closed."))
    _alert_touch(alert, actor, Alert.Status.DISMISSED)
    alert.dismiss_reason = reason[:300]
    alert.save(
        update_fields=["status", "handled_by", "handled_at", "seq", "dismiss_reason"]
    )
    audit_record(
        actor=actor,
        action="detection.alert.dismiss",
        obj=alert,
        details={"reason": alert.dismiss_reason},
        port_id=alert.port_id,
    )
    return alert


def _link(actor: Actor, alert: Alert, incident: Incident) -> None:
    if alert.port_id != incident.port_id:
        raise InvalidInput(_("An alert joins only an incident of its own port."))
    if not alert.open:
        raise InvalidInput(_("This alert is already closed."))
    _alert_touch(alert, actor, Alert.Status.PROMOTED)
    alert.incident = incident
    alert.save(update_fields=["status", "handled_by", "handled_at", "seq", "incident"])
    incident.event_ids = sorted(set(incident.event_ids) | set(alert.event_ids))
    incident.save(update_fields=["event_ids"])
    IncidentEntry.objects.create(
        incident=incident,
        author=_user(actor),
        kind=IncidentEntry.Kind.ALERT,
        text=f"{alert.title} (×{alert.count})",
    )


@transaction.atomic
def alert_promote(
    *, actor: Actor, alert: Alert, title: str = "", serious: bool = False
) -> Incident:
    """Open an incident from an alert."""
    _check_operator(actor, alert.port_id)
    now = timezone.now()
    incident = Incident.objects.create(
        port_id=alert.port_id,
        title=(title.strip() or alert.title)[:200],
        severity=alert.severity,
        created_by=_user(actor),
        assignee=_user(actor),
        exercise=alert.exercise,
        kind=Incident.Kind.INTRUSION
        if "intrusion" in alert.rule_code
        else Incident.Kind.OTHER,
        occurred_at=alert.first_seen,
        lon=alert.lon,
        lat=alert.lat,
        serious=serious,
        report_due_at=now + dt.timedelta(hours=REPORT_HOURS) if serious else None,
    )
    _link(actor, alert, incident)
    audit_record(
        actor=actor,
        action="detection.incident.create",
        obj=incident,
        details={"alert": alert.pk},
        port_id=incident.port_id,
    )
    return incident


@transaction.atomic
def alert_merge(*, actor: Actor, alert: Alert, incident: Incident) -> Incident:
    """Add an alert to an open incident."""
    _check_operator(actor, alert.port_id)
    if incident.status == Incident.Status.CLOSED:
        raise InvalidInput(_("This incident is closed."))
    _link(actor, alert, incident)
    audit_record(
        actor=actor,
        action="detection.incident.merge",
        obj=incident,
        details={"alert": alert.pk},
        port_id=incident.port_id,
    )
    return incident


# Incidents ------------------------------------------------------------------------


@transaction.atomic
def incident_note(
    *, actor: Actor, incident: Incident, text: str, kind: str = IncidentEntry.Kind.NOTE
) -> IncidentEntry:
    """Add a note or an action to an incident's timeline."""
    _check_operator(actor, incident.port_id)
    text = text.strip()
    if not text:
        raise InvalidInput(_("Write something."), fields={"text": [_("Required.")]})
    if kind not in (IncidentEntry.Kind.NOTE, IncidentEntry.Kind.ACTION):
        raise InvalidInput(_("A timeline entry is a note or an action."))
    return IncidentEntry.objects.create(
        incident=incident, author=_user(actor), kind=kind, text=text[:4000]
    )


@transaction.atomic
def incident_update(*, actor: Actor, incident: Incident, **values: Any) -> Incident:
    """Change an incident: its status, assignee, ISPS fields or seriousness.

    Closing needs a description of what happened; declaring it serious starts
    the clock of the written report.
    """
    _check_operator(actor, incident.port_id)
    allowed = {
        "status",
        "assignee",
        "title",
        "kind",
        "location",
        "description",
        "actions_taken",
        "authorities_notified",
        "vessel",
        "serious",
        "snapshot_refs",
        "report_submitted",
    }
    unknown = set(values) - allowed
    if unknown:
        raise InvalidInput(_("Unknown fields: %s.") % ", ".join(sorted(unknown)))
    if incident.status == Incident.Status.CLOSED:
        raise InvalidInput(_("This incident is closed."))
    old_status = incident.status
    status = values.get("status", old_status)
    if status not in Incident.Status.values:
        raise InvalidInput(_("Unknown status."), fields={"status": [_("Unknown.")]})
    now = timezone.now()
    if values.pop("report_submitted", False) and incident.report_submitted_at is None:
        incident.report_submitted_at = now
    for name, value in values.items():
        setattr(incident, name, value)
    if values.get("serious") and incident.report_due_at is None:
        incident.report_due_at = now + dt.timedelta(hours=REPORT_HOURS)
    if status == Incident.Status.CLOSED:
        if not incident.description.strip():
            raise InvalidInput(
                _("Describe the incident before closing it."),
                fields={"description": [_("Required.")]},
            )
        incident.closed_at = now
    incident.save()
    if status != old_status:
        IncidentEntry.objects.create(
            incident=incident,
            author=_user(actor),
            kind=IncidentEntry.Kind.STATUS,
            text=f"{old_status} → {status}",
        )
    audit_record(
        actor=actor,
        action="detection.incident.update",
        obj=incident,
        details={k: str(v) for k, v in values.items()},
        port_id=incident.port_id,
    )
    return incident


# Sources and rules ----------------------------------------------------------------


def source_create(
    *, port: Port, code: str, name: str, kind: str, **values: Any
) -> Source:
    """Register a source (the demo data and the tests; the admin for the rest)."""
    covers = values.pop("covers", [])
    source = Source.objects.create(port=port, code=code, name=name, kind=kind, **values)
    if covers:
        source.covers.set(covers)
    return source


@transaction.atomic
def rule_save(
    *, actor: Actor | None, definition: dict[str, Any], port: Port | None = None
) -> Rule:
    """Create or replace a rule from its dict form, after the engine validated it."""
    try:
        parsed = rule_from_dict(definition)
    except RuleError as exc:
        raise InvalidInput(str(exc), fields={"definition": exc.errors}) from None
    stored = {
        k: v for k, v in definition.items() if k not in {"id", "enabled", "ports"}
    }
    rule, _created = Rule.objects.update_or_create(
        code=parsed.id,
        defaults={"definition": stored, "enabled": parsed.enabled, "port": port},
    )
    if actor is not None:
        audit_record(actor=actor, action="detection.rule.save", obj=rule)
    return rule


def rules_import_yaml(*, actor: Actor | None, text: str) -> list[Rule]:
    """Create or replace the rules of a YAML document (a list, or ``rules:``)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput(_("The YAML cannot be read: %s") % exc) from None
    if isinstance(data, dict):
        data = data.get("rules")
    if not isinstance(data, list):
        raise InvalidInput(_("The YAML holds a list of rules."))
    locodes = {port.locode: port for port in Port.objects.all()}
    saved = []
    with transaction.atomic():
        for item in data:
            if not isinstance(item, dict):
                raise InvalidInput(_("Each rule is a mapping."))
            port = None
            port_code = item.pop("port", None)
            if port_code is not None:
                port = locodes.get(str(port_code))
                if port is None:
                    raise InvalidInput(_("Unknown port %s.") % port_code)
            saved.append(rule_save(actor=actor, definition=item, port=port))
    return saved


def rules_export_yaml(*, rules: Iterable[Rule]) -> str:
    """Return rules as a YAML document that ``rules_import_yaml`` reads back."""
    items = []
    for rule in rules:
        item: dict[str, Any] = {"id": rule.code}
        if rule.port is not None:
            item["port"] = rule.port.locode
        if not rule.enabled:
            item["enabled"] = False
        item.update(rule.definition)
        items.append(item)
    return yaml.safe_dump({"rules": items}, sort_keys=False, allow_unicode=True)


# Notifications and escalation -----------------------------------------------------

# Alerts older than this when first looked at are not notified any more (a
# worker that was down for a day does not page everybody about yesterday).
NOTIFY_MAX_AGE = dt.timedelta(hours=1)


def _rules_for(alert: Alert, rules: Iterable[OnCallRule]) -> list[OnCallRule]:
    rank = SEVERITY_RANK.get(alert.severity, 0)
    return [
        rule
        for rule in rules
        if rule.port_id == alert.port_id
        and (rule.zone_id is None or rule.zone_id == alert.zone_id)
        and SEVERITY_RANK.get(rule.min_severity, 0) <= rank
    ]


def _notification_text(alert: Alert, level: int) -> tuple[str, str]:
    prefix = _("EXERCISE") + " · " if alert.exercise else ""
    subject = f"{prefix}[{alert.get_severity_display()}] {alert.title}"[:200]
    lines = [
        subject,
        _("Port: %s") % alert.port.locode,
        _("First seen: %s") % timezone.localtime(alert.first_seen).isoformat(),
        _("Count: %d") % alert.count,
    ]
    if alert.lat is not None and alert.lon is not None:
        lines.append(
            _("Position: %(lat).5f, %(lon).5f") % {"lat": alert.lat, "lon": alert.lon}
        )
    if level:
        lines.append(
            _("Escalation level %d: nobody acknowledged the alert in time.") % level
        )
    return subject, "\n".join(lines)


def _post_json(url: str, body: dict[str, Any], token: str = "") -> None:
    """POST ``body`` as JSON to ``url``; raise ``OSError`` unless it answers 2xx."""
    if urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
        raise OSError(_("Only http and https addresses are called."))
    headers = {"Content-Type": "application/json", "User-Agent": "Port2Port"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url, data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    with urllib.request.urlopen(  # noqa: S310
        request, timeout=settings.DETECTION_NOTIFY_TIMEOUT_SECONDS
    ) as response:
        if not 200 <= response.status < 300:
            raise OSError(f"HTTP {response.status}")


def _deliver(rule: OnCallRule, alert: Alert, level: int) -> tuple[str, str]:
    """Send one notification; return its address and the error ('' if none)."""
    subject, text = _notification_text(alert, level)
    user = rule.user
    try:
        if rule.channel == OnCallRule.Channel.EMAIL:
            target = rule.target or (user.email if user else "")
            if not target:
                return "", _("No e-mail address.")
            send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [target])
        elif rule.channel == OnCallRule.Channel.SMS:
            target = rule.target or (
                user.person.phone if user and user.person_id and user.person else ""
            )
            if not target:
                return "", _("No phone number.")
            if not settings.DETECTION_SMS_GATEWAY_URL:
                return target, _("No SMS gateway is configured.")
            _post_json(
                settings.DETECTION_SMS_GATEWAY_URL,
                {"to": target, "message": text[:640]},
                settings.DETECTION_SMS_GATEWAY_TOKEN,
            )
        else:
            target = rule.target
            if not target:
                return "", _("No webhook URL.")
            _post_json(
                target,
                {
                    "type": "detection.alert",
                    "level": level,
                    "alert": {**_alert_payload(alert), "port": alert.port.locode},
                },
            )
    except (OSError, ValueError) as exc:
        return target, str(exc)[:500] or type(exc).__name__
    return target, ""


def _alert_payload(alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.pk,
        "title": alert.title,
        "severity": alert.severity,
        "status": alert.status,
        "lon": alert.lon,
        "lat": alert.lat,
        "count": alert.count,
        "first_seen": alert.first_seen.isoformat(),
        "last_seen": alert.last_seen.isoformat(),
        "exercise": alert.exercise,
    }


def alerts_notify(*, now: dt.datetime | None = None) -> list[Notification]:
    """Notify the people on call of new alerts, and escalate unacknowledged ones.

    A new alert goes to the lowest level of the on-call rules that match its
    port, zone and severity. While it stays new (nobody acknowledged it), the
    next level is notified once the notified level's delay has passed. Each
    step is claimed with a conditional ``UPDATE`` of the alert, so that two
    workers never send it twice; each message sent is recorded and audited.
    """
    now = now or timezone.now()
    rules = list(
        OnCallRule.objects.filter(active=True).select_related("user", "user__person")
    )
    if not rules:
        return []
    alerts = Alert.objects.filter(
        status=Alert.Status.NEW,
        port_id__in={rule.port_id for rule in rules},
    ).filter(
        Q(notify_level=-1, created_at__gte=now - NOTIFY_MAX_AGE)
        | Q(notify_level__gte=0)
    )
    sent: list[Notification] = []
    for alert in alerts.select_related("port").order_by("pk")[:500]:
        matching = _rules_for(alert, rules)
        levels = sorted({rule.level for rule in matching})
        following = [level for level in levels if level > alert.notify_level]
        if not following:
            continue
        if alert.notify_level >= 0:
            delays = [
                rule.escalate_after_minutes
                for rule in matching
                if rule.level == alert.notify_level
            ] or [0]
            assert alert.notified_at is not None  # noqa: S101 - set with the level
            if now < alert.notified_at + dt.timedelta(minutes=min(delays)):
                continue
        level = following[0]
        claimed = Alert.objects.filter(
            pk=alert.pk, notify_level=alert.notify_level, status=Alert.Status.NEW
        ).update(notify_level=level, notified_at=now)
        if claimed != 1:
            continue
        for rule in matching:
            if rule.level != level:
                continue
            target, error = _deliver(rule, alert, level)
            with transaction.atomic():
                notification = Notification.objects.create(
                    alert=alert,
                    rule=rule,
                    level=level,
                    channel=rule.channel,
                    target=target[:300],
                    sent_at=now,
                    succeeded=not error,
                    error=error,
                )
                audit_record(
                    actor=None,
                    action="detection.alert.escalate"
                    if level
                    else "detection.alert.notify",
                    obj=alert,
                    details={
                        "level": level,
                        "channel": rule.channel,
                        "rule": rule.pk,
                        "succeeded": not error,
                    },
                    port_id=alert.port_id,
                )
            sent.append(notification)
    return sent


def alerts_notify_job() -> None:
    """Run ``alerts_notify`` (the worker's periodic job)."""
    alerts_notify()


# Area broadcasts ------------------------------------------------------------------


def _facility_in_area(boundary: object, area: dict[str, Any]) -> bool:
    """Return whether a facility lies in the drawn area (its centre or a corner)."""
    if not isinstance(boundary, dict) or boundary.get("type") != "Polygon":
        return False
    try:
        ring = boundary["coordinates"][0]
        points = [polygon_centroid(boundary), *((p[0], p[1]) for p in ring)]
    except (KeyError, IndexError, TypeError, ZeroDivisionError):
        return False
    return any(point_in_polygon(point, area) for point in points)


def broadcast_recipients(
    *, port: Port, area: dict[str, Any] | None
) -> list[Organisation]:
    """Return the companies a broadcast reaches: the port's, or those in the area.

    In an area, a company is located by the facilities it operates.
    """
    organisations = Organisation.objects.filter(ports=port)
    if area is not None:
        inside = {
            facility.operator_id
            for facility in Facility.objects.filter(port=port).only(
                "operator_id", "boundary"
            )
            if _facility_in_area(facility.boundary, area)
        }
        organisations = Organisation.objects.filter(pk__in=inside)
    return list(organisations.distinct().order_by("name"))


@transaction.atomic
def broadcast_send(
    *,
    actor: Actor,
    port: Port,
    level: str,
    title: str,
    message: str,
    area: dict[str, Any] | None = None,
    exercise: bool = False,
) -> Broadcast:
    """Send a preventive or urgent message to the companies of a port or an area.

    Only the port's control room sends; its own organisation is not a recipient.
    """
    if not scope_for(actor).has_role(*OPERATOR_ROLES, port_id=port.pk):
        raise NotPermitted(_("Only the port's control room may send broadcasts."))
    errors: dict[str, list[str]] = {}
    title, message = title.strip(), message.strip()
    if level not in Broadcast.Level.values:
        errors["level"] = [_("Preventive or urgent.")]
    if not title:
        errors["title"] = [_("Required.")]
    if not message:
        errors["message"] = [_("Required.")]
    if area is not None:
        try:
            area = polygon_validate(area)
        except ValueError as exc:
            errors["area"] = [str(exc)]
    if errors:
        raise InvalidInput(_("The broadcast is incomplete."), fields=errors)
    broadcast = Broadcast.objects.create(
        port=port,
        sender=_user(actor),
        level=level,
        title=title[:200],
        message=message[:4000],
        area=area,
        exercise=exercise,
    )
    own = scope_for(actor).organisation_ids
    recipients = [
        BroadcastRecipient(broadcast=broadcast, organisation=organisation)
        for organisation in broadcast_recipients(port=port, area=area)
        if organisation.pk not in own
    ]
    BroadcastRecipient.objects.bulk_create(recipients)
    audit_record(
        actor=actor,
        action="detection.broadcast.send",
        obj=broadcast,
        details={"level": level, "recipients": len(recipients), "area": bool(area)},
        port_id=port.pk,
    )
    return broadcast


@transaction.atomic
def broadcast_acknowledge(
    *, actor: Actor, broadcast: Broadcast
) -> list[BroadcastRecipient]:
    """Acknowledge a broadcast for the caller's companies that received it."""
    user = _user(actor)
    if user is None:
        raise NotPermitted(_("A person acknowledges a broadcast."))
    recipients = list(
        broadcast.recipients.select_for_update().filter(
            organisation_id__in=scope_for(actor).organisation_ids
        )
    )
    if not recipients:
        raise NotPermitted(_("Your organisation did not receive this broadcast."))
    now = timezone.now()
    changed = [r for r in recipients if r.acknowledged_at is None]
    for recipient in changed:
        recipient.acknowledged_at = now
        recipient.acknowledged_by = user
    BroadcastRecipient.objects.bulk_update(
        changed, ["acknowledged_at", "acknowledged_by"]
    )
    for recipient in changed:
        audit_record(
            actor=actor,
            action="detection.broadcast.acknowledge",
            obj=broadcast,
            port_id=broadcast.port_id,
            organisation_id=recipient.organisation_id,
        )
    return recipients


# Retention and the written-report reminders ---------------------------------------

PURGE_CHUNK = 5000


def _linked_event_ids() -> set[int]:
    linked: set[int] = set()
    for model in (Alert, Incident):
        for ids in model.objects.exclude(event_ids=[]).values_list(
            "event_ids", flat=True
        ):
            linked.update(int(i) for i in ids if isinstance(i, int))
    return linked


def events_purge(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete events older than their kind's retention; return the counts per kind.

    ``DETECTION_RETENTION_DAYS`` gives the days per kind (ANPR reads 30 by
    default); an event linked to an alert or an incident is kept. Deleting in
    chunks keeps each transaction short.
    """
    now = now or timezone.now()
    linked: set[int] | None = None
    deleted: dict[str, int] = {}
    for kind, days in sorted(settings.DETECTION_RETENTION_DAYS.items()):
        if days <= 0:
            continue
        cutoff = now - dt.timedelta(days=days)
        after = 0
        count = 0
        while True:
            ids = list(
                Event.objects.filter(kind=kind, time__lt=cutoff, pk__gt=after)
                .order_by("pk")
                .values_list("pk", flat=True)[:PURGE_CHUNK]
            )
            if not ids:
                break
            after = ids[-1]
            if linked is None:
                linked = _linked_event_ids()
            doomed = [pk for pk in ids if pk not in linked]
            count += Event.objects.filter(pk__in=doomed).delete()[0]
        if count:
            deleted[kind] = count
    if deleted:
        audit_record(
            actor=None,
            action="detection.events.purge",
            object_type="detection.event",
            details=deleted,
        )
    return deleted


def events_purge_job() -> None:
    """Run ``events_purge`` (the worker's periodic job)."""
    events_purge()


def incident_report_remind(*, now: dt.datetime | None = None) -> list[Incident]:
    """Remind of the written reports of serious incidents as they fall due.

    A reminder goes out at each of ``DETECTION_REPORT_REMINDER_HOURS`` before
    the report is due (one message when several fall due together), by e-mail
    to the assignee and the author, and into the incident's timeline. The
    count of reminders is claimed with a conditional ``UPDATE``.
    """
    now = now or timezone.now()
    hours = sorted(settings.DETECTION_REPORT_REMINDER_HOURS, reverse=True)
    reminded = []
    incidents = Incident.objects.filter(
        serious=True,
        report_submitted_at__isnull=True,
        report_due_at__isnull=False,
        report_reminders__lt=len(hours),
    ).select_related("assignee", "created_by", "port")
    for incident in incidents:
        assert incident.report_due_at is not None  # noqa: S101 - filtered above
        due = sum(
            1 for h in hours if now >= incident.report_due_at - dt.timedelta(hours=h)
        )
        if due <= incident.report_reminders:
            continue
        claimed = Incident.objects.filter(
            pk=incident.pk, report_reminders=incident.report_reminders
        ).update(report_reminders=due)
        if claimed != 1:
            continue
        overdue = now >= incident.report_due_at
        due_at = timezone.localtime(incident.report_due_at).strftime("%Y-%m-%d %H:%M")
        text = (
            _("The written report of incident #%(pk)d is overdue since %(due)s.")
            if overdue
            else _("The written report of incident #%(pk)d is due at %(due)s.")
        ) % {"pk": incident.pk, "due": due_at}
        addresses = sorted(
            {
                user.email
                for user in (incident.assignee, incident.created_by)
                if user is not None and user.email
            }
        )
        if addresses:
            send_mail(
                f"#{incident.pk} {incident.title}"[:200],
                text,
                settings.DEFAULT_FROM_EMAIL,
                addresses,
            )
        with transaction.atomic():
            IncidentEntry.objects.create(
                incident=incident, author=None, kind=IncidentEntry.Kind.NOTE, text=text
            )
            audit_record(
                actor=None,
                action="detection.incident.report_reminder",
                obj=incident,
                details={"reminder": due, "overdue": overdue},
                port_id=incident.port_id,
            )
        incident.report_reminders = due
        reminded.append(incident)
    return reminded


def incident_report_remind_job() -> None:
    """Run ``incident_report_remind`` (the worker's periodic job)."""
    incident_report_remind()
