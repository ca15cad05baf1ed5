"""The access API: gate decisions, offline lists, passes, screening, bans, grants, visits."""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Header, Query, Router, Schema
from ninja.pagination import paginate

from port2port.access import gate, selectors, services
from port2port.access.models import (
    AccessEvent,
    AccessGrant,
    LateBanAlert,
    PortBan,
    PortPass,
    Schedule,
    TruckAppointment,
    Visit,
)
from port2port.core import selectors as core_selectors
from port2port.core.api import Id, InSchema, Page, _ref
from port2port.core.apikit import actor_of
from port2port.core.errors import InvalidInput
from port2port.core.models import Person
from port2port.gate import REASON_TEXT, Reason
from port2port.lib.identifiers import InvalidIdentifier, plate_normalise
from port2port.lib.qr import qr_svg

router = Router(tags=["access"])

READ = "registry:read"
WRITE = "registry:write"
DECIDE = "gate:decide"


# Gate decisions -----------------------------------------------------------------------


class DecisionIn(InSchema):
    credential: str | None = Field(
        None,
        min_length=1,
        max_length=400,
        description="Pass number or day-pass QR token",
    )
    plate: str | None = Field(
        None, min_length=1, max_length=20, description="As read by ANPR"
    )
    plate_country: str = Field("BE", pattern=r"^[A-Za-z]{2}$")
    biometric: Literal["match", "no_match", "not_checked"] = "not_checked"
    direction: Literal["in", "out"] = "in"
    escorted: bool = False
    device_time: dt.datetime | None = None


class ReasonOut(Schema):
    code: str
    text: str


class DecisionOut(Schema):
    allowed: bool
    reasons: list[ReasonOut]
    person_id: int | None
    person_name: str
    photo_ref: str
    via: str
    decision_id: int
    policy_version: int


def _decision_out(decision: Any, event: AccessEvent) -> dict[str, Any]:
    return {
        "allowed": event.allowed,
        "reasons": [
            {"code": code, "text": REASON_TEXT.get(Reason(code), code)}
            for code in event.reason_list
        ],
        "person_id": event.person_id,
        "person_name": decision.person_name if decision else "",
        "photo_ref": decision.photo_ref if decision else "",
        "via": event.via,
        "decision_id": event.pk,
        "policy_version": event.policy_version,
    }


@router.post(
    "/access-points/{int:access_point_id}/decisions",
    response=DecisionOut,
    summary="Decide whether to open an access point",
    description=(
        "A gate controller sends the credential (a pass number or a day-pass QR "
        "token) and/or the plate read by ANPR, the biometric result of the reader "
        "(templates never leave the card) and the direction. An unknown credential "
        "is a deny with a reason, not an error. Every decision is stored. Send an "
        "`Idempotency-Key` header to retry safely: the stored decision is returned."
    ),
)
def decision_create(
    request: HttpRequest,
    access_point_id: int,
    payload: DecisionIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=64),
) -> dict[str, Any]:
    actor = actor_of(request, DECIDE)
    point = gate.access_point_for_actor(actor=actor, pk=access_point_id)
    if payload.credential is None and payload.plate is None:
        raise InvalidInput(
            "Send a credential, a plate, or both.",
            fields={"credential": ["required without a plate"]},
        )
    plate = None
    if payload.plate is not None:
        try:
            plate = plate_normalise(payload.plate, country=payload.plate_country)
        except InvalidIdentifier:
            # A misread plate is still a read: it is decided (and refused) as unknown.
            plate = (
                "".join(ch for ch in payload.plate.upper() if ch.isalnum())[:10] or "?"
            )
    if idempotency_key:
        stored = AccessEvent.objects.filter(
            access_point_id=point.id, request_id=idempotency_key
        ).first()
        if stored is not None:
            return _decision_out(None, stored)
    decision, event = gate.gate_decide(
        access_point_id=point.id,
        credential=payload.credential,
        plate=plate,
        biometric=payload.biometric,
        direction=payload.direction,
        escorted=payload.escorted,
        device_time=payload.device_time,
        request_id=idempotency_key or "",
    )
    return _decision_out(decision, event)


class OfflineListOut(Schema):
    list: dict[str, Any]
    algorithm: Literal["Ed25519"]
    signature: str
    policy_version: int


class OfflineQuery(Schema):
    hours: int | None = Field(None, ge=1, le=72)


