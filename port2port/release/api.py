"""The release API: releases, transfers, assignments, lights, pick-ups, webhooks."""

import datetime as dt
from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Header, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import AwareDatetime

from port2port.core import selectors as core_selectors
from port2port.core.api import Id, InSchema, Page, _ref
from port2port.core.apikit import actor_of
from port2port.core.errors import InvalidInput, field_error
from port2port.core.models import Facility, Organisation
from port2port.core.scopes import Actor, scope_for
from port2port.release import permissions, selectors, services
from port2port.release.models import (
    DriverAssignment,
    PickupOverride,
    Release,
    ReleaseEvent,
    ReleaseTransfer,
    WebhookDelivery,
    WebhookSubscription,
)
from port2port.release.pickup import REASON_TEXT, PickupReason

router = Router(tags=["release"])

READ = "registry:read"
WRITE = "registry:write"
DECIDE = "gate:decide"

CustomsStatus = Literal[
    "notreleased",
    "selectedforscan",
    "released",
    "transhipment",
    "portequalisation",
    "favv",
    "documentarycontrol",
    "partiallycleared",
    "gateoutreceived",
]
ReleaseStatus = Literal[
    "active", "blocked", "withdrawn", "expired", "picked_up", "gated_out", "closed"
]
LightColour = Literal["green", "yellow", "red", "grey"]
EventType = Literal[
    "ReleaseLightChanged",
    "ReleaseTransferRequested",
    "ReleaseTransferAccepted",
    "ReleaseTransferDenied",
    "ReleaseTransferRevoked",
]
BillOfLading = Field(..., min_length=1, max_length=35)


def _agent(actor: Actor, agent_id: int | None) -> Organisation:
    """Return the shipping agent the caller acts for (the one named, or its only one)."""
    orgs = permissions.chain_organisation_ids(actor)
    if agent_id is None:
        agents = list(
            Organisation.objects.filter(
                pk__in=orgs, roles__icontains=f'"{Organisation.Role.SHIPPING_AGENT}"'
            ).order_by("pk")[:2]
        )
        if len(agents) != 1:
            raise field_error(
                "agent_id",
                "Name the shipping agent you act for."
                if agents
                else "You do not act for a shipping agent.",
            )
        return agents[0]
    if agent_id not in orgs and not scope_for(actor).is_platform_admin:
        raise InvalidInput(
            "Unknown shipping agent.", fields={"agent_id": ["not found"]}
        )
    try:
        return Organisation.objects.get(pk=agent_id)
    except Organisation.DoesNotExist:
        raise InvalidInput(
            "Unknown shipping agent.", fields={"agent_id": ["not found"]}
        ) from None


def _organisation(field: str, pk: int) -> Organisation:
    """Return a party named by id; parties of a chain are known to each other."""
    try:
        return Organisation.objects.get(pk=pk)
    except Organisation.DoesNotExist:
        raise InvalidInput(
            f"Unknown {field.replace('_id', '')}.", fields={field: ["not found"]}
        ) from None


# Schemas ----------------------------------------------------------------------------


class PartyOut(Schema):
    id: int
    name: str


class TerminalOut(Schema):
    id: int
    code: str
    name: str


class LightsOut(Schema):
    commercialRelease: str
    discharge: str
    terminalRelease: str
    customs: str
    overall: LightColour


class ReleaseOut(Schema):
    id: int
    public_id: str
    reference: str
    container_number: str
    bills_of_lading: list[str]
    agent: PartyOut
    carrier: PartyOut
    holder: PartyOut
    port: str
    terminal: TerminalOut
    status: ReleaseStatus
    block_reason: str
    valid_from: dt.datetime
    valid_until: dt.datetime
    customs_status: CustomsStatus
    discharged_at: dt.datetime | None
    terminal_released_at: dt.datetime | None
    picked_up_at: dt.datetime | None
    gated_out_at: dt.datetime | None
    closed_at: dt.datetime | None
    lights: LightsOut
    source: str
    created_at: dt.datetime

    @staticmethod
    def resolve_public_id(obj: Release) -> str:
        return str(obj.public_id)

    @staticmethod
    def resolve_port(obj: Release) -> str:
        return obj.port.locode

    @staticmethod
    def resolve_lights(obj: Release) -> dict[str, str]:
        return obj.lights().values()


