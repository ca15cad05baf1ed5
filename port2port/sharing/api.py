"""The hub's API: bulletins (with MISP and STIX), matches and the library."""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from port2port.core.api import CleanSchema, Id, InSchema, Page
from port2port.core.apikit import actor_of
from port2port.core.errors import InvalidInput, NotFound
from port2port.core.models import Committee, Port
from port2port.sharing import interchange, selectors, services
from port2port.sharing.models import Article, Bulletin, Match, SharingGroup

router = Router(tags=["hub"])

READ = "registry:read"
WRITE = "registry:write"
TlpName = Literal["clear", "green", "amber", "amber+strict", "red"]
DistributionName = Literal["organisation", "committee", "port", "all_ports", "group"]
Kind = Literal[
    "plate",
    "container",
    "kbo",
    "eori",
    "imo",
    "mmsi",
    "phone",
    "email",
    "domain",
    "person",
]


class IndicatorIn(InSchema):
    kind: Kind
    value: str = Field(..., min_length=1, max_length=200)
    date_of_birth: dt.date | None = None
    comment: str = Field("", max_length=300)


class IndicatorOut(Schema):
    id: int
    kind: str
    value: str
    display: str
    date_of_birth: dt.date | None
    comment: str


class BulletinOut(Schema):
    id: int
    uuid: str
    title: str
    tlp: str
    distribution: str
    status: str
    owner: str
    min_clearance: int
    valid_from: dt.datetime
    valid_until: dt.datetime | None
    version: int
    created_at: dt.datetime

    @staticmethod
    def resolve_uuid(obj: Bulletin) -> str:
        return str(obj.uuid)

    @staticmethod
    def resolve_owner(obj: Bulletin) -> str:
        return obj.owner_organisation.name


class BulletinDetailOut(BulletinOut):
    text: str
    indicators: list[IndicatorOut]
    committee: str | None
    port: str | None

    @staticmethod
    def resolve_indicators(obj: Bulletin) -> list[Any]:
        return list(obj.indicators.all())

    @staticmethod
    def resolve_committee(obj: Bulletin) -> str | None:
        return obj.committee.code if obj.committee else None

    @staticmethod
    def resolve_port(obj: Bulletin) -> str | None:
        return obj.port.locode if obj.port else None


class BulletinIn(InSchema):
    title: str = Field(..., min_length=1, max_length=200)
    text: str = Field(..., min_length=1, max_length=50_000)
    tlp: TlpName
    distribution: DistributionName
    committee: str | None = Field(None, max_length=40, description="Committee code")
    port: str | None = Field(None, min_length=5, max_length=5, examples=["BEGNE"])
    sharing_group: Id | None = None
    min_clearance: int = Field(0, ge=0, le=2)
    valid_from: dt.datetime | None = None
    valid_until: dt.datetime | None = None
    indicators: list[IndicatorIn] = Field(default_factory=list, max_length=500)


class BulletinPatch(InSchema):
    title: str | None = Field(None, min_length=1, max_length=200)
    text: str | None = Field(None, min_length=1, max_length=50_000)
    tlp: TlpName | None = None
    min_clearance: int | None = Field(None, ge=0, le=2)
    valid_until: dt.datetime | None = None
    indicators: list[IndicatorIn] | None = Field(None, max_length=500)


class WithdrawIn(InSchema):
    reason: str = Field(..., min_length=3, max_length=300)


class ImportIn(InSchema):
    document: dict[str, Any]
    distribution: DistributionName = "organisation"
    committee: str | None = Field(None, max_length=40)
    port: str | None = Field(None, min_length=5, max_length=5)
    sharing_group: Id | None = None


class ReceiptOut(Schema):
    user: str
    first_read_at: dt.datetime
    read_version: int
    acknowledged_at: dt.datetime | None

    @staticmethod
    def resolve_user(obj: Any) -> str:
        return str(obj.user.get_username())


