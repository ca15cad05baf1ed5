"""Pages of the registry, the accounts and the operations endpoints.

Every list view renders the whole page, or only its results table when htmx
asks for it (search and filters update the table in place).
"""

from __future__ import annotations

import base64
import io
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import (
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from port2port.core import selectors, services
from port2port.core.errors import ApplicationError, NotFound
from port2port.core.exports import audit_jsonl
from port2port.core.forms import LoginForm, TokenForm, TwoFactorForm
from port2port.core.models import (
    AccessPoint,
    ApiToken,
    Facility,
    Organisation,
    Person,
    Port,
    Role,
    User,
    WorkerHeartbeat,
)
from port2port.core.scopes import scope_for
from port2port.core.twofactor import two_factor_required

PAGE_SIZE = 25


def _user(request: HttpRequest) -> User:
    """Return the signed-in user of a view behind ``login_required``."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required guarantees it
    return user


def _page(request: HttpRequest, queryset: Any) -> Any:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _render_list(
    request: HttpRequest, template: str, partial: str, context: dict[str, Any]
) -> HttpResponse:
    """Render the full page, or only the results partial for an htmx request."""
    if request.htmx and not request.htmx.boosted:  # type: ignore[attr-defined]
        response = render(request, partial, context)
    else:
        response = render(request, template, context)
    # The partial and the page share a URL; caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def _not_found(exc: NotFound) -> HttpResponse:
    from django.http import Http404

    raise Http404(exc.message)


# Accounts ----------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("core:login")


def _qr_svg(uri: str) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Verify a TOTP code, or set up a device first when the user has none."""
    user = _user(request)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    setting_up = device is None
    if setting_up:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(
                user=user, name="authenticator", confirmed=False
            )
    form = TwoFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            if setting_up:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                from port2port.core.audit import audit_record

                audit_record(actor=user, action="user.two_factor_enabled", obj=user)
            otp_login(request, device)
            return redirect("core:home")
        form.add_error("code", _("This code is not valid. Try the current one."))
    return render(
        request,
        "core/two_factor.html",
        {
            "form": form,
            "setting_up": setting_up,
            "required": two_factor_required(user),
            "qr": _qr_svg(device.config_url) if setting_up else None,
            "secret": base64.b32encode(device.bin_key).decode() if setting_up else None,
        },
    )


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "core/profile.html",
        {
            "memberships": user.memberships.select_related(
                "organisation", "port", "facility"
            ),
            "has_device": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
        },
    )


# Home --------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Show each role what it needs first."""
    actor = _user(request)
    scope = scope_for(actor)
    facilities = selectors.facility_list_for_user(actor=actor)
    ports = selectors.port_list_for_user(actor=actor)
    my_ports = (
        ports
        if scope.is_national
        else ports.filter(pk__in=scope.port_ids | scope.facility_port_ids)
    )
    context = {
        "scope": scope,
        "my_ports": my_ports,
        "facility_count": facilities.count(),
        "facilities": facilities[:8],
        "organisation_count": selectors.organisation_list_for_user(actor=actor).count(),
        "person_count": selectors.person_list_for_user(actor=actor).count(),
        "vehicle_count": selectors.vehicle_list_for_user(actor=actor).count(),
        "recent_audit": selectors.audit_list_for_user(actor=actor)[:8],
        "roles": sorted({Role(g.role).label for g in scope.grants}),
    }
    return render(request, "core/home.html", context)


# Map ---------------------------------------------------------------------------------


@login_required
def map_page(request: HttpRequest) -> HttpResponse:
    port = request.GET.get("port", "")
    ports = selectors.port_list_for_user(actor=_user(request))
    return render(
        request,
        "core/map.html",
        {
            "ports": ports,
            "selected_port": port.upper(),
            "map_config": {
                "features_url": reverse("core:map-features"),
                "port": port.upper(),
                "tile_url": settings.MAP_TILE_URL,
                "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
                "labels": {
                    "port": _("Port"),
                    "facility": _("Facility"),
                    "zone": _("Zone"),
                    "access_point": _("Access point"),
                    "security_level": _("Security level"),
                    "open": _("Open"),
                },
            },
        },
    )


@login_required
@require_GET
def map_features(request: HttpRequest) -> JsonResponse:
    data = selectors.map_features_for_user(
        actor=_user(request),
        port=request.GET.get("port", "")[:5],
    )
    return JsonResponse(data)


# Registry lists and details ------------------------------------------------------------