@router.get(
    "/access-points/{int:access_point_id}/offline-list",
    response=OfflineListOut,
    summary="Signed allow and deny lists for a controller working offline",
)
def offline_list(
    request: HttpRequest, access_point_id: int, query: Query[OfflineQuery]
) -> dict[str, Any]:
    actor = actor_of(request, DECIDE)
    point = gate.access_point_for_actor(actor=actor, pk=access_point_id)
    return gate.offline_list_signed(access_point_id=point.id, hours=query.hours)


class SigningKeyOut(Schema):
    algorithm: str
    public_key: str
    pem: str


@router.get(
    "/gate/signing-key", response=SigningKeyOut, summary="The offline-list public key"
)
def signing_key(request: HttpRequest) -> dict[str, str]:
    return gate.signing_public_key()


class AccessEventOut(Schema):
    id: int
    at: dt.datetime
    access_point_id: int
    facility_id: int | None
    person_id: int | None
    credential: str
    plate: str
    direction: str
    biometric: str
    allowed: bool
    reasons: list[str]
    via: str

    @staticmethod
    def resolve_reasons(obj: AccessEvent) -> list[str]:
        return obj.reason_list


class AccessEventFilters(Schema):
    access_point: Id | None = None
    facility: Id | None = None
    allowed: bool | None = None


@router.get("/access-events", response=list[AccessEventOut], summary="The access log")
@paginate(Page)
def access_event_list(request: HttpRequest, filters: Query[AccessEventFilters]) -> Any:
    return selectors.access_event_list_for_user(
        actor=actor_of(request, READ),
        access_point=filters.access_point,
        facility=filters.facility,
        allowed=filters.allowed,
    )


# Passes --------------------------------------------------------------------------------


class PassOut(Schema):
    id: int
    number: str
    person_id: int
    kind: str
    state: str
    state_reason: str
    issued_at: dt.datetime
    collect_by: dt.date
    activated_at: dt.datetime | None
    valid_until: dt.datetime
    facilities: list[int]

    @staticmethod
    def resolve_facilities(obj: PortPass) -> list[int]:
        return sorted(a.facility_id for a in obj.activations.all())


class PassIn(InSchema):
    person_id: Id
    kind: Literal["card", "mobile"] = "card"


class PassStateIn(InSchema):
    action: Literal["suspend", "reinstate", "revoke"]
    reason: str = Field(..., min_length=3, max_length=200)


class ActivationIn(InSchema):
    facility_id: Id


class PassFilters(Schema):
    search: str = Field("", max_length=100)
    state: (
        Literal["issued", "active", "suspended", "lost", "revoked", "expired"] | None
    ) = None


def _person(actor: Any, pk: int, field: str = "person_id") -> Person:
    return _ref(field, selectors.person_get_for_access, actor=actor, pk=pk)  # type: ignore[no-any-return]


@router.get("/passes", response=list[PassOut], summary="List port passes")
@paginate(Page)
def pass_list(request: HttpRequest, filters: Query[PassFilters]) -> Any:
    return selectors.pass_list_for_user(
        actor=actor_of(request, READ), search=filters.search, state=filters.state or ""
    ).prefetch_related("activations")


@router.get("/passes/{int:pass_id}", response=PassOut, summary="Get a port pass")
def pass_detail(request: HttpRequest, pass_id: int) -> PortPass:
    return selectors.pass_get_for_user(actor=actor_of(request, READ), pk=pass_id)


@router.post("/passes", response={201: PassOut}, summary="Issue a port pass")
def pass_issue(request: HttpRequest, payload: PassIn) -> tuple[int, PortPass]:
    actor = actor_of(request, WRITE)
    person = _person(actor, payload.person_id)
    return 201, services.pass_issue(actor=actor, person=person, kind=payload.kind)


@router.post(
    "/passes/{int:pass_id}/collect", response=PassOut, summary="Hand over a pass"
)
def pass_collect(request: HttpRequest, pass_id: int) -> PortPass:
    actor = actor_of(request, WRITE)
    port_pass = selectors.pass_get_for_user(actor=actor, pk=pass_id)
    return services.pass_collect(actor=actor, port_pass=port_pass)


@router.post(
    "/passes/{int:pass_id}/state",
    response=PassOut,
    summary="Suspend, reinstate or revoke",
)
def pass_state(request: HttpRequest, pass_id: int, payload: PassStateIn) -> PortPass:
    actor = actor_of(request, WRITE)
    port_pass = selectors.pass_get_for_user(actor=actor, pk=pass_id)
    return services.pass_change_state(
        actor=actor, port_pass=port_pass, action=payload.action, reason=payload.reason
    )