class ReleaseItemIn(InSchema):
    container_number: str = Field(
        ..., min_length=4, max_length=20, examples=["CSQU3054383"]
    )
    bills_of_lading: list[str] = Field(..., min_length=1, max_length=20)
    terminal_id: Id
    holder_id: Id
    carrier_id: Id | None = None
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime
    reference: str = Field("", max_length=35)


class ReleaseIn(ReleaseItemIn):
    agent_id: Id | None = None


class ReleaseBulkIn(InSchema):
    agent_id: Id | None = None
    releases: list[ReleaseItemIn] = Field(
        ..., min_length=1, max_length=settings.RELEASE_BULK_MAX
    )


class BulkOut(Schema):
    created: int
    ids: list[int]


class CoreorIn(InSchema):
    agent_id: Id | None = None
    interchange: str = Field(
        ...,
        min_length=10,
        max_length=2_000_000,
        description="An EDIFACT interchange (UNB … UNZ) of COREOR messages, D95B or D04A.",
    )


class CoreorOut(Schema):
    created: list[int]
    updated: list[int]
    withdrawn: list[int]


class ReleasePatch(InSchema):
    valid_until: AwareDatetime | None = None
    terminal_id: Id | None = None
    bills_of_lading: list[str] | None = Field(None, min_length=1, max_length=20)
    carrier_id: Id | None = None


class ReasonIn(InSchema):
    reason: str = Field(..., min_length=3, max_length=300)


class TransferIn(InSchema):
    receiver_id: Id


class TransferOut(Schema):
    id: int
    release_id: int
    container_number: str
    sender: PartyOut
    receiver: PartyOut
    state: Literal["pending", "accepted", "denied", "revoked"]
    created_at: dt.datetime
    decided_at: dt.datetime | None
    reason: str

    @staticmethod
    def resolve_container_number(obj: ReleaseTransfer) -> str:
        return obj.release.container_number


class DenyIn(InSchema):
    reason: str = Field("", max_length=300)


class AssignIn(InSchema):
    mode: Literal["truck", "barge", "rail"] = "truck"
    pass_number: str | None = Field(
        None, min_length=1, max_length=40, description="The driver's port pass"
    )
    plate: str | None = Field(None, min_length=1, max_length=20)
    plate_country: str = Field("BE", pattern=r"^[A-Za-z]{2}$")
    slot_from: AwareDatetime | None = None
    slot_until: AwareDatetime | None = None
    visit_reference: str | None = Field(
        None, min_length=1, max_length=40, description="Barge or train visit"
    )


class AssignmentOut(Schema):
    id: int
    release_id: int
    mode: Literal["truck", "barge", "rail"]
    transport_operator_id: int
    driver_id: int | None
    driver_name: str
    plate: str
    slot_from: dt.datetime | None
    slot_until: dt.datetime | None
    visit_reference: str
    assigned_at: dt.datetime

    @staticmethod
    def resolve_driver_name(obj: DriverAssignment) -> str:
        return obj.driver.full_name if obj.driver else ""


class TerminalStatusIn(InSchema):
    discharged: bool | None = None
    terminal_released: bool | None = None


class ContainerTerminalStatusIn(InSchema):
    terminal_id: Id | None = Field(
        None, description="Defaults to the facility of the terminal's token"
    )
    container_number: str = Field(..., min_length=4, max_length=20)
    discharged: bool | None = None
    terminal_released: bool | None = None


class ContainerTerminalStatusOut(Schema):
    container_number: str
    release_id: int | None = Field(
        None, description="The live release the report changed, if there is one"
    )
    recorded_before_release: bool = Field(
        ..., description="Kept for the release to come: none exists at the terminal"
    )
    discharged: bool
    terminal_released: bool


class CustomsStatusIn(InSchema):
    status: CustomsStatus


