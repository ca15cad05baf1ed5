"""The adapter between the database and the correlation engine.

One engine per process (like the gate snapshot of the access app). It is built
from the enabled rules and the map (ports, zones, sources and what cameras
cover), then fed the stored events in id order from a cursor row, so that a
restart carries on where it stopped. After a restart the engine first re-reads
the last ``WARM_UP_SECONDS`` of events without raising alerts, so that windows
that were open are open again.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from port2port.access.models import AccessEvent
from port2port.core.models import AccessPoint, Port, Zone
from port2port.detection import models
from port2port.rules import (
    Area,
    Engine,
    Event,
    RuleError,
    Topology,
    fold,
    rule_from_dict,
    to_time,
)
from port2port.rules import Port as EnginePort
from port2port.rules import Rule as EngineRule
from port2port.rules import Source as EngineSource

logger = logging.getLogger(__name__)

RULES_CURSOR = "rules"
ACCESS_CURSOR = "access.denied"
WARM_UP_SECONDS = 3600
ACCESS_DENIED = "access.denied"

_lock = threading.Lock()
_engine: Engine | None = None
_version: tuple[Any, ...] | None = None


def _rings(geometry: Any) -> tuple[tuple[tuple[float, float], ...], ...] | None:
    if not isinstance(geometry, dict) or geometry.get("type") != "Polygon":
        return None
    try:
        rings = tuple(
            tuple((float(lon), float(lat)) for lon, lat, *_ in ring)
            for ring in geometry["coordinates"]
        )
    except (KeyError, TypeError, ValueError):
        return None
    return rings if rings and len(rings[0]) >= 3 else None


def topology_build() -> Topology:
    """Return the ports, sources and zones (as areas) the rules read."""
    ports = [
        EnginePort(
            id=port.locode,
            timezone=settings.TIME_ZONE,
            security_level=port.security_level or 1,
        )
        for port in Port.objects.only("locode", "security_level")
    ]
    locodes = dict(Port.objects.values_list("id", "locode"))
    covers: dict[int, set[str]] = {}
    for source_id, covered_id in models.Source.covers.through.objects.values_list(
        "from_source_id", "to_source_id"
    ):
        covers.setdefault(source_id, set()).add(str(covered_id))
    sources = [
        EngineSource(
            id=str(source.pk),
            port_id=locodes.get(source.port_id, ""),
            kind=source.kind,
            zone_id=str(source.zone_id) if source.zone_id else None,
            heartbeat_s=float(source.heartbeat_seconds)
            if source.heartbeat_seconds
            else None,
            covers=frozenset(covers.get(source.pk, ())),
            position=source.position,
        )
        for source in models.Source.objects.filter(active=True)
    ]
    areas = []
    for zone in Zone.objects.only("id", "port_id", "kind", "boundary"):
        rings = _rings(zone.boundary)
        if rings is not None:
            areas.append(
                Area(
                    id=str(zone.pk),
                    rings=rings,
                    kind=zone.kind,
                    port_id=locodes.get(zone.port_id),
                )
            )
    return Topology.of(ports=ports, sources=sources, areas=areas)


def rule_build(rule: models.Rule) -> EngineRule:
    """Return the engine's rule for a stored rule (its port restricts it)."""
    data = dict(rule.definition)
    data["id"] = rule.code
    data["enabled"] = rule.enabled
    if rule.port is not None:
        data["ports"] = [rule.port.locode]
    return rule_from_dict(data)


def rules_build() -> list[EngineRule]:
    """Return the enabled rules; a stored rule that no longer reads is skipped."""
    built = []
    for rule in models.Rule.objects.filter(enabled=True).select_related("port"):
        try:
            built.append(rule_build(rule))
        except RuleError:
            logger.exception("Rule %s is not valid and is skipped", rule.code)
    return built


def _map_version() -> tuple[Any, ...]:
    return (
        models.Rule.objects.aggregate(m=Max("updated_at"))["m"],
        models.Rule.objects.count(),
        models.Source.objects.count(),
        models.Source.covers.through.objects.count(),
        Zone.objects.aggregate(m=Max("updated_at"))["m"],
    )


