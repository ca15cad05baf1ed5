"""Pages of the access module: the facility, the gates, the company, people and bans.

Each view parses the request, calls one service or selector and renders. A
service's refusal (an ``ApplicationError``) is shown on the form that caused it;
an object the caller may not see is answered with 404, as if it did not exist.
Lists render the whole page, or only their results when htmx asks for them.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from port2port.access import gate, selectors, services
from port2port.access.forms import (
    BanForm,
    BanLiftForm,
    GrantForm,
    ManualCheckForm,
    PassNumberForm,
    PassStateForm,
    PersonSearchForm,
    VisitCancelForm,
    VisitDecisionForm,
    VisitForm,
    form_add_service_error,
)
from port2port.access.models import (
    AccessEvent,
    LateBanAlert,
    PassActivation,
    PortBan,
    PortPass,
    Schedule,
    Visit,
)
from port2port.compliance.models import TrainingRecord
from port2port.core import selectors as core_selectors
from port2port.core.errors import ApplicationError, NotFound
from port2port.core.models import (
    AccessPoint,
    Facility,
    Organisation,
    Person,
    Role,
    User,
)
from port2port.core.scopes import Scope, scope_for
from port2port.gate import REASON_TEXT, Reason
from port2port.lib.identifiers import InvalidIdentifier, plate_display, plate_normalise
from port2port.lib.qr import qr_svg

PAGE_SIZE = 25
# Rows the live view shows at first and sends at most per poll.
LIVE_ROWS = 50
# Rows of the bounded lists of the facility page (each says how many there are).
FACILITY_ROWS = 50
# People a search on the bans page lists; the date of birth narrows it down.
MATCHES = 20

_GATE_ROLES = (Role.GATE_OPERATOR, Role.PFSO, Role.PORT_SECURITY_OFFICER)
_COMPANY_ROLES = (Role.COMPANY_ADMIN, Role.TRANSPORT_DISPATCHER)
_BAN_ROLES = (
    Role.JUDICIAL_AUTHORITY,
    Role.NATIONAL_AUTHORITY,
    Role.PORT_SECURITY_OFFICER,
)

# The gate engine is framework-free and speaks English; the pages show its reasons
# in the reader's language. Keyed by the reason's name, so that the page does not
# depend on how the codes are spelled in the access log.
REASON_LABELS: dict[str, Any] = {
    "ACCESS_POINT_UNKNOWN": gettext_lazy(
        "This access point is not known to the system."
    ),
    "DIRECTION_NOT_ALLOWED": gettext_lazy(
        "This access point may not be used in this direction."
    ),
    "NO_CREDENTIAL": gettext_lazy("No pass, day pass or number plate was presented."),
    "UNKNOWN_CREDENTIAL": gettext_lazy("The pass or day pass presented is not known."),
    "PASS_NOT_ACTIVE": gettext_lazy(
        "The pass has not been collected or activated yet."
    ),
    "PASS_SUSPENDED": gettext_lazy("The pass is suspended."),
    "PASS_LOST": gettext_lazy("The pass was reported lost or stolen."),
    "PASS_REVOKED": gettext_lazy("The pass has been revoked."),
    "PASS_EXPIRED": gettext_lazy("The pass has expired."),
    "PASS_NOT_ACTIVATED_HERE": gettext_lazy(
        "The pass is valid but this facility has not activated it."
    ),
    "PORT_BAN": gettext_lazy("The holder is under a port ban."),
    "NO_GRANT": gettext_lazy("The holder has no access right for this zone."),
    "GRANT_EXPIRED": gettext_lazy(
        "The holder's access right for this zone is not valid on this date."
    ),
    "OUTSIDE_SCHEDULE": gettext_lazy(
        "The holder's access right for this zone does not cover this time."
    ),
    "VISIT_OUTSIDE_WINDOW": gettext_lazy(
        "The announced visit does not cover this time."
    ),
    "VISIT_WRONG_LOCATION": gettext_lazy(
        "The announced visit is for another location."
    ),
    "VERIFICATION_MISSING": gettext_lazy(
        "The zone requires a valid security verification."
    ),
    "TRAINING_MISSING": gettext_lazy(
        "The zone requires a training the holder has not followed."
    ),
    "TRAINING_EXPIRED": gettext_lazy("A training the zone requires has expired."),
    "EXTRACT_MISSING": gettext_lazy(
        "The zone requires a valid criminal-record extract."
    ),
    "BIOMETRIC_REQUIRED": gettext_lazy(
        "A biometric check is required and was not done."
    ),
    "BIOMETRIC_MISMATCH": gettext_lazy(
        "The biometric check did not match the pass holder."
    ),
    "ESCORT_REQUIRED": gettext_lazy("The holder may only enter with an escort."),
    "SECURITY_LEVEL": gettext_lazy(
        "At the current security level only essential staff may enter."
    ),
    "ANTI_PASSBACK": gettext_lazy(
        "Anti-passback: the holder is already inside, or never entered."
    ),
    "PLATE_UNKNOWN": gettext_lazy("The number plate is not known."),
    "PLATE_NOT_AUTHORISED": gettext_lazy(
        "Nothing authorises this vehicle here at this time."
    ),
    "PLATE_DRIVER_MISMATCH": gettext_lazy(
        "The pass holder is not a registered driver of this vehicle."
    ),
    "ANTI_PASSBACK_SOFT": gettext_lazy(
        "Anti-passback warning: the holder's recorded position was wrong."
    ),
    "ESCORTED": gettext_lazy("The holder entered with an escort."),
    "VISITOR": gettext_lazy("The holder is a visitor."),
}

# What let an allowed request in (``Decision.via``).
VIA_LABELS: dict[str, Any] = {
    "grant": gettext_lazy("Access right"),
    "visit": gettext_lazy("Announced visit"),
    "day_pass": gettext_lazy("Day pass"),
    "vehicle_grant": gettext_lazy("Vehicle access right"),
    "appointment": gettext_lazy("Truck appointment"),
    "exit": gettext_lazy("Exit"),
}

# Helpers -------------------------------------------------------------------------------


def _signed_in(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Like ``login_required``, but send htmx requests to the sign-in page as a whole.

    A poll or a row action whose session has ended must not swap the sign-in
    page into a table row: htmx follows ``HX-Redirect`` with a full page load.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        htmx = getattr(request, "htmx", None)
        back = (htmx and htmx.current_url_abs_path) or request.get_full_path()
        to_login = redirect_to_login(back)
        if htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = to_login["Location"]
            return response
        return to_login

    return wrapper


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - _signed_in guarantees it
    return user


def _is_htmx(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.boosted


def _page(request: HttpRequest, queryset: Any, size: int = PAGE_SIZE) -> Any:
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _render(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    partial: str | None = None,
) -> HttpResponse:
    """Render the page, or only ``partial`` when htmx asks for it."""
    if partial is not None and _is_htmx(request):
        response = render(request, partial, context)
    else:
        response = render(request, template, context)
    # The partial and the page share a URL; caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def _get_or_404(getter: Callable[..., Any], **kwargs: Any) -> Any:
    try:
        return getter(**kwargs)
    except NotFound:
        raise Http404 from None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _back(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    """Return to the page the form was on (a local ``next``), or to ``fallback``."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = fallback
    return HttpResponseRedirect(target)


