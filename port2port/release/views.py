"""Pages of the release module, one per party of the chain, under ``/release/``.

The shipping agent's releases (create, CSV upload, block); the release party's
inbox of transfers (accept, deny, pass on); the transport operator's containers
to assign; the terminal's gate (scan pass and plate, answer, override,
gate-out); the container's timeline; and the webhook subscriptions. Each view
parses the request, calls one service or selector and renders; a refusal is
shown on the form that caused it, a release outside the caller's chains is 404.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from port2port.core.errors import ApplicationError, NotFound
from port2port.core.models import Organisation, Role, User
from port2port.core.scopes import scope_for
from port2port.release import permissions, selectors, services
from port2port.release.forms import (
    AssignForm,
    CsvUploadForm,
    DenyForm,
    GateCheckForm,
    OverrideForm,
    ReasonForm,
    ReleaseForm,
    SubscriptionForm,
    TransferForm,
    form_add_service_error,
)
from port2port.release.models import PickupAttempt, Release, ReleaseTransfer

PAGE_SIZE = 25
RECENT_ATTEMPTS = 20

# The pick-up rules speak English; the gate page shows them in the reader's language.
REASON_LABELS: dict[str, Any] = {
    "RELEASE_NOT_FOUND": gettext_lazy("No release exists for this container."),
    "WRONG_TERMINAL": gettext_lazy("The container is released at another terminal."),
    "RELEASE_WITHDRAWN": gettext_lazy("The shipping agent withdrew the release."),
    "RELEASE_EXPIRED": gettext_lazy("The release has expired."),
    "RELEASE_NOT_YET_VALID": gettext_lazy("The release is not valid yet."),
    "RELEASE_BLOCKED": gettext_lazy("The shipping agent blocked the release."),
    "ALREADY_PICKED_UP": gettext_lazy("The container has already been picked up."),
    "NOT_DISCHARGED": gettext_lazy("The container has not been discharged yet."),
    "TERMINAL_RELEASE_MISSING": gettext_lazy(
        "The terminal has not released the container."
    ),
    "CUSTOMS_NOT_CLEARED": gettext_lazy("Customs has not released the container."),
    "TRANSFER_PENDING": gettext_lazy(
        "A transfer of the release right is waiting for an answer."
    ),
    "NO_DRIVER_ASSIGNED": gettext_lazy(
        "The holder of the release right has assigned no driver."
    ),
    "NO_CREDENTIAL": gettext_lazy("No pass was presented."),
    "UNKNOWN_CREDENTIAL": gettext_lazy("The pass presented is not known."),
    "PASS_NOT_ACTIVE": gettext_lazy(
        "The pass has not been collected or activated yet."
    ),
    "PASS_SUSPENDED": gettext_lazy("The pass is suspended."),
    "PASS_LOST": gettext_lazy("The pass was reported lost or stolen."),
    "PASS_REVOKED": gettext_lazy("The pass has been revoked."),
    "PASS_EXPIRED": gettext_lazy("The pass has expired."),
    "PASS_NOT_ACTIVATED_HERE": gettext_lazy(
        "This terminal has not activated the pass."
    ),
    "PORT_BAN": gettext_lazy("The holder is under a port ban."),
    "BIOMETRIC_REQUIRED": gettext_lazy(
        "A biometric check is required and was not done."
    ),
    "BIOMETRIC_MISMATCH": gettext_lazy(
        "The biometric check did not match the pass holder."
    ),
    "WRONG_DRIVER": gettext_lazy(
        "The driver is not the one assigned to this container."
    ),
    "WRONG_VISIT": gettext_lazy("The barge or train visit is not the one assigned."),
    "PLATE_MISMATCH": gettext_lazy(
        "The truck is not the one assigned to this container."
    ),
    "OUTSIDE_SLOT": gettext_lazy("The pick-up is outside the assigned time slot."),
    "BULLETIN_MATCH": gettext_lazy(
        "The container is named in a shared security bulletin."
    ),
}

LIGHT_LABELS: dict[str, Any] = {
    "commercialRelease": gettext_lazy("Commercial release"),
    "discharge": gettext_lazy("Discharge"),
    "terminalRelease": gettext_lazy("Terminal release"),
    "customs": gettext_lazy("Customs"),
    "overall": gettext_lazy("Overall"),
}

# The services' refusals that these pages can cause, for the translation catalogue.
SERVICE_MESSAGES = (
    gettext_noop("Only the shipping agent's staff can release its containers."),
    gettext_noop("Only a shipping agent can release containers."),
    gettext_noop("The releases are not valid; nothing was created."),
    gettext_noop("The release clashes with an existing one; nothing was created."),
    gettext_noop("The container already has a live release."),
    gettext_noop("This reference is used."),
    gettext_noop("The release must be valid until a later time."),
    gettext_noop("Name 1 to 20 bills of lading."),
    gettext_noop("A bill of lading number is 1 to 35 letters and digits."),
    gettext_noop("Only the shipping agent that released it can change it."),
    gettext_noop("Give a reason."),
    gettext_noop("The release is not blocked."),
    gettext_noop("Only the holder of the release right can transfer it."),
    gettext_noop("The receiver already holds the right."),
    gettext_noop("The release right goes to a forwarder or a transport operator."),
    gettext_noop("A transfer of this release is already waiting for an answer."),
    gettext_noop("Only the receiver can accept the transfer."),
    gettext_noop("Only the receiver can deny the transfer."),
    gettext_noop("Only the sender can revoke the transfer."),
    gettext_noop("The transfer was accepted: the receiver holds the right now."),
    gettext_noop("Only the holder of the release right can assign a driver."),
    gettext_noop(
        "Only a transport operator assigns a driver; transfer the right to one."
    ),
    gettext_noop("A transfer of this release is waiting for an answer."),
    gettext_noop("No active port pass has this number."),
    gettext_noop("A time slot ends after it starts."),
    gettext_noop("Name the barge or train visit reference."),
    gettext_noop("Only the terminal's gate can check pick-ups there."),
    gettext_noop("Write the reason for the override (10 characters or more)."),
    gettext_noop("Only a picked-up container that has not left can be stopped."),
    gettext_noop("Only a picked-up container can gate out."),
    gettext_noop("The address must be an https:// URL."),
    gettext_noop("Only the organisation's administrator can subscribe."),
)


# Helpers -------------------------------------------------------------------------------


def _signed_in(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Like ``login_required``, but send htmx requests to the sign-in page as a whole."""

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


