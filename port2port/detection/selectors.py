"""Reads of the detection app, restricted to the ports the caller may see."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from port2port.core.models import Port, Role, Zone
from port2port.core.scopes import Actor, scope_for
from port2port.core.selectors import get_scoped
from port2port.detection.models import (
    Alert,
    Broadcast,
    BroadcastRecipient,
    Event,
    Incident,
    Source,
    Vessel,
)

OPERATOR_ROLES = (Role.PORT_SECURITY_OFFICER, Role.CONTROL_ROOM_OPERATOR)

# Vessels not heard for this long leave the map.
VESSEL_STALE = dt.timedelta(hours=6)
# A replay window holds at most this many events (the newest are cut).
REPLAY_MAX_EVENTS = 5000
REPLAY_MAX_WINDOW = dt.timedelta(days=7)


def _port_filter(actor: Actor, prefix: str = "") -> Q:
    scope = scope_for(actor)
    if scope.is_national:
        return Q()
    return Q(**{f"{prefix}port_id__in": scope.port_ids | scope.facility_port_ids})


def ports_for_user(*, actor: Actor) -> QuerySet[Port]:
    """Return the ports whose control room the caller may watch."""
    scope = scope_for(actor)
    ports = Port.objects.order_by("locode")
    if scope.is_national:
        return ports
    return ports.filter(pk__in=scope.port_ids | scope.facility_port_ids)


def alert_list_for_user(
    *, actor: Actor, port: Port | None = None, open_only: bool = True
) -> QuerySet[Alert]:
    alerts = Alert.objects.filter(_port_filter(actor)).select_related("port")
    if port is not None:
        alerts = alerts.filter(port=port)
    if open_only:
        alerts = alerts.filter(status__in=[Alert.Status.NEW, Alert.Status.ACKNOWLEDGED])
    return alerts.order_by("-last_seen", "-pk")


def alert_get_for_user(*, actor: Actor, pk: Any) -> Alert:
    return get_scoped(Alert.objects.filter(_port_filter(actor)), pk, "Alert")


def alerts_changed_for_user(
    *, actor: Actor, after: int, port_id: int | None
) -> list[Alert]:
    """Return the alerts changed after sequence number ``after``, oldest first."""
    alerts = Alert.objects.filter(_port_filter(actor), seq__gt=after)
    if port_id is not None:
        alerts = alerts.filter(port_id=port_id)
    return list(alerts.order_by("seq")[:200])


def alert_seq_latest() -> int:
    """Return the sequence number of the latest alert change."""
    return Alert.objects.aggregate(m=Max("seq"))["m"] or 0


def incident_list_for_user(
    *, actor: Actor, port: Port | None = None
) -> QuerySet[Incident]:
    incidents = Incident.objects.filter(_port_filter(actor)).select_related(
        "port", "assignee"
    )
    if port is not None:
        incidents = incidents.filter(port=port)
    return incidents


def incident_get_for_user(*, actor: Actor, pk: Any) -> Incident:
    return get_scoped(
        Incident.objects.filter(_port_filter(actor)).select_related("port", "assignee"),
        pk,
        "Incident",
    )


def alert_json(alert: Alert) -> dict[str, Any]:
    """Return what the control-room page shows of an alert."""
    return {
        "id": alert.pk,
        "seq": alert.seq,
        "title": alert.title,
        "severity": alert.severity,
        "status": alert.status,
        "port": alert.port_id,
        "lon": alert.lon,
        "lat": alert.lat,
        "count": alert.count,
        "first_seen": alert.first_seen.isoformat(),
        "last_seen": alert.last_seen.isoformat(),
        "exercise": alert.exercise,
        "incident": alert.incident_id,
        "handled_at": alert.handled_at.isoformat() if alert.handled_at else None,
    }


def map_for_user(*, actor: Actor, port: Port) -> dict[str, Any]:
    """Return the port's zones and sources as GeoJSON, and its open alerts."""
    features: list[dict[str, Any]] = []
    for zone in Zone.objects.filter(port=port):
        if isinstance(zone.boundary, dict):
            features.append(
                {
                    "type": "Feature",
                    "geometry": zone.boundary,
                    "properties": {
                        "layer": "zone",
                        "name": zone.name,
                        "kind": zone.kind,
                    },
                }
            )
    for source in Source.objects.filter(port=port, active=True):
        if isinstance(source.geometry, dict):
            features.append(
                {
                    "type": "Feature",
                    "geometry": source.geometry,
                    "properties": {
                        "layer": "source",
                        "name": source.name,
                        "kind": source.kind,
                        "code": source.code,
                    },
                }
            )
    centre = port.centre.get("coordinates") if isinstance(port.centre, dict) else None
    return {
        "centre": centre,
        "features": {"type": "FeatureCollection", "features": features},
        "alerts": [
            alert_json(a) for a in alert_list_for_user(actor=actor, port=port)[:200]
        ],
        "vessels": [vessel_json(v) for v in vessel_list_for_port(port_id=port.pk)],
    }