def reason_text(code: str) -> str:
    """Return the translated text of a reason code as the access log stores it."""
    label = REASON_LABELS.get(code.upper())
    if label is not None:
        return str(label)
    for candidate in (code, code.lower()):
        try:
            return REASON_TEXT.get(Reason(candidate), code)
        except ValueError:
            continue
    return code


def _is_note(code: str) -> bool:
    return code.upper() in {"ANTI_PASSBACK_SOFT", "ESCORTED", "VISITOR"}


def _decorate_events(events: Iterable[AccessEvent]) -> list[AccessEvent]:
    """Attach what the decision rows show: reason texts, the credential, the plate."""
    rows = []
    for event in events:
        event.reason_items = [  # type: ignore[attr-defined]
            {"code": code, "text": reason_text(code), "note": _is_note(code)}
            for code in event.reason_list
        ]
        # A day pass is a long signed token: show what it is, not the token.
        event.is_day_pass = ":" in event.credential  # type: ignore[attr-defined]
        event.plate_display = (  # type: ignore[attr-defined]
            plate_display(event.plate) if event.plate else ""
        )
        event.via_label = VIA_LABELS.get(event.via, event.via)  # type: ignore[attr-defined]
        rows.append(event)
    return rows


def _banned_person_ids(person_ids: Iterable[int]) -> set[int]:
    """Return which of these people are under a port ban today (one query)."""
    today = timezone.localdate()
    return set(
        PortBan.objects.filter(
            person_id__in=set(person_ids),
            status=PortBan.Status.ACTIVE,
            starts_on__lte=today,
            ends_on__gte=today,
        ).values_list("person_id", flat=True)
    )


def _linkable(actor: User, person_ids: Iterable[int | None]) -> set[int]:
    """Return which of these people's access pages the caller may open (one query).

    The pages name people the caller may not look up (a driver of another company
    at the facility's gate); only the others are linked.
    """
    ids = {pk for pk in person_ids if pk is not None}
    scope = scope_for(actor)
    if not ids or scope.is_national or scope.has_role(Role.JUDICIAL_AUTHORITY):
        return ids
    return set(
        core_selectors.person_list_for_user(actor=actor)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )


def _pass_by_number(number: str) -> PortPass | None:
    """Find a pass by the number printed on it.

    The officer holds the card or its number; the 12 random digits are the proof
    of possession, so the search is not limited to the people the officer sees.
    """
    return PortPass.objects.select_related("person").filter(number=number).first()


# Overview -------------------------------------------------------------------------------------


@_signed_in
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return redirect("access:overview")