@router.post(
    "/passes/{int:pass_id}/lost",
    response={201: PassOut},
    summary="Report a pass lost: block it and issue a new one",
)
def pass_lost(request: HttpRequest, pass_id: int) -> tuple[int, PortPass]:
    actor = actor_of(request, WRITE)
    port_pass = selectors.pass_get_for_user(actor=actor, pk=pass_id)
    return 201, services.pass_report_lost(actor=actor, port_pass=port_pass)


@router.post(
    "/passes/{int:pass_id}/activations",
    response={201: PassOut},
    summary="Activate a pass at a facility",
)
def pass_activate(
    request: HttpRequest, pass_id: int, payload: ActivationIn
) -> tuple[int, PortPass]:
    actor = actor_of(request, WRITE)
    port_pass = selectors.pass_get_for_user(actor=actor, pk=pass_id)
    facility = _ref(
        "facility_id",
        core_selectors.facility_get_for_user,
        actor=actor,
        pk=payload.facility_id,
    )
    services.pass_activate_at_facility(
        actor=actor, port_pass=port_pass, facility=facility
    )
    return 201, port_pass


# Screening and bans -----------------------------------------------------------------------


class VerificationIn(InSchema):
    category: Literal["cargo", "free_access", "security", "other"]
    status: Literal["requested", "positive", "negative", "withdrawn", "expired"]
    decided_on: dt.date | None = None
    valid_until: dt.date | None = None
    authority: str = Field("", max_length=120)


class ExtractIn(InSchema):
    issued_on: dt.date
    relevant_conviction: bool


class ScreeningOut(Schema):
    person_id: int
    status: Literal["clear", "active_ban", "not_checked"]


@router.post(
    "/people/{int:person_id}/verifications",
    response={201: ScreeningOut},
    summary="Record a security verification",
)
def verification_record(
    request: HttpRequest, person_id: int, payload: VerificationIn
) -> tuple[int, dict[str, Any]]:
    actor = actor_of(request, WRITE)
    person = core_selectors.person_get_for_user(actor=actor, pk=person_id)
    services.verification_record(actor=actor, person=person, **payload.model_dump())
    return 201, {
        "person_id": person.pk,
        "status": services.screening_status(person=person),
    }


@router.post(
    "/people/{int:person_id}/extracts",
    response={201: ScreeningOut},
    summary="Record a criminal-record extract check (date and outcome only)",
)
def extract_record(
    request: HttpRequest, person_id: int, payload: ExtractIn
) -> tuple[int, dict[str, Any]]:
    actor = actor_of(request, WRITE)
    person = core_selectors.person_get_for_user(actor=actor, pk=person_id)
    services.extract_record(actor=actor, person=person, **payload.model_dump())
    return 201, {
        "person_id": person.pk,
        "status": services.screening_status(person=person),
    }


@router.get(
    "/people/{int:person_id}/screening",
    response=ScreeningOut,
    summary="Ban screening status",
)
def screening(request: HttpRequest, person_id: int) -> dict[str, Any]:
    actor = actor_of(request, READ)
    person = selectors.person_get_for_access(actor=actor, pk=person_id)
    return {"person_id": person.pk, "status": services.screening_status(person=person)}


class BanOut(Schema):
    id: int
    person_id: int
    starts_on: dt.date
    ends_on: dt.date
    legal_reference: str
    all_ports: bool
    status: str


class BanIn(InSchema):
    person_id: Id
    starts_on: dt.date
    ends_on: dt.date
    legal_reference: str = Field(..., min_length=3, max_length=120)
    all_ports: bool = True
    ports: list[str] = Field(default_factory=list, max_length=20)


class LiftIn(InSchema):
    reason: str = Field(..., min_length=3, max_length=300)


@router.get("/bans", response=list[BanOut], summary="List port bans", tags=["bans"])
@paginate(Page)
def ban_list(request: HttpRequest) -> Any:
    return selectors.ban_list_for_user(actor=actor_of(request, READ))