def _render(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the page, or only ``partial`` when htmx asks for it."""
    name = partial if partial is not None and _is_htmx(request) else template
    response = render(request, name, context, status=status)
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
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = fallback
    return HttpResponseRedirect(target)


def _organisations(actor: User, trade: str | None = None) -> list[Organisation]:
    """Return the organisations the caller acts for in the chain (with ``trade``)."""
    orgs = Organisation.objects.filter(
        pk__in=permissions.chain_organisation_ids(actor)
    ).order_by("name")
    if trade:
        orgs = orgs.filter(roles__icontains=f'"{trade}"')
    return list(orgs)


def _organisation(
    request: HttpRequest, actor: User, trade: str | None = None
) -> tuple[Organisation, list[Organisation]]:
    """Return the organisation chosen with ``?org=`` (or the first), and the choices."""
    orgs = _organisations(actor, trade)
    if not orgs:
        raise Http404
    wanted = _int(request.GET.get("org") or request.POST.get("org"))
    chosen = next((o for o in orgs if o.pk == wanted), orgs[0])
    return chosen, orgs


def _decorate_lights(release: Release) -> Release:
    lights = release.lights()
    release.light_items = [  # type: ignore[attr-defined]
        {
            "name": light.name.value,
            "label": LIGHT_LABELS[light.name.value],
            "value": light.value,
            "colour": light.colour.value,
        }
        for light in (
            lights.commercial,
            lights.discharge,
            lights.terminal,
            lights.customs,
        )
    ]
    release.overall = lights.overall.value  # type: ignore[attr-defined]
    return release


def _reason_items(attempt: PickupAttempt) -> list[dict[str, Any]]:
    return [
        {"code": code, "text": REASON_LABELS.get(code, code), "note": False}
        for code in attempt.reason_list
    ] + [
        {"code": code, "text": REASON_LABELS.get(code, code), "note": True}
        for code in attempt.note_list
    ]


def _page(request: HttpRequest, queryset: Any) -> Any:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


# Home -----------------------------------------------------------------------------------


@_signed_in
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Send each party to its own page."""
    actor = _user(request)
    if (
        selectors.terminals_for_user(actor=actor)
        .filter(pk__in=scope_for(actor).facility_ids)
        .exists()
    ):
        return redirect("release:gate")
    for trade, name in (
        (Organisation.Role.SHIPPING_AGENT, "release:agent"),
        (Organisation.Role.TRANSPORT_OPERATOR, "release:assign"),
        (Organisation.Role.FORWARDER, "release:inbox"),
    ):
        if _organisations(actor, trade):
            return redirect(name)
    if selectors.terminals_for_user(actor=actor).exists():
        return redirect("release:gate")
    if permissions.authority_port_ids(actor) or scope_for(actor).is_platform_admin:
        return redirect("release:search")
    raise Http404


# The shipping agent -------------------------------------------------------------------------


def _agent_page(
    request: HttpRequest,
    actor: User,
    agent: Organisation,
    agents: list[Organisation],
    *,
    form: ReleaseForm | None = None,
    upload: CsvUploadForm | None = None,
    upload_problems: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    wanted_status = request.GET.get("status", "")
    if wanted_status not in Release.Status.values:
        wanted_status = ""
    container = request.GET.get("q", "").strip()[:20]
    releases = selectors.release_list_for_user(
        actor=actor, status=wanted_status, container=container
    ).filter(agent=agent)
    page = _page(request, releases)
    for release in page.object_list:
        _decorate_lights(release)
    return _render(
        request,
        "release/agent.html",
        {
            "agent": agent,
            "agents": agents,
            "page": page,
            "status": wanted_status,
            "statuses": Release.Status.choices,
            "q": container,
            "form": form or ReleaseForm(agent=agent),
            "upload": upload or CsvUploadForm(),
            "upload_problems": upload_problems or [],
            "bulk_max": settings.RELEASE_BULK_MAX,
        },
        partial="release/partials/_agent_rows.html",
        status=status,
    )


@_signed_in
@require_GET
def agent(request: HttpRequest) -> HttpResponse:
    """The shipping agent's releases, the release form and the CSV upload."""
    actor = _user(request)
    chosen, agents = _organisation(request, actor, Organisation.Role.SHIPPING_AGENT)
    return _agent_page(request, actor, chosen, agents)


@_signed_in
@require_POST
def agent_create(request: HttpRequest) -> HttpResponse:
    actor = _user(request)
    chosen, agents = _organisation(request, actor, Organisation.Role.SHIPPING_AGENT)
    form = ReleaseForm(request.POST, agent=chosen)
    if form.is_valid():
        try:
            result = services.release_create_bulk(
                actor=actor,
                agent=chosen,
                rows=[form.to_input()],
                source=Release.Source.WEB,
            )
        except ApplicationError as exc:
            form_add_service_error(
                form, exc, {"terminal_id": "terminal", "holder_id": "holder"}
            )
        else:
            messages.success(request, _("The container is released."))
            return redirect("release:detail", pk=result.ids[0])
    return _agent_page(request, actor, chosen, agents, form=form, status=400)


@_signed_in
@require_POST
def agent_upload(request: HttpRequest) -> HttpResponse:
    actor = _user(request)
    chosen, agents = _organisation(request, actor, Organisation.Role.SHIPPING_AGENT)
    upload = CsvUploadForm(request.POST, request.FILES)
    problems: list[str] = []
    if upload.is_valid():
        rows, problems = upload.parse(agent=chosen, limit=settings.RELEASE_BULK_MAX)
        if not problems:
            try:
                result = services.release_create_bulk(
                    actor=actor, agent=chosen, rows=rows, source=Release.Source.CSV
                )
            except ApplicationError as exc:
                problems = [_(exc.message)] + [
                    f"{_('Line')} {_line(name)}: {', '.join(_(m) for m in msgs)}"
                    for name, msgs in exc.fields.items()
                ]
            else:
                messages.success(
                    request,
                    _("%(count)d containers are released.") % {"count": result.count},
                )
                return redirect(f"{reverse('release:agent')}?org={chosen.pk}")
    return _agent_page(
        request,
        actor,
        chosen,
        agents,
        upload=upload,
        upload_problems=problems,
        status=400,
    )


def _line(field: str) -> str:
    """Turn ``releases.3.container_number`` into 'line 5 (container_number)'."""
    parts = field.split(".")
    if len(parts) == 3 and parts[1].isdigit():
        return f"{int(parts[1]) + 2} ({parts[2]})"
    return field


def _release_action(
    request: HttpRequest, pk: int, action: Callable[[User, Release], Any]
) -> HttpResponse:
    actor = _user(request)
    release = _get_or_404(selectors.release_get_for_user, actor=actor, pk=pk)
    try:
        action(actor, release)
    except ApplicationError as exc:
        messages.error(request, _(exc.message))
    return _back(request, reverse("release:detail", args=[release.pk]))


@_signed_in
@require_POST
def release_block(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason to block the release."))
        return _back(request, reverse("release:detail", args=[pk]))
    reason = form.cleaned_data["reason"]

    def block(actor: User, release: Release) -> None:
        services.release_block(actor=actor, release=release, reason=reason)
        messages.success(request, _("The release is blocked."))

    return _release_action(request, pk, block)


@_signed_in
@require_POST
def release_unblock(request: HttpRequest, pk: int) -> HttpResponse:
    def unblock(actor: User, release: Release) -> None:
        services.release_unblock(actor=actor, release=release)
        messages.success(request, _("The release is unblocked."))

    return _release_action(request, pk, unblock)


@_signed_in
@require_POST
def release_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason to withdraw the release."))
        return _back(request, reverse("release:detail", args=[pk]))
    reason = form.cleaned_data["reason"]

    def withdraw(actor: User, release: Release) -> None:
        services.release_withdraw(actor=actor, release=release, reason=reason)
        messages.success(request, _("The release is withdrawn."))

    return _release_action(request, pk, withdraw)


# The release party's inbox -------------------------------------------------------------------


@_signed_in
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """Incoming transfers to answer, and the releases held, to pass on."""
    actor = _user(request)
    chosen, orgs = _organisation(request, actor)
    incoming = list(
        selectors.transfer_list_for_user(
            actor=actor, incoming=True, state=ReleaseTransfer.State.PENDING
        ).filter(receiver=chosen)
    )
    outgoing = list(
        selectors.transfer_list_for_user(
            actor=actor, outgoing=True, state=ReleaseTransfer.State.PENDING
        ).filter(sender=chosen)
    )
    held = selectors.release_list_for_user(actor=actor).filter(
        holder=chosen, status__in=Release.OPEN
    )
    waiting = {t.release_id for t in outgoing}
    page = _page(request, held)
    for release in page.object_list:
        _decorate_lights(release)
        release.waiting = release.pk in waiting  # type: ignore[attr-defined]
        release.transfer_form = TransferForm(  # type: ignore[attr-defined]
            candidates=selectors.holder_candidates(release=release),
            auto_id=f"id_%s_{release.pk}",
        )
    return _render(
        request,
        "release/inbox.html",
        {
            "organisation": chosen,
            "organisations": orgs,
            "incoming": incoming,
            "outgoing": outgoing,
            "page": page,
            "is_transport_operator": permissions.is_transport_operator(chosen),
        },
    )


def _transfer_action(
    request: HttpRequest, pk: int, action: Callable[[User, ReleaseTransfer], Any]
) -> HttpResponse:
    actor = _user(request)
    transfer = _get_or_404(selectors.transfer_get_for_user, actor=actor, pk=pk)
    try:
        action(actor, transfer)
    except ApplicationError as exc:
        messages.error(request, _(exc.message))
    return _back(request, reverse("release:inbox"))


@_signed_in
@require_POST
def transfer_accept(request: HttpRequest, pk: int) -> HttpResponse:
    def accept(actor: User, transfer: ReleaseTransfer) -> None:
        services.transfer_accept(actor=actor, transfer=transfer)
        messages.success(
            request,
            _("You now hold the release of %(container)s.")
            % {"container": transfer.release.container_number},
        )

    return _transfer_action(request, pk, accept)


@_signed_in
@require_POST
def transfer_deny(request: HttpRequest, pk: int) -> HttpResponse:
    form = DenyForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""

    def deny(actor: User, transfer: ReleaseTransfer) -> None:
        services.transfer_deny(actor=actor, transfer=transfer, reason=reason)
        messages.success(request, _("The transfer is denied."))

    return _transfer_action(request, pk, deny)


@_signed_in
@require_POST
def transfer_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    def revoke(actor: User, transfer: ReleaseTransfer) -> None:
        services.transfer_revoke(actor=actor, transfer=transfer)
        messages.success(request, _("The transfer is revoked."))

    return _transfer_action(request, pk, revoke)


@_signed_in
@require_POST
def release_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _user(request)
    release = _get_or_404(selectors.release_get_for_user, actor=actor, pk=pk)
    form = TransferForm(
        request.POST, candidates=selectors.holder_candidates(release=release)
    )
    if not form.is_valid():
        messages.error(request, _("Choose whom to pass the release on to."))
    else:
        try:
            services.transfer_create(
                actor=actor, release=release, receiver=form.cleaned_data["receiver"]
            )
        except ApplicationError as exc:
            messages.error(request, _(exc.message))
        else:
            messages.success(
                request,
                _("The release is offered to %(name)s.")
                % {"name": form.cleaned_data["receiver"].name},
            )
    return _back(request, reverse("release:inbox"))


# The transport operator -------------------------------------------------------------------------


@_signed_in
@require_GET
def assign(request: HttpRequest) -> HttpResponse:
    """The containers the transport operator holds, to assign a driver to."""
    actor = _user(request)
    chosen, orgs = _organisation(request, actor, Organisation.Role.TRANSPORT_OPERATOR)
    held = selectors.release_list_for_user(actor=actor).filter(
        holder=chosen, status__in=Release.OPEN
    )
    page = _page(request, held)
    for release in page.object_list:
        _decorate_lights(release)
        release.assignment = selectors.assignment_current(release=release)  # type: ignore[attr-defined]
        release.assign_form = AssignForm(auto_id=f"id_%s_{release.pk}")  # type: ignore[attr-defined]
    return _render(
        request,
        "release/assign.html",
        {"organisation": chosen, "organisations": orgs, "page": page},
    )


@_signed_in
@require_POST
def release_assign(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _user(request)
    release = _get_or_404(selectors.release_get_for_user, actor=actor, pk=pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            " ".join(str(e) for errors in form.errors.values() for e in errors),
        )
    else:
        data = form.cleaned_data
        try:
            assignment = services.release_assign(
                actor=actor,
                release=release,
                mode=data["mode"],
                pass_number=data["pass_number"],
                plate=data["plate"],
                slot_from=data["slot_from"],
                slot_until=data["slot_until"],
                visit_reference=data["visit_reference"],
            )
        except ApplicationError as exc:
            messages.error(
                request,
                " ".join(
                    [_(exc.message)]
                    + [
                        _(m)
                        for msgs in exc.fields.values()
                        for m in msgs
                        if m != exc.message
                    ]
                ),
            )
        else:
            who = (
                assignment.driver.full_name
                if assignment.driver
                else assignment.visit_reference
            )
            messages.success(
                request,
                _("%(container)s is assigned to %(who)s.")
                % {"container": release.container_number, "who": who},
            )
    return _back(request, reverse("release:assign"))


# The terminal's gate ------------------------------------------------------------------------------


def _gate_context(
    request: HttpRequest,
    actor: User,
    *,
    form: GateCheckForm | None = None,
    result: dict[str, Any] | None = None,
) -> dict[str, Any]:
    terminals = selectors.terminals_for_user(actor=actor)
    if not terminals.exists():
        raise Http404
    attempts = list(selectors.attempt_list_for_user(actor=actor)[:RECENT_ATTEMPTS])
    for attempt in attempts:
        attempt.reason_items = _reason_items(attempt)  # type: ignore[attr-defined]
    return {
        "form": form or GateCheckForm(terminals=terminals),
        "result": result,
        "attempts": attempts,
        "override_form": OverrideForm(),
    }


@_signed_in
@require_GET
def gate(request: HttpRequest) -> HttpResponse:
    """The terminal's gate: scan the pass and the plate, get the answer."""
    actor = _user(request)
    return _render(request, "release/gate.html", _gate_context(request, actor))


@_signed_in
@require_POST
def gate_check(request: HttpRequest) -> HttpResponse:
    actor = _user(request)
    terminals = selectors.terminals_for_user(actor=actor)
    form = GateCheckForm(request.POST, terminals=terminals)
    result = None
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        try:
            outcome = services.pickup_check(
                actor=actor,
                terminal=data["terminal"],
                container_number=data["container_number"],
                credential=data["credential"] or None,
                biometric=data["biometric"],
                plate=data["plate"] or None,
                visit_reference=data["visit_reference"] or None,
            )
        except ApplicationError as exc:
            form_add_service_error(form, exc)
            status = 400
        else:
            attempt = outcome.attempt
            attempt.reason_items = _reason_items(attempt)  # type: ignore[attr-defined]
            result = {
                "attempt": attempt,
                "person_name": outcome.person_name,
                "release": outcome.release,
            }
            form = GateCheckForm(
                terminals=terminals, initial={"terminal": data["terminal"].pk}
            )
    else:
        status = 400
    context = _gate_context(request, actor, form=form, result=result)
    return _render(
        request,
        "release/gate.html",
        context,
        partial="release/partials/_gate_check.html",
        status=status if not _is_htmx(request) else 200,
    )


@_signed_in
@require_POST
def attempt_override(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _user(request)
    attempt = _get_or_404(selectors.attempt_get_for_user, actor=actor, pk=pk)
    form = OverrideForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("Choose the decision and write the reason (10 characters or more)."),
        )
    else:
        try:
            services.pickup_override(
                actor=actor,
                attempt=attempt,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as exc:
            messages.error(request, _(exc.message))
        else:
            messages.success(request, _("The override is recorded."))
    return _back(request, reverse("release:gate"))


@_signed_in
@require_POST
def release_gate_out(request: HttpRequest, pk: int) -> HttpResponse:
    def gate_out(actor: User, release: Release) -> None:
        services.release_gate_out(actor=actor, release=release)
        messages.success(
            request,
            _("%(container)s has left the terminal.")
            % {"container": release.container_number},
        )

    return _release_action(request, pk, gate_out)


# The timeline -------------------------------------------------------------------------------------


@_signed_in
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A container's release and its whole timeline."""
    actor = _user(request)
    release = _get_or_404(selectors.release_get_for_user, actor=actor, pk=pk)
    _decorate_lights(release)
    events = selectors.timeline_for_user(actor=actor, release=release)
    for event in events:
        reasons = event.details.get("reasons") or []
        event.reason_texts = [REASON_LABELS.get(r, r) for r in reasons]  # type: ignore[attr-defined]
        light = event.details.get("light")
        event.light_label = LIGHT_LABELS.get(light, light) if light else ""  # type: ignore[attr-defined]
    orgs = permissions.chain_organisation_ids(actor)
    return _render(
        request,
        "release/detail.html",
        {
            "release": release,
            "events": events,
            "overrides": selectors.overrides_for_release(actor=actor, release=release),
            "assignment": selectors.assignment_current(release=release),
            "is_agent": release.agent_id in orgs or scope_for(actor).is_platform_admin,
            "is_terminal": permissions.acts_for_terminal(actor, release.terminal),
        },
    )


@_signed_in
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Find a container among the chains the caller may see (police, customs, parties)."""
    actor = _user(request)
    container = request.GET.get("q", "").strip()[:20]
    releases = selectors.release_list_for_user(actor=actor, container=container)
    page = _page(request, releases)
    for release in page.object_list:
        _decorate_lights(release)
    return _render(
        request,
        "release/search.html",
        {"page": page, "q": container},
    )


# Webhooks ----------------------------------------------------------------------------------------


@_signed_in
@require_http_methods(["GET", "POST"])
def webhooks(request: HttpRequest) -> HttpResponse:
    """The organisation's webhook subscriptions and their deliveries."""
    actor = _user(request)
    scope = scope_for(actor)
    admin_of = sorted(
        {g.organisation_id for g in scope.grants if g.role == Role.COMPANY_ADMIN}
    )
    if not admin_of:
        raise Http404
    organisation = Organisation.objects.get(pk=admin_of[0])
    form = SubscriptionForm(request.POST or None)
    secret = ""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _, secret = services.webhook_subscription_create(
                    actor=actor,
                    organisation=organisation,
                    url=form.cleaned_data["url"],
                    events=form.cleaned_data["events"],
                )
            except ApplicationError as exc:
                form_add_service_error(form, exc)
                status = 400
            else:
                form = SubscriptionForm()
        else:
            status = 400
    return _render(
        request,
        "release/webhooks.html",
        {
            "organisation": organisation,
            "subscriptions": selectors.subscription_list_for_user(actor=actor),
            "deliveries": selectors.delivery_list_for_user(actor=actor)[:50],
            "form": form,
            "secret": secret,
        },
        status=status,
    )


@_signed_in
@require_POST
def webhook_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _user(request)
    subscription = _get_or_404(selectors.subscription_get_for_user, actor=actor, pk=pk)
    try:
        services.webhook_subscription_deactivate(actor=actor, subscription=subscription)
    except ApplicationError as exc:
        messages.error(request, _(exc.message))
    else:
        messages.success(request, _("The subscription is stopped."))
    return redirect("release:webhooks")