class PickupIn(InSchema):
    terminal_id: Id | None = Field(
        None, description="Defaults to the facility of the gate's token"
    )
    container_number: str = Field(..., min_length=4, max_length=20)
    credential: str | None = Field(
        None, min_length=1, max_length=64, description="The driver's pass number"
    )
    biometric: Literal["match", "no_match", "not_checked"] = "not_checked"
    plate: str | None = Field(
        None, min_length=1, max_length=20, description="ANPR read"
    )
    visit_reference: str | None = Field(None, min_length=1, max_length=40)


class ReasonOut(Schema):
    code: str
    text: str


class PickupOut(Schema):
    allowed: bool
    reasons: list[ReasonOut]
    notes: list[ReasonOut]
    attempt_id: int
    release_id: int | None
    container_number: str
    person_id: int | None
    person_name: str
    at: dt.datetime


class OverrideIn(InSchema):
    decision: Literal["allow", "deny"]
    reason: str = Field(..., min_length=10, max_length=2000)


class OverrideOut(Schema):
    id: int
    attempt_id: int
    release_id: int
    decision: Literal["allow", "deny"]
    reason: str
    at: dt.datetime
    by: str
    refused_for: list[str]

    @staticmethod
    def resolve_by(obj: PickupOverride) -> str:
        return obj.actor_label

    @staticmethod
    def resolve_refused_for(obj: PickupOverride) -> list[str]:
        return obj.attempt.reason_list


class EventOut(Schema):
    at: dt.datetime
    kind: str
    label: str
    organisation_id: int | None
    organisation_name: str
    actor: str
    details: dict[str, Any]

    @staticmethod
    def resolve_label(obj: ReleaseEvent) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_organisation_name(obj: ReleaseEvent) -> str:
        return obj.organisation.name if obj.organisation else ""

    @staticmethod
    def resolve_actor(obj: ReleaseEvent) -> str:
        return obj.actor_label


class TimelineOut(Schema):
    release: ReleaseOut
    events: list[EventOut]
    overrides: list[OverrideOut]


class ReleaseFilters(Schema):
    status: ReleaseStatus | None = None
    light: LightColour | None = None
    container: str = Field("", max_length=20)
    terminal: Id | None = None
    held: bool = False
    issued: bool = False


class TransferFilters(Schema):
    incoming: bool = False
    outgoing: bool = False
    state: Literal["pending", "accepted", "denied", "revoked"] | None = None


class SubscriptionIn(InSchema):
    organisation_id: Id | None = None
    url: str = Field(..., min_length=10, max_length=500)
    events: list[EventType] = Field(default_factory=list, max_length=10)


class SubscriptionOut(Schema):
    id: int
    organisation_id: int
    url: str
    events: list[str]
    active: bool
    created_at: dt.datetime


class SubscriptionCreatedOut(SubscriptionOut):
    secret: str = Field(..., description="Shown once: keep it to check signatures")


class DeliveryOut(Schema):
    id: int
    subscription_id: int
    event_id: str
    event_type: str
    release_id: int | None
    state: Literal["pending", "delivered", "failed"]
    attempts: int
    last_status_code: int | None
    last_error: str
    next_attempt_at: dt.datetime | None
    delivered_at: dt.datetime | None
    created_at: dt.datetime

    @staticmethod
    def resolve_event_id(obj: WebhookDelivery) -> str:
        return str(obj.event_id)


class DeliveryFilters(Schema):
    subscription: Id | None = None
    state: Literal["pending", "delivered", "failed"] | None = None


class FraudSignalOut(Schema):
    id: int
    kind: str
    at: dt.datetime
    release_id: int | None
    attempt_id: int | None
    terminal_id: int
    port_id: int
    container_number: str
    person_id: int | None
    details: dict[str, Any]


# Releases ------------------------------------------------------------------------------


def _release(
    request: HttpRequest, release_id: int, permission: str
) -> tuple[Actor, Release]:
    actor = actor_of(request, permission)
    return actor, selectors.release_get_for_user(actor=actor, pk=release_id)