@router.post("/bans", response={201: BanOut}, summary="Issue a port ban", tags=["bans"])
def ban_issue(request: HttpRequest, payload: BanIn) -> tuple[int, PortBan]:
    actor = actor_of(request, WRITE)
    person = _person(actor, payload.person_id)
    ports = [
        _ref("ports", core_selectors.port_get_for_user, actor=actor, locode=code)
        for code in payload.ports
    ]
    ban = services.ban_issue(
        actor=actor,
        person=person,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        legal_reference=payload.legal_reference,
        all_ports=payload.all_ports,
        ports=ports,
    )
    return 201, ban


@router.post(
    "/bans/{int:ban_id}/lift", response=BanOut, summary="Lift a port ban", tags=["bans"]
)
def ban_lift(request: HttpRequest, ban_id: int, payload: LiftIn) -> PortBan:
    actor = actor_of(request, WRITE)
    ban = selectors.ban_get_for_user(actor=actor, pk=ban_id)
    return services.ban_lift(actor=actor, ban=ban, reason=payload.reason)


class LateBanAlertOut(Schema):
    id: int
    ban_id: int
    person_id: int
    person_name: str
    facility_id: int
    port_id: int
    kind: Literal["pass", "visit", "grant"]
    detail: str
    created_at: dt.datetime
    acknowledged_at: dt.datetime | None
    acknowledged_by: str | None

    @staticmethod
    def resolve_person_name(obj: LateBanAlert) -> str:
        return obj.person.full_name

    @staticmethod
    def resolve_acknowledged_by(obj: LateBanAlert) -> str | None:
        return obj.acknowledged_by.get_username() if obj.acknowledged_by else None


class LateBanAlertFilters(Schema):
    open: bool = Field(True, description="Only the alerts not yet acknowledged")
    facility: Id | None = None


@router.get(
    "/late-ban-alerts",
    response=list[LateBanAlertOut],
    summary="List late-ban alerts",
    description=(
        "A ban that arrived for someone a facility had already let in (an "
        "activated pass, an announced visit, a grant). The facility's PFSO sees "
        "its alerts, a port security officer those of the port."
    ),
    tags=["bans"],
)
@paginate(Page)
def late_ban_alert_list(
    request: HttpRequest, filters: Query[LateBanAlertFilters]
) -> Any:
    queryset = selectors.late_ban_alert_list_for_user(
        actor=actor_of(request, READ), open_only=filters.open
    ).select_related("acknowledged_by")
    if filters.facility is not None:
        queryset = queryset.filter(facility_id=filters.facility)
    return queryset.order_by("-created_at", "-id")


@router.post(
    "/late-ban-alerts/{int:alert_id}/acknowledge",
    response=LateBanAlertOut,
    summary="Acknowledge a late-ban alert",
    description=(
        "The facility's PFSO or the port's security officer acknowledges; an "
        "alert acknowledged before is returned unchanged, so a retry is safe."
    ),
    tags=["bans"],
)
def late_ban_alert_acknowledge(request: HttpRequest, alert_id: int) -> LateBanAlert:
    actor = actor_of(request, WRITE)
    alert = selectors.late_ban_alert_get_for_user(actor=actor, pk=alert_id)
    return services.late_ban_alert_acknowledge(actor=actor, alert=alert)


# Access rights ---------------------------------------------------------------------------


class RequirementsIn(InSchema):
    verification_categories: list[
        Literal["cargo", "free_access", "security", "other"]
    ] = Field(default_factory=list)
    courses: list[str] = Field(default_factory=list, max_length=10)
    biometric: bool = False
    escort: bool = False
    extract: bool = False


class ZonePolicyIn(RequirementsIn):
    anti_passback: Literal["none", "soft", "hard"] = "none"


class ZonePolicyOut(Schema):
    zone_id: int
    verification_categories: list[str]
    courses: list[str]
    biometric: bool
    escort: bool
    extract: bool
    anti_passback: str


@router.put(
    "/zones/{int:zone_id}/policy",
    response=ZonePolicyOut,
    summary="Set a zone's demands",
)
def zone_policy(request: HttpRequest, zone_id: int, payload: ZonePolicyIn) -> Any:
    actor = actor_of(request, WRITE)
    zone = core_selectors.zone_get_for_user(actor=actor, pk=zone_id)
    return services.zone_policy_set(actor=actor, zone=zone, **payload.model_dump())


class WindowIn(InSchema):
    days: list[int] = Field(..., min_length=1, max_length=7)
    from_: str = Field(..., alias="from", pattern=r"^\d\d:\d\d$")
    to: str = Field(..., pattern=r"^\d\d:\d\d$")


