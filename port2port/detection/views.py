"""The control-room pages: live map and alert queue, alerts, incidents, stream."""

from __future__ import annotations

import datetime as dt
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
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from port2port.core.errors import ApplicationError, NotFound
from port2port.core.models import Port, User
from port2port.detection import selectors, services
from port2port.detection.models import Broadcast, Incident, IncidentEntry

HEARTBEAT_SECONDS = 15.0
# How often the stream looks for vessels that moved.
VESSEL_SECONDS = 2.0


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
        "statistics": selectors.alert_statistics_for_user(
            actor=user, port=port, since=timezone.now() - dt.timedelta(hours=24)
        )
        if port
        else None,
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
            "exercise_label": gettext("Exercise"),
        }
    return render(request, "detection/control_room.html", context)


@login_required
def replay(request: HttpRequest) -> HttpResponse:
    """Replay mode: step through a time window of the port's events and alerts."""
    user = _user(request)
    ports = selectors.ports_for_user(actor=user)
    port = _port(request, ports)
    context: dict[str, Any] = {"ports": ports, "port": port}
    if port is not None:
        # The next whole minute, so that the last seconds are in the window.
        now = timezone.localtime().replace(second=0, microsecond=0) + dt.timedelta(
            minutes=1
        )
        context["start"] = (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
        context["end"] = now.strftime("%Y-%m-%dT%H:%M")
        context["config"] = {
            "start": (now - dt.timedelta(hours=1)).isoformat(),
            "end": now.isoformat(),
            "map_url": reverse("detection:map") + f"?port={port.locode}",
            "replay_url": reverse("detection:replay-data") + f"?port={port.locode}",
            "tile_url": settings.MAP_TILE_URL,
            "exercise_label": gettext("Exercise"),
            "alert_label": gettext("Alert"),
        }
    return render(request, "detection/replay.html", context)


def _time(value: str, default: dt.datetime) -> dt.datetime:
    parsed = parse_datetime(value) if value else None
    if parsed is None:
        return default
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


@login_required
@require_GET
def replay_data(request: HttpRequest) -> JsonResponse:
    """Return the events and alerts of a port in a time window (``start``, ``end``)."""
    user = _user(request)
    port = _port(request, selectors.ports_for_user(actor=user))
    if port is None:
        return JsonResponse({"error": "not found"}, status=404)
    now = timezone.now()
    try:
        end = _time(request.GET.get("end", ""), now)
        start = _time(request.GET.get("start", ""), end - dt.timedelta(hours=1))
    except ValueError:
        return JsonResponse(
            {"error": {"code": "invalid", "message": "start, end: ISO 8601 times"}},
            status=400,
        )
    return JsonResponse(
        selectors.replay_for_user(actor=user, port=port, start=start, end=end)
    )


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
        started = last_beat = last_vessels = time.monotonic()
        # The map fetched the vessels when the page opened; the stream sends
        # those that moved since (a little overlap loses none).
        vessels_after = timezone.now() - dt.timedelta(seconds=VESSEL_SECONDS)
        yield "retry: 2000\n\n"
        while time.monotonic() - started < limit:
            if port is not None and time.monotonic() - last_vessels >= VESSEL_SECONDS:
                last_vessels = time.monotonic()
                checked = timezone.now()
                moved = selectors.vessel_list_for_port(
                    port_id=port.pk, changed_after=vessels_after
                )
                vessels_after = checked - dt.timedelta(
                    seconds=settings.DETECTION_STREAM_POLL_SECONDS
                )
                if moved:
                    data = json.dumps([selectors.vessel_json(v) for v in moved])
                    yield f"event: vessels\ndata: {data}\n\n"
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
            time.sleep(settings.DETECTION_STREAM_POLL_SECONDS)

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
                if "report_submitted" in request.POST:
                    values["report_submitted"] = True
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


@login_required
def broadcast_list(request: HttpRequest) -> HttpResponse:
    """Area broadcasts: those received and sent, and the form to send one."""
    user = _user(request)
    ports = selectors.broadcast_ports_for_user(actor=user)
    if request.method == "POST" and ports.exists():
        port = ports.filter(locode=request.POST.get("port", "")[:5].upper()).first()
        area: Any = None
        try:
            if request.POST.get("area"):
                area = json.loads(request.POST["area"])
            if port is None:
                raise NotFound(gettext("Choose a port."))
            broadcast = services.broadcast_send(
                actor=user,
                port=port,
                level=request.POST.get("level", ""),
                title=request.POST.get("title", ""),
                message=request.POST.get("message", ""),
                area=area,
                exercise=request.POST.get("exercise") == "on",
            )
        except json.JSONDecodeError:
            messages.error(request, gettext("The area cannot be read."))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("detection:broadcast", pk=broadcast.pk)
    port = ports.first()
    context: dict[str, Any] = {
        "broadcasts": selectors.broadcast_list_for_user(actor=user)[:100],
        "ports": ports,
        "levels": Broadcast.Level.choices,
    }
    if port is not None:
        context["config"] = {
            "map_url": reverse("detection:map") + f"?port={port.locode}",
            "tile_url": settings.MAP_TILE_URL,
        }
    return render(request, "detection/broadcasts.html", context)


@login_required
def broadcast_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One broadcast: its message, acknowledging it, and who has not yet."""
    user = _user(request)
    try:
        broadcast = selectors.broadcast_get_for_user(actor=user, pk=pk)
    except NotFound:
        raise Http404 from None
    if request.method == "POST":
        try:
            services.broadcast_acknowledge(actor=user, broadcast=broadcast)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("detection:broadcast", pk=broadcast.pk)
    recipients = list(
        selectors.broadcast_recipients_for_user(actor=user, broadcast=broadcast)
    )
    return render(
        request,
        "detection/broadcast.html",
        {
            "broadcast": broadcast,
            "recipients": recipients,
            "sender": selectors.broadcast_is_sender(actor=user, broadcast=broadcast),
            "pending": [r for r in recipients if r.acknowledged_at is None],
            "levels": Broadcast.Level.choices,
        },
    )


@login_required
def exercise_report(request: HttpRequest) -> HttpResponse:
    """The timings of an exercise: detection and response time of its alerts."""
    user = _user(request)
    ports = selectors.ports_for_user(actor=user)
    port = _port(request, ports)
    now = timezone.now()
    end = _time(request.GET.get("end", ""), now)
    start = _time(request.GET.get("start", ""), end - dt.timedelta(hours=24))
    context: dict[str, Any] = {
        "ports": ports,
        "port": port,
        "start": timezone.localtime(start).strftime("%Y-%m-%dT%H:%M"),
        "end": timezone.localtime(end).strftime("%Y-%m-%dT%H:%M"),
    }
    if port is not None:
        context.update(
            selectors.exercise_timings_for_user(
                actor=user, port=port, start=start, end=end
            )
        )
    return render(request, "detection/exercise.html", context)