@router.get(
    "/releases", response=list[ReleaseOut], summary="List the releases of my chains"
)
@paginate(Page)
def release_list(request: HttpRequest, filters: Query[ReleaseFilters]) -> Any:
    return selectors.release_list_for_user(
        actor=actor_of(request, READ),
        status=filters.status or "",
        light=filters.light or "",
        container=filters.container,
        terminal=filters.terminal,
        held=filters.held,
        issued=filters.issued,
    )


@router.post(
    "/releases",
    response={201: ReleaseOut},
    summary="Release a container",
    description=(
        "The shipping agent releases one container (ISO 6346 number with its check "
        "digit) to its first holder, a forwarder or transport operator. The "
        "reference is the agent's release number: sending the same one again is a "
        "409, so a retry never releases twice."
    ),
)
def release_create(request: HttpRequest, payload: ReleaseIn) -> tuple[int, Release]:
    actor = actor_of(request, WRITE)
    agent = _agent(actor, payload.agent_id)
    result = services.release_create_bulk(
        actor=actor,
        agent=agent,
        rows=[_input(payload)],
        source=Release.Source.API,
    )
    return 201, selectors.release_get_for_user(actor=actor, pk=result.ids[0])


def _input(item: ReleaseItemIn) -> services.ReleaseInput:
    return services.ReleaseInput(
        container_number=item.container_number,
        terminal_id=item.terminal_id,
        holder_id=item.holder_id,
        carrier_id=item.carrier_id,
        valid_from=item.valid_from,
        valid_until=item.valid_until,
        bills_of_lading=item.bills_of_lading,
        reference=item.reference,
    )


@router.post(
    "/releases/bulk",
    response={201: BulkOut},
    summary="Release many containers at once",
    description=(
        "All or nothing: one invalid release refuses the request, naming "
        "`releases.<index>.<field>`."
    ),
)
def release_bulk(
    request: HttpRequest, payload: ReleaseBulkIn
) -> tuple[int, dict[str, Any]]:
    actor = actor_of(request, WRITE)
    agent = _agent(actor, payload.agent_id)
    result = services.release_create_bulk(
        actor=actor,
        agent=agent,
        rows=[_input(item) for item in payload.releases],
        source=Release.Source.API,
    )
    return 201, {"created": result.count, "ids": result.ids}


@router.post(
    "/releases/coreor",
    response={201: CoreorOut},
    summary="Import an EDIFACT COREOR interchange",
    description=(
        "Originals create releases, replacements change them, cancellations "
        "withdraw them; all or nothing."
    ),
)
def release_coreor(request: HttpRequest, payload: CoreorIn) -> tuple[int, Any]:
    actor = actor_of(request, WRITE)
    agent = _agent(actor, payload.agent_id)
    result = services.release_import_coreor(
        actor=actor, agent=agent, interchange=payload.interchange
    )
    return 201, result


@router.get("/releases/{int:release_id}", response=ReleaseOut, summary="Get a release")
def release_detail(request: HttpRequest, release_id: int) -> Release:
    return _release(request, release_id, READ)[1]


@router.patch(
    "/releases/{int:release_id}", response=ReleaseOut, summary="Change a release"
)
def release_update(
    request: HttpRequest, release_id: int, payload: ReleasePatch
) -> Release:
    actor, release = _release(request, release_id, WRITE)
    terminal = None
    if payload.terminal_id is not None:
        terminal = _ref(
            "terminal_id",
            core_selectors.facility_for_announcement,
            actor=actor,
            pk=payload.terminal_id,
        )
    return services.release_update(
        actor=actor,
        release=release,
        valid_until=payload.valid_until,
        terminal=terminal,
        bills_of_lading=payload.bills_of_lading,
        carrier=_organisation("carrier_id", payload.carrier_id)
        if payload.carrier_id
        else None,
    )


@router.post(
    "/releases/{int:release_id}/block", response=ReleaseOut, summary="Block a release"
)
def release_block(request: HttpRequest, release_id: int, payload: ReasonIn) -> Release:
    actor, release = _release(request, release_id, WRITE)
    return services.release_block(actor=actor, release=release, reason=payload.reason)


@router.post(
    "/releases/{int:release_id}/unblock",
    response=ReleaseOut,
    summary="Unblock a release",
)
def release_unblock(request: HttpRequest, release_id: int) -> Release:
    actor, release = _release(request, release_id, WRITE)
    return services.release_unblock(actor=actor, release=release)