@_signed_in
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """Find a person's passes and access rights; link to the pages of one's roles."""
    actor = _user(request)
    scope = scope_for(actor)
    q = request.GET.get("q", "").strip()[:100]
    people = (
        selectors.person_search_for_user(actor=actor, q=q)
        if q
        else Person.objects.none()
    )
    may_facility = scope.has_role(Role.PFSO, Role.PORT_SECURITY_OFFICER)
    alerts = (
        selectors.late_ban_alert_list_for_user(actor=actor).select_related(
            "ban__issued_by", "facility__port"
        )
        if may_facility and not _is_htmx(request)
        else LateBanAlert.objects.none()
    )
    return _render(
        request,
        "access/overview.html",
        {
            "q": q,
            "page": _page(request, people),
            "alerts": list(alerts[:FACILITY_ROWS]),
            "alert_count": alerts.count() if may_facility else 0,
            "may_gates": scope.has_role(*_GATE_ROLES),
            "may_facility": may_facility,
            "may_company": scope.has_role(*_COMPANY_ROLES),
            "may_bans": scope.has_role(*_BAN_ROLES),
        },
        partial="access/partials/_people_lookup.html",
    )


# The PFSO's facility ------------------------------------------------------------------------


def _officer_facility_ids(scope: Scope) -> tuple[set[int], set[int]]:
    """Return the facilities the caller is PFSO of, and the ports it is officer of."""
    facilities = {
        g.facility_id
        for g in scope.grants
        if g.role == Role.PFSO and g.facility_id is not None
    }
    ports = {
        g.port_id
        for g in scope.grants
        if g.role == Role.PORT_SECURITY_OFFICER and g.port_id is not None
    }
    return facilities, ports


def _facility_for_officer(actor: User, pk: Any) -> Facility:
    """Return a facility whose PFSO or port security officer the caller is, or 404."""
    facility = _get_or_404(core_selectors.facility_get_for_user, actor=actor, pk=pk)
    scope = scope_for(actor)
    if not (
        scope.has_role(Role.PFSO, facility_id=facility.pk)
        or scope.has_role(Role.PORT_SECURITY_OFFICER, port_id=facility.port_id)
    ):
        raise Http404
    return facility


@_signed_in
@require_GET
def facility_home(request: HttpRequest) -> HttpResponse:
    """Open the caller's facility, or list them when there are several."""
    actor = _user(request)
    scope = scope_for(actor)
    facilities = core_selectors.facility_list_for_user(actor=actor)
    if not scope.is_platform_admin:
        facility_ids, port_ids = _officer_facility_ids(scope)
        facilities = facilities.filter(Q(pk__in=facility_ids) | Q(port_id__in=port_ids))
    if not scope.is_platform_admin and len(facilities[:2]) == 1:
        return redirect("access:facility", pk=facilities[0].pk)
    return _render(
        request,
        "access/facility_list.html",
        {"page": _page(request, facilities)},
        partial="access/partials/_facility_cards.html",
    )


def _grant_form(facility: Facility, actor: User, data: Any = None) -> GrantForm:
    return GrantForm(
        data,
        prefix="grant",
        zones=core_selectors.zone_list_for_user(actor=actor, facility=facility.pk),
        schedules=Schedule.objects.filter(
            Q(facility=facility) | Q(facility__isnull=True)
        ).order_by("name"),
    )


def _facility_people(request: HttpRequest, facility: Facility) -> dict[str, Any]:
    """The passes activated at the facility, a page at a time, with their screening."""
    q = request.GET.get("q", "").strip()[:100]
    activations = PassActivation.objects.filter(facility=facility).select_related(
        "port_pass", "port_pass__person", "port_pass__person__employer"
    )
    if q:
        activations = activations.filter(
            Q(port_pass__number__icontains=q)
            | Q(port_pass__person__last_name__icontains=q)
            | Q(port_pass__person__first_name__icontains=q)
        )
    page = _page(
        request,
        activations.order_by(
            "port_pass__person__last_name", "port_pass__person__first_name", "id"
        ),
    )
    banned = _banned_person_ids(a.port_pass.person_id for a in page.object_list)
    for activation in page.object_list:
        activation.banned = activation.port_pass.person_id in banned
    return {"q": q, "page": page}


