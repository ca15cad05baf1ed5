"""Pages of the compliance module, under ``/compliance/``.

Each view parses the request, calls one service or selector and renders. A
service's refusal is shown on the form that caused it; an object the caller may
not see is answered with 404.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.paginator import Paginator
from django.db.models import Q
from django.forms import ModelChoiceField
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from port2port.compliance import permissions, schedule, selectors, services
from port2port.compliance.forms import (
    SUMMARY_LABELS,
    AdviceForm,
    CloseForm,
    CompleteForm,
    DecisionForm,
    DeclarationForm,
    DocumentForm,
    ExerciseForm,
    FindingForm,
    FollowUpForm,
    HeldForm,
    ImportForm,
    InspectionPlanForm,
    LevelForm,
    PlanForm,
    PreArrivalForm,
    ReasonForm,
    ReportForm,
    RiskForm,
    RuleForm,
    ShipCallForm,
    SignForm,
    SummaryForm,
    form_add_service_error,
)
from port2port.compliance.models import (
    DocumentVersion,
    Exercise,
    FacilityProfile,
    Finding,
    Inspection,
    Scenario,
    SecurityDocument,
)
from port2port.compliance.report import inspection_pdf
from port2port.core import selectors as core_selectors
from port2port.core.errors import ApplicationError, NotFound
from port2port.core.models import Organisation, Port, Role, User, Zone
from port2port.core.scopes import Scope, scope_for

PAGE_SIZE = 25
CALENDAR_SALT = "compliance.calendar"


# Helpers -------------------------------------------------------------------------------


def _signed_in(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Like ``login_required``; an htmx request is sent to the sign-in page whole."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        to_login = redirect_to_login(request.get_full_path())
        if getattr(request, "htmx", False):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = to_login["Location"]
            return response
        return to_login

    return wrapper


def _set_queryset(form: Any, name: str, queryset: Any) -> None:
    field = form.fields[name]
    assert isinstance(field, ModelChoiceField)  # noqa: S101 - narrows the type
    field.queryset = queryset


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - _signed_in guarantees it
    return user


def _get(getter: Callable[..., Any], **kwargs: Any) -> Any:
    try:
        return getter(**kwargs)
    except NotFound:
        raise Http404 from None


def _render(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    htmx = getattr(request, "htmx", None)
    name = partial if partial and htmx and not htmx.boosted else template
    response = render(request, name, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _page(request: HttpRequest, queryset: Any) -> Any:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _done(request: HttpRequest, message: str, target: str) -> HttpResponseRedirect:
    messages.success(request, message)
    return HttpResponseRedirect(target)


def _today() -> dt.date:
    return timezone.localdate()


def _soon() -> int:
    return int(settings.COMPLIANCE_DUE_SOON_DAYS)


def _own_facility_ids(scope: Scope) -> set[int]:
    return {
        g.facility_id for g in scope.grants if g.role == Role.PFSO and g.facility_id
    }


def _decorate(facilities: list[Any], statuses: dict[int, Any]) -> list[Any]:
    for facility in facilities:
        setattr(facility, "status", statuses.get(facility.pk))  # noqa: B010 - read by the template
    return facilities


# Dashboard ------------------------------------------------------------------------------


@_signed_in
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Show each role its dashboard: its facility, its port, its inspections, the nation."""
    actor = _user(request)
    scope = scope_for(actor)
    today = _today()
    own = _own_facility_ids(scope)
    if len(own) == 1 and not (scope.port_ids or scope.is_national):
        return redirect("compliance:facility", pk=next(iter(own)))
    facilities = list(selectors.facility_list_for_compliance(actor=actor))
    statuses = selectors.facility_statuses(
        facility_ids={f.pk for f in facilities}, today=today
    )
    _decorate(facilities, statuses)
    is_inspector = Role.INSPECTOR in scope.roles
    lcmb_ports = permissions.lcmb_port_ids(scope)
    context: dict[str, Any] = {
        "facilities": facilities,
        "summaries": selectors.port_summaries(facilities=facilities, statuses=statuses),
        "national": scope.is_national,
        "is_inspector": is_inspector,
        "reminders": list(
            selectors.reminder_list_for_user(actor=actor, unread=True)[:20]
        ),
        "history": selectors.compliance_history(
            facility_ids={f.pk for f in facilities}, months=12, today=today
        ),
        "late_facilities": [
            f for f in facilities if statuses.get(f.pk) and statuses[f.pk].late
        ],
    }
    if is_inspector:
        context["my_inspections"] = list(
            selectors.inspection_list_for_user(actor=actor, inspector=actor.pk)
            .filter(
                status__in=[Inspection.Status.PLANNED, Inspection.Status.IN_PROGRESS]
            )
            .order_by("planned_on")[:20]
        )
        context["evidence_findings"] = list(
            selectors.finding_list_for_user(
                actor=actor, status=Finding.Status.EVIDENCE
            )[:20]
        )
    if lcmb_ports or permissions.is_national_authority(scope):
        waiting = (
            DocumentVersion.Status.ADVISED
            if permissions.is_national_authority(scope)
            else DocumentVersion.Status.SUBMITTED
        )
        context["waiting_versions"] = list(
            selectors.version_list_for_user(actor=actor, status=waiting)[:20]
        )
        context["shared_reports"] = list(
            selectors.exercise_list_for_user(actor=actor)
            .filter(report__shared_at__isnull=False)
            .order_by("-report__shared_at")[:10]
        )
    context["pending_acks"] = list(
        selectors.acknowledgement_list_for_user(actor=actor, pending=True)[:20]
    )
    context["chart"] = _chart(context["history"])
    return _render(request, "compliance/index.html", context)