@router.post(
    "/releases/{int:release_id}/withdraw",
    response=ReleaseOut,
    summary="Withdraw a release",
)
def release_withdraw(
    request: HttpRequest, release_id: int, payload: ReasonIn
) -> Release:
    actor, release = _release(request, release_id, WRITE)
    return services.release_withdraw(
        actor=actor, release=release, reason=payload.reason
    )


# Transfers -----------------------------------------------------------------------------


@router.post(
    "/releases/{int:release_id}/transfers",
    response={201: TransferOut},
    summary="Offer the release right to another party",
)
def transfer_create(
    request: HttpRequest, release_id: int, payload: TransferIn
) -> tuple[int, ReleaseTransfer]:
    actor, release = _release(request, release_id, WRITE)
    receiver = _organisation("receiver_id", payload.receiver_id)
    return 201, services.transfer_create(
        actor=actor, release=release, receiver=receiver
    )


@router.get(
    "/releases/transfers",
    response=list[TransferOut],
    summary="List the transfers sent or received (incoming: the inbox)",
)
@paginate(Page)
def transfer_list(request: HttpRequest, filters: Query[TransferFilters]) -> Any:
    return selectors.transfer_list_for_user(
        actor=actor_of(request, READ),
        incoming=filters.incoming,
        outgoing=filters.outgoing,
        state=filters.state or "",
    )


def _transfer(request: HttpRequest, transfer_id: int) -> tuple[Actor, ReleaseTransfer]:
    actor = actor_of(request, WRITE)
    return actor, selectors.transfer_get_for_user(actor=actor, pk=transfer_id)


@router.post(
    "/releases/transfers/{int:transfer_id}/accept",
    response=TransferOut,
    summary="Accept an offered release right",
)
def transfer_accept(request: HttpRequest, transfer_id: int) -> ReleaseTransfer:
    actor, transfer = _transfer(request, transfer_id)
    return services.transfer_accept(actor=actor, transfer=transfer)


@router.post(
    "/releases/transfers/{int:transfer_id}/deny",
    response=TransferOut,
    summary="Deny an offered release right",
)
def transfer_deny(
    request: HttpRequest, transfer_id: int, payload: DenyIn
) -> ReleaseTransfer:
    actor, transfer = _transfer(request, transfer_id)
    return services.transfer_deny(actor=actor, transfer=transfer, reason=payload.reason)


@router.post(
    "/releases/transfers/{int:transfer_id}/revoke",
    response=TransferOut,
    summary="Revoke an offer that is not accepted yet",
)
def transfer_revoke(request: HttpRequest, transfer_id: int) -> ReleaseTransfer:
    actor, transfer = _transfer(request, transfer_id)
    return services.transfer_revoke(actor=actor, transfer=transfer)


# Assignment, terminal, customs -------------------------------------------------------------


@router.post(
    "/releases/{int:release_id}/assignment",
    response={201: AssignmentOut},
    summary="Assign the driver (truck) or the barge or train visit",
)
def release_assign(
    request: HttpRequest, release_id: int, payload: AssignIn
) -> tuple[int, DriverAssignment]:
    actor, release = _release(request, release_id, WRITE)
    return 201, services.release_assign(
        actor=actor,
        release=release,
        mode=payload.mode,
        pass_number=payload.pass_number or "",
        plate=payload.plate or "",
        plate_country=payload.plate_country,
        slot_from=payload.slot_from,
        slot_until=payload.slot_until,
        visit_reference=payload.visit_reference or "",
    )


@router.post(
    "/releases/{int:release_id}/terminal-status",
    response=ReleaseOut,
    summary="Report discharge and terminal release (the terminal)",
)
def release_terminal_status(
    request: HttpRequest, release_id: int, payload: TerminalStatusIn
) -> Release:
    actor, release = _release(request, release_id, WRITE)
    if payload.discharged is None and payload.terminal_released is None:
        raise field_error("discharged", "Report discharged, terminal_released or both.")
    return services.release_terminal_report(
        actor=actor,
        release=release,
        discharged=payload.discharged,
        terminal_released=payload.terminal_released,
    )