def vessel_list_for_port(
    *, port_id: int, changed_after: dt.datetime | None = None
) -> list[Vessel]:
    """Return the vessels of a port heard recently, with a position.

    The caller has already been allowed to watch the port. ``changed_after``
    keeps only the vessels written since (the live stream's updates).
    """
    vessels = Vessel.objects.filter(
        port_id=port_id,
        lon__isnull=False,
        lat__isnull=False,
        position_at__gte=timezone.now() - VESSEL_STALE,
    )
    if changed_after is not None:
        vessels = vessels.filter(updated_at__gt=changed_after)
    return list(vessels.order_by("mmsi")[:500])


def vessel_json(vessel: Vessel) -> dict[str, Any]:
    """Return what the map shows of a vessel: where it is and its recent track."""
    return {
        "mmsi": vessel.mmsi,
        "name": vessel.name,
        "imo": vessel.imo,
        "lon": vessel.lon,
        "lat": vessel.lat,
        "sog": vessel.sog,
        "cog": vessel.cog,
        "heading": vessel.heading,
        "position_at": vessel.position_at.isoformat() if vessel.position_at else None,
        "track": [[point[1], point[2]] for point in vessel.track if len(point) == 3],
        "updated_at": vessel.updated_at.isoformat(),
    }


def replay_for_user(
    *, actor: Actor, port: Port, start: dt.datetime, end: dt.datetime
) -> dict[str, Any]:
    """Return the events and alerts of a port between ``start`` and ``end``.

    What the control room saw, to step through on the map: events by time, the
    alerts first seen in the window (or still open at its start). The window is
    at most a week and holds at most ``REPLAY_MAX_EVENTS`` events.
    """
    if end < start:
        start, end = end, start
    start = max(start, end - REPLAY_MAX_WINDOW)
    events = list(
        Event.objects.filter(port_id=port.pk, time__gte=start, time__lte=end)
        .order_by("time", "pk")
        .values("id", "time", "kind", "lon", "lat", "source_id", "exercise")[
            : REPLAY_MAX_EVENTS + 1
        ]
    )
    truncated = len(events) > REPLAY_MAX_EVENTS
    sources = dict(Source.objects.filter(port=port).values_list("id", "code"))
    alerts = (
        Alert.objects.filter(_port_filter(actor), port=port)
        .filter(first_seen__lte=end, last_seen__gte=start)
        .select_related("port")
        .order_by("first_seen", "pk")[:1000]
    )
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "truncated": truncated,
        "events": [
            {
                "id": e["id"],
                "time": e["time"].isoformat(),
                "kind": e["kind"],
                "source": sources.get(e["source_id"], ""),
                "lon": e["lon"],
                "lat": e["lat"],
                "exercise": e["exercise"],
            }
            for e in events[:REPLAY_MAX_EVENTS]
        ],
        "alerts": [alert_json(a) for a in alerts],
    }


def broadcast_list_for_user(*, actor: Actor) -> QuerySet[Broadcast]:
    """Return the broadcasts the caller sent (its ports) or that its companies received.

    Each carries ``recipient_count`` and ``acknowledged_count``.
    """
    scope = scope_for(actor)
    sent = Q(port_id__in=scope.port_ids) if not scope.is_national else Q()
    received = Q(recipients__organisation_id__in=scope.organisation_ids)
    ids = Broadcast.objects.filter(sent | received).values("pk")
    return (
        Broadcast.objects.filter(pk__in=ids)
        .select_related("port", "sender")
        .annotate(
            recipient_count=Count("recipients", distinct=True),
            acknowledged_count=Count(
                "recipients",
                filter=Q(recipients__acknowledged_at__isnull=False),
                distinct=True,
            ),
        )
        .order_by("-sent_at", "-pk")
    )