def _chart(history: list[dict[str, Any]]) -> dict[str, Any]:
    """Lay out a bar chart of activity per month as SVG coordinates."""
    keys = ("drills", "exercises", "inspections", "findings")
    top = max([1] + [row[k] for row in history for k in keys])
    width, height, gap = 18, 90, 6
    bars = []
    for index, row in enumerate(history):
        x = index * (width * 4 + gap * 2) + 30
        for offset, key in enumerate(keys):
            value = row[key]
            h = round(height * value / top)
            bars.append(
                {
                    "x": x + offset * width,
                    "y": 10 + height - h,
                    "h": h,
                    "w": width - 2,
                    "key": key,
                    "value": value,
                    "month": row["month"],
                }
            )
    labels = [
        {"x": i * (width * 4 + gap * 2) + 30 + width * 2, "text": row["month"][2:]}
        for i, row in enumerate(history)
    ]
    return {
        "bars": bars,
        "labels": labels,
        "width": len(history) * (width * 4 + gap * 2) + 40,
        "top": top,
    }


@_signed_in
@require_POST
def reminder_read(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _user(request)
    reminder = _get(selectors.reminder_get_for_user, actor=actor, pk=pk)
    services.reminder_read(actor=actor, reminder=reminder)
    return HttpResponseRedirect(reminder.link or reverse("compliance:index"))


# Facility page --------------------------------------------------------------------------


def _facility_context(
    request: HttpRequest, facility: Any, **forms: Any
) -> dict[str, Any]:
    actor = _user(request)
    scope = scope_for(actor)
    today = _today()
    status = selectors.facility_statuses(facility_ids={facility.pk}, today=today)[
        facility.pk
    ]
    documents = {
        d.kind: d
        for d in selectors.document_list_for_user(
            actor=actor, facility=facility.pk
        ).prefetch_related("versions")
    }
    profile = FacilityProfile.objects.filter(facility=facility).first()
    officer = permissions.is_facility_officer(scope, facility)
    training = selectors.facility_training(
        facility=facility,
        today=today,
        soon_days=int(settings.COMPLIANCE_TRAINING_REMINDER_DAYS),
    )
    return {
        "facility": facility,
        "status": status,
        "profile": profile,
        "pfsa": documents.get(SecurityDocument.Kind.PFSA),
        "pfsp": documents.get(SecurityDocument.Kind.PFSP),
        "certificates": list(
            selectors.certificate_list_for_user(actor=actor, facility=facility.pk)[:5]
        ),
        "acks": list(
            selectors.acknowledgement_list_for_user(actor=actor, facility=facility.pk)[
                :10
            ]
        ),
        "levels": list(
            selectors.level_change_list_for_user(actor=actor, facility=facility.pk)[:10]
        ),
        "inspections": list(
            selectors.inspection_list_for_user(actor=actor, facility=facility.pk)[:10]
        ),
        "findings": list(
            selectors.finding_list_for_user(
                actor=actor, facility=facility.pk, open_only=True
            )[:30]
        ),
        "exercises": list(
            selectors.exercise_list_for_user(actor=actor, facility=facility.pk)[:10]
        ),
        "declarations": list(
            selectors.declaration_list_for_user(actor=actor, facility=facility.pk)[:10]
        ),
        "calls": list(
            selectors.ship_call_list_for_user(
                actor=actor,
                facility=facility.pk,
                eta_from=timezone.now() - dt.timedelta(days=2),
            )[:10]
        ),
        "training": training,
        "officer": officer,
        "is_pfso": scope.has_role(Role.PFSO, facility_id=facility.pk),
        "may_set_level": permissions.is_port_officer(scope, facility.port_id)
        or permissions.is_national_authority(scope),
        "may_set_risk": permissions.is_inspector_for(scope, facility.port_id)
        or permissions.is_port_officer(scope, facility.port_id),
        "level_form": forms.get("level_form") or LevelForm(),
        "document_form": forms.get("document_form") or DocumentForm(),
        "pfsa_summary": forms.get("pfsa_summary")
        or SummaryForm(prefix="pfsa", parts=services.SUMMARY_FIELDS["pfsa"]),
        "pfsp_summary": forms.get("pfsp_summary")
        or SummaryForm(prefix="pfsp", parts=services.SUMMARY_FIELDS["pfsp"]),
        "change_form": forms.get("change_form") or ReasonForm(),
        "risk_form": forms.get("risk_form")
        or RiskForm(initial={"risk": profile.risk if profile else "medium"}),
        "now": timezone.now(),
    }


@_signed_in
@require_GET
def facility(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _user(request)
    facility = _get(selectors.facility_get_for_compliance, actor=actor, pk=pk)
    return _render(
        request, "compliance/facility.html", _facility_context(request, facility)
    )


def _facility_post(
    request: HttpRequest,
    pk: int,
    form_name: str,
    form: Any,
    action: Callable[[Any], str],
) -> HttpResponse:
    actor = _user(request)
    facility = _get(selectors.facility_get_for_compliance, actor=actor, pk=pk)
    if form.is_valid():
        try:
            message = action(facility)
        except ApplicationError as exc:
            form_add_service_error(form, exc)
        else:
            return _done(request, message, reverse("compliance:facility", args=[pk]))
    context = _facility_context(request, facility, **{form_name: form})
    return _render(request, "compliance/facility.html", context, status=400)


@_signed_in
@require_POST
def facility_level(request: HttpRequest, pk: int) -> HttpResponse:
    form = LevelForm(request.POST)

    def act(facility: Any) -> str:
        services.security_level_set(
            actor=_user(request),
            port=facility.port,
            facility=facility,
            level=form.cleaned_data["level"],
            reason=form.cleaned_data["reason"],
            valid_until=form.cleaned_data["valid_until"],
        )
        return _("The security level was set; the PFSO is asked to acknowledge it.")

    return _facility_post(request, pk, "level_form", form, act)


@_signed_in
@require_POST
def facility_document(request: HttpRequest, pk: int) -> HttpResponse:
    form = DocumentForm(request.POST, request.FILES)
    kind = request.POST.get("kind", "")
    parts = services.SUMMARY_FIELDS.get(kind, ())
    summary = SummaryForm(request.POST, prefix=kind or "x", parts=parts)

    def act(facility: Any) -> str:
        if not summary.is_valid():
            raise ApplicationError(_("Check the summary."))
        upload = form.cleaned_data["file"]
        version = services.document_version_create(
            actor=_user(request),
            facility=facility,
            kind=form.cleaned_data["kind"],
            file_name=upload.name,
            content=upload.read(),
            summary={k: v for k, v in summary.cleaned_data.items() if v},
            note=form.cleaned_data["note"],
        )
        return _("Version %(number)d was drafted.") % {"number": version.number}

    return _facility_post(request, pk, "document_form", form, act)


@_signed_in
@require_POST
def facility_major_change(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReasonForm(request.POST)

    def act(facility: Any) -> str:
        services.facility_major_change_flag(
            actor=_user(request), facility=facility, reason=form.cleaned_data["reason"]
        )
        return _(
            "The major change is recorded: the assessment and the plan are due for review."
        )

    return _facility_post(request, pk, "change_form", form, act)


@_signed_in
@require_POST
def facility_risk(request: HttpRequest, pk: int) -> HttpResponse:
    form = RiskForm(request.POST)

    def act(facility: Any) -> str:
        services.facility_risk_set(
            actor=_user(request),
            facility=facility,
            risk=form.cleaned_data["risk"],
            note=form.cleaned_data["note"],
        )
        return _("The risk was set.")

    return _facility_post(request, pk, "risk_form", form, act)


@_signed_in
@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _user(request)
    ack = _get(selectors.acknowledgement_get_for_user, actor=actor, pk=pk)
    try:
        services.security_level_acknowledge(actor=actor, acknowledgement=ack)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Acknowledged."))
    return HttpResponseRedirect(reverse("compliance:facility", args=[ack.facility_id]))


# Security levels of ports ---------------------------------------------------------------


@_signed_in
@require_http_methods(["GET", "POST"])
def levels(request: HttpRequest) -> HttpResponse:
    """The history of levels, and setting a port's level (its security officer)."""
    actor = _user(request)
    scope = scope_for(actor)
    ports = Port.objects.order_by("locode")
    if not permissions.is_national_authority(scope):
        officer_ports = {
            g.port_id for g in scope.grants if g.role == Role.PORT_SECURITY_OFFICER
        }
        ports = ports.filter(pk__in=officer_ports)
    form = LevelForm(request.POST or None)
    status = 200
    if request.method == "POST":
        port = ports.filter(locode=request.POST.get("port", "")[:5]).first()
        if port is None:
            raise Http404
        if form.is_valid():
            try:
                services.security_level_set(
                    actor=actor,
                    port=port,
                    level=form.cleaned_data["level"],
                    reason=form.cleaned_data["reason"],
                    valid_until=form.cleaned_data["valid_until"],
                )
            except ApplicationError as exc:
                form_add_service_error(form, exc)
            else:
                return _done(
                    request,
                    _(
                        "The level of %(port)s was set; every PFSO is asked to acknowledge it."
                    )
                    % {"port": port.name},
                    reverse("compliance:levels"),
                )
        status = 400
    changes = selectors.level_change_list_for_user(actor=actor).prefetch_related(
        "acknowledgements"
    )
    return _render(
        request,
        "compliance/levels.html",
        {"form": form, "ports": list(ports), "page": _page(request, changes)},
        status=status,
    )


# Assessments and plans ------------------------------------------------------------------


def _version_context(
    request: HttpRequest, version: DocumentVersion, **forms: Any
) -> dict[str, Any]:
    actor = _user(request)
    scope = scope_for(actor)
    facility = version.document.facility
    return {
        "version": version,
        "document": version.document,
        "facility": facility,
        "summary": [
            (str(SUMMARY_LABELS.get(k, k)), v) for k, v in version.summary.items()
        ],
        "versions": list(version.document.versions.order_by("-number")),
        "may_submit": version.status == DocumentVersion.Status.DRAFT
        and permissions.is_facility_officer(scope, facility),
        "may_advise": version.status == DocumentVersion.Status.SUBMITTED
        and permissions.is_lcmb_for(scope, facility.port_id),
        "may_decide": version.status == DocumentVersion.Status.ADVISED
        and permissions.is_national_authority(scope),
        "advice_form": forms.get("advice_form") or AdviceForm(),
        "decision_form": forms.get("decision_form") or DecisionForm(),
        "certificate": getattr(version, "certificate", None),
    }


@_signed_in
@require_GET
def version(request: HttpRequest, pk: int) -> HttpResponse:
    item = _get(selectors.version_get_for_user, actor=_user(request), pk=pk)
    return _render(request, "compliance/version.html", _version_context(request, item))


@_signed_in
@require_GET
def version_file(request: HttpRequest, pk: int) -> FileResponse:
    item = _get(selectors.version_get_for_user, actor=_user(request), pk=pk)
    return FileResponse(
        item.file.open("rb"), as_attachment=True, filename=item.file_name
    )


@_signed_in
@require_POST
def version_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    actor = _user(request)
    item = _get(selectors.version_get_for_user, actor=actor, pk=pk)
    forms: dict[str, Any] = {}
    form: Any
    try:
        if action == "submit":
            services.document_version_submit(actor=actor, version=item)
            message = _("Submitted to the local committee.")
        elif action == "advise":
            form = forms["advice_form"] = AdviceForm(request.POST)
            if not form.is_valid():
                raise ApplicationError(_("Check the form."))
            services.document_version_advise(
                actor=actor,
                version=item,
                favourable=form.cleaned_data["favourable"],
                text=form.cleaned_data["text"],
            )
            message = _("The advice was given and sent to the national authority.")
        elif action == "decide":
            form = forms["decision_form"] = DecisionForm(request.POST)
            if not form.is_valid():
                raise ApplicationError(_("Check the form."))
            services.document_version_decide(
                actor=actor,
                version=item,
                approve=form.cleaned_data["approve"],
                note=form.cleaned_data["note"],
            )
            message = _("The decision was recorded.")
        else:
            raise Http404
    except ApplicationError as exc:
        for form in forms.values():
            form_add_service_error(form, exc)
        if not forms:
            messages.error(request, exc.message)
        item.refresh_from_db()
        return _render(
            request,
            "compliance/version.html",
            _version_context(request, item, **forms),
            status=400,
        )
    return _done(request, message, reverse("compliance:version", args=[pk]))


# Inspections ----------------------------------------------------------------------------


def _inspector_ports(scope: Scope) -> Any:
    if scope.is_national:
        return Q()
    return Q(
        port_id__in={
            g.port_id for g in scope.grants if g.role == Role.INSPECTOR and g.port_id
        }
    )


@_signed_in
@require_http_methods(["GET", "POST"])
def inspections(request: HttpRequest) -> HttpResponse:
    actor = _user(request)
    scope = scope_for(actor)
    may_plan = Role.INSPECTOR in scope.roles or scope.is_platform_admin
    form = InspectionPlanForm(request.POST or None)
    _set_queryset(
        form,
        "facility",
        selectors.facility_list_for_compliance(actor=actor).filter(
            _inspector_ports(scope)
        ),
    )
    _set_queryset(form, "template", selectors.template_list())
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                inspection = services.inspection_plan(
                    actor=actor,
                    facility=form.cleaned_data["facility"],
                    template=form.cleaned_data["template"],
                    kind=form.cleaned_data["kind"],
                    planned_on=form.cleaned_data["planned_on"],
                )
            except ApplicationError as exc:
                form_add_service_error(form, exc)
            else:
                return _done(
                    request,
                    _("The inspection was planned."),
                    reverse("compliance:inspection", args=[inspection.pk]),
                )
        status = 400
    state = request.GET.get("status", "")
    state = state if state in Inspection.Status.values else ""
    queryset = selectors.inspection_list_for_user(actor=actor, status=state)
    return _render(
        request,
        "compliance/inspections.html",
        {
            "form": form,
            "may_plan": may_plan,
            "page": _page(request, queryset),
            "state": state,
            "statuses": Inspection.Status.choices,
        },
        partial="compliance/partials/_inspection_table.html",
        status=status,
    )


@_signed_in
@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    """A month of the caller's inspections, exercises, deadlines and due duties."""
    actor = _user(request)
    today = _today()
    try:
        month = dt.date.fromisoformat(request.GET.get("month", "") + "-01")
    except ValueError:
        month = today.replace(day=1)
    end = schedule.add_months(month, 1) - dt.timedelta(days=1)
    entries = selectors.calendar_for_user(
        actor=actor, start=month, end=end, today=today
    )
    days: dict[dt.date, list[Any]] = {}
    for entry in entries:
        days.setdefault(entry.day, []).append(entry)
    token = signing.dumps({"u": actor.pk}, salt=CALENDAR_SALT)
    return _render(
        request,
        "compliance/calendar.html",
        {
            "month": month,
            "previous": schedule.add_months(month, -1),
            "next": schedule.add_months(month, 1),
            "days": sorted(days.items()),
            "feed_url": request.build_absolute_uri(
                reverse("compliance:calendar-feed", args=[token])
            ),
            "today": today,
        },
    )


def _ics_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\n", "\\n")
    )


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The caller's due items as an iCalendar feed, for a calendar application.

    Calendar applications cannot sign in, so the link carries a signed token of
    the user; a deactivated user's link stops working.
    """
    try:
        data = signing.loads(token, salt=CALENDAR_SALT)
    except signing.BadSignature:
        raise Http404 from None
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None:
        raise Http404
    today = _today()
    entries = selectors.calendar_for_user(
        actor=user,
        start=today - dt.timedelta(days=31),
        end=schedule.add_months(today, 12),
        today=today,
    )
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    base = request.build_absolute_uri("/").rstrip("/")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Port2Port//Compliance//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_ics_text(_('Port2Port compliance'))}",
    ]
    for entry in entries:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{entry.uid}@port2port",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{entry.day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{entry.day + dt.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_ics_text(entry.title)}",
            f"URL:{base}{entry.link}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return HttpResponse(
        "\r\n".join(lines) + "\r\n", content_type="text/calendar; charset=utf-8"
    )


def _inspection_context(
    request: HttpRequest, inspection: Inspection, **forms: Any
) -> dict[str, Any]:
    actor = _user(request)
    scope = scope_for(actor)
    rows = selectors.inspection_rows(inspection)
    items = [(r.item.key, f"{r.item.position // 10}. {r.item.text[:80]}") for r in rows]
    return {
        "inspection": inspection,
        "facility": inspection.facility,
        "rows": rows,
        "answered": sum(1 for r in rows if r.answer is not None),
        "findings": list(inspection.findings.select_related("item")),
        "is_inspector": permissions.is_inspector_for(
            scope, inspection.facility.port_id
        ),
        "finding_form": forms.get("finding_form") or FindingForm(items=items),
        "complete_form": forms.get("complete_form") or CompleteForm(),
        "open": inspection.status
        in (Inspection.Status.PLANNED, Inspection.Status.IN_PROGRESS),
    }


@_signed_in
@require_GET
def inspection(request: HttpRequest, pk: int) -> HttpResponse:
    item = _get(selectors.inspection_get_for_user, actor=_user(request), pk=pk)
    return _render(
        request, "compliance/inspection.html", _inspection_context(request, item)
    )


@_signed_in
@require_GET
def inspection_run(request: HttpRequest, pk: int) -> HttpResponse:
    """The form an inspector fills in on site, on a phone; it saves as it goes."""
    actor = _user(request)
    item = _get(selectors.inspection_get_for_user, actor=actor, pk=pk)
    if not permissions.is_inspector_for(scope_for(actor), item.facility.port_id):
        raise Http404
    sections: list[tuple[str, list[Any]]] = []
    for row in selectors.inspection_rows(item):
        if not sections or sections[-1][0] != row.item.section:
            sections.append((row.item.section, []))
        sections[-1][1].append(row)
    return _render(
        request,
        "compliance/inspection_run.html",
        {"inspection": item, "facility": item.facility, "sections": sections},
    )


@_signed_in
@require_POST
def inspection_finding(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _user(request)
    item = _get(selectors.inspection_get_for_user, actor=actor, pk=pk)
    rows = selectors.inspection_rows(item)
    form = FindingForm(request.POST, items=[(r.item.key, r.item.text) for r in rows])
    if form.is_valid():
        try:
            finding = services.finding_create(
                actor=actor,
                inspection=item,
                severity=form.cleaned_data["severity"],
                description=form.cleaned_data["description"],
                item_key=form.cleaned_data["item"],
                deadline=form.cleaned_data["deadline"],
            )
        except ApplicationError as exc:
            form_add_service_error(form, exc)
        else:
            target = request.POST.get("next") == "run"
            return _done(
                request,
                _("Finding %(number)d was recorded.") % {"number": finding.number},
                reverse(
                    "compliance:inspection-run" if target else "compliance:inspection",
                    args=[pk],
                ),
            )
    return _render(
        request,
        "compliance/inspection.html",
        _inspection_context(request, item, finding_form=form),
        status=400,
    )


@_signed_in
@require_POST
def inspection_complete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _user(request)
    item = _get(selectors.inspection_get_for_user, actor=actor, pk=pk)
    form = CompleteForm(request.POST)
    if form.is_valid():
        try:
            services.inspection_complete(
                actor=actor, inspection=item, summary=form.cleaned_data["summary"]
            )
        except ApplicationError as exc:
            form_add_service_error(form, exc)
        else:
            return _done(
                request,
                _("The inspection is completed."),
                reverse("compliance:inspection", args=[pk]),
            )
    item.refresh_from_db()
    return _render(
        request,
        "compliance/inspection.html",
        _inspection_context(request, item, complete_form=form),
        status=400,
    )


@_signed_in
@require_GET
def inspection_report(request: HttpRequest, pk: int) -> HttpResponse:
    item = _get(selectors.inspection_get_for_user, actor=_user(request), pk=pk)
    response = HttpResponse(inspection_pdf(item), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="inspection-{item.pk}.pdf"'
    return response


@_signed_in
@require_GET
def photo(request: HttpRequest, pk: int) -> FileResponse:
    item = _get(selectors.photo_get_for_user, actor=_user(request), pk=pk)
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


# Findings -------------------------------------------------------------------------------


def _finding_context(
    request: HttpRequest, finding: Finding, **forms: Any
) -> dict[str, Any]:
    scope = scope_for(_user(request))
    closed = finding.status == Finding.Status.CLOSED
    return {
        "finding": finding,
        "facility": finding.facility,
        "updates": list(finding.updates.select_related("author")),
        "may_answer": not closed
        and permissions.is_facility_officer(scope, finding.facility),
        "may_close": permissions.is_inspector_for(scope, finding.facility.port_id),
        "plan_form": forms.get("plan_form")
        or PlanForm(
            initial={
                "action": finding.action,
                "owner": finding.action_owner,
                "deadline": finding.deadline,
            }
        ),
        "follow_form": forms.get("follow_form") or FollowUpForm(),
        "close_form": forms.get("close_form") or CloseForm(),
        "late": bool(finding.deadline and finding.deadline < _today() and not closed),
    }


@_signed_in
@require_GET
def finding(request: HttpRequest, pk: int) -> HttpResponse:
    item = _get(selectors.finding_get_for_user, actor=_user(request), pk=pk)
    return _render(request, "compliance/finding.html", _finding_context(request, item))


@_signed_in
@require_POST
def finding_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    actor = _user(request)
    item = _get(selectors.finding_get_for_user, actor=actor, pk=pk)
    forms: dict[str, Any] = {}
    form: Any
    try:
        if action == "plan":
            form = forms["plan_form"] = PlanForm(request.POST)
            if not form.is_valid():
                raise ApplicationError(_("Check the form."))
            services.finding_plan(actor=actor, finding=item, **form.cleaned_data)
            message = _("The corrective action plan was recorded.")
        elif action == "follow-up":
            form = forms["follow_form"] = FollowUpForm(request.POST, request.FILES)
            if not form.is_valid():
                raise ApplicationError(_("Check the form."))
            upload = form.cleaned_data["file"]
            services.finding_follow_up(
                actor=actor,
                finding=item,
                text=form.cleaned_data["text"],
                evidence=form.cleaned_data["evidence"],
                file_name=upload.name if upload else "",
                content=upload.read() if upload else None,
            )
            message = _("The follow-up was recorded.")
        elif action in ("close", "reopen"):
            form = forms["close_form"] = CloseForm(request.POST)
            if not form.is_valid():
                raise ApplicationError(_("Check the form."))
            service = (
                services.finding_close if action == "close" else services.finding_reopen
            )
            service(actor=actor, finding=item, text=form.cleaned_data["text"])
            message = (
                _("The finding is closed.")
                if action == "close"
                else _("The finding is reopened.")
            )
        else:
            raise Http404
    except ApplicationError as exc:
        for form in forms.values():
            if not form.errors:
                form_add_service_error(form, exc)
        item.refresh_from_db()
        return _render(
            request,
            "compliance/finding.html",
            _finding_context(request, item, **forms),
            status=400,
        )
    return _done(request, message, reverse("compliance:finding", args=[pk]))


@_signed_in
@require_GET
def evidence_file(request: HttpRequest, pk: int, update: int) -> FileResponse:
    item = _get(selectors.finding_get_for_user, actor=_user(request), pk=pk)
    step = item.updates.filter(pk=update).exclude(file="").first()
    if step is None:
        raise Http404
    return FileResponse(
        step.file.open("rb"), as_attachment=True, filename=step.file_name
    )


# Drills and exercises -------------------------------------------------------------------


@_signed_in
@require_http_methods(["GET", "POST"])
def exercises(request: HttpRequest) -> HttpResponse:
    actor = _user(request)
    scope = scope_for(actor)
    form = ExerciseForm(
        request.POST or None, initial={"kind": request.GET.get("kind", "drill")}
    )
    own = selectors.facility_list_for_compliance(actor=actor)
    if not permissions.is_national_authority(scope):
        own = own.filter(
            Q(pk__in=_own_facility_ids(scope))
            | Q(
                port_id__in={
                    g.port_id
                    for g in scope.grants
                    if g.role == Role.PORT_SECURITY_OFFICER
                }
            )
        )
    _set_queryset(form, "facilities", own)
    _set_queryset(form, "scenario", Scenario.objects.order_by("kind", "code"))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                exercise = services.exercise_plan(
                    actor=actor,
                    kind=data["kind"],
                    title=data["title"],
                    planned_on=data["planned_on"],
                    held_on=data["held_on"],
                    facilities=list(data["facilities"]),
                    scenario=data["scenario"],
                    format=data["format"],
                    exercise_mode=data["exercise_mode"],
                )
            except ApplicationError as exc:
                form_add_service_error(form, exc)
            else:
                return _done(
                    request,
                    _("Saved."),
                    reverse("compliance:exercise", args=[exercise.pk]),
                )
        status = 400
    kind = request.GET.get("kind_filter", "")
    queryset = selectors.exercise_list_for_user(
        actor=actor, kind=kind if kind in Exercise.Kind.values else ""
    )
    return _render(
        request,
        "compliance/exercises.html",
        {
            "form": form,
            "may_plan": own.exists(),
            "page": _page(request, queryset),
        },
        status=status,
    )


def _measured_times(
    exercise: Exercise, facilities: list[Any]
) -> tuple[int | None, int | None]:
    """The detection and response times measured on the live picture that day."""
    if not exercise.scenario_id or not settings.COMPLIANCE_EXERCISE_MODE_RUNNER:
        return None, None
    from port2port.detection.exercise import exercise_times

    day = exercise.held_on or exercise.planned_on
    start = dt.datetime.combine(
        day, dt.time.min, tzinfo=timezone.get_current_timezone()
    )
    return exercise_times(
        port_ids={f.port_id for f in facilities},
        start=start,
        end=start + dt.timedelta(days=1),
    )


def _exercise_context(
    request: HttpRequest, exercise: Exercise, **forms: Any
) -> dict[str, Any]:
    actor = _user(request)
    scope = scope_for(actor)
    facilities = list(exercise.facilities.select_related("port"))
    organiser = permissions.is_national_authority(scope) or all(
        permissions.is_facility_officer(scope, f) for f in facilities
    )
    report = getattr(exercise, "report", None)
    measured = _measured_times(exercise, facilities)
    return {
        "exercise": exercise,
        "facilities": facilities,
        "report": report
        if report and selectors.report_visible(actor=actor, report=report)
        else None,
        "organiser": organiser,
        "held_form": forms.get("held_form") or HeldForm(initial={"held_on": _today()}),
        "report_form": forms.get("report_form")
        or ReportForm(
            initial={
                k: getattr(report, k)
                for k in (
                    "summary",
                    "went_well",
                    "lessons",
                    "actions",
                    "detection_seconds",
                    "response_seconds",
                )
            }
            if report
            else {
                "detection_seconds": measured[0],
                "response_seconds": measured[1],
            }
            if report
            else None
        ),
        "exercise_mode_ready": bool(settings.COMPLIANCE_EXERCISE_MODE_RUNNER),
    }


@_signed_in
@require_GET
def exercise(request: HttpRequest, pk: int) -> HttpResponse:
    item = _get(selectors.exercise_get_for_user, actor=_user(request), pk=pk)
    return _render(
        request, "compliance/exercise.html", _exercise_context(request, item)
    )


@_signed_in
@require_POST
def exercise_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    actor = _user(request)
    item = _get(selectors.exercise_get_for_user, actor=actor, pk=pk)
    forms: dict[str, Any] = {}
    form: Any
    try:
        if action == "held":
            form = forms["held_form"] = HeldForm(request.POST)
            if not form.is_valid():
                raise ApplicationError(_("Check the form."))
            services.exercise_record_held(
                actor=actor, exercise=item, held_on=form.cleaned_data["held_on"]
            )
            message = _("Recorded as held.")
        elif action == "report":
            form = forms["report_form"] = ReportForm(request.POST)
            if not form.is_valid():
                raise ApplicationError(_("Check the form."))
            services.exercise_report_write(
                actor=actor, exercise=item, **form.cleaned_data
            )
            message = _("The after-action report was saved.")
        elif action == "share":
            services.exercise_report_share(actor=actor, exercise=item)
            message = _("The report is shared with the local committee.")
        elif action == "cancel":
            services.exercise_cancel(actor=actor, exercise=item)
            message = _("Cancelled.")
        elif action == "exercise-mode":
            services.exercise_mode_start(actor=actor, exercise=item)
            message = _("The scenario runs on the live picture.")
        else:
            raise Http404
    except ApplicationError as exc:
        for form in forms.values():
            if not form.errors:
                form_add_service_error(form, exc)
        if not forms:
            messages.error(request, exc.message)
        item.refresh_from_db()
        return _render(
            request,
            "compliance/exercise.html",
            _exercise_context(request, item, **forms),
            status=400,
        )
    return _done(request, message, reverse("compliance:exercise", args=[pk]))


@_signed_in
@require_GET
def scenarios(request: HttpRequest) -> HttpResponse:
    return _render(
        request,
        "compliance/scenarios.html",
        {
            "drills": list(selectors.scenario_list(kind="drill")),
            "exercises": list(selectors.scenario_list(kind="exercise")),
        },
    )


@_signed_in
@require_GET
def scenario(request: HttpRequest, code: str) -> HttpResponse:
    item = _get(selectors.scenario_get, code=code)
    return _render(request, "compliance/scenario.html", {"scenario": item})


# Training -------------------------------------------------------------------------------


def _training_context(request: HttpRequest, **forms: Any) -> dict[str, Any]:
    actor = _user(request)
    scope = scope_for(actor)
    today = _today()
    organisations = core_selectors.organisation_list_for_user(actor=actor)
    if not scope.is_national:
        organisations = organisations.filter(
            pk__in=scope.staff_organisation_ids() or set()
        )
    chosen_id = request.GET.get("organisation") or ""
    admin_orgs = [
        g.organisation_id for g in scope.grants if g.role == Role.COMPANY_ADMIN
    ]
    if not chosen_id and admin_orgs:
        chosen_id = str(admin_orgs[0])
    chosen = organisations.filter(pk=chosen_id).first() if chosen_id.isdigit() else None
    compliance = (
        selectors.organisation_training_for_user(
            actor=actor,
            organisation=chosen,
            today=today,
            soon_days=int(settings.COMPLIANCE_TRAINING_REMINDER_DAYS),
        )
        if chosen
        else None
    )
    import_form = forms.get("import_form") or ImportForm()
    _set_queryset(import_form, "provider", Organisation.objects.order_by("name"))
    rule_form = forms.get("rule_form") or RuleForm()
    _set_queryset(rule_form, "course", selectors.course_list())
    _set_queryset(rule_form, "port", Port.objects.order_by("locode"))
    _set_queryset(rule_form, "zone", core_selectors.zone_list_for_user(actor=actor))
    may_import = permissions.is_national_authority(scope) or scope.has_role(
        Role.COMPANY_ADMIN, Role.PORT_SECURITY_OFFICER
    )
    return {
        "organisations": list(organisations.order_by("name")[:300]),
        "chosen": chosen,
        "compliance": compliance,
        "not_compliant": compliance.not_compliant[:100] if compliance else [],
        "courses": list(selectors.course_list()),
        "rules": list(selectors.training_rule_list()),
        "imports": list(selectors.training_import_list_for_user(actor=actor)[:10]),
        "import_form": import_form,
        "rule_form": rule_form,
        "may_import": may_import,
        "may_rule": permissions.is_national_authority(scope)
        or scope.has_role(Role.PORT_SECURITY_OFFICER, Role.PFSO),
        "batch": forms.get("batch"),
    }


@_signed_in
@require_GET
def training(request: HttpRequest) -> HttpResponse:
    return _render(request, "compliance/training.html", _training_context(request))


@_signed_in
@require_POST
def training_import(request: HttpRequest) -> HttpResponse:
    actor = _user(request)
    form = ImportForm(request.POST, request.FILES)
    _set_queryset(form, "provider", Organisation.objects.all())
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            text = upload.read(5 << 20).decode("utf-8-sig")
            batch = services.training_import(
                actor=actor,
                csv_text=text,
                file_name=upload.name,
                provider=form.cleaned_data["provider"],
                dry_run=form.cleaned_data["dry_run"],
            )
        except UnicodeDecodeError:
            form.add_error("file", _("Save the file as UTF-8 CSV."))
        except ApplicationError as exc:
            form_add_service_error(form, exc)
        else:
            if batch.pk:
                return _done(
                    request,
                    _(
                        "%(imported)d imported, %(unchanged)d unchanged, %(rejected)d rejected."
                    )
                    % {
                        "imported": batch.rows_imported,
                        "unchanged": batch.rows_unchanged,
                        "rejected": batch.rows_rejected,
                    },
                    reverse("compliance:training-import", args=[batch.pk]),
                )
            return _render(
                request,
                "compliance/training_import.html",
                {"batch": batch, "dry_run": True},
            )
    return _render(
        request,
        "compliance/training.html",
        _training_context(request, import_form=form),
        status=400,
    )


@_signed_in
@require_GET
def training_import_result(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _get(selectors.training_import_get_for_user, actor=_user(request), pk=pk)
    return _render(request, "compliance/training_import.html", {"batch": batch})


@_signed_in
@require_POST
def training_rule(request: HttpRequest) -> HttpResponse:
    actor = _user(request)
    form = RuleForm(request.POST)
    _set_queryset(form, "course", selectors.course_list())
    _set_queryset(form, "port", Port.objects.all())
    _set_queryset(form, "zone", Zone.objects.all())
    if form.is_valid():
        try:
            services.training_rule_create(actor=actor, **form.cleaned_data)
        except ApplicationError as exc:
            form_add_service_error(form, exc)
        else:
            return _done(
                request, _("The rule was added."), reverse("compliance:training")
            )
    return _render(
        request,
        "compliance/training.html",
        _training_context(request, rule_form=form),
        status=400,
    )


@_signed_in
@require_POST
def training_rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _user(request)
    rule = _get(selectors.training_rule_get, pk=pk)
    try:
        services.training_rule_delete(actor=actor, rule=rule)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The rule was removed."))
    return HttpResponseRedirect(reverse("compliance:training"))


# Ships ----------------------------------------------------------------------------------


def _ships_context(request: HttpRequest, **forms: Any) -> dict[str, Any]:
    actor = _user(request)
    now = timezone.now()
    calls = list(
        selectors.ship_call_list_for_user(
            actor=actor, eta_from=now - dt.timedelta(days=3)
        )[:100]
    )
    for call in calls:
        setattr(call, "pre", selectors.pre_arrival(call, now))  # noqa: B010 - read by the template
    form = forms.get("call_form") or ShipCallForm()
    _set_queryset(
        form,
        "facility",
        core_selectors.facility_list_for_user(actor=actor, isps=True),
    )
    return {
        "calls": calls,
        "declarations": list(selectors.declaration_list_for_user(actor=actor)[:30]),
        "call_form": form,
    }


@_signed_in
@require_http_methods(["GET", "POST"])
def ships(request: HttpRequest) -> HttpResponse:
    actor = _user(request)
    if request.method == "POST":
        form = ShipCallForm(request.POST)
        _set_queryset(
            form,
            "facility",
            core_selectors.facility_list_for_user(actor=actor, isps=True),
        )
        if form.is_valid():
            try:
                call, _created = services.ship_call_announce(
                    actor=actor, **form.cleaned_data
                )
            except ApplicationError as exc:
                form_add_service_error(form, exc)
            else:
                return _done(
                    request,
                    _("The call was announced."),
                    reverse("compliance:ship-call", args=[call.pk]),
                )
        return _render(
            request,
            "compliance/ships.html",
            _ships_context(request, call_form=form),
            status=400,
        )
    return _render(request, "compliance/ships.html", _ships_context(request))


def _call_context(request: HttpRequest, call: Any, **forms: Any) -> dict[str, Any]:
    actor = _user(request)
    scope = scope_for(actor)
    officer = permissions.is_facility_officer(scope, call.facility)
    initial = None
    if call.received_at:
        initial = {
            "issc_number": call.issc_number,
            "issc_issuer": call.issc_issuer,
            "issc_expires_on": call.issc_expires_on,
            "ship_level": call.ship_level,
            "sso_contact": call.sso_contact,
            "special_measures": call.special_measures,
            "port_calls": "\n".join(
                f"{c['port']}; {c['facility']}; {c['arrived_on']}; {c['departed_on']}; {c['level']}"
                for c in call.port_calls
            ),
        }
    return {
        "call": call,
        "facility": call.facility,
        "pre": selectors.pre_arrival(call, timezone.now()),
        "issc_expired": bool(call.issc_expires_on and call.issc_expires_on < _today()),
        "officer": officer,
        "pre_form": forms.get("pre_form") or PreArrivalForm(initial=initial),
        "dos_form": forms.get("dos_form")
        or DeclarationForm(
            initial={
                "ship_name": call.ship_name,
                "imo": call.imo,
                "flag": call.flag,
                "ship_level": call.ship_level or 1,
                "valid_from": call.eta,
                "valid_until": call.eta + dt.timedelta(days=2),
            }
        ),
    }


@_signed_in
@require_GET
def ship_call(request: HttpRequest, pk: int) -> HttpResponse:
    call = _get(selectors.ship_call_get_for_user, actor=_user(request), pk=pk)
    return _render(request, "compliance/ship_call.html", _call_context(request, call))


@_signed_in
@require_POST
def ship_call_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    actor = _user(request)
    call = _get(selectors.ship_call_get_for_user, actor=actor, pk=pk)
    forms: dict[str, Any] = {}
    form: Any
    try:
        if action == "pre-arrival":
            form = forms["pre_form"] = PreArrivalForm(request.POST)
            if not form.is_valid():
                raise ApplicationError(_("Check the form."))
            services.pre_arrival_submit(actor=actor, call=call, **form.cleaned_data)
            message = _("The pre-arrival information was recorded.")
            target = reverse("compliance:ship-call", args=[pk])
        elif action == "declaration":
            form = forms["dos_form"] = DeclarationForm(request.POST)
            if not form.is_valid():
                raise ApplicationError(_("Check the form."))
            declaration = services.declaration_create(
                actor=actor, facility=call.facility, **form.cleaned_data
            )
            message = _("The Declaration of Security was drawn up.")
            target = reverse("compliance:declaration", args=[declaration.pk])
        else:
            raise Http404
    except ApplicationError as exc:
        for form in forms.values():
            if not form.errors:
                form_add_service_error(form, exc)
        return _render(
            request,
            "compliance/ship_call.html",
            _call_context(request, call, **forms),
            status=400,
        )
    return _done(request, message, target)


@_signed_in
@require_http_methods(["GET", "POST"])
def declaration(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _user(request)
    item = _get(selectors.declaration_get_for_user, actor=actor, pk=pk)
    form = SignForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.declaration_sign(
                    actor=actor, declaration=item, **form.cleaned_data
                )
            except ApplicationError as exc:
                form_add_service_error(form, exc)
            else:
                return _done(
                    request,
                    _("The signature was recorded."),
                    reverse("compliance:declaration", args=[pk]),
                )
        status = 400
    return _render(
        request,
        "compliance/declaration.html",
        {
            "declaration": item,
            "facility": item.facility,
            "form": form,
            "officer": permissions.is_facility_officer(scope_for(actor), item.facility),
        },
        status=status,
    )