@router.post(
    "/releases/terminal-status",
    response=ContainerTerminalStatusOut,
    summary="Report discharge and terminal release by container number (the terminal)",
    description=(
        "For a container with a live release at the terminal this is that "
        "release's report. A container is often discharged before the shipping "
        "agent releases it: the report is then kept and carried onto the release "
        "when it is created at this terminal (its lights and timeline show it)."
    ),
)
def container_terminal_status(
    request: HttpRequest, payload: ContainerTerminalStatusIn
) -> dict[str, Any]:
    actor = actor_of(request, WRITE)
    terminal = _terminal(actor, payload.terminal_id)
    report = services.container_terminal_report(
        actor=actor,
        terminal=terminal,
        container_number=payload.container_number,
        discharged=payload.discharged,
        terminal_released=payload.terminal_released,
    )
    held = report.release or report.status
    return {
        "container_number": report.container_number,
        "release_id": report.release.pk if report.release else None,
        "recorded_before_release": report.release is None,
        "discharged": held is not None and held.discharged_at is not None,
        "terminal_released": held is not None and held.terminal_released_at is not None,
    }


@router.post(
    "/releases/{int:release_id}/customs-status",
    response=ReleaseOut,
    summary="Report the customs status (customs)",
)
def release_customs_status(
    request: HttpRequest, release_id: int, payload: CustomsStatusIn
) -> Release:
    actor, release = _release(request, release_id, WRITE)
    return services.release_customs_report(
        actor=actor, release=release, status=payload.status
    )


@router.get(
    "/releases/{int:release_id}/timeline",
    response=TimelineOut,
    summary="The whole history of a container's release",
    description="Readable by the parties of the chain, police and customs.",
)
def release_timeline(request: HttpRequest, release_id: int) -> dict[str, Any]:
    actor, release = _release(request, release_id, READ)
    return {
        "release": release,
        "events": selectors.timeline_for_user(actor=actor, release=release),
        "overrides": selectors.overrides_for_release(actor=actor, release=release),
    }


# The gate ---------------------------------------------------------------------------------


def _terminal(actor: Actor, terminal_id: int | None) -> Facility:
    """Return the named terminal, or the one facility of the caller (a gate's token)."""
    if terminal_id is None:
        facilities = scope_for(actor).facility_ids
        if len(facilities) != 1:
            raise field_error("terminal_id", "Name the terminal.")
        terminal_id = next(iter(facilities))
    return selectors.terminal_get_for_user(actor=actor, pk=terminal_id)


def _pickup_out(outcome: services.PickupOutcome) -> dict[str, Any]:
    attempt = outcome.attempt
    return {
        "allowed": attempt.allowed,
        "reasons": [
            {"code": code, "text": REASON_TEXT.get(PickupReason(code), code)}
            for code in attempt.reason_list
        ],
        "notes": [
            {"code": code, "text": REASON_TEXT.get(PickupReason(code), code)}
            for code in attempt.note_list
        ],
        "attempt_id": attempt.pk,
        "release_id": attempt.release_id,
        "container_number": attempt.container_number,
        "person_id": attempt.person_id,
        "person_name": outcome.person_name,
        "at": attempt.at,
    }


@router.post(
    "/releases/pickups",
    response=PickupOut,
    summary="May this driver take this container now?",
    description=(
        "The terminal's gate sends the container, the driver's pass, the reader's "
        "biometric result and the ANPR plate. An allowed answer is the pick-up: it "
        "is single use. A refusal lists every reason. Send an `Idempotency-Key` "
        "header to retry safely: the stored answer is returned."
    ),
)
def pickup_check(
    request: HttpRequest,
    payload: PickupIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=64),
) -> dict[str, Any]:
    actor = actor_of(request, DECIDE)
    terminal = _terminal(actor, payload.terminal_id)
    outcome = services.pickup_check(
        actor=actor,
        terminal=terminal,
        container_number=payload.container_number,
        credential=payload.credential,
        biometric=payload.biometric,
        plate=payload.plate,
        visit_reference=payload.visit_reference,
        request_id=idempotency_key or "",
    )
    return _pickup_out(outcome)