class ScheduleIn(InSchema):
    name: str = Field(..., min_length=1, max_length=100)
    facility_id: Id | None = None
    windows: list[WindowIn] = Field(..., min_length=1, max_length=21)
    closed_on_holidays: bool = False


class ScheduleOut(Schema):
    id: int
    name: str
    facility_id: int | None
    windows: list[dict[str, Any]]
    closed_on_holidays: bool


@router.post(
    "/schedules", response={201: ScheduleOut}, summary="Define a weekly schedule"
)
def schedule_create(request: HttpRequest, payload: ScheduleIn) -> tuple[int, Schedule]:
    actor = actor_of(request, WRITE)
    facility = (
        _ref(
            "facility_id",
            core_selectors.facility_get_for_user,
            actor=actor,
            pk=payload.facility_id,
        )
        if payload.facility_id
        else None
    )
    schedule = services.schedule_create(
        actor=actor,
        name=payload.name,
        facility=facility,
        windows=[w.model_dump(by_alias=True) for w in payload.windows],
        closed_on_holidays=payload.closed_on_holidays,
    )
    return 201, schedule


class GrantIn(InSchema):
    zone_id: Id
    person_id: Id | None = None
    organisation_id: Id | None = None
    vehicle_id: Id | None = None
    schedule_id: Id | None = None
    valid_from: dt.datetime
    valid_until: dt.datetime | None = None
    requirements: RequirementsIn = Field(default_factory=RequirementsIn)


class GrantOut(Schema):
    id: int
    zone_id: int
    person_id: int | None
    organisation_id: int | None
    vehicle_id: int | None
    schedule_id: int | None
    valid_from: dt.datetime
    valid_until: dt.datetime | None
    requirements: dict[str, Any]
    revoked_at: dt.datetime | None


class GrantFilters(Schema):
    facility: Id | None = None


@router.get("/grants", response=list[GrantOut], summary="List access grants")
@paginate(Page)
def grant_list(request: HttpRequest, filters: Query[GrantFilters]) -> Any:
    return selectors.grant_list_for_user(
        actor=actor_of(request, READ), facility=filters.facility
    )


@router.post("/grants", response={201: GrantOut}, summary="Grant entry to a zone")
def grant_create(request: HttpRequest, payload: GrantIn) -> tuple[int, AccessGrant]:
    actor = actor_of(request, WRITE)
    zone = _ref(
        "zone_id", core_selectors.zone_get_for_user, actor=actor, pk=payload.zone_id
    )
    person = _person(actor, payload.person_id) if payload.person_id else None
    organisation = (
        _ref(
            "organisation_id",
            core_selectors.organisation_get_for_user,
            actor=actor,
            pk=payload.organisation_id,
        )
        if payload.organisation_id
        else None
    )
    vehicle = (
        _ref(
            "vehicle_id",
            core_selectors.vehicle_get_for_user,
            actor=actor,
            pk=payload.vehicle_id,
        )
        if payload.vehicle_id
        else None
    )
    schedule = None
    if payload.schedule_id:
        schedule = Schedule.objects.filter(pk=payload.schedule_id).first()
        if schedule is None:
            raise InvalidInput(
                "Unknown schedule.", fields={"schedule_id": ["not found"]}
            )
    grant = services.grant_create(
        actor=actor,
        zone=zone,
        person=person,
        organisation=organisation,
        vehicle=vehicle,
        schedule=schedule,
        valid_from=payload.valid_from,
        valid_until=payload.valid_until,
        requirements=payload.requirements.model_dump(),
    )
    return 201, grant


@router.delete(
    "/grants/{int:grant_id}", response=GrantOut, summary="Revoke an access grant"
)
def grant_revoke(request: HttpRequest, grant_id: int) -> AccessGrant:
    actor = actor_of(request, WRITE)
    grant = selectors.grant_get_for_user(actor=actor, pk=grant_id)
    return services.grant_revoke(actor=actor, grant=grant)


class EssentialIn(InSchema):
    essential: bool


@router.put(
    "/facilities/{int:facility_id}/essential/{int:person_id}",
    response={204: None},
    summary="Mark a person essential (let in at security level 3)",
)
def essential(
    request: HttpRequest, facility_id: int, person_id: int, payload: EssentialIn
) -> tuple[int, None]:
    actor = actor_of(request, WRITE)
    facility = core_selectors.facility_get_for_user(actor=actor, pk=facility_id)
    person = selectors.person_get_for_access(actor=actor, pk=person_id)
    services.essential_set(
        actor=actor, facility=facility, person=person, essential=payload.essential
    )
    return 204, None