@login_required
def port_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "")[:100]
    kind = request.GET.get("kind", "")
    ports = selectors.port_list_for_user(
        actor=_user(request),
        search=search,
        kind=kind if kind in Port.Kind.values else "",
    )
    return _render_list(
        request,
        "core/port_list.html",
        "core/partials/_port_table.html",
        {
            "page": _page(request, ports),
            "q": search,
            "kind": kind,
            "kinds": Port.Kind.choices,
        },
    )


@login_required
def port_detail(request: HttpRequest, locode: str) -> HttpResponse:
    actor = _user(request)
    try:
        port = selectors.port_get_for_user(actor=actor, locode=locode)
    except NotFound as exc:
        return _not_found(exc)
    if request.method == "POST":
        try:
            services.port_set_security_level(
                actor=actor,
                port=port,
                level=int(request.POST.get("level", "0") or 0),
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, _("The security level was changed."))
            return redirect("core:port-detail", locode=port.locode)
        except (ApplicationError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", str(exc)))
    scope = scope_for(actor)
    return render(
        request,
        "core/port_detail.html",
        {
            "port": port,
            "facilities": selectors.facility_list_for_user(
                actor=actor,
                port=port.locode,
            ),
            "may_set_level": scope.has_role(
                Role.PORT_SECURITY_OFFICER, port_id=port.pk
            ),
            "levels": [
                (1, _("1 – normal")),
                (2, _("2 – heightened")),
                (3, _("3 – exceptional")),
            ],
            "audit": selectors.audit_for_object(actor=actor, obj=port),
        },
    )


@login_required
def facility_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "")[:100]
    port = request.GET.get("port", "")[:5]
    kind = request.GET.get("kind", "")
    facilities = selectors.facility_list_for_user(
        actor=_user(request),
        search=search,
        port=port,
        kind=kind if kind in Facility.Kind.values else "",
    )
    return _render_list(
        request,
        "core/facility_list.html",
        "core/partials/_facility_table.html",
        {
            "page": _page(request, facilities),
            "q": search,
            "port": port.upper(),
            "kind": kind,
            "kinds": Facility.Kind.choices,
            "ports": selectors.port_list_for_user(actor=_user(request)),
        },
    )


@login_required
def facility_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _user(request)
    try:
        facility = selectors.facility_get_for_user(actor=actor, pk=pk)
    except NotFound as exc:
        return _not_found(exc)
    zones = selectors.zone_list_for_user(actor=actor, facility=facility.pk)
    points = selectors.access_point_list_for_user(actor=actor, facility=facility.pk)
    return render(
        request,
        "core/facility_detail.html",
        {
            "facility": facility,
            "zones": zones,
            "access_points": points,
            "audit": selectors.audit_for_object(actor=actor, obj=facility),
            "map_config": {
                "features_url": reverse("core:map-features"),
                "port": facility.port.locode,
                "focus": {"layer": "facility", "id": facility.pk},
                "tile_url": settings.MAP_TILE_URL,
                "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
                "labels": {"open": _("Open")},
            },
        },
    )


@login_required
def access_point_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "")[:100]
    port = request.GET.get("port", "")[:5]
    kind = request.GET.get("kind", "")
    points = selectors.access_point_list_for_user(
        actor=_user(request),
        search=search,
        port=port,
        kind=kind if kind in AccessPoint.Kind.values else "",
    )
    return _render_list(
        request,
        "core/access_point_list.html",
        "core/partials/_access_point_table.html",
        {
            "page": _page(request, points),
            "q": search,
            "port": port.upper(),
            "kind": kind,
            "kinds": AccessPoint.Kind.choices,
            "ports": selectors.port_list_for_user(actor=_user(request)),
        },
    )


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "")[:100]
    role = request.GET.get("role", "")
    port = request.GET.get("port", "")[:5]
    organisations = selectors.organisation_list_for_user(
        actor=_user(request),
        search=search,
        role=role if role in Organisation.Role.values else "",
        port=port,
    )
    return _render_list(
        request,
        "core/organisation_list.html",
        "core/partials/_organisation_table.html",
        {
            "page": _page(request, organisations),
            "q": search,
            "role": role,
            "port": port.upper(),
            "roles": Organisation.Role.choices,
            "ports": selectors.port_list_for_user(actor=_user(request)),
        },
    )


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _user(request)
    try:
        organisation = selectors.organisation_get_for_user(actor=actor, pk=pk)
    except NotFound as exc:
        return _not_found(exc)
    people = selectors.person_list_for_user(actor=actor, employer=organisation.pk)
    vehicles = selectors.vehicle_list_for_user(actor=actor, owner=organisation.pk)
    return render(
        request,
        "core/organisation_detail.html",
        {
            "organisation": organisation,
            "facilities": selectors.facility_list_for_user(actor=actor).filter(
                operator=organisation
            ),
            "person_count": people.count(),
            "people": people[:20],
            "vehicle_count": vehicles.count(),
            "vehicles": vehicles[:20],
            "audit": selectors.audit_for_object(actor=actor, obj=organisation),
        },
    )


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "")[:100]
    people = selectors.person_list_for_user(actor=_user(request), search=search)
    return _render_list(
        request,
        "core/person_list.html",
        "core/partials/_person_table.html",
        {"page": _page(request, people), "q": search},
    )


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _user(request)
    try:
        person: Person = selectors.person_get_for_user(actor=actor, pk=pk)
    except NotFound as exc:
        return _not_found(exc)
    return render(
        request,
        "core/person_detail.html",
        {
            "person": person,
            "audit": selectors.audit_for_object(actor=actor, obj=person),
        },
    )