def _facility_page(
    request: HttpRequest,
    actor: User,
    facility: Facility,
    *,
    activate_form: PassNumberForm | None = None,
    grant_form: GrantForm | None = None,
) -> HttpResponse:
    visits = selectors.visit_list_for_user(
        actor=actor, facility=facility.pk, status=Visit.Status.SUBMITTED
    ).filter(terminal_decision=Visit.Decision.PENDING)
    approved = (
        selectors.visit_list_for_user(
            actor=actor, facility=facility.pk, status=Visit.Status.APPROVED
        )
        .filter(ends_at__gt=timezone.now())
        .order_by("starts_at", "pk")
    )
    grants = selectors.grant_list_for_user(actor=actor, facility=facility.pk).filter(
        revoked_at__isnull=True
    )
    denials = selectors.access_event_list_for_user(
        actor=actor, facility=facility.pk, allowed=False
    )
    people = _facility_people(request, facility)
    grant_list = list(grants[:FACILITY_ROWS])
    denial_list = _decorate_events(denials[:20])
    context = {
        "facility": facility,
        "visits": list(visits[:FACILITY_ROWS]),
        "visit_count": visits.count(),
        "approved_visits": list(approved[:FACILITY_ROWS]),
        "now": timezone.now(),
        "approved_count": approved.count(),
        "cancel_form": VisitCancelForm(),
        "alerts": list(
            selectors.late_ban_alert_list_for_user(actor=actor)
            .filter(facility=facility)
            .select_related("ban__issued_by")[:FACILITY_ROWS]
        ),
        "grants": grant_list,
        "grant_count": grants.count(),
        "denials": denial_list,
        "activate_form": activate_form or PassNumberForm(prefix="activate"),
        "grant_form": grant_form or _grant_form(facility, actor),
        "decision_form": VisitDecisionForm(),
        "linkable": _linkable(
            actor,
            [a.port_pass.person_id for a in people["page"].object_list]
            + [g.person_id for g in grant_list]
            + [e.person_id for e in denial_list],
        ),
        **people,
    }
    return _render(
        request,
        "access/facility.html",
        context,
        partial="access/partials/_facility_people.html",
    )


@_signed_in
@require_GET
def facility_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _user(request)
    return _facility_page(request, actor, _facility_for_officer(actor, pk))


@_signed_in
@require_POST
def facility_activate(request: HttpRequest, pk: int) -> HttpResponse:
    """Activate a pass at the facility, found by its number."""
    actor = _user(request)
    facility = _facility_for_officer(actor, pk)
    form = PassNumberForm(request.POST, prefix="activate")
    if form.is_valid():
        port_pass = _pass_by_number(form.cleaned_data["number"])
        if port_pass is None:
            form.add_error("number", _("No pass has this number."))
        else:
            try:
                services.pass_activate_at_facility(
                    actor=actor, port_pass=port_pass, facility=facility
                )
            except ApplicationError as exc:
                form_add_service_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Pass %(number)s of %(name)s is now accepted here.")
                    % {"number": port_pass.number, "name": port_pass.person.full_name},
                )
                return redirect("access:facility", pk=facility.pk)
    return _facility_page(request, actor, facility, activate_form=form)