# Visits and appointments -------------------------------------------------------------------


class VisitIn(InSchema):
    requester_id: Id
    facility_id: Id
    zone_id: Id | None = None
    purpose: Literal[
        "crew_change",
        "repair",
        "supplies",
        "inspection",
        "delivery",
        "meeting",
        "other",
    ]
    starts_at: dt.datetime
    ends_at: dt.datetime
    visitor_ids: list[Id] = Field(..., min_length=1, max_length=50)
    vessel_name: str = Field("", max_length=100)
    vessel_imo: str = Field("", max_length=12)
    ship_call: str = Field("", max_length=40)
    eta: dt.datetime | None = None
    etd: dt.datetime | None = None
    agent_id: Id | None = None
    comment: str = Field("", max_length=500)
    plate: str = Field("", max_length=20)
    escort: bool = False


class VisitorOut(Schema):
    person_id: int
    name: str
    screening: str
    day_pass: str | None


class VisitOut(Schema):
    id: int
    requester_id: int
    facility_id: int
    zone_id: int | None
    purpose: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    vessel_name: str
    vessel_imo: str
    status: str
    terminal_decision: str
    agent_decision: str
    rejection_reason: str
    visitors: list[VisitorOut]

    @staticmethod
    def resolve_visitors(obj: Visit) -> list[dict[str, Any]]:
        return [
            {
                "person_id": v.person_id,
                "name": v.person.full_name,
                "screening": v.screening,
                # A cancelled visit's day pass opens nothing: it is not shown.
                "day_pass": gate.day_pass_token(v.day_pass_id)
                if v.day_pass_id and obj.status == Visit.Status.APPROVED
                else None,
            }
            for v in obj.visitors.all()
        ]


class VisitDecisionIn(InSchema):
    party: Literal["terminal", "agent"]
    approve: bool
    reason: str = Field("", max_length=500)


class VisitFilters(Schema):
    status: Literal["submitted", "approved", "rejected", "cancelled"] | None = None
    facility: Id | None = None
    agent: Id | None = Field(None, description="Only the visits of this shipping agent")
    waiting_for_me: bool = False


class VisitCancelIn(InSchema):
    reason: str = Field("", max_length=500)


class DayPassOut(Schema):
    visit_id: int
    person_id: int
    person_name: str
    facility_id: int
    zone_id: int | None
    valid_from: dt.datetime
    valid_until: dt.datetime
    token: str = Field(..., description="The signed token the QR code carries")
    svg: str = Field(..., description="The QR code of the token, as inline SVG")


@router.get("/visits", response=list[VisitOut], summary="List visits", tags=["visits"])
@paginate(Page)
def visit_list(request: HttpRequest, filters: Query[VisitFilters]) -> Any:
    return selectors.visit_list_for_user(
        actor=actor_of(request, READ),
        status=filters.status or "",
        facility=filters.facility,
        agent=filters.agent,
        waiting_for_me=filters.waiting_for_me,
    )


@router.get(
    "/visits/{int:visit_id}", response=VisitOut, summary="Get a visit", tags=["visits"]
)
def visit_detail(request: HttpRequest, visit_id: int) -> Visit:
    return selectors.visit_get_for_user(actor=actor_of(request, READ), pk=visit_id)


@router.post(
    "/visits", response={201: VisitOut}, summary="Announce a visit", tags=["visits"]
)
def visit_create(request: HttpRequest, payload: VisitIn) -> tuple[int, Visit]:
    actor = actor_of(request, WRITE)
    data = payload.model_dump()
    requester = _ref(
        "requester_id",
        core_selectors.organisation_get_for_user,
        actor=actor,
        pk=data.pop("requester_id"),
    )
    facility = _ref(
        "facility_id",
        core_selectors.facility_for_announcement,
        actor=actor,
        pk=data.pop("facility_id"),
    )
    zone_id = data.pop("zone_id")
    zone = facility.zones.filter(pk=zone_id).first() if zone_id else None
    if zone_id and zone is None:
        raise InvalidInput("Unknown zone.", fields={"zone_id": ["not found"]})
    agent_id = data.pop("agent_id")
    agent = None
    if agent_id:
        from port2port.core.models import Organisation

        agent = Organisation.objects.filter(
            pk=agent_id, roles__icontains='"shipping_agent"'
        ).first()
        if agent is None:
            raise InvalidInput(
                "Unknown shipping agent.", fields={"agent_id": ["not found"]}
            )
    visitors = [
        _person(actor, pk, "visitor_ids")
        for pk in dict.fromkeys(data.pop("visitor_ids"))
    ]
    visit = services.visit_create(
        actor=actor,
        requester=requester,
        facility=facility,
        zone=zone,
        agent=agent,
        visitors=visitors,
        **data,
    )
    return 201, visit