@router.post(
    "/releases/pickups/{int:attempt_id}/override",
    response={201: OverrideOut},
    summary="Overrule a pick-up decision with a written reason (the terminal)",
)
def pickup_override(
    request: HttpRequest, attempt_id: int, payload: OverrideIn
) -> tuple[int, PickupOverride]:
    actor = actor_of(request, DECIDE)
    attempt = selectors.attempt_get_for_user(actor=actor, pk=attempt_id)
    return 201, services.pickup_override(
        actor=actor, attempt=attempt, decision=payload.decision, reason=payload.reason
    )


@router.post(
    "/releases/{int:release_id}/gate-out",
    response=ReleaseOut,
    summary="Confirm the container left the terminal",
)
def release_gate_out(request: HttpRequest, release_id: int) -> Release:
    actor, release = _release(request, release_id, DECIDE)
    return services.release_gate_out(actor=actor, release=release)


@router.get(
    "/releases/fraud-signals",
    response=list[FraudSignalOut],
    summary="Suspicious pick-up attempts (police, customs, port officers, terminals)",
)
@paginate(Page)
def fraud_signal_list(request: HttpRequest) -> Any:
    return selectors.fraud_signal_list_for_user(actor=actor_of(request, READ))


# Webhooks ---------------------------------------------------------------------------------


@router.get(
    "/releases/webhooks",
    response=list[SubscriptionOut],
    summary="List my organisations' webhook subscriptions",
)
@paginate(Page)
def subscription_list(request: HttpRequest) -> Any:
    return selectors.subscription_list_for_user(actor=actor_of(request, READ))


@router.post(
    "/releases/webhooks",
    response={201: SubscriptionCreatedOut},
    summary="Subscribe an https endpoint to release events",
    description=(
        "Every event is POSTed as JSON with the headers `Port2Port-Event`, "
        "`Port2Port-Event-Id` and `Port2Port-Signature: t=<unix time>,v1=<hex>`, "
        "the HMAC-SHA256 of `<t>.<body>` under the secret returned here (once). "
        "Failed deliveries are retried with exponential backoff; the event id is "
        "the same on every retry."
    ),
)
def subscription_create(
    request: HttpRequest, payload: SubscriptionIn
) -> tuple[int, Any]:
    actor = actor_of(request, WRITE)
    organisation_id = payload.organisation_id
    if organisation_id is None:
        admin_of = sorted(
            g.organisation_id
            for g in scope_for(actor).grants
            if g.role == "company_admin"
        )
        if len(set(admin_of)) != 1:
            raise field_error("organisation_id", "Name the organisation.")
        organisation_id = admin_of[0]
    organisation = _organisation("organisation_id", organisation_id)
    subscription, secret = services.webhook_subscription_create(
        actor=actor, organisation=organisation, url=payload.url, events=payload.events
    )
    return 201, {
        "id": subscription.pk,
        "organisation_id": subscription.organisation_id,
        "url": subscription.url,
        "events": subscription.events,
        "active": subscription.active,
        "created_at": subscription.created_at,
        "secret": secret,
    }


@router.delete(
    "/releases/webhooks/{int:subscription_id}",
    response=SubscriptionOut,
    summary="Stop a webhook subscription",
)
def subscription_delete(
    request: HttpRequest, subscription_id: int
) -> WebhookSubscription:
    actor = actor_of(request, WRITE)
    subscription = selectors.subscription_get_for_user(actor=actor, pk=subscription_id)
    return services.webhook_subscription_deactivate(
        actor=actor, subscription=subscription
    )


@router.get(
    "/releases/webhooks/deliveries",
    response=list[DeliveryOut],
    summary="List the deliveries of my organisations' subscriptions",
)
@paginate(Page)
def delivery_list(request: HttpRequest, filters: Query[DeliveryFilters]) -> Any:
    return selectors.delivery_list_for_user(
        actor=actor_of(request, READ),
        subscription=filters.subscription,
        state=filters.state or "",
    )
