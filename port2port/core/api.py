"""The registry API: ports, facilities, zones, access points, organisations,
people, vehicles, the audit trail and API tokens."""

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from pydantic import ConfigDict, model_validator

from port2port.core import selectors, services
from port2port.core.apikit import actor_of
from port2port.core.errors import InvalidInput, NotFound
from port2port.core.models import (
    AccessPoint,
    ApiToken,
    AuditEntry,
    Device,
    Facility,
    Organisation,
    Person,
    Port,
    Vehicle,
    Zone,
)
from port2port.core.scopes import scope_for
from port2port.lib.identifiers import plate_display

router = Router(tags=["registry"])

READ = "registry:read"
WRITE = "registry:write"


def _refuse_nul(value: Any) -> None:
    # PostgreSQL cannot store NUL characters in text; no identifier or name has one.
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("Text may not contain NUL characters.")
    if isinstance(value, dict):
        for key, item in value.items():
            _refuse_nul(key)
            _refuse_nul(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_nul(item)


class CleanSchema(Schema):
    """A request body whose text never holds a NUL character.

    Query strings and paths are checked once for every endpoint in ``actor_of``.
    """

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        if isinstance(data, dict):
            _refuse_nul(data)
        return data


class InSchema(CleanSchema):
    model_config = ConfigDict(extra="forbid")


class Page(PageNumberPagination):
    """Page-number pagination with bounded inputs (50 a page by default, 500 at most)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1, le=500)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(page_size=50, max_page_size=500, **kwargs)


# Identifiers fit a signed 64-bit column on every database.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


GeoJSON = dict[str, Any]
PortKind = Literal["seaport", "inland"]
FacilityKind = Literal[
    "container", "roro", "liquid_bulk", "dry_bulk", "cruise", "lock", "inland", "other"
]
ZoneKind = Literal["public", "controlled", "restricted"]
AccessPointKind = Literal[
    "gate", "door", "turnstile", "vehicle_lane", "rail_gate", "quay_access"
]
DeviceKind = Literal["badge_reader", "biometric_reader", "anpr_camera"]
Direction = Literal["in", "out", "both"]
OrganisationRole = Literal[
    "terminal_operator",
    "shipping_agent",
    "forwarder",
    "transport_operator",
    "security_company",
    "port_authority",
    "police",
    "customs",
    "other_authority",
]
DocumentType = Literal[
    "id_card", "passport", "residence_permit", "driving_licence", "seafarer"
]
VehicleKind = Literal["truck", "van", "car", "trailer", "other"]
Name = Field(..., min_length=1, max_length=200)


def _ref(field: str, getter: Any, **kwargs: Any) -> Any:
    """Resolve a referenced object, turning a hidden or missing one into a field error."""
    try:
        return getter(**kwargs)
    except NotFound:
        raise InvalidInput(
            f"Unknown {field.replace('_', ' ')}.", fields={field: ["not found"]}
        ) from None


# Schemas -------------------------------------------------------------------------


class PortOut(Schema):
    locode: str
    name: str
    name_en: str
    name_nl: str
    name_fr: str
    kind: PortKind
    committee: str | None
    centre: GeoJSON
    boundary: GeoJSON | None
    security_level: int

    @staticmethod
    def resolve_committee(obj: Port) -> str | None:
        return obj.committee.code if obj.committee else None


class PortIn(InSchema):
    locode: str = Field(..., min_length=5, max_length=6, examples=["BEANR"])
    name_en: str = Name
    name_nl: str = Name
    name_fr: str = Name
    kind: PortKind
    centre: GeoJSON
    boundary: GeoJSON | None = None


class PortPatch(InSchema):
    name_en: str | None = Field(None, min_length=1, max_length=120)
    name_nl: str | None = Field(None, min_length=1, max_length=120)
    name_fr: str | None = Field(None, min_length=1, max_length=120)
    centre: GeoJSON | None = None
    boundary: GeoJSON | None = None


class SecurityLevelIn(InSchema):
    level: int = Field(..., ge=1, le=3)
    reason: str = Field(..., min_length=3, max_length=500)


class FacilityOut(Schema):
    id: int
    port: str
    code: str
    name: str
    operator_id: int
    operator_name: str
    kind: FacilityKind
    isps: bool
    pfso_id: int | None
    boundary: GeoJSON
    security_level: int

    @staticmethod
    def resolve_port(obj: Facility) -> str:
        return obj.port.locode

    @staticmethod
    def resolve_operator_name(obj: Facility) -> str:
        return obj.operator.name

    @staticmethod
    def resolve_security_level(obj: Facility) -> int:
        return obj.effective_security_level


class FacilityIn(InSchema):
    port: str = Field(..., min_length=5, max_length=5, examples=["BEANR"])
    code: str = Field(..., min_length=1, max_length=40)
    name: str = Name
    operator_id: Id
    kind: FacilityKind
    isps: bool = True
    boundary: GeoJSON


class FacilityPatch(InSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    kind: FacilityKind | None = None
    isps: bool | None = None
    boundary: GeoJSON | None = None


class ZoneOut(Schema):
    id: int
    port: str
    facility_id: int | None
    name: str
    kind: ZoneKind
    boundary: GeoJSON

    @staticmethod
    def resolve_port(obj: Zone) -> str:
        return obj.port.locode


class ZoneIn(InSchema):
    port: str = Field(..., min_length=5, max_length=5)
    facility_id: Id | None = None
    name: str = Name
    kind: ZoneKind
    boundary: GeoJSON


class DeviceOut(Schema):
    kind: DeviceKind
    serial: str


class DeviceIn(InSchema):
    kind: DeviceKind
    serial: str = Field(..., min_length=1, max_length=80)


class AccessPointOut(Schema):
    id: int
    zone_id: int
    port: str
    facility_id: int | None
    code: str
    name: str
    kind: AccessPointKind
    direction: Direction
    location: GeoJSON
    devices: list[DeviceOut]

    @staticmethod
    def resolve_port(obj: AccessPoint) -> str:
        return obj.zone.port.locode

    @staticmethod
    def resolve_facility_id(obj: AccessPoint) -> int | None:
        return obj.zone.facility_id

    @staticmethod
    def resolve_devices(obj: AccessPoint) -> list[Device]:
        return list(obj.devices.all())


class AccessPointIn(InSchema):
    zone_id: Id
    code: str = Field(..., min_length=1, max_length=40)
    name: str = Name
    kind: AccessPointKind
    direction: Direction = "both"
    location: GeoJSON
    devices: list[DeviceIn] = Field(default_factory=list, max_length=20)


class OrganisationOut(Schema):
    id: int
    name: str
    kbo_number: str | None
    vat_number: str
    eori: str
    roles: list[str]
    ports: list[str]

    @staticmethod
    def resolve_ports(obj: Organisation) -> list[str]:
        return [p.locode for p in obj.ports.all()]


class OrganisationIn(InSchema):
    name: str = Name
    kbo_number: str = Field("", max_length=20, examples=["0403.170.701"])
    eori: str = Field("", max_length=20)
    roles: list[OrganisationRole] = Field(..., min_length=1)
    ports: list[str] = Field(..., min_length=1, max_length=50, examples=[["BEANR"]])


class OrganisationPatch(InSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    eori: str | None = Field(None, max_length=20)
    roles: list[OrganisationRole] | None = Field(None, min_length=1)


class PersonOut(Schema):
    id: int
    first_name: str
    last_name: str
    date_of_birth: dt.date
    nationality: str
    employer_id: int | None
    employer_name: str | None
    document_type: DocumentType
    document_number: str
    has_national_register_number: bool
    phone: str
    email: str

    @staticmethod
    def resolve_employer_name(obj: Person) -> str | None:
        return obj.employer.name if obj.employer else None

    @staticmethod
    def resolve_has_national_register_number(obj: Person) -> bool:
        return bool(obj.national_register_hash)


class PersonIn(InSchema):
    first_name: str = Field(..., min_length=1, max_length=100)
    last_name: str = Field(..., min_length=1, max_length=100)
    date_of_birth: dt.date
    nationality: str = Field(..., pattern=r"^[A-Za-z]{2}$")
    employer_id: Id
    document_type: DocumentType
    document_number: str = Field(..., min_length=3, max_length=40)
    national_register_number: str = Field("", max_length=20)
    phone: str = Field("", max_length=30)
    email: str = Field("", max_length=254, pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$")


class PersonPatch(InSchema):
    first_name: str | None = Field(None, min_length=1, max_length=100)
    last_name: str | None = Field(None, min_length=1, max_length=100)
    phone: str | None = Field(None, max_length=30)
    email: str | None = Field(
        None, max_length=254, pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$"
    )
    document_type: DocumentType | None = None
    document_number: str | None = Field(None, min_length=3, max_length=40)


class VehicleOut(Schema):
    id: int
    plate: str
    plate_display: str
    country: str
    kind: VehicleKind
    owner_id: int
    owner_name: str

    @staticmethod
    def resolve_plate_display(obj: Vehicle) -> str:
        return plate_display(obj.plate, country=obj.country)

    @staticmethod
    def resolve_owner_name(obj: Vehicle) -> str:
        return obj.owner.name


class VehicleIn(InSchema):
    plate: str = Field(..., min_length=1, max_length=20, examples=["1-ABC-123"])
    country: str = Field("BE", pattern=r"^[A-Za-z]{2}$")
    kind: VehicleKind
    owner_id: Id


class AuditEntryOut(Schema):
    seq: int
    at: dt.datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    port_id: int | None
    facility_id: int | None
    organisation_id: int | None
    details: str
    prev_hash: str
    hash: str

    @staticmethod
    def resolve_actor(obj: AuditEntry) -> str:
        return obj.actor_label


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    organisation_id: int
    facility_id: int | None
    permissions: list[str]
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenIn(InSchema):
    name: str = Field(..., min_length=1, max_length=100)
    organisation_id: Id
    facility_id: Id | None = None
    permissions: list[
        Literal["registry:read", "registry:write", "audit:read", "gate:decide"]
    ] = Field(..., min_length=1)


class TokenCreatedOut(TokenOut):
    secret: str = Field(..., description="Shown once; only its hash is stored.")


class MembershipOut(Schema):
    role: str
    organisation_id: int
    port_id: int | None
    facility_id: int | None


class MeOut(Schema):
    kind: Literal["user", "token"]
    name: str
    clearance: int
    national: bool
    memberships: list[MembershipOut]


class Filters(Schema):
    search: str = Field("", max_length=100)


class PortFilters(Filters):
    kind: PortKind | None = None


class FacilityFilters(Filters):
    port: str = Field("", max_length=5)
    kind: FacilityKind | None = None
    isps: bool | None = None


class ZoneFilters(Schema):
    port: str = Field("", max_length=5)
    facility: Id | None = None
    kind: ZoneKind | None = None


class AccessPointFilters(Filters):
    port: str = Field("", max_length=5)
    facility: Id | None = None
    zone: Id | None = None
    kind: AccessPointKind | None = None


class OrganisationFilters(Filters):
    role: OrganisationRole | None = None
    port: str = Field("", max_length=5)


class PersonFilters(Filters):
    employer: Id | None = None


class VehicleFilters(Filters):
    owner: Id | None = None


class AuditFilters(Schema):
    action: str = Field("", max_length=80)
    object_type: str = Field("", max_length=80)
    object_id: str = Field("", max_length=64)
    port: Id | None = None


# The caller ------------------------------------------------------------------------


@router.get("/me", response=MeOut, summary="Who am I and what may I reach")
def me(request: HttpRequest) -> dict[str, Any]:
    actor = request.auth  # type: ignore[attr-defined]
    scope = scope_for(actor)
    return {
        "kind": "token" if isinstance(actor, ApiToken) else "user",
        "name": scope.label,
        "clearance": scope.clearance,
        "national": scope.is_national,
        "memberships": [
            {
                "role": g.role,
                "organisation_id": g.organisation_id,
                "port_id": g.port_id,
                "facility_id": g.facility_id,
            }
            for g in scope.grants
        ],
    }


# Ports ------------------------------------------------------------------------------


@router.get("/ports", response=list[PortOut], summary="List ports")
@paginate(Page)
def port_list(request: HttpRequest, filters: Query[PortFilters]) -> Any:
    return selectors.port_list_for_user(
        actor=actor_of(request, READ), search=filters.search, kind=filters.kind or ""
    )


@router.get("/ports/{locode}", response=PortOut, summary="Get a port")
def port_detail(request: HttpRequest, locode: str) -> Port:
    return selectors.port_get_for_user(actor=actor_of(request, READ), locode=locode)


@router.post("/ports", response={201: PortOut}, summary="Register a port")
def port_create(request: HttpRequest, payload: PortIn) -> tuple[int, Port]:
    port = services.port_create(actor=actor_of(request, WRITE), **payload.model_dump())
    return 201, port


@router.patch("/ports/{locode}", response=PortOut, summary="Change a port")
def port_update(request: HttpRequest, locode: str, payload: PortPatch) -> Port:
    actor = actor_of(request, WRITE)
    port = selectors.port_get_for_user(actor=actor, locode=locode)
    return services.port_update(
        actor=actor,
        port=port,
        **payload.model_dump(exclude_unset=True, exclude_none=True),
    )


@router.post(
    "/ports/{locode}/security-level",
    response=PortOut,
    summary="Set a port's security level",
)
def port_security_level(
    request: HttpRequest, locode: str, payload: SecurityLevelIn
) -> Port:
    actor = actor_of(request, WRITE)
    port = selectors.port_get_for_user(actor=actor, locode=locode)
    return services.port_set_security_level(
        actor=actor, port=port, level=payload.level, reason=payload.reason
    )


# Facilities --------------------------------------------------------------------------


@router.get("/facilities", response=list[FacilityOut], summary="List facilities")
@paginate(Page)
def facility_list(request: HttpRequest, filters: Query[FacilityFilters]) -> Any:
    return selectors.facility_list_for_user(
        actor=actor_of(request, READ),
        port=filters.port,
        kind=filters.kind or "",
        isps=filters.isps,
        search=filters.search,
    )


@router.get(
    "/facilities/{int:facility_id}", response=FacilityOut, summary="Get a facility"
)
def facility_detail(request: HttpRequest, facility_id: int) -> Facility:
    return selectors.facility_get_for_user(
        actor=actor_of(request, READ), pk=facility_id
    )


@router.post("/facilities", response={201: FacilityOut}, summary="Register a facility")
def facility_create(request: HttpRequest, payload: FacilityIn) -> tuple[int, Facility]:
    actor = actor_of(request, WRITE)
    data = payload.model_dump()
    port = _ref(
        "port", selectors.port_get_for_user, actor=actor, locode=data.pop("port")
    )
    operator = _ref(
        "operator_id",
        selectors.organisation_get_for_user,
        actor=actor,
        pk=data.pop("operator_id"),
    )
    facility = services.facility_create(
        actor=actor, port=port, operator=operator, **data
    )
    return 201, facility


@router.patch(
    "/facilities/{int:facility_id}", response=FacilityOut, summary="Change a facility"
)
def facility_update(
    request: HttpRequest, facility_id: int, payload: FacilityPatch
) -> Facility:
    actor = actor_of(request, WRITE)
    facility = selectors.facility_get_for_user(actor=actor, pk=facility_id)
    return services.facility_update(
        actor=actor,
        facility=facility,
        **payload.model_dump(exclude_unset=True, exclude_none=True),
    )


# Zones and access points -----------------------------------------------------------


@router.get("/zones", response=list[ZoneOut], summary="List zones")
@paginate(Page)
def zone_list(request: HttpRequest, filters: Query[ZoneFilters]) -> Any:
    return selectors.zone_list_for_user(
        actor=actor_of(request, READ),
        port=filters.port,
        facility=filters.facility,
        kind=filters.kind or "",
    )


@router.get("/zones/{int:zone_id}", response=ZoneOut, summary="Get a zone")
def zone_detail(request: HttpRequest, zone_id: int) -> Zone:
    return selectors.zone_get_for_user(actor=actor_of(request, READ), pk=zone_id)


@router.post("/zones", response={201: ZoneOut}, summary="Add a zone")
def zone_create(request: HttpRequest, payload: ZoneIn) -> tuple[int, Zone]:
    actor = actor_of(request, WRITE)
    data = payload.model_dump()
    port = _ref(
        "port", selectors.port_get_for_user, actor=actor, locode=data.pop("port")
    )
    facility_id = data.pop("facility_id")
    facility = (
        _ref(
            "facility_id", selectors.facility_get_for_user, actor=actor, pk=facility_id
        )
        if facility_id is not None
        else None
    )
    return 201, services.zone_create(actor=actor, port=port, facility=facility, **data)


@router.get(
    "/access-points", response=list[AccessPointOut], summary="List access points"
)
@paginate(Page)
def access_point_list(request: HttpRequest, filters: Query[AccessPointFilters]) -> Any:
    return selectors.access_point_list_for_user(
        actor=actor_of(request, READ),
        port=filters.port,
        facility=filters.facility,
        zone=filters.zone,
        kind=filters.kind or "",
        search=filters.search,
    )


@router.get(
    "/access-points/{int:access_point_id}",
    response=AccessPointOut,
    summary="Get an access point",
)
def access_point_detail(request: HttpRequest, access_point_id: int) -> AccessPoint:
    return selectors.access_point_get_for_user(
        actor=actor_of(request, READ), pk=access_point_id
    )


@router.post(
    "/access-points", response={201: AccessPointOut}, summary="Add an access point"
)
def access_point_create(
    request: HttpRequest, payload: AccessPointIn
) -> tuple[int, AccessPoint]:
    actor = actor_of(request, WRITE)
    zone = _ref("zone_id", selectors.zone_get_for_user, actor=actor, pk=payload.zone_id)
    point = services.access_point_create(
        actor=actor,
        zone=zone,
        code=payload.code,
        name=payload.name,
        kind=payload.kind,
        direction=payload.direction,
        location=payload.location,
        devices=[(d.kind, d.serial) for d in payload.devices],
    )
    return 201, point


# Organisations, people, vehicles -----------------------------------------------------


@router.get(
    "/organisations", response=list[OrganisationOut], summary="List organisations"
)
@paginate(Page)
def organisation_list(request: HttpRequest, filters: Query[OrganisationFilters]) -> Any:
    return selectors.organisation_list_for_user(
        actor=actor_of(request, READ),
        search=filters.search,
        role=filters.role or "",
        port=filters.port,
    )


@router.get(
    "/organisations/{int:organisation_id}",
    response=OrganisationOut,
    summary="Get an organisation",
)
def organisation_detail(request: HttpRequest, organisation_id: int) -> Organisation:
    return selectors.organisation_get_for_user(
        actor=actor_of(request, READ), pk=organisation_id
    )


@router.post(
    "/organisations",
    response={201: OrganisationOut},
    summary="Register an organisation",
)
def organisation_create(
    request: HttpRequest, payload: OrganisationIn
) -> tuple[int, Organisation]:
    actor = actor_of(request, WRITE)
    ports = [
        _ref("ports", selectors.port_get_for_user, actor=actor, locode=code)
        for code in payload.ports
    ]
    organisation = services.organisation_create(
        actor=actor,
        name=payload.name,
        roles=list(payload.roles),
        ports=ports,
        kbo_number=payload.kbo_number,
        eori=payload.eori,
    )
    return 201, organisation


@router.patch(
    "/organisations/{int:organisation_id}",
    response=OrganisationOut,
    summary="Change an organisation",
)
def organisation_update(
    request: HttpRequest, organisation_id: int, payload: OrganisationPatch
) -> Organisation:
    actor = actor_of(request, WRITE)
    organisation = selectors.organisation_get_for_user(actor=actor, pk=organisation_id)
    return services.organisation_update(
        actor=actor,
        organisation=organisation,
        **payload.model_dump(exclude_unset=True, exclude_none=True),
    )


@router.get("/people", response=list[PersonOut], summary="List people")
@paginate(Page)
def person_list(request: HttpRequest, filters: Query[PersonFilters]) -> Any:
    return selectors.person_list_for_user(
        actor=actor_of(request, READ), search=filters.search, employer=filters.employer
    )


@router.get("/people/{int:person_id}", response=PersonOut, summary="Get a person")
def person_detail(request: HttpRequest, person_id: int) -> Person:
    return selectors.person_get_for_user(actor=actor_of(request, READ), pk=person_id)


@router.post("/people", response={201: PersonOut}, summary="Register a person")
def person_create(request: HttpRequest, payload: PersonIn) -> tuple[int, Person]:
    actor = actor_of(request, WRITE)
    data = payload.model_dump()
    employer = _ref(
        "employer_id",
        selectors.organisation_get_for_user,
        actor=actor,
        pk=data.pop("employer_id"),
    )
    return 201, services.person_create(actor=actor, employer=employer, **data)


@router.patch("/people/{int:person_id}", response=PersonOut, summary="Change a person")
def person_update(request: HttpRequest, person_id: int, payload: PersonPatch) -> Person:
    actor = actor_of(request, WRITE)
    person = selectors.person_get_for_user(actor=actor, pk=person_id)
    return services.person_update(
        actor=actor,
        person=person,
        **payload.model_dump(exclude_unset=True, exclude_none=True),
    )


@router.get("/vehicles", response=list[VehicleOut], summary="List vehicles")
@paginate(Page)
def vehicle_list(request: HttpRequest, filters: Query[VehicleFilters]) -> Any:
    return selectors.vehicle_list_for_user(
        actor=actor_of(request, READ), search=filters.search, owner=filters.owner
    )


@router.get("/vehicles/{int:vehicle_id}", response=VehicleOut, summary="Get a vehicle")
def vehicle_detail(request: HttpRequest, vehicle_id: int) -> Vehicle:
    return selectors.vehicle_get_for_user(actor=actor_of(request, READ), pk=vehicle_id)


@router.post("/vehicles", response={201: VehicleOut}, summary="Register a vehicle")
def vehicle_create(request: HttpRequest, payload: VehicleIn) -> tuple[int, Vehicle]:
    actor = actor_of(request, WRITE)
    owner = _ref(
        "owner_id",
        selectors.organisation_get_for_user,
        actor=actor,
        pk=payload.owner_id,
    )
    vehicle = services.vehicle_create(
        actor=actor,
        plate=payload.plate,
        country=payload.country,
        kind=payload.kind,
        owner=owner,
    )
    return 201, vehicle


# Audit trail --------------------------------------------------------------------------


@router.get(
    "/audit",
    response=list[AuditEntryOut],
    summary="Read the audit trail",
    tags=["audit"],
)
@paginate(Page)
def audit_list(request: HttpRequest, filters: Query[AuditFilters]) -> Any:
    return selectors.audit_list_for_user(
        actor=actor_of(request, "audit:read"), **filters.model_dump()
    )


@router.get(
    "/audit/export",
    summary="Export the audit trail as JSON lines",
    tags=["audit"],
    response={200: None},
    openapi_extra={
        "responses": {
            200: {"content": {"application/x-ndjson": {"schema": {"type": "string"}}}}
        }
    },
)
def audit_export(
    request: HttpRequest, filters: Query[AuditFilters]
) -> StreamingHttpResponse:
    from port2port.core.exports import audit_jsonl

    entries = selectors.audit_list_for_user(
        actor=actor_of(request, "audit:read"), **filters.model_dump()
    )
    response = StreamingHttpResponse(
        audit_jsonl(entries), content_type="application/x-ndjson"
    )
    response["Content-Disposition"] = 'attachment; filename="audit.jsonl"'
    return response


# API tokens ----------------------------------------------------------------------------


@router.get(
    "/tokens", response=list[TokenOut], summary="List API tokens", tags=["tokens"]
)
@paginate(Page)
def token_list(request: HttpRequest) -> Any:
    return selectors.api_token_list_for_user(actor=actor_of(request, READ))


@router.post(
    "/tokens",
    response={201: TokenCreatedOut},
    summary="Create an API token",
    tags=["tokens"],
)
def token_create(request: HttpRequest, payload: TokenIn) -> tuple[int, dict[str, Any]]:
    actor = actor_of(request, WRITE)
    organisation = _ref(
        "organisation_id",
        selectors.organisation_get_for_user,
        actor=actor,
        pk=payload.organisation_id,
    )
    facility = (
        _ref(
            "facility_id",
            selectors.facility_get_for_user,
            actor=actor,
            pk=payload.facility_id,
        )
        if payload.facility_id is not None
        else None
    )
    token, secret = services.api_token_create(
        actor=actor,
        organisation=organisation,
        facility=facility,
        name=payload.name,
        permissions=list(payload.permissions),
    )
    out = TokenOut.from_orm(token).model_dump()
    return 201, {**out, "secret": secret}


@router.delete(
    "/tokens/{int:token_id}",
    response=TokenOut,
    summary="Revoke an API token",
    tags=["tokens"],
)
def token_revoke(request: HttpRequest, token_id: int) -> ApiToken:
    actor = actor_of(request, WRITE)
    token = selectors.api_token_get_for_user(actor=actor, pk=token_id)
    return services.api_token_revoke(actor=actor, token=token)


__all__ = ["AuditEntry", "router"]