class MatchOut(Schema):
    id: int
    kind: str
    value: str
    seen_in: str
    port: str | None
    where: str
    at: dt.datetime
    live: bool
    alert_id: int | None
    bulletin_id: int | None = None

    @staticmethod
    def resolve_kind(obj: Match) -> str:
        return obj.indicator.kind

    @staticmethod
    def resolve_value(obj: Match) -> str:
        return obj.indicator.display

    @staticmethod
    def resolve_seen_in(obj: Match) -> str:
        return obj.source

    @staticmethod
    def resolve_port(obj: Match) -> str | None:
        return obj.port.locode if obj.port else None


class ArticleOut(Schema):
    slug: str
    title: str
    summary: str
    theme: str
    where: str
    contact: str


class BulletinFilters(CleanSchema):
    q: str = Field("", max_length=200)
    tlp: TlpName | None = None
    status: Literal["published", "withdrawn"] | None = None


class ArticleFilters(CleanSchema):
    q: str = Field("", max_length=200)
    theme: str = Field("", max_length=20)


def _targets(
    committee: str | None, port: str | None, sharing_group: int | None
) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if committee:
        found["committee"] = Committee.objects.filter(code=committee).first()
        if found["committee"] is None:
            raise InvalidInput(
                "Unknown committee.", fields={"committee": ["not found"]}
            )
    if port:
        found["port"] = Port.objects.filter(locode=port.upper()).first()
        if found["port"] is None:
            raise InvalidInput("Unknown port.", fields={"port": ["not found"]})
    if sharing_group:
        found["sharing_group"] = SharingGroup.objects.filter(pk=sharing_group).first()
        if found["sharing_group"] is None:
            raise InvalidInput(
                "Unknown sharing group.", fields={"sharing_group": ["not found"]}
            )
    return found


def _indicators(items: list[IndicatorIn]) -> list[services.IndicatorInput]:
    return [
        services.IndicatorInput(
            kind=i.kind, value=i.value, date_of_birth=i.date_of_birth, comment=i.comment
        )
        for i in items
    ]


@router.get("/sharing/bulletins", response=list[BulletinOut])
@paginate(Page)
def bulletin_list(request: HttpRequest, filters: Query[BulletinFilters]) -> Any:
    return selectors.bulletin_list_for_user(
        actor=actor_of(request, READ),
        q=filters.q,
        tlp=filters.tlp or "",
        status=filters.status or "",
    )


@router.post("/sharing/bulletins", response={201: BulletinDetailOut})
def bulletin_create(request: HttpRequest, payload: BulletinIn) -> Any:
    actor = actor_of(request, WRITE)
    bulletin = services.bulletin_create(
        actor=actor,
        title=payload.title,
        text=payload.text,
        tlp=payload.tlp,
        distribution=payload.distribution,
        min_clearance=payload.min_clearance,
        valid_from=payload.valid_from,
        valid_until=payload.valid_until,
        indicators=_indicators(payload.indicators),
        **_targets(payload.committee, payload.port, payload.sharing_group),
    )
    return 201, bulletin


@router.post("/sharing/bulletins/import", response={201: BulletinDetailOut})
def bulletin_import(request: HttpRequest, payload: ImportIn) -> Any:
    actor = actor_of(request, WRITE)
    try:
        if payload.document.get("type") == "bundle":
            origin, data = "stix", interchange.stix_import(payload.document)
        else:
            origin, data = "misp", interchange.misp_import(payload.document)
    except (interchange.InterchangeError, ValueError) as exc:
        raise InvalidInput(str(exc), fields={"document": [str(exc)]}) from None
    bulletin = services.bulletin_create(
        actor=actor,
        title=data.title,
        text=data.text,
        tlp=data.tlp,
        distribution=payload.distribution,
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
        **_targets(payload.committee, payload.port, payload.sharing_group),
    )
    return 201, bulletin