@router.post(
    "/visits/{int:visit_id}/decision",
    response=VisitOut,
    summary="Approve or reject a visit (terminal or agent)",
    tags=["visits"],
)
def visit_decide(
    request: HttpRequest, visit_id: int, payload: VisitDecisionIn
) -> Visit:
    actor = actor_of(request, WRITE)
    visit = selectors.visit_get_for_user(actor=actor, pk=visit_id)
    services.visit_decide(
        actor=actor,
        visit=visit,
        party=payload.party,
        approve=payload.approve,
        reason=payload.reason,
    )
    # Read it again: the decision may have issued day passes to its visitors.
    return selectors.visit_get_for_user(actor=actor, pk=visit_id)


@router.post(
    "/visits/{int:visit_id}/cancel",
    response=VisitOut,
    summary="Cancel a visit",
    description=(
        "The announcing company or the facility's PFSO cancels a visit that waits "
        "for approval or is approved and has not ended. The day passes of its "
        "visitors stop opening gates at once."
    ),
    tags=["visits"],
)
def visit_cancel(request: HttpRequest, visit_id: int, payload: VisitCancelIn) -> Visit:
    actor = actor_of(request, WRITE)
    visit = selectors.visit_get_for_user(actor=actor, pk=visit_id)
    services.visit_cancel(actor=actor, visit=visit, reason=payload.reason)
    return selectors.visit_get_for_user(actor=actor, pk=visit_id)


@router.get(
    "/visits/{int:visit_id}/day-passes/{int:person_id}",
    response=DayPassOut,
    summary="A visitor's day pass: its token and QR code",
    description=(
        "For an approved visit, each visitor without a port pass has a day pass. "
        "The announcing company and the facility's PFSO get its signed token and "
        "the QR code (SVG) that carries it; a gate reads the token as a "
        "credential, valid only at the visit's place during its time."
    ),
    tags=["visits"],
)
def day_pass(request: HttpRequest, visit_id: int, person_id: int) -> dict[str, Any]:
    actor = actor_of(request, READ)
    visitor = selectors.day_pass_get_for_user(
        actor=actor, visit=visit_id, person=person_id
    )
    assert visitor.day_pass_id is not None  # noqa: S101 - the selector ensures it
    token = gate.day_pass_token(visitor.day_pass_id)
    return {
        "visit_id": visitor.visit_id,
        "person_id": visitor.person_id,
        "person_name": visitor.person.full_name,
        "facility_id": visitor.visit.facility_id,
        "zone_id": visitor.visit.zone_id,
        "valid_from": visitor.visit.starts_at,
        "valid_until": visitor.visit.ends_at,
        "token": token,
        "svg": qr_svg(token),
    }


class AppointmentIn(InSchema):
    facility_id: Id
    haulier_id: Id
    plate: str = Field(..., min_length=1, max_length=20)
    starts_at: dt.datetime
    ends_at: dt.datetime
    reference: str = Field("", max_length=40)


class AppointmentOut(Schema):
    id: int
    facility_id: int
    plate: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    reference: str


@router.post(
    "/truck-appointments", response={201: AppointmentOut}, summary="Book a truck slot"
)
def appointment_create(
    request: HttpRequest, payload: AppointmentIn
) -> tuple[int, TruckAppointment]:
    actor = actor_of(request, WRITE)
    facility = _ref(
        "facility_id",
        core_selectors.facility_for_announcement,
        actor=actor,
        pk=payload.facility_id,
    )
    haulier = _ref(
        "haulier_id",
        core_selectors.organisation_get_for_user,
        actor=actor,
        pk=payload.haulier_id,
    )
    appointment = services.appointment_create(
        actor=actor,
        facility=facility,
        haulier=haulier,
        plate=payload.plate,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        reference=payload.reference,
    )
    return 201, appointment