@login_required
def vehicle_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "")[:100]
    vehicles = selectors.vehicle_list_for_user(actor=_user(request), search=search)
    return _render_list(
        request,
        "core/vehicle_list.html",
        "core/partials/_vehicle_table.html",
        {"page": _page(request, vehicles), "q": search},
    )


# Audit trail and tokens ----------------------------------------------------------------


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    action = request.GET.get("action", "")[:80]
    entries = selectors.audit_list_for_user(actor=_user(request), action=action)
    return _render_list(
        request,
        "core/audit_list.html",
        "core/partials/_audit_table.html",
        {"page": _page(request, entries), "action": action},
    )


@login_required
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    entries = selectors.audit_list_for_user(
        actor=_user(request),
        action=request.GET.get("action", "")[:80],
    )
    response = StreamingHttpResponse(
        audit_jsonl(entries), content_type="application/x-ndjson"
    )
    response["Content-Disposition"] = 'attachment; filename="audit.jsonl"'
    return response


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    actor = _user(request)
    scope = scope_for(actor)
    admin_orgs = Organisation.objects.filter(
        pk__in={g.organisation_id for g in scope.grants if g.role == Role.COMPANY_ADMIN}
    )
    if scope.is_platform_admin:
        admin_orgs = Organisation.objects.all()
    form = TokenForm(request.POST or None, organisations=admin_orgs)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            secret = services.api_token_create(
                actor=actor,
                organisation=form.cleaned_data["organisation"],
                name=form.cleaned_data["name"],
                permissions=form.cleaned_data["permissions"],
            )[1]
            messages.success(
                request, _("Token created. Copy the secret now: it is shown once.")
            )
            form = TokenForm(organisations=admin_orgs)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
    return render(
        request,
        "core/token_list.html",
        {
            "tokens": selectors.api_token_list_for_user(actor=actor),
            "form": form,
            "secret": secret,
            "may_create": admin_orgs.exists(),
        },
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _user(request)
    try:
        token: ApiToken = selectors.api_token_get_for_user(actor=actor, pk=pk)
        services.api_token_revoke(actor=actor, token=token)
    except NotFound as exc:
        return _not_found(exc)
    messages.success(request, _("The token was revoked."))
    return redirect("core:token-list")


# Operations ---------------------------------------------------------------------------


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Report whether the database answers, migrations are applied and a worker is alive."""
    checks: dict[str, Any] = {}
    healthy = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure means the database is unreachable
        return JsonResponse(
            {"status": "fail", "checks": {"database": "unreachable"}}, status=503
        )
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    checks["migrations"] = "ok" if not pending else f"{len(pending)} pending"
    healthy &= not pending
    beat = WorkerHeartbeat.objects.order_by("-seen_at").first()
    stale_after = 3 * settings.WORKER_HEARTBEAT_SECONDS
    if beat is None:
        checks["worker"] = "never seen"
    else:
        age = (timezone.now() - beat.seen_at).total_seconds()
        checks["worker"] = "ok" if age <= stale_after else f"last seen {int(age)} s ago"
    healthy &= checks["worker"] == "ok"
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "checks": checks},
        status=200 if healthy else 503,
    )


def _api_error(
    request: HttpRequest, status: int, code: str, message: str
) -> JsonResponse:
    from port2port.core.apikit import error_body

    return JsonResponse(error_body(code, message), status=status)


def page_not_found(
    request: HttpRequest, exception: Exception | None = None
) -> HttpResponse:
    """Answer an unknown path: JSON under /api/, the 404 page elsewhere."""
    if request.path.startswith("/api/"):
        return _api_error(request, 404, "not_found", "No such API path.")
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Answer an unexpected failure without showing any detail of it."""
    if request.path.startswith("/api/"):
        return _api_error(request, 500, "server_error", "An unexpected error occurred.")
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)
