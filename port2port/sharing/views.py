"""Pages of the hub: bulletins, matches, committees, the library, the national overview."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from port2port.core.errors import ApplicationError, NotFound, NotPermitted
from port2port.core.models import Committee, User
from port2port.core.scopes import scope_for
from port2port.sharing import interchange, selectors, services
from port2port.sharing.forms import (
    ActionForm,
    BulletinForm,
    DecisionForm,
    DocumentForm,
    ImportForm,
    MeetingForm,
    MemberForm,
    MinutesForm,
    WithdrawForm,
)
from port2port.sharing.models import Article, Bulletin, Tlp


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required guarantees it
    return user


def _get(getter: Any, **kwargs: Any) -> Any:
    try:
        return getter(**kwargs)
    except NotFound:
        raise Http404 from None


def _may_author(user: User) -> bool:
    return bool(scope_for(user).roles & services.AUTHOR_ROLES) or bool(
        selectors.committee_ids_of(scope_for(user))
    )


def _bulletin_form(user: User, data: Any = None, files: Any = None) -> BulletinForm:
    return BulletinForm(
        data,
        files,
        committees=selectors.committee_list_for_user(actor=user),
        groups=selectors.sharing_group_list_for_user(actor=user),
    )


def _form_errors(form: Any, exc: ApplicationError) -> None:
    for name, problems in exc.fields.items():
        target = name if name in form.fields else None
        for problem in problems:
            form.add_error(target, problem)
    if not exc.fields:
        form.add_error(None, exc.message)


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    q = request.GET.get("q", "")[:200]
    tlp = request.GET.get("tlp", "")
    bulletins = selectors.bulletin_list_for_user(
        actor=user, q=q, tlp=tlp if tlp in Tlp.values else ""
    )[:100]
    context = {
        "bulletins": bulletins,
        "q": q,
        "tlp": tlp,
        "tlps": Tlp.choices,
        "may_author": _may_author(user),
        "reminders": selectors.committees_needing_a_meeting(actor=user),
        "may_see_overview": selectors.may_see_overview(actor=user),
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "sharing/partials/_bulletins.html", context)
    return render(request, "sharing/index.html", context)


@login_required
def bulletin_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = _bulletin_form(user, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            bulletin = services.bulletin_create(
                actor=user,
                title=data["title"],
                text=data["text"],
                tlp=data["tlp"],
                distribution=data["distribution"],
                committee=data["committee"],
                port=data["port"],
                sharing_group=data["sharing_group"],
                min_clearance=data["min_clearance"],
                valid_until=data["valid_until"],
                indicators=services.indicators_parse_text(data["indicators"]),
            )
            if data["attachment"]:
                services.attachment_add(
                    actor=user, bulletin=bulletin, upload=data["attachment"]
                )
        except ApplicationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The bulletin is published."))
            return redirect("sharing:bulletin", pk=bulletin.pk)
    return render(request, "sharing/bulletin_form.html", {"form": form})


@login_required
def bulletin_import(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            origin, data = interchange.detect_and_import(
                form.cleaned_data["file"].read()
            )
            bulletin = services.bulletin_create(
                actor=user,
                title=data.title,
                text=data.text,
                tlp=data.tlp,
                distribution=form.cleaned_data["distribution"],
                port=form.cleaned_data["port"],
                valid_from=data.valid_from,
                valid_until=data.valid_until,
                indicators=[
                    services.IndicatorInput(
                        kind=i.kind,
                        value=i.value,
                        date_of_birth=i.date_of_birth,
                        comment=i.comment,
                    )
                    for i in data.indicators
                ],
                origin=origin,
                uuid=data.uuid,
            )
        except interchange.InterchangeError as exc:
            form.add_error("file", str(exc))
        except ApplicationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The bulletin is imported."))
            return redirect("sharing:bulletin", pk=bulletin.pk)
    return render(request, "sharing/import.html", {"form": form})


def _bulletin_context(request: HttpRequest, bulletin: Bulletin) -> dict[str, Any]:
    user = _user(request)
    manage = selectors.bulletin_may_manage(actor=user, bulletin=bulletin)
    receipt = bulletin.reads.filter(user=user).first()
    return {
        "bulletin": bulletin,
        "manage": manage,
        "receipt": receipt,
        "acknowledged": receipt is not None
        and receipt.acknowledged_at is not None
        and receipt.read_version == bulletin.version,
        "reads": selectors.bulletin_reads_for_owner(actor=user, bulletin=bulletin),
        "matches": list(
            selectors.match_list_for_user(actor=user, bulletin=bulletin)[:100]
        )
        if manage
        else [],
        "withdraw_form": WithdrawForm(),
    }


@login_required
@require_GET
def bulletin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    bulletin = _get(selectors.bulletin_get_for_user, actor=user, pk=pk)
    services.bulletin_view(actor=user, bulletin=bulletin)
    return render(
        request, "sharing/bulletin.html", _bulletin_context(request, bulletin)
    )


@login_required
@require_POST
def bulletin_ack(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    bulletin = _get(selectors.bulletin_get_for_user, actor=user, pk=pk)
    services.bulletin_acknowledge(actor=user, bulletin=bulletin)
    messages.success(request, _("Acknowledged."))
    return redirect("sharing:bulletin", pk=bulletin.pk)


@login_required
@require_POST
def bulletin_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    bulletin = _get(selectors.bulletin_get_for_user, actor=user, pk=pk)
    try:
        services.bulletin_withdraw(
            actor=user, bulletin=bulletin, reason=request.POST.get("reason", "")
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The bulletin is withdrawn."))
    return redirect("sharing:bulletin", pk=bulletin.pk)


@login_required
@require_GET
def bulletin_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    user = _user(request)
    if fmt not in {"misp", "stix"}:
        raise Http404
    bulletin = _get(selectors.bulletin_get_for_user, actor=user, pk=pk)
    services.bulletin_view(actor=user, bulletin=bulletin, how=f"export:{fmt}")
    data = (
        interchange.misp_export(bulletin)
        if fmt == "misp"
        else interchange.stix_export(bulletin)
    )
    response = HttpResponse(
        json.dumps(data, indent=2, default=str), content_type="application/json"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="bulletin-{bulletin.uuid}-{fmt}.json"'
    )
    return response


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int, attachment: int) -> FileResponse:
    user = _user(request)
    found = _get(
        selectors.attachment_get_for_user, actor=user, bulletin_pk=pk, pk=attachment
    )
    services.bulletin_view(actor=user, bulletin=found.bulletin, how="attachment")
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.name)


@login_required
@require_GET
def match_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    matches = list(selectors.match_list_for_user(actor=user)[:200])
    return render(request, "sharing/matches.html", {"matches": matches})


@login_required
@require_GET
def match_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    match = _get(selectors.match_get_for_user, actor=user, pk=pk)
    bulletin = selectors.match_bulletin_for_user(actor=user, match=match)
    return render(request, "sharing/match.html", {"match": match, "bulletin": bulletin})


@login_required
@require_GET
def committee_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    committees = list(selectors.committee_list_for_user(actor=user))
    for committee in committees:
        committee.rhythm = selectors.committee_rhythm(committee=committee)  # type: ignore[attr-defined]
    return render(request, "sharing/committees.html", {"committees": committees})


@login_required
@require_GET
def committee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    committee = _get(selectors.committee_get_for_user, actor=user, pk=pk)
    context = {
        "committee": committee,
        "may_manage": selectors.committee_may_manage(actor=user, committee=committee),
        **selectors.committee_detail(actor=user, committee=committee),
    }
    return render(request, "sharing/committee.html", context)


@login_required
@require_GET
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    user = _user(request)
    document = _get(selectors.document_get_for_user, actor=user, pk=pk)
    services.document_open(actor=user, document=document)
    return FileResponse(document.file.open("rb"), as_attachment=True)


@login_required
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:200]
    theme = request.GET.get("theme", "")
    if theme not in Article.Theme.values:
        theme = ""
    context = {
        "articles": selectors.article_list(q=q, theme=theme),
        "q": q,
        "theme": theme,
        "themes": Article.Theme.choices,
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "sharing/partials/_articles.html", context)
    return render(request, "sharing/library.html", context)


@login_required
@require_GET
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = _get(selectors.article_get, slug=slug)
    return render(request, "sharing/article.html", {"article": article})


def _bars(table: dict[str, Any], months: list[str]) -> list[dict[str, Any]]:
    """Return one bar a month (the visible total of the table's rows) for an inline SVG."""
    totals = []
    for index, _month in enumerate(months):
        totals.append(sum((row["cells"][index] or 0) for row in table["rows"]))
    peak = max(totals) if totals and max(totals) > 0 else 1
    return [
        {
            "x": i * 24,
            "height": round(80 * t / peak),
            "y": 80 - round(80 * t / peak),
            "value": t,
        }
        for i, t in enumerate(totals)
    ]


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    data = _get(selectors.national_overview, actor=user)
    for table in data["tables"]:
        table["bars"] = _bars(table, data["months"])
    data["chart_width"] = len(data["months"]) * 24
    return render(request, "sharing/overview.html", data)


# Committee work ---------------------------------------------------------------------


def _officer_committee(request: HttpRequest, pk: int) -> Committee:
    """Return a committee the caller chairs or is secretary of (404 to non-members)."""
    committee = _get(selectors.committee_get_for_user, actor=_user(request), pk=pk)
    if not selectors.committee_may_manage(actor=_user(request), committee=committee):
        raise PermissionDenied
    return committee


def _committee_form_page(
    request: HttpRequest, committee: Committee, form: Any, title: str, button: str
) -> HttpResponse:
    return render(
        request,
        "sharing/committee_form.html",
        {"committee": committee, "form": form, "title": title, "button": button},
        status=400 if form.is_bound else 200,
    )


@login_required
def meeting_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    committee = _officer_committee(request, pk)
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_plan(
                actor=user, committee=committee, **form.cleaned_data
            )
        except ApplicationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The meeting is planned."))
            return redirect("sharing:meeting", pk=meeting.pk)
    return _committee_form_page(
        request, committee, form, _("Plan a meeting"), _("Plan")
    )


@login_required
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    committee = _officer_committee(request, pk)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.committee_member_add(
                actor=user, committee=committee, **form.cleaned_data
            )
        except ApplicationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The member is added."))
            return redirect("sharing:committee", pk=committee.pk)
    return _committee_form_page(request, committee, form, _("Add a member"), _("Add"))


@login_required
def document_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    committee = _officer_committee(request, pk)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.document_add(
                actor=user,
                committee=committee,
                title=data["title"],
                classification=data["classification"],
                upload=data["file"],
            )
        except ApplicationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The document is filed."))
            return redirect("sharing:committee", pk=committee.pk)
    return _committee_form_page(
        request, committee, form, _("Upload a document"), _("Upload")
    )


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a meeting; its chair or secretary records minutes, decisions and actions."""
    user = _user(request)
    meeting = _get(selectors.meeting_get_for_user, actor=user, pk=pk)
    committee = meeting.committee
    detail = selectors.meeting_detail(actor=user, meeting=meeting)
    may_manage = detail["may_read"] and selectors.committee_may_manage(
        actor=user, committee=committee
    )
    members = selectors.committee_members(committee=committee)
    posted = request.POST.get("form") if request.method == "POST" else None
    forms_ = {
        "minutes": MinutesForm(
            request.POST if posted == "minutes" else None,
            initial={"minutes": meeting.minutes},
            prefix="minutes",
        ),
        "decision": DecisionForm(
            request.POST if posted == "decision" else None, prefix="decision"
        ),
        "action": ActionForm(
            request.POST if posted == "action" else None,
            members=members,
            prefix="action",
        ),
    }
    if posted is not None:
        if not may_manage:
            raise PermissionDenied
        form = forms_.get(posted)
        if form is None:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                if posted == "minutes":
                    services.meeting_minutes_save(
                        actor=user, meeting=meeting, minutes=data["minutes"]
                    )
                elif posted == "decision":
                    services.decision_add(
                        actor=user, meeting=meeting, text=data["text"]
                    )
                else:
                    services.action_add(actor=user, meeting=meeting, **data)
            except ApplicationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("sharing:meeting", pk=meeting.pk)
    context = {
        "meeting": meeting,
        "committee": committee,
        "may_manage": may_manage,
        "forms": forms_,
        **detail,
    }
    status = 400 if posted is not None else 200
    return render(request, "sharing/meeting.html", context, status=status)


@login_required
@require_POST
def action_done(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    item = _get(selectors.action_get_for_user, actor=user, pk=pk)
    try:
        services.action_done(actor=user, item=item)
    except NotPermitted:
        raise PermissionDenied from None
    messages.success(request, _("The action is done."))
    return redirect("sharing:meeting", pk=item.meeting_id)
