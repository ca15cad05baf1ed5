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
from port2port.detection import selectors, services
from port2port.detection.models import Alert, Incident

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