def event_of(row: models.Event, locodes: dict[int, str]) -> Event:
    """Return the engine's event for a stored event."""
    return Event(
        id=str(row.pk),
        time=to_time(row.time),
        source_id=str(row.source_id),
        port_id=locodes.get(row.port_id, ""),
        kind=row.kind,
        zone_id=str(row.zone_id) if row.zone_id else None,
        position=(row.lon, row.lat)
        if row.lon is not None and row.lat is not None
        else None,
        payload=row.payload if isinstance(row.payload, dict) else {},
        exercise=row.exercise,
    )


def _cursor(name: str) -> models.Cursor:
    cursor, _created = models.Cursor.objects.get_or_create(name=name)
    return models.Cursor.objects.select_for_update().get(pk=cursor.pk)


def engine_reset() -> None:
    """Forget this process's engine (tests; the next run rebuilds it)."""
    global _engine, _version
    with _lock:
        _engine = None
        _version = None


def _engine_get(last_id: int, locodes: dict[int, str]) -> Engine:
    global _engine, _version
    version = _map_version()
    if _engine is None:
        engine = Engine(rules_build(), topology_build(), default_timezone="UTC")
        since = timezone.now() - dt.timedelta(seconds=WARM_UP_SECONDS)
        warm = models.Event.objects.filter(id__lte=last_id, time__gte=since)
        engine.process(event_of(row, locodes) for row in warm.order_by("id"))
        _engine, _version = engine, version
    elif version != _version:
        _engine.set_topology(topology_build())
        _engine.set_rules(rules_build())
        _version = version
    return _engine


def access_denials_pull(*, batch: int = 2000) -> int:
    """Copy new denied gate decisions into the events as ``access.denied``."""
    with transaction.atomic():
        cursor = _cursor(ACCESS_CURSOR)
        rows = list(
            AccessEvent.objects.filter(id__gt=cursor.last_id).order_by("id")[:batch]
        )
        if not rows:
            return 0
        denied = [row for row in rows if not row.allowed]
        points = {
            point.pk: point
            for point in AccessPoint.objects.filter(
                pk__in={row.access_point_id for row in denied}
            )
        }
        sources = dict(
            models.Source.objects.filter(access_point_id__in=points.keys()).values_list(
                "access_point_id", "id"
            )
        )
        events = []
        for row in denied:
            point = points.get(row.access_point_id)
            location = point.location if point is not None else None
            coords = location.get("coordinates") if isinstance(location, dict) else None
            events.append(
                models.Event(
                    time=row.at,
                    source_id=sources.get(row.access_point_id, 0),
                    port_id=row.port_id,
                    zone_id=row.zone_id,
                    lon=float(coords[0]) if coords else None,
                    lat=float(coords[1]) if coords else None,
                    kind=ACCESS_DENIED,
                    payload={
                        "credential": row.credential,
                        "plate": row.plate,
                        "access_point": point.code if point is not None else "",
                        "reasons": row.reasons,
                        "person_id": row.person_id,
                    },
                    source_event_id=f"access:{row.pk}",
                )
            )
        from port2port.detection.services import events_store

        events_store(events)
        cursor.last_id = rows[-1].pk
        cursor.save(update_fields=["last_id"])
    return len(denied)


def rules_run(*, batch: int = 5000) -> int:
    """Feed the events after the cursor to the engine; return how many were read.

    The cursor row is locked while the batch is judged, so that two workers
    never judge the same events; the alerts and the cursor commit together.
    """
    from port2port.detection.services import alerts_apply

    with _lock, transaction.atomic():
        cursor = _cursor(RULES_CURSOR)
        locodes = dict(Port.objects.values_list("id", "locode"))
        engine = _engine_get(cursor.last_id, locodes)
        rows = list(
            models.Event.objects.filter(id__gt=cursor.last_id).order_by("id")[:batch]
        )
        matches = engine.process(event_of(row, locodes) for row in rows)
        if not rows:
            matches += engine.advance(to_time(timezone.now()))
        if matches:
            alerts_apply(updates=fold(matches), locodes=locodes)
        if rows:
            cursor.last_id = rows[-1].pk
            cursor.save(update_fields=["last_id"])
    return len(rows)


def detection_tick() -> None:
    """Pull gate denials, then judge every waiting event (the periodic job)."""
    access_denials_pull()
    while rules_run() > 0:
        pass