@router.get("/sharing/bulletins/{bulletin_id}", response=BulletinDetailOut)
def bulletin_detail(request: HttpRequest, bulletin_id: Id) -> Any:
    actor = actor_of(request, READ)
    bulletin = selectors.bulletin_get_for_user(actor=actor, pk=bulletin_id)
    services.bulletin_view(actor=actor, bulletin=bulletin, how="api")
    return bulletin


@router.patch("/sharing/bulletins/{bulletin_id}", response=BulletinDetailOut)
def bulletin_update(
    request: HttpRequest, bulletin_id: Id, payload: BulletinPatch
) -> Any:
    actor = actor_of(request, WRITE)
    bulletin = selectors.bulletin_get_for_user(actor=actor, pk=bulletin_id)
    return services.bulletin_update(
        actor=actor,
        bulletin=bulletin,
        title=payload.title,
        text=payload.text,
        tlp=payload.tlp,
        min_clearance=payload.min_clearance,
        valid_until=payload.valid_until,
        indicators=_indicators(payload.indicators)
        if payload.indicators is not None
        else None,
    )


@router.post("/sharing/bulletins/{bulletin_id}/withdraw", response=BulletinOut)
def bulletin_withdraw(
    request: HttpRequest, bulletin_id: Id, payload: WithdrawIn
) -> Any:
    actor = actor_of(request, WRITE)
    bulletin = selectors.bulletin_get_for_user(actor=actor, pk=bulletin_id)
    return services.bulletin_withdraw(
        actor=actor, bulletin=bulletin, reason=payload.reason
    )


@router.post("/sharing/bulletins/{bulletin_id}/acknowledge", response=ReceiptOut)
def bulletin_acknowledge(request: HttpRequest, bulletin_id: Id) -> Any:
    actor = actor_of(request, READ)
    bulletin = selectors.bulletin_get_for_user(actor=actor, pk=bulletin_id)
    return services.bulletin_acknowledge(actor=actor, bulletin=bulletin)


@router.get("/sharing/bulletins/{bulletin_id}/receipts", response=list[ReceiptOut])
def bulletin_receipts(request: HttpRequest, bulletin_id: Id) -> Any:
    actor = actor_of(request, READ)
    bulletin = selectors.bulletin_get_for_user(actor=actor, pk=bulletin_id)
    if not selectors.bulletin_may_manage(actor=actor, bulletin=bulletin):
        raise NotFound("Bulletin not found.")
    return selectors.bulletin_reads_for_owner(actor=actor, bulletin=bulletin)


@router.get("/sharing/bulletins/{bulletin_id}/export", response=dict[str, Any])
def bulletin_export(
    request: HttpRequest, bulletin_id: Id, format: Literal["misp", "stix"] = "misp"
) -> Any:
    actor = actor_of(request, READ)
    bulletin = selectors.bulletin_get_for_user(actor=actor, pk=bulletin_id)
    services.bulletin_view(actor=actor, bulletin=bulletin, how=f"export:{format}")
    if format == "stix":
        return interchange.stix_export(bulletin)
    return interchange.misp_export(bulletin)


@router.get("/sharing/matches", response=list[MatchOut])
@paginate(Page)
def match_list(request: HttpRequest) -> Any:
    actor = actor_of(request, READ)
    matches = list(selectors.match_list_for_user(actor=actor)[:1000])
    for match in matches:
        # The bulletin is named only to those who may read it.
        bulletin = selectors.match_bulletin_for_user(actor=actor, match=match)
        match.bulletin_id = bulletin.pk if bulletin else None  # type: ignore[assignment]
    return matches


@router.get("/sharing/articles", response=list[ArticleOut])
@paginate(Page)
def article_list(request: HttpRequest, filters: Query[ArticleFilters]) -> Any:
    actor_of(request, READ)
    if filters.theme and filters.theme not in Article.Theme.values:
        raise InvalidInput("Unknown theme.", fields={"theme": ["unknown"]})
    return selectors.article_list(q=filters.q, theme=filters.theme)
