"""Pages of the reporting module.

Public pages, under ``/report/<language>/`` (English, Dutch, French, German):
the channels, a channel's form, the receipt, and the follow-up with the receipt.
They set no cookie until the receipt login, use no session and no CSRF cookie
(a form is accepted only from this site, by its ``Origin``), and the privacy
middleware removes every identifying request detail before they run.

Handlers' pages, under ``/reporting/``: unlocking the key, the inbox, a report
with its thread and actions, its files and export, the key page and the
statistics of the national authority.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from port2port.core.errors import ApplicationError, NotFound
from port2port.core.models import User
from port2port.reporting import abuse, keyring, selectors, services
from port2port.reporting.files import (
    BoundedMemoryUploadHandler,
    CleanFile,
    FileRefused,
    file_clean,
)
from port2port.reporting.forms import (
    AssignForm,
    ForwardForm,
    InboxFilterForm,
    MessageForm,
    PasswordChangeForm,
    ReceiptForm,
    ReplyForm,
    ReportForm,
    StatusForm,
    UnlockForm,
)
from port2port.reporting.middleware import REPORTER_COOKIE
from port2port.reporting.models import Category, HandlerKey, Report

LANGUAGES = (
    ("en", "English"),
    ("nl", "Nederlands"),
    ("fr", "Français"),
    ("de", "Deutsch"),
)
LANGUAGE_CODES = frozenset(code for code, _name in LANGUAGES)
PAGE_SIZE = 25

FILE_ERRORS = {
    "too_large": gettext_lazy("is larger than the limit"),
    "empty": gettext_lazy("is empty"),
    "type": gettext_lazy("is not an image (JPEG, PNG, WebP, GIF) or a PDF"),
    "damaged": gettext_lazy("could not be read"),
}


# Public pages ------------------------------------------------------------------------------


def _same_origin(request: HttpRequest) -> bool:
    """Accept a form only from this site, without a CSRF cookie.

    Browsers say where a request comes from in ``Sec-Fetch-Site``; older ones
    in ``Origin`` (which is ``null`` under the pages' no-referrer policy).
    """
    site = request.headers.get("Sec-Fetch-Site")
    if site:
        return site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin and origin != "null":
        return urlsplit(origin).netloc == request.get_host()
    return True


def _public_context(lang: str, **extra: Any) -> dict[str, Any]:
    return {
        "lang": lang,
        "public_languages": LANGUAGES,
        "max_file_mb": settings.REPORTING_MAX_FILE_BYTES // (1024 * 1024),
        "max_files": settings.REPORTING_MAX_FILES,
        **extra,
    }


def _public_render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(request, template, context, status=status)


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve a public page in the language of its address, with its own 404 and origin check."""

    @csrf_exempt
    @functools.wraps(view)
    def wrapper(
        request: HttpRequest, lang: str, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        if lang not in LANGUAGE_CODES:
            lang = "en"
            with translation.override(lang):
                return _public_render(
                    request,
                    "reporting/public/not_found.html",
                    _public_context(lang),
                    404,
                )
        parts = request.path.split("/")
        request.reporting_languages = [  # type: ignore[attr-defined]
            (code, name, "/".join([*parts[:2], code, *parts[3:]]), code == lang)
            for code, name in LANGUAGES
        ]
        with translation.override(lang):
            if request.method == "POST" and not _same_origin(request):
                response = _public_render(
                    request,
                    "reporting/public/refused.html",
                    _public_context(
                        lang, reason=_("This form can only be sent from this site.")
                    ),
                    403,
                )
            else:
                try:
                    response = view(request, lang, *args, **kwargs)
                except (Http404, NotFound):
                    response = _public_render(
                        request,
                        "reporting/public/not_found.html",
                        _public_context(lang),
                        404,
                    )
        response["Content-Language"] = lang
        return response

    return wrapper


@csrf_exempt
@require_GET
def public_root(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(reverse("report:home", args=["en"]))


@public_page
@require_GET
def public_home(request: HttpRequest, lang: str) -> HttpResponse:
    return _public_render(
        request,
        "reporting/public/home.html",
        _public_context(lang, channels=selectors.channel_list_public()),
    )


def _refused_message(exc: abuse.Refused) -> str:
    if exc.reason == "busy":
        minutes = max(1, (exc.retry_after + 59) // 60)
        return _(
            "Many reports are being sent right now. Please wait %(minutes)d minutes "
            "and send again."
        ) % {"minutes": minutes}
    if exc.reason == "used":
        return _(
            "This form was already sent. If you did not get a receipt, send it again."
        )
    return _("The form was open too long. Please send it again.")


def _uploads(request: HttpRequest, errors: list[str]) -> list[CleanFile]:
    uploads = []
    files = request.FILES.getlist("files")
    if len(files) > settings.REPORTING_MAX_FILES:
        errors.append(
            _("Attach at most %(count)d files.")
            % {"count": settings.REPORTING_MAX_FILES}
        )
        return []
    for index, upload in enumerate(files, start=1):
        try:
            uploads.append(file_clean(upload, index))
        except FileRefused as exc:
            errors.append(
                _("The file “%(name)s” %(problem)s.")
                % {"name": exc.name or upload.name, "problem": FILE_ERRORS[exc.message]}
            )
    return uploads


def _bounded_uploads(request: HttpRequest) -> BoundedMemoryUploadHandler:
    handler = BoundedMemoryUploadHandler(request)
    request.upload_handlers = [handler]
    return handler


@public_page
@require_http_methods(["GET", "POST"])
def channel_form(request: HttpRequest, lang: str, slug: str) -> HttpResponse:
    """A channel's report form; sending it shows the receipt, once."""
    channel = selectors.channel_get_public(slug=slug)
    ports = selectors.channel_ports(channel=channel)
    status = 200
    file_errors: list[str] = []
    problem = ""
    if request.method == "POST":
        handler = _bounded_uploads(request)
        form = ReportForm(request.POST, channel=channel, ports=ports)
        uploads = _uploads(request, file_errors)
        if handler.stopped:
            file_errors.append(_("The files are larger than the limit."))
        if form.is_valid() and not file_errors:
            data = form.cleaned_data
            try:
                did_work = abuse.challenge_redeem(
                    request.POST.get("pow_token", ""),
                    request.POST.get("pow_solution", ""),
                    purpose="submit",
                )
                abuse.rate_take("submit", settings.REPORTING_RATE_SUBMIT)
                if not did_work:
                    abuse.rate_take(
                        "submit-no-script", settings.REPORTING_RATE_SUBMIT_NO_SCRIPT
                    )
                _submitted, receipt = services.report_submit(
                    channel=channel,
                    category=data["category"],
                    port=data["port"],
                    content=services.ReportContent(
                        what=data["what"],
                        when=data["when"],
                        place=data["place"],
                        latitude=data["latitude"],
                        longitude=data["longitude"],
                        people=data["people"],
                        contact_name=data["contact_name"],
                        contact_phone=data["contact_phone"],
                        contact_email=data["contact_email"],
                        language=lang,
                    ),
                    uploads=uploads,
                )
            except abuse.Refused as exc:
                problem = _refused_message(exc)
                status = 429 if exc.reason == "busy" else 400
            except ApplicationError as exc:
                problem = exc.message
                status = 400
            else:
                return _public_render(
                    request,
                    "reporting/public/receipt.html",
                    _public_context(
                        lang,
                        channel=channel,
                        receipt=" ".join(receipt[i : i + 4] for i in range(0, 16, 4)),
                        files=len(uploads),
                    ),
                )
        else:
            status = 400
    else:
        form = ReportForm(channel=channel, ports=ports)
    challenge = abuse.challenge_issue("submit", settings.REPORTING_POW_BITS)
    return _public_render(
        request,
        "reporting/public/form.html",
        _public_context(
            lang,
            channel=channel,
            form=form,
            ports=ports,
            challenge=challenge,
            file_errors=file_errors,
            problem=problem,
            map_ports=[
                {"name": p.name, "centre": p.centre, "boundary": p.boundary}
                for p in ports
            ],
        ),
        status,
    )


def _reporter(request: HttpRequest) -> tuple[Report, bytes] | None:
    return services.reporter_session_open(
        cookie=request.COOKIES.get(REPORTER_COOKIE, "")
    )


@public_page
@require_http_methods(["GET", "POST"])
def follow_up_login(request: HttpRequest, lang: str) -> HttpResponse:
    """Come back with the receipt."""
    form = ReceiptForm(request.POST or None)
    problem = ""
    status = 200
    paused = abuse.login_paused()
    if request.method == "POST" and form.is_valid():
        try:
            did_work = abuse.challenge_redeem(
                request.POST.get("pow_token", ""),
                request.POST.get("pow_solution", ""),
                purpose="login",
            )
            abuse.rate_take("follow-up", settings.REPORTING_RATE_FOLLOW_UP)
            if not did_work:
                abuse.rate_take(
                    "submit-no-script", settings.REPORTING_RATE_SUBMIT_NO_SCRIPT
                )
            cookie, _opened = services.receipt_login(
                receipt=form.cleaned_data["receipt"]
            )
        except abuse.Refused as exc:
            problem = _refused_message(exc)
            status = 429 if exc.reason == "busy" else 400
        except services.ReceiptRefused as exc:
            problem = exc.message
            status = 429 if exc.code == "paused" else 403
        else:
            response = HttpResponseRedirect(reverse("report:follow-up", args=[lang]))
            response.set_cookie(
                REPORTER_COOKIE,
                cookie,
                path="/report/",
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Strict",
            )
            return response
    elif request.method == "POST":
        status = 400
    challenge = abuse.challenge_issue("login", abuse.login_bits())
    return _public_render(
        request,
        "reporting/public/login.html",
        _public_context(
            lang, form=form, challenge=challenge, problem=problem, paused=paused
        ),
        status,
    )


@public_page
@require_http_methods(["GET", "POST"])
def follow_up(request: HttpRequest, lang: str) -> HttpResponse:
    """The reporter's view of the report: the questions, the answers, more information."""
    session = _reporter(request)
    if session is None:
        return HttpResponseRedirect(reverse("report:login", args=[lang]))
    report, key = session
    file_errors: list[str] = []
    problem = ""
    status = 200
    sent = request.GET.get("sent") == "1"
    form = ReplyForm()
    if request.method == "POST":
        # Before anything reads the body: uploads stay in memory, bounded.
        handler = _bounded_uploads(request)
        form = ReplyForm(request.POST)
        uploads = _uploads(request, file_errors)
        if handler.stopped:
            file_errors.append(_("The files are larger than the limit."))
        if form.is_valid() and not file_errors:
            try:
                abuse.rate_take("follow-up", settings.REPORTING_RATE_FOLLOW_UP)
                services.reporter_message_add(
                    report=report,
                    key=key,
                    text=form.cleaned_data["text"],
                    uploads=uploads,
                )
            except abuse.Refused as exc:
                problem = _refused_message(exc)
                status = 429
            except ApplicationError as exc:
                problem = exc.message
                status = 400
            else:
                return HttpResponseRedirect(
                    reverse("report:follow-up", args=[lang]) + "?sent=1"
                )
        else:
            status = 400
    plain = services.report_decrypt(report=report, key=key, for_reporter=True)
    return _public_render(
        request,
        "reporting/public/follow_up.html",
        _public_context(
            lang,
            plain=plain,
            report=report,
            form=form,
            file_errors=file_errors,
            problem=problem,
            sent=sent,
            closed=report.status == Report.Status.CLOSED,
        ),
        status,
    )


@public_page
@require_POST
def follow_up_logout(request: HttpRequest, lang: str) -> HttpResponse:
    services.reporter_logout(cookie=request.COOKIES.get(REPORTER_COOKIE, ""))
    response = HttpResponseRedirect(reverse("report:home", args=[lang]))
    response.delete_cookie(REPORTER_COOKIE, path="/report/", samesite="Strict")
    return response


# Handlers' pages ------------------------------------------------------------------------------


def _signed_in(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - _signed_in guarantees it
    return user


def _handler(request: HttpRequest) -> User:
    actor = _user(request)
    if not selectors.is_handler(actor=actor):
        raise Http404
    return actor


def _report(actor: User, pk: Any) -> Report:
    try:
        return selectors.report_get_for_user(actor=actor, pk=pk)
    except NotFound:
        raise Http404 from None


def _to_unlock(request: HttpRequest, back: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("reporting:unlock") + "?next=" + back)


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


@_signed_in
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    actor = _user(request)
    if selectors.is_handler(actor=actor):
        return redirect("reporting:inbox")
    if selectors.may_see_statistics(actor=actor):
        return redirect("reporting:statistics")
    raise Http404


@_signed_in
@require_http_methods(["GET", "POST"])
def unlock(request: HttpRequest) -> HttpResponse:
    """Unlock the handler's key with their password, for this session."""
    actor = _handler(request)
    back = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("reporting:inbox")
    form = UnlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            private = services.handler_key_unlock(
                user=actor, password=form.cleaned_data["password"]
            )
        except ApplicationError as exc:
            form.add_error("password", exc.message)
        else:
            response = HttpResponseRedirect(back)
            keyring.keyring_store(request, response, private)
            return response
    has_key = HandlerKey.objects.filter(user=actor).exists()
    return _no_store(
        render(
            request,
            "reporting/unlock.html",
            {"form": form, "next": back, "has_key": has_key},
        )
    )


@_signed_in
@require_POST
def lock(request: HttpRequest) -> HttpResponse:
    _handler(request)
    response = redirect("reporting:inbox")
    keyring.keyring_clear(request, response)
    messages.success(request, _("Your reporting key is locked again."))
    return response


@_signed_in
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    actor = _handler(request)
    filters = InboxFilterForm(request.GET or {"status": "open"})
    data = filters.cleaned_data if filters.is_valid() else {"status": "open"}
    reports = selectors.report_list_for_user(
        actor=actor,
        status=data.get("status", ""),
        category=data.get("category", ""),
        assigned=data.get("assigned", ""),
    )
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filters": filters,
        "page": page,
        "groups": selectors.handler_groups_for_user(actor=actor),
        "unlocked": keyring.keyring_load(request) is not None,
        "counts": {
            status: selectors.report_list_for_user(actor=actor, status=status).count()
            for status in (Report.Status.NEW, "open")
        },
    }
    htmx = getattr(request, "htmx", None)
    template = (
        "reporting/partials/_inbox_table.html"
        if htmx and not htmx.boosted
        else "reporting/inbox.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return _no_store(response)


def _detail_context(
    request: HttpRequest, actor: User, report: Report, **forms: Any
) -> dict[str, Any]:
    private = keyring.keyring_load(request)
    plain = None
    problem = ""
    try:
        plain = services.report_open(actor=actor, report=report, private=private)
    except services.KeyMissing as exc:
        problem = exc.message
    users = selectors.report_assignable_users(report=report)
    return {
        "report": report,
        "plain": plain,
        "problem": problem,
        "groups": selectors.report_groups(report=report),
        "status_form": forms.get("status_form")
        or StatusForm(initial={"status": report.status}),
        "assign_form": forms.get("assign_form")
        or AssignForm(users=users, initial={"assignee": report.assignee_id}),
        "message_form": forms.get("message_form") or MessageForm(),
        "forward_form": forms.get("forward_form")
        or ForwardForm(groups=selectors.forward_targets_for_report(report=report)),
    }


@_signed_in
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _handler(request)
    report = _report(actor, pk)
    if keyring.keyring_load(request) is None:
        return _to_unlock(request, request.get_full_path())
    return _no_store(
        render(
            request, "reporting/report.html", _detail_context(request, actor, report)
        )
    )


def _back_to(report: Report) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("reporting:report", args=[report.pk]))


@_signed_in
@require_POST
def report_status(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _handler(request)
    report = _report(actor, pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.report_status_set(
                actor=actor, report=report, status=form.cleaned_data["status"]
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("The status is now “%(status)s”.")
                % {"status": report.get_status_display()},
            )
    return _back_to(report)


@_signed_in
@require_POST
def report_assign(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _handler(request)
    report = _report(actor, pk)
    form = AssignForm(
        request.POST, users=selectors.report_assignable_users(report=report)
    )
    if form.is_valid():
        try:
            services.report_assign(
                actor=actor, report=report, assignee=form.cleaned_data["assignee"]
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The assignment is saved."))
    else:
        messages.error(request, _("Choose a handler of the report's groups."))
    return _back_to(report)


@_signed_in
@require_POST
def report_message(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the reporter a question, or add an internal note."""
    actor = _handler(request)
    report = _report(actor, pk)
    private = keyring.keyring_load(request)
    if private is None:
        return _to_unlock(request, reverse("reporting:report", args=[report.pk]))
    form = MessageForm(request.POST)
    if form.is_valid():
        ask = form.cleaned_data["kind"] == MessageForm.KIND_QUESTION
        try:
            if ask:
                services.report_question_ask(
                    actor=actor,
                    report=report,
                    private=private,
                    text=form.cleaned_data["text"],
                )
            else:
                services.report_note_add(
                    actor=actor,
                    report=report,
                    private=private,
                    text=form.cleaned_data["text"],
                )
        except ApplicationError as exc:
            form.add_error("text", exc.message)
        else:
            messages.success(
                request,
                _("The question is waiting for the reporter.")
                if ask
                else _("The note is added."),
            )
            return _back_to(report)
    return _no_store(
        render(
            request,
            "reporting/report.html",
            _detail_context(request, actor, report, message_form=form),
            status=400,
        )
    )


@_signed_in
@require_POST
def report_forward(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _handler(request)
    report = _report(actor, pk)
    private = keyring.keyring_load(request)
    if private is None:
        return _to_unlock(request, reverse("reporting:report", args=[report.pk]))
    form = ForwardForm(
        request.POST, groups=selectors.forward_targets_for_report(report=report)
    )
    if form.is_valid():
        group = form.cleaned_data["group"]
        try:
            services.report_forward(
                actor=actor,
                report=report,
                private=private,
                group=group,
                note=form.cleaned_data["note"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("The report is forwarded to %(group)s.") % {"group": group.name},
            )
            return _back_to(report)
    return _no_store(
        render(
            request,
            "reporting/report.html",
            _detail_context(request, actor, report, forward_form=form),
            status=400,
        )
    )


def _download(name: str, content_type: str, data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    ascii_name = "".join(
        ch if ch.isascii() and ch.isprintable() and ch not in '"\\;' else "_"
        for ch in name
    )
    response["Content-Disposition"] = f'attachment; filename="{ascii_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return _no_store(response)


@_signed_in
@require_GET
def report_file(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    actor = _handler(request)
    report = _report(actor, pk)
    private = keyring.keyring_load(request)
    if private is None:
        return _to_unlock(request, reverse("reporting:report", args=[report.pk]))
    try:
        name, content_type, data = services.attachment_open(
            actor=actor, report=report, attachment_id=file_pk, private=private
        )
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return _back_to(report)
    return _download(name, content_type, data)


@_signed_in
@require_POST
def report_export(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _handler(request)
    report = _report(actor, pk)
    private = keyring.keyring_load(request)
    if private is None:
        return _to_unlock(request, reverse("reporting:report", args=[report.pk]))
    try:
        name, data = services.report_export(actor=actor, report=report, private=private)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return _back_to(report)
    return _download(name, "application/zip", data)


@_signed_in
@require_http_methods(["GET", "POST"])
def key_page(request: HttpRequest) -> HttpResponse:
    """The handler's key: its fingerprint, and changing the password with it."""
    actor = _handler(request)
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.handler_password_change(
                user=actor,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ApplicationError as exc:
            for name, errors in exc.fields.items():
                target = name if name in form.fields else None
                if name == "password":
                    target = "old_password"
                for error in errors:
                    form.add_error(target, error)
            if not exc.fields:
                form.add_error(None, exc.message)
        else:
            update_session_auth_hash(request, actor)
            messages.success(
                request,
                _("Your password is changed and your reporting key follows it."),
            )
            return redirect("reporting:key")
    key = HandlerKey.objects.filter(user=actor).first()
    from port2port.reporting.crypto import fingerprint

    return _no_store(
        render(
            request,
            "reporting/key.html",
            {
                "form": form,
                "key": key,
                "fingerprint": fingerprint(bytes(key.public_key)) if key else "",
                "unlocked": keyring.keyring_load(request) is not None,
                "groups": selectors.handler_groups_for_user(actor=actor),
            },
        )
    )


@_signed_in
@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    actor = _user(request)
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else None
    try:
        stats = selectors.statistics_for_user(actor=actor, year=year)
    except NotFound:
        raise Http404 from None
    return render(
        request,
        "reporting/statistics.html",
        {"stats": stats, "year": year, "categories": Category.choices},
    )
