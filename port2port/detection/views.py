"""The control-room pages: live map and alert queue, alerts, incidents, stream."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from port2port.core.errors import ApplicationError, NotFound
from port2port.core.models import Port, User
from port2port.detection import selectors, services
from port2port.detection.models import Incident, IncidentEntry

POLL_SECONDS = 0.5
HEARTBEAT_SECONDS = 15.0


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required guarantees it
    return user


def _port(request: HttpRequest, ports: Any) -> Port | None:
    code = request.GET.get("port", "")[:5].upper()
    if code:
        return ports.filter(locode=code).first()  # type: ignore[no-any-return]
    return ports.first()  # type: ignore[no-any-return]


@login_required
def control_room(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    ports = selectors.ports_for_user(actor=user)
    port = _port(request, ports)
    alerts = (
        list(selectors.alert_list_for_user(actor=user, port=port)[:100]) if port else []
    )
    context: dict[str, Any] = {
        "ports": ports,
        "port": port,
        "alerts": alerts,
        "incidents": selectors.incident_list_for_user(actor=user, port=port).exclude(
            status=Incident.Status.CLOSED
        )[:20]
        if port
        else [],
    }
    if request.GET.get("partial") == "queue":
        return render(request, "detection/partials/_queue.html", context)
    if port is not None:
        context["config"] = {
            "map_url": reverse("detection:map") + f"?port={port.locode}",
            "stream_url": reverse("detection:stream")
            + f"?port={port.locode}&after={selectors.alert_seq_latest()}",
            "queue_url": reverse("detection:control-room")
            + f"?port={port.locode}&partial=queue",
            "tile_url": settings.MAP_TILE_URL,
        }
    return render(request, "detection/control_room.html", context)


@login_required
@require_GET
def map_data(request: HttpRequest) -> JsonResponse:
    user = _user(request)
    port = _port(request, selectors.ports_for_user(actor=user))
    if port is None:
        return JsonResponse({"error": "not found"}, status=404)
    return JsonResponse(selectors.map_for_user(actor=user, port=port))


@login_required
@require_GET
def stream(request: HttpRequest) -> StreamingHttpResponse:
    """Server-sent events: every alert change of the port, then an end.

    The loop costs one indexed query every half second. It ends after
    ``DETECTION_STREAM_SECONDS`` so that the web thread comes back; the browser
    reconnects by itself with ``Last-Event-ID``.
    """
    user = _user(request)
    port = _port(request, selectors.ports_for_user(actor=user))
    port_id = port.pk if port else -1
    try:
        after = int(
            request.headers.get("Last-Event-ID") or request.GET.get("after") or 0
        )
    except ValueError:
        after = 0
    limit = float(request.GET.get("seconds", settings.DETECTION_STREAM_SECONDS))
    limit = min(max(limit, 1.0), float(settings.DETECTION_STREAM_SECONDS))

    def events() -> Iterator[str]:
        nonlocal after
        started = last_beat = time.monotonic()
        yield "retry: 2000\n\n"
        while time.monotonic() - started < limit:
            for alert in selectors.alerts_changed_for_user(
                actor=user, after=after, port_id=port_id
            ):
                after = alert.seq
                data = json.dumps(selectors.alert_json(alert))
                yield f"id: {alert.seq}\nevent: alert\ndata: {data}\n\n"
            now = time.monotonic()
            if now - last_beat >= HEARTBEAT_SECONDS:
                last_beat = now
                yield ": heartbeat\n\n"
            time.sleep(POLL_SECONDS)

    response = StreamingHttpResponse(events(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(fallback)


@login_required
@require_POST
def alert_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = _user(request)
    try:
        alert = selectors.alert_get_for_user(actor=user, pk=pk)
    except NotFound:
        raise Http404 from None
    fallback = reverse("detection:control-room") + f"?port={alert.port.locode}"
    try:
        if action == "acknowledge":
            services.alert_acknowledge(actor=user, alert=alert)
        elif action == "dismiss":
            services.alert_dismiss(
                actor=user, alert=alert, reason=request.POST.get("reason", "")
            )
        elif action == "promote":
            incident = services.alert_promote(
                actor=user, alert=alert, serious=request.POST.get("serious") == "on"
            )
            return redirect("detection:incident", pk=incident.pk)
        elif action == "merge":
            incident = selectors.incident_get_for_user(
                actor=user, pk=request.POST.get("incident")
            )
            services.alert_merge(actor=user, alert=alert, incident=incident)
            return redirect("detection:incident", pk=incident.pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return _back(request, fallback)


@login_required
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    try:
        incident = selectors.incident_get_for_user(actor=user, pk=pk)
    except NotFound:
        raise Http404 from None
    if request.method == "POST":
        try:
            if "text" in request.POST:
                services.incident_note(
                    actor=user,
                    incident=incident,
                    text=request.POST["text"],
                    kind=request.POST.get("kind", IncidentEntry.Kind.NOTE),
                )
            else:
                values: dict[str, Any] = {
                    name: request.POST[name]
                    for name in (
                        "status",
                        "description",
                        "actions_taken",
                        "authorities_notified",
                        "location",
                        "kind",
                    )
                    if name in request.POST
                }
                if "serious" in request.POST:
                    values["serious"] = True
                services.incident_update(actor=user, incident=incident, **values)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("detection:incident", pk=incident.pk)
    return render(
        request,
        "detection/incident.html",
        {
            "incident": incident,
            "entries": incident.entries.select_related("author"),
            "alerts": incident.alerts.all(),
            "statuses": Incident.Status.choices,
            "kinds": Incident.Kind.choices,
        },
    )