def broadcast_get_for_user(*, actor: Actor, pk: Any) -> Broadcast:
    return get_scoped(broadcast_list_for_user(actor=actor), pk, "Broadcast")


def broadcast_is_sender(*, actor: Actor, broadcast: Broadcast) -> bool:
    """Return whether the caller is of the control room that sent the broadcast."""
    scope = scope_for(actor)
    return scope.is_national or broadcast.port_id in scope.port_ids


def broadcast_recipients_for_user(
    *, actor: Actor, broadcast: Broadcast
) -> QuerySet[BroadcastRecipient]:
    """Return who received a broadcast: all of them for the sender, else the caller's."""
    recipients = broadcast.recipients.select_related("organisation", "acknowledged_by")
    if broadcast_is_sender(actor=actor, broadcast=broadcast):
        return recipients.order_by("acknowledged_at", "organisation__name")
    return recipients.filter(
        organisation_id__in=scope_for(actor).organisation_ids
    ).order_by("organisation__name")


def broadcast_ports_for_user(*, actor: Actor) -> QuerySet[Port]:
    """Return the ports whose control room the caller may send broadcasts for."""
    scope = scope_for(actor)
    if scope.is_platform_admin:
        return Port.objects.order_by("locode")
    return Port.objects.filter(
        pk__in=[
            g.port_id
            for g in scope.grants
            if g.role in OPERATOR_ROLES and g.port_id is not None
        ]
    ).order_by("locode")


def alert_statistics_for_user(
    *, actor: Actor, port: Port, since: dt.datetime
) -> dict[str, Any]:
    """Return the port's alert figures since ``since``; exercises are left out."""
    alerts = Alert.objects.filter(
        _port_filter(actor), port=port, first_seen__gte=since, exercise=False
    )
    by_severity = dict(
        alerts.values_list("severity").annotate(n=Count("pk")).order_by()
    )
    handled = [
        (a.handled_at - a.created_at).total_seconds()
        for a in alerts.filter(handled_at__isnull=False).only(
            "handled_at", "created_at"
        )[:5000]
        if a.handled_at is not None
    ]
    return {
        "total": sum(by_severity.values()),
        "by_severity": by_severity,
        "open": alerts.filter(
            status__in=[Alert.Status.NEW, Alert.Status.ACKNOWLEDGED]
        ).count(),
        "mean_response_s": round(sum(handled) / len(handled), 1) if handled else None,
    }


def exercise_timings_for_user(
    *, actor: Actor, port: Port, start: dt.datetime, end: dt.datetime
) -> dict[str, Any]:
    """Return the exercise alerts of a port in a window, with their timings.

    Detection time: from the first evidence (the alert's first event) to the
    alert being raised. Response time: from the alert to its first handling
    (acknowledged, dismissed or promoted).
    """
    alerts = list(
        Alert.objects.filter(
            _port_filter(actor),
            port=port,
            exercise=True,
            first_seen__gte=start,
            first_seen__lte=end,
        )
        .select_related("handled_by", "incident")
        .order_by("first_seen", "pk")[:500]
    )
    rows: list[dict[str, Any]] = []
    for alert in alerts:
        detection = (alert.created_at - alert.first_seen).total_seconds()
        response = (
            (alert.handled_at - alert.created_at).total_seconds()
            if alert.handled_at
            else None
        )
        rows.append(
            {
                "alert": alert,
                "detection_s": round(max(detection, 0.0), 1),
                "response_s": round(response, 1) if response is not None else None,
            }
        )

    def mean(values: list[float]) -> float | None:
        return round(sum(values) / len(values), 1) if values else None

    return {
        "rows": rows,
        "mean_detection_s": mean([float(r["detection_s"]) for r in rows]),
        "mean_response_s": mean(
            [float(r["response_s"]) for r in rows if r["response_s"] is not None]
        ),
        "unhandled": sum(1 for r in rows if r["response_s"] is None),
    }
