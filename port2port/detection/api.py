"""The detection API: event ingestion, alerts and incidents."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from port2port.core.api import Id, InSchema, Page
from port2port.core.apikit import actor_of
from port2port.core.errors import NotFound
from port2port.core.models import Port
from port2port.detection import selectors, services
from port2port.detection.models import Alert, Broadcast, Incident

router = Router(tags=["detection"])

WRITE_EVENTS = "events:write"
READ = "registry:read"
WRITE = "registry:write"


class EventsIn(InSchema):
    events: list[Any] = Field(
        ...,
        max_length=settings.DETECTION_BATCH_MAX,
        description=(
            "Events as objects: source (the source code), id (the source's event "
            "id), time (ISO 8601 with offset), kind, and optionally zone, "
            "position [lon, lat], payload (an object) and exercise."
        ),
    )


class EventResultOut(Schema):
    index: int
    status: str
    errors: list[str]


class EventsOut(Schema):
    accepted: int
    duplicate: int
    rejected: int
    results: list[EventResultOut]


@router.post("/events", response=EventsOut, summary="Send a batch of events")
def events_post(request: HttpRequest, payload: EventsIn) -> dict[str, Any]:
    actor = actor_of(request, WRITE_EVENTS)
    results = services.events_ingest(actor=actor, events=payload.events)
    counts = {"accepted": 0, "duplicate": 0, "rejected": 0}
    for result in results:
        counts[result.status] += 1
    return {
        **counts,
        "results": [
            {"index": r.index, "status": r.status, "errors": r.errors}
            for r in results
            if r.status != "accepted"
        ],
    }


class AlertOut(Schema):
    id: int
    title: str
    severity: str
    status: str
    port: str = Field(..., alias="port.locode")
    lon: float | None
    lat: float | None
    count: int
    first_seen: dt.datetime
    last_seen: dt.datetime
    exercise: bool
    dismiss_reason: str
    incident_id: int | None
    event_ids: list[int]


@router.get("/alerts", response=list[AlertOut], summary="Open alerts")
@paginate(Page)
def alert_list(request: HttpRequest, all: bool = False) -> Any:
    actor = actor_of(request, READ)
    return selectors.alert_list_for_user(actor=actor, open_only=not all)


class DismissIn(InSchema):
    reason: str = Field(..., min_length=1, max_length=300)


class PromoteIn(InSchema):
    title: str = Field("", max_length=200)
    serious: bool = False


class IncidentOut(Schema):
    id: int
    title: str
    status: str
    severity: str
    port: str = Field(..., alias="port.locode")
    serious: bool
    report_due_at: dt.datetime | None
    created_at: dt.datetime
    closed_at: dt.datetime | None
    description: str
    event_ids: list[int]


@router.post("/alerts/{alert_id}/acknowledge", response=AlertOut)
def alert_acknowledge(request: HttpRequest, alert_id: Id) -> Alert:
    actor = actor_of(request, WRITE)
    alert = selectors.alert_get_for_user(actor=actor, pk=alert_id)
    return services.alert_acknowledge(actor=actor, alert=alert)


@router.post("/alerts/{alert_id}/dismiss", response=AlertOut)
def alert_dismiss(request: HttpRequest, alert_id: Id, payload: DismissIn) -> Alert:
    actor = actor_of(request, WRITE)
    alert = selectors.alert_get_for_user(actor=actor, pk=alert_id)
    return services.alert_dismiss(actor=actor, alert=alert, reason=payload.reason)


@router.post("/alerts/{alert_id}/promote", response={201: IncidentOut})
def alert_promote(
    request: HttpRequest, alert_id: Id, payload: PromoteIn
) -> tuple[int, Incident]:
    actor = actor_of(request, WRITE)
    alert = selectors.alert_get_for_user(actor=actor, pk=alert_id)
    incident = services.alert_promote(
        actor=actor, alert=alert, title=payload.title, serious=payload.serious
    )
    return 201, incident


@router.get("/incidents/{incident_id}", response=IncidentOut)
def incident_get(request: HttpRequest, incident_id: Id) -> Incident:
    actor = actor_of(request, READ)
    return selectors.incident_get_for_user(actor=actor, pk=incident_id)


class BroadcastIn(InSchema):
    port: str = Field(..., min_length=5, max_length=5, description="UN/LOCODE")
    level: str = Field(..., description="preventive or urgent")
    title: str = Field(..., min_length=1, max_length=200)
    message: str = Field(..., min_length=1, max_length=4000)
    area: dict[str, Any] | None = Field(
        None, description="A GeoJSON Polygon; empty: every company of the port"
    )
    exercise: bool = False


class BroadcastRecipientOut(Schema):
    organisation: str
    organisation_id: int
    acknowledged_at: dt.datetime | None


class BroadcastOut(Schema):
    id: int
    port: str
    level: str
    title: str
    message: str
    area: dict[str, Any] | None
    sent_at: dt.datetime
    exercise: bool
    recipients: list[BroadcastRecipientOut]


def _broadcast_out(actor: Any, broadcast: Broadcast) -> dict[str, Any]:
    recipients = selectors.broadcast_recipients_for_user(
        actor=actor, broadcast=broadcast
    )
    return {
        "id": broadcast.pk,
        "port": broadcast.port.locode,
        "level": broadcast.level,
        "title": broadcast.title,
        "message": broadcast.message,
        "area": broadcast.area,
        "sent_at": broadcast.sent_at,
        "exercise": broadcast.exercise,
        "recipients": [
            {
                "organisation": r.organisation.name,
                "organisation_id": r.organisation_id,
                "acknowledged_at": r.acknowledged_at,
            }
            for r in recipients
        ],
    }


@router.get("/broadcasts", response=list[BroadcastOut], summary="Area broadcasts")
@paginate(Page)
def broadcast_list(request: HttpRequest) -> Any:
    actor = actor_of(request, READ)
    return [
        _broadcast_out(actor, b)
        for b in selectors.broadcast_list_for_user(actor=actor)[:500]
    ]


@router.post(
    "/broadcasts", response={201: BroadcastOut}, summary="Send an area broadcast"
)
def broadcast_send(
    request: HttpRequest, payload: BroadcastIn
) -> tuple[int, dict[str, Any]]:
    actor = actor_of(request, WRITE)
    port = Port.objects.filter(locode=payload.port.upper()).first()
    if port is None:
        raise NotFound("Port not found.")
    broadcast = services.broadcast_send(
        actor=actor,
        port=port,
        level=payload.level,
        title=payload.title,
        message=payload.message,
        area=payload.area,
        exercise=payload.exercise,
    )
    return 201, _broadcast_out(actor, broadcast)


@router.get("/broadcasts/{broadcast_id}", response=BroadcastOut)
def broadcast_get(request: HttpRequest, broadcast_id: Id) -> dict[str, Any]:
    actor = actor_of(request, READ)
    broadcast = selectors.broadcast_get_for_user(actor=actor, pk=broadcast_id)
    return _broadcast_out(actor, broadcast)


@router.post("/broadcasts/{broadcast_id}/acknowledge", response=BroadcastOut)
def broadcast_acknowledge(request: HttpRequest, broadcast_id: Id) -> dict[str, Any]:
    actor = actor_of(request, WRITE)
    broadcast = selectors.broadcast_get_for_user(actor=actor, pk=broadcast_id)
    services.broadcast_acknowledge(actor=actor, broadcast=broadcast)
    return _broadcast_out(actor, broadcast)