@_signed_in
@require_POST
def facility_grant(request: HttpRequest, pk: int) -> HttpResponse:
    """Grant the holder of a pass entry to a zone of the facility."""
    actor = _user(request)
    facility = _facility_for_officer(actor, pk)
    form = _grant_form(facility, actor, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        port_pass = _pass_by_number(data["number"])
        if port_pass is None:
            form.add_error("number", _("No pass has this number."))
        else:
            try:
                services.grant_create(
                    actor=actor,
                    zone=data["zone"],
                    person=port_pass.person,
                    schedule=data["schedule"],
                    valid_from=data["valid_from"],
                    valid_until=data["valid_until"],
                )
            except ApplicationError as exc:
                form_add_service_error(form, exc, {"schedule_id": "schedule"})
            else:
                messages.success(
                    request,
                    _("%(name)s may now enter %(zone)s.")
                    % {"name": port_pass.person.full_name, "zone": data["zone"].name},
                )
                return redirect("access:facility", pk=facility.pk)
    return _facility_page(request, actor, facility, grant_form=form)


@_signed_in
@require_POST
def grant_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _user(request)
    grant = _get_or_404(selectors.grant_get_for_user, actor=actor, pk=pk)
    try:
        services.grant_revoke(actor=actor, grant=grant)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The access right was revoked."))
    fallback = (
        reverse("access:facility", args=[grant.zone.facility_id])
        if grant.zone.facility_id
        else reverse("access:overview")
    )
    return _back(request, fallback)


@_signed_in
@require_POST
def visit_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or reject a visit for the terminal or the shipping agent.

    htmx swaps the visit's row; without htmx the page the form was on is shown
    again with the outcome.
    """
    actor = _user(request)
    visit = _get_or_404(selectors.visit_get_for_user, actor=actor, pk=pk)
    form = VisitDecisionForm(request.POST)
    party = "agent" if request.POST.get("party") == "agent" else "terminal"
    decided = False
    if form.is_valid():
        try:
            visit = services.visit_decide(
                actor=actor,
                visit=visit,
                party=party,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
            )
            decided = True
        except ApplicationError as exc:
            form_add_service_error(form, exc)
    if _is_htmx(request):
        return render(
            request,
            "access/partials/_visit_row.html",
            {"visit": visit, "decision_form": form, "decided": decided, "party": party},
        )
    if decided:
        messages.success(request, _("The visit was decided."))
    else:
        for error in form.errors.values():
            messages.error(request, " ".join(str(e) for e in error))
    if party == "agent":
        return _back(request, reverse("access:company"))
    return redirect("access:facility", pk=visit.facility_id)


@_signed_in
@require_POST
def visit_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a visit (the announcing company or the facility's PFSO)."""
    actor = _user(request)
    visit = _get_or_404(selectors.visit_get_for_user, actor=actor, pk=pk)
    form = VisitCancelForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
    else:
        try:
            services.visit_cancel(
                actor=actor, visit=visit, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _(
                    "The visit to %(facility)s of %(date)s is cancelled; its day "
                    "passes no longer open any gate."
                )
                % {
                    "facility": visit.facility.name,
                    "date": timezone.localtime(visit.starts_at).strftime(
                        "%Y-%m-%d %H:%M"
                    ),
                },
            )
    return _back(request, reverse("access:company"))


@_signed_in
@require_GET
def day_pass(request: HttpRequest, pk: int, person: int) -> HttpResponse:
    """A visitor's printable day pass: the QR code the gate reads, and the visit."""
    actor = _user(request)
    visitor = _get_or_404(
        selectors.day_pass_get_for_user, actor=actor, visit=pk, person=person
    )
    assert visitor.day_pass_id is not None  # noqa: S101 - the selector ensures it
    token = gate.day_pass_token(visitor.day_pass_id)
    # segno draws the token as paths and escapes the title: nothing is unescaped.
    qr = mark_safe(qr_svg(token, title=_("Day pass")))  # noqa: S308
    return render(
        request,
        "access/day_pass.html",
        {
            "visitor": visitor,
            "visit": visitor.visit,
            "qr": qr,
            "ended": visitor.visit.ends_at <= timezone.now(),
        },
    )


# Late-ban alerts --------------------------------------------------------------------------


@_signed_in
@require_POST
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    """Acknowledge a late-ban alert; htmx swaps the alert."""
    actor = _user(request)
    alert = _get_or_404(selectors.late_ban_alert_get_for_user, actor=actor, pk=pk)
    error = ""
    try:
        alert = services.late_ban_alert_acknowledge(actor=actor, alert=alert)
    except ApplicationError as exc:
        error = exc.message
    if _is_htmx(request):
        return render(
            request,
            "access/partials/_alert_item.html",
            {
                "alert": alert,
                "error": error,
                "show_facility": request.POST.get("show_facility") == "1",
            },
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request,
            _("The late-ban alert about %(name)s is acknowledged.")
            % {"name": alert.person.full_name},
        )
    return _back(request, reverse("access:facility", args=[alert.facility_id]))


# The gates ------------------------------------------------------------------------------------


def _require_gate_role(actor: User) -> Scope:
    scope = scope_for(actor)
    if not scope.has_role(*_GATE_ROLES):
        raise Http404
    return scope


def _gate_points(actor: User) -> QuerySet[AccessPoint]:
    """Return the access points the caller may decide at from the desk.

    The registry shows a facility's access points to everyone of its operator;
    deciding is for the gate operators and the PFSO of the facility, and for the
    port security officers of its port.
    """
    scope = scope_for(actor)
    points = core_selectors.access_point_list_for_user(actor=actor).prefetch_related(
        None
    )
    if scope.is_platform_admin:
        return points
    facilities = {
        g.facility_id
        for g in scope.grants
        if g.role in (Role.GATE_OPERATOR, Role.PFSO) and g.facility_id is not None
    }
    ports = {
        g.port_id
        for g in scope.grants
        if g.role == Role.PORT_SECURITY_OFFICER and g.port_id is not None
    }
    return points.filter(
        Q(zone__facility_id__in=facilities) | Q(zone__port_id__in=ports)
    )


def _since(request: HttpRequest) -> int | None:
    """Return the last decision the live view has; the largest if several are sent."""
    values = [_int(v) for v in request.GET.getlist("since")]
    numbers = [v for v in values if v is not None]
    return max(numbers) if numbers else None


def _gates_page(
    request: HttpRequest,
    actor: User,
    *,
    form: ManualCheckForm | None = None,
    result: dict[str, Any] | None = None,
) -> HttpResponse:
    points = _gate_points(actor)
    point = _int(request.GET.get("point"))
    events = _decorate_events(
        selectors.access_event_list_for_user(actor=actor, access_point=point)[
            :LIVE_ROWS
        ]
    )
    facility_ids, port_ids = _officer_facility_ids(scope_for(actor))
    return render(
        request,
        "access/gates.html",
        {
            "events": events,
            "linkable": _linkable(actor, (e.person_id for e in events)),
            "last_id": max((e.pk for e in events), default=0),
            "points": points,
            "point": point,
            "form": form or ManualCheckForm(points=points),
            "result": result,
            "officer": bool(facility_ids or port_ids),
        },
    )


@_signed_in
@require_GET
def gates(request: HttpRequest) -> HttpResponse:
    """The latest decisions at the caller's gates; ``?since=`` sends only newer rows."""
    actor = _user(request)
    _require_gate_role(actor)
    since = _since(request)
    if since is not None and _is_htmx(request):
        events = _decorate_events(
            selectors.access_event_list_for_user(
                actor=actor,
                access_point=_int(request.GET.get("point")),
                since_id=since,
            )[:LIVE_ROWS]
        )
        # Nothing new: 204 tells htmx to leave the table as it is.
        response = (
            render(
                request,
                "access/partials/_decision_rows.html",
                {
                    "events": events,
                    "new_rows": True,
                    "last_id": max(e.pk for e in events),
                    "linkable": _linkable(actor, (e.person_id for e in events)),
                },
            )
            if events
            else HttpResponse(status=204)
        )
        patch_vary_headers(response, ["HX-Request"])
        return response
    return _gates_page(request, actor)


@_signed_in
@require_POST
def gate_check(request: HttpRequest) -> HttpResponse:
    """Decide at one of the caller's access points from the desk (a reader failed)."""
    actor = _user(request)
    _require_gate_role(actor)
    points = _gate_points(actor)
    form = ManualCheckForm(request.POST, points=points)
    result = None
    if form.is_valid():
        data = form.cleaned_data
        point = _get_or_404(
            selectors.access_point_for_device, actor=actor, pk=data["access_point"].pk
        )
        plate = None
        if data["plate"]:
            try:
                plate = plate_normalise(data["plate"])
            except InvalidIdentifier as exc:
                form.add_error("plate", _(str(exc)))
        if form.is_valid():
            decision, event = gate.gate_decide(
                access_point_id=point.pk,
                credential=data["credential"] or None,
                plate=plate,
                direction=data["direction"],
                # Marks the decision as taken at the desk, and by whom.
                request_id=f"desk:{actor.pk}:{secrets.token_hex(6)}",
            )
            result = {
                "event": _decorate_events([event])[0],
                "person_name": decision.person_name,
                "point": point,
            }
            # Ready for the next check at the same access point.
            form = ManualCheckForm(
                points=points,
                initial={"access_point": point.pk, "direction": data["direction"]},
            )
    if _is_htmx(request):
        return render(
            request,
            "access/partials/_manual_check.html",
            {"form": form, "result": result},
        )
    return _gates_page(request, actor, form=form, result=result)


# The company ------------------------------------------------------------------------------------


def _company(actor: User, wanted: str | None) -> Organisation:
    """Return the organisation whose administrator or dispatcher the caller is."""
    scope = scope_for(actor)
    own = [g.organisation_id for g in scope.grants if g.role in _COMPANY_ROLES]
    pk = _int(wanted)
    if pk is None:
        if not own and scope.is_platform_admin and scope.grants:
            own = [scope.grants[0].organisation_id]
        if not own:
            raise Http404
        pk = own[0]
    elif pk not in own and not scope.is_platform_admin:
        raise Http404
    return _get_or_404(core_selectors.organisation_get_for_user, actor=actor, pk=pk)


def _announce_facilities(organisation: Organisation) -> QuerySet[Facility]:
    # A company may announce visits to the facilities of the ports where it is
    # active (``core.selectors.facility_for_announcement``).
    return (
        Facility.objects.filter(port__organisations=organisation)
        .select_related("port")
        .distinct()
        .order_by("port__locode", "name")
    )


def _visit_form(actor: User, organisation: Organisation, data: Any = None) -> VisitForm:
    return VisitForm(
        data,
        facilities=_announce_facilities(organisation),
        people=core_selectors.person_list_for_user(
            actor=actor, employer=organisation.pk
        ),
        # The shipping agents active in the ports where the company is.
        agents=Organisation.objects.filter(
            roles__icontains='"shipping_agent"',
            ports__in=organisation.ports.values("id"),
        )
        .distinct()
        .order_by("name"),
    )


def _current_pass(passes: list[PortPass]) -> PortPass | None:
    """Return the pass that matters now: the one in use, else the latest."""
    for state in (
        PortPass.State.ACTIVE,
        PortPass.State.SUSPENDED,
        PortPass.State.ISSUED,
    ):
        for port_pass in passes:
            if port_pass.state == state:
                return port_pass
    return passes[0] if passes else None


def _company_page(
    request: HttpRequest,
    actor: User,
    organisation: Organisation,
    *,
    visit_form: VisitForm | None = None,
) -> HttpResponse:
    scope = scope_for(actor)
    q = request.GET.get("q", "").strip()[:100]
    staff = core_selectors.person_list_for_user(
        actor=actor, employer=organisation.pk, search=q
    ).prefetch_related(
        Prefetch("passes", queryset=PortPass.objects.order_by("-issued_at")),
        Prefetch(
            "trainings",
            queryset=TrainingRecord.objects.select_related("course").order_by(
                "course__code", "-completed_on"
            ),
        ),
    )
    page = _page(request, staff)
    screening = selectors.may_see_screening(actor=actor)
    banned = _banned_person_ids(p.pk for p in page.object_list) if screening else set()
    today = timezone.localdate()
    for person in page.object_list:
        person.current_pass = _current_pass(list(person.passes.all()))
        person.banned = person.pk in banned
        person.training_list = [
            {"record": t, "expired": t.expires_on is not None and t.expires_on < today}
            for t in person.trainings.all()
        ]
    visits = selectors.visit_list_for_user(actor=actor).filter(requester=organisation)
    may_manage = scope.has_role(Role.COMPANY_ADMIN, organisation_id=organisation.pk)
    is_agent = "shipping_agent" in (organisation.roles or [])
    agent_visits = (
        selectors.visit_list_waiting_for_agent(actor=actor, agent=organisation.pk)
        if is_agent and may_manage and not _is_htmx(request)
        else Visit.objects.none()
    )
    return _render(
        request,
        "access/company.html",
        {
            "organisation": organisation,
            "organisations": Organisation.objects.filter(
                pk__in={
                    g.organisation_id for g in scope.grants if g.role in _COMPANY_ROLES
                }
            ).order_by("name"),
            "q": q,
            "page": page,
            "screening": screening,
            "may_manage": may_manage,
            "visits": list(visits[:20]),
            "visit_count": visits.count(),
            "now": timezone.now(),
            "cancel_form": VisitCancelForm(),
            "is_agent": is_agent and may_manage,
            "agent_visits": list(agent_visits[:FACILITY_ROWS]),
            "agent_visit_count": agent_visits.count() if is_agent and may_manage else 0,
            "decision_form": VisitDecisionForm(),
            "visit_form": visit_form or _visit_form(actor, organisation),
            "state_form": PassStateForm(),
        },
        partial="access/partials/_staff.html",
    )


@_signed_in
@require_GET
def company(request: HttpRequest) -> HttpResponse:
    actor = _user(request)
    return _company_page(request, actor, _company(actor, request.GET.get("org")))


@_signed_in
@require_POST
def visit_announce(request: HttpRequest) -> HttpResponse:
    """Announce a visit of some of the company's people to a facility."""
    actor = _user(request)
    organisation = _company(actor, request.POST.get("org"))
    form = _visit_form(actor, organisation, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            visit = services.visit_create(
                actor=actor,
                requester=organisation,
                facility=core_selectors.facility_for_announcement(
                    actor=actor, pk=data["facility"].pk
                ),
                zone=data["zone"],
                purpose=data["purpose"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                visitors=list(data["visitors"]),
                vessel_name=data["vessel_name"],
                vessel_imo=data["vessel_imo"],
                agent=data["agent"],
                plate=data["plate"],
                escort=data["escort"],
                comment=data["comment"],
            )
        except ApplicationError as exc:
            form_add_service_error(form, exc, {"zone_id": "zone"})
        else:
            messages.success(
                request,
                _("The visit to %(facility)s was announced; it waits for approval.")
                % {"facility": visit.facility.name},
            )
            url = reverse("access:company")
            return redirect(f"{url}?{urlencode({'org': organisation.pk})}")
    return _company_page(request, actor, organisation, visit_form=form)


def _pass_action(
    request: HttpRequest, pk: int, action: Callable[[User, PortPass], str]
) -> HttpResponse:
    """Run a pass action of the company page and return to it with the outcome."""
    actor = _user(request)
    port_pass = _get_or_404(selectors.pass_get_for_user, actor=actor, pk=pk)
    try:
        messages.success(request, action(actor, port_pass))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return _back(request, reverse("access:company"))


@_signed_in
@require_POST
def pass_request(request: HttpRequest, pk: int) -> HttpResponse:
    """Request a pass for one of the company's people."""
    actor = _user(request)
    person = _get_or_404(core_selectors.person_get_for_user, actor=actor, pk=pk)
    try:
        port_pass = services.pass_issue(actor=actor, person=person)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Pass %(number)s was issued for %(name)s; hand it over by %(date)s.")
            % {
                "number": port_pass.number,
                "name": person.full_name,
                "date": port_pass.collect_by.isoformat(),
            },
        )
    return _back(request, reverse("access:company"))


@_signed_in
@require_POST
def pass_collect(request: HttpRequest, pk: int) -> HttpResponse:
    def collect(actor: User, port_pass: PortPass) -> str:
        services.pass_collect(actor=actor, port_pass=port_pass)
        return _("Pass %(number)s was handed over and is active.") % {
            "number": port_pass.number
        }

    return _pass_action(request, pk, collect)


@_signed_in
@require_POST
def pass_lost(request: HttpRequest, pk: int) -> HttpResponse:
    def lost(actor: User, port_pass: PortPass) -> str:
        new = services.pass_report_lost(actor=actor, port_pass=port_pass)
        return _(
            "Pass %(number)s is blocked everywhere. Replacement %(new)s was issued."
        ) % {"number": port_pass.number, "new": new.number}

    return _pass_action(request, pk, lost)


@_signed_in
@require_POST
def pass_state(request: HttpRequest, pk: int) -> HttpResponse:
    """Suspend or reinstate a pass, with a reason."""
    form = PassStateForm(request.POST)

    def change(actor: User, port_pass: PortPass) -> str:
        if not form.is_valid():
            raise ApplicationError(_("The action is suspend, reinstate or revoke."))
        services.pass_change_state(
            actor=actor,
            port_pass=port_pass,
            action=form.cleaned_data["action"],
            reason=form.cleaned_data["reason"],
        )
        if port_pass.state == PortPass.State.SUSPENDED:
            return _("Pass %(number)s is suspended.") % {"number": port_pass.number}
        return _("Pass %(number)s is active again.") % {"number": port_pass.number}

    return _pass_action(request, pk, change)


# People ---------------------------------------------------------------------------------------


@_signed_in
@require_GET
def person_access(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's passes, screening, trainings, access rights and last accesses."""
    actor = _user(request)
    person = _get_or_404(selectors.person_get_for_access, actor=actor, pk=pk)
    profile = selectors.person_access_profile(actor=actor, person=person)
    profile["accesses"] = _decorate_events(profile["accesses"])
    today = timezone.localdate()
    return render(
        request,
        "access/person.html",
        {
            "person": person,
            "today": today,
            "linkable": {person.pk},
            # A judicial authority reaches people the registry does not show it.
            "in_registry": core_selectors.person_list_for_user(actor=actor)
            .filter(pk=person.pk)
            .exists(),
            **profile,
        },
    )


# Bans ----------------------------------------------------------------------------------------


def _require_ban_role(actor: User) -> Scope:
    scope = scope_for(actor)
    if not scope.has_role(*_BAN_ROLES):
        raise Http404
    return scope


@_signed_in
@require_GET
def ban_list(request: HttpRequest) -> HttpResponse:
    """The port bans; a judicial authority also finds people to ban here."""
    actor = _user(request)
    scope = _require_ban_role(actor)
    status = request.GET.get("status", "active")
    bans = selectors.ban_list_for_user(actor=actor).prefetch_related("ports")
    if status == "active":
        bans = bans.filter(
            status=PortBan.Status.ACTIVE, ends_on__gte=timezone.localdate()
        )
    elif status in PortBan.Status.values:
        bans = bans.filter(status=status)
    else:
        status = "all"
    may_issue = scope.has_role(Role.JUDICIAL_AUTHORITY)
    search = PersonSearchForm(request.GET if may_issue else None)
    matches: list[Person] | None = None
    if (
        may_issue
        and search.is_valid()
        and (search.cleaned_data["q"] or search.cleaned_data["born"])
    ):
        matches = list(
            selectors.person_search_for_user(
                actor=actor,
                q=search.cleaned_data["q"],
                born=search.cleaned_data["born"],
            )[: MATCHES + 1]
        )
        banned = _banned_person_ids(p.pk for p in matches)
        for person in matches:
            person.banned = person.pk in banned  # type: ignore[attr-defined]
    return _render(
        request,
        "access/bans.html",
        {
            "page": _page(request, bans),
            "status": status,
            "statuses": [
                ("active", _("In force")),
                ("lifted", _("Lifted")),
                ("all", _("All")),
            ],
            "may_issue": may_issue,
            "search": search,
            "matches": None if matches is None else matches[:MATCHES],
            "more_matches": matches is not None and len(matches) > MATCHES,
            "lift_form": BanLiftForm(),
        },
        partial="access/partials/_ban_table.html",
    )


@_signed_in
@require_http_methods(["GET", "POST"])
def ban_new(request: HttpRequest) -> HttpResponse:
    """Record a judicial port ban of the person chosen on the bans page."""
    actor = _user(request)
    if not scope_for(actor).has_role(Role.JUDICIAL_AUTHORITY):
        raise Http404
    person = _get_or_404(
        selectors.person_get_for_access,
        actor=actor,
        pk=request.GET.get("person") or request.POST.get("person"),
    )
    form = BanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.ban_issue(
                actor=actor,
                person=person,
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                legal_reference=data["legal_reference"],
                all_ports=data["all_ports"],
                ports=list(data["ports"]),
            )
        except ApplicationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "The port ban of %(name)s is recorded and applies at every gate "
                    "concerned at once."
                )
                % {"name": person.full_name},
            )
            return redirect("access:bans")
    return render(
        request,
        "access/ban_form.html",
        {
            "person": person,
            "form": form,
            "existing": list(
                selectors.ban_list_for_user(actor=actor, active_only=True).filter(
                    person=person
                )
            ),
        },
    )


@_signed_in
@require_POST
def ban_lift(request: HttpRequest, pk: int) -> HttpResponse:
    """Lift a ban with a reason; htmx swaps the ban's row."""
    actor = _user(request)
    _require_ban_role(actor)
    ban = _get_or_404(selectors.ban_get_for_user, actor=actor, pk=pk)
    form = BanLiftForm(request.POST)
    if form.is_valid():
        try:
            ban = services.ban_lift(
                actor=actor, ban=ban, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            form_add_service_error(form, exc)
    if _is_htmx(request):
        return render(
            request,
            "access/partials/_ban_row.html",
            {
                "ban": ban,
                "lift_form": form,
                "may_issue": scope_for(actor).has_role(Role.JUDICIAL_AUTHORITY),
            },
        )
    if form.errors:
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
    else:
        messages.success(request, _("The ban was lifted."))
    return _back(request, reverse("access:bans"))
