"""Reads of the detection app, restricted to the ports the caller may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Max, Q, QuerySet

from port2port.core.models import Port, Zone
from port2port.core.scopes import Actor, scope_for
from port2port.core.selectors import get_scoped
from port2port.detection.models import Alert, Incident, Source


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
    }
