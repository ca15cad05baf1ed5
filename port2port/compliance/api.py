"""The compliance API: security levels, plans, inspections, drills and exercises,
training, Declarations of Security and pre-arrival information."""

import base64
import binascii
import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, Literal

from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from port2port.compliance import selectors, services
from port2port.compliance.models import (
    Answer,
    ChecklistTemplate,
    DeclarationOfSecurity,
    Exercise,
    Finding,
    FindingUpdate,
    Inspection,
    LevelAcknowledgement,
    Reminder,
    Scenario,
    SecurityDocument,
    SecurityLevelChange,
    ShipCall,
    TrainingImport,
    TrainingRecord,
    TrainingRule,
)
from port2port.compliance.report import inspection_pdf
from port2port.core import selectors as core_selectors
from port2port.core.api import Id, InSchema, Page, _ref
from port2port.core.apikit import actor_of
from port2port.core.errors import InvalidInput
from port2port.core.models import User

router = Router(tags=["compliance"])

READ = "registry:read"
WRITE = "registry:write"
Text = Field(..., min_length=1, max_length=4000)
OptionalText = Field("", max_length=4000)
Level = Literal[1, 2, 3]


def _facility(actor: Any, pk: int, field: str = "facility_id") -> Any:
    return _ref(field, selectors.facility_get_for_compliance, actor=actor, pk=pk)


# Security levels ------------------------------------------------------------------------


class AcknowledgementOut(Schema):
    id: int
    facility_id: int
    facility: str
    acknowledged_at: dt.datetime | None
    acknowledged_by: str | None

    @staticmethod
    def resolve_facility(obj: LevelAcknowledgement) -> str:
        return obj.facility.name

    @staticmethod
    def resolve_acknowledged_by(obj: LevelAcknowledgement) -> str | None:
        return obj.acknowledged_by.get_username() if obj.acknowledged_by else None


class LevelChangeOut(Schema):
    id: int
    port: str
    facility_id: int | None
    level: int
    previous_level: int | None
    reason: str
    valid_from: dt.datetime
    valid_until: dt.datetime | None
    set_by: str
    ended_at: dt.datetime | None
    end: str
    acknowledgements: list[AcknowledgementOut]

    @staticmethod
    def resolve_port(obj: SecurityLevelChange) -> str:
        return obj.port.locode

    @staticmethod
    def resolve_set_by(obj: SecurityLevelChange) -> str:
        return obj.set_by_label

    @staticmethod
    def resolve_acknowledgements(obj: SecurityLevelChange) -> list[Any]:
        return list(obj.acknowledgements.all())


class LevelIn(InSchema):
    port: str = Field(..., min_length=5, max_length=5, description="UN/LOCODE")
    facility_id: Id | None = None
    level: Level
    reason: str = Field(..., min_length=1, max_length=2000)
    valid_until: dt.datetime | None = None


class LevelFilters(Schema):
    port: str = Field("", max_length=5)
    facility: Id | None = None
    current: bool | None = None


@router.get(
    "/compliance/security-levels",
    response=list[LevelChangeOut],
    summary="The history of security levels",
)
@paginate(Page)
def level_list(request: HttpRequest, filters: Query[LevelFilters]) -> Any:
    return selectors.level_change_list_for_user(
        actor=actor_of(request, READ),
        port=filters.port,
        facility=filters.facility,
        current=filters.current,
    ).prefetch_related(
        "acknowledgements__facility", "acknowledgements__acknowledged_by"
    )


@router.post(
    "/compliance/security-levels",
    response={201: LevelChangeOut},
    summary="Set the security level of a port or a facility",
    description=(
        "The port's security officer (or the national authority) sets the level "
        "with a reason and an optional end of validity. Every PFSO concerned must "
        "acknowledge it; the gates apply it at once."
    ),
)
def level_set(request: HttpRequest, payload: LevelIn) -> tuple[int, Any]:
    actor = actor_of(request, WRITE)
    port = _ref(
        "port", core_selectors.port_get_for_user, actor=actor, locode=payload.port
    )
    facility = None
    if payload.facility_id is not None:
        facility = _facility(actor, payload.facility_id)
    return 201, services.security_level_set(
        actor=actor,
        port=port,
        facility=facility,
        level=payload.level,
        reason=payload.reason,
        valid_until=payload.valid_until,
    )


@router.get(
    "/compliance/security-levels/{int:change_id}",
    response=LevelChangeOut,
    summary="One security level change",
)
def level_detail(request: HttpRequest, change_id: int) -> Any:
    return selectors.level_change_get_for_user(
        actor=actor_of(request, READ), pk=change_id
    )


@router.post(
    "/compliance/acknowledgements/{int:ack_id}",
    response=AcknowledgementOut,
    summary="Acknowledge a security level change (the facility's PFSO)",
)
def level_acknowledge(request: HttpRequest, ack_id: int) -> Any:
    actor = actor_of(request, WRITE)
    ack = selectors.acknowledgement_get_for_user(actor=actor, pk=ack_id)
    return services.security_level_acknowledge(actor=actor, acknowledgement=ack)


# Assessments, plans and certificates -------------------------------------------------


class VersionOut(Schema):
    id: int
    document_id: int
    number: int
    status: str
    file_name: str
    file_size: int
    file_sha256: str
    summary: dict[str, str]
    note: str
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    advice: str
    advice_text: str
    advised_at: dt.datetime | None
    decided_at: dt.datetime | None
    decision_note: str


class DocumentOut(Schema):
    id: int
    facility_id: int
    kind: str
    last_approved_on: dt.date | None
    major_change_on: dt.date | None
    major_change_reason: str
    review_due_on: dt.date | None
    versions: list[VersionOut]

    @staticmethod
    def resolve_versions(obj: SecurityDocument) -> list[Any]:
        return list(obj.versions.all())


class VersionForm(Schema):
    summary: str = Field(
        "{}", max_length=60000, description="The structured summary as a JSON object"
    )
    note: str = Field("", max_length=4000)


class AdviceIn(InSchema):
    favourable: bool
    text: str = Text


class DecisionIn(InSchema):
    approve: bool
    note: str = OptionalText


class MajorChangeIn(InSchema):
    reason: str = Field(..., min_length=1, max_length=2000)


class CertificateOut(Schema):
    id: int
    facility_id: int
    number: str
    issued_on: dt.date
    expires_on: dt.date
    version_id: int


class DocumentFilters(Schema):
    facility: Id | None = None
    kind: Literal["pfsa", "pfsp"] | None = None
    status: (
        Literal["draft", "submitted", "advised", "approved", "rejected", "superseded"]
        | None
    ) = None


@router.get(
    "/compliance/documents",
    response=list[DocumentOut],
    summary="Assessments and plans with their versions",
)
@paginate(Page)
def document_list(request: HttpRequest, filters: Query[DocumentFilters]) -> Any:
    return selectors.document_list_for_user(
        actor=actor_of(request, READ),
        facility=filters.facility,
        kind=filters.kind or "",
        status=filters.status or "",
    ).prefetch_related("versions")


@router.get(
    "/compliance/documents/{int:document_id}",
    response=DocumentOut,
    summary="One assessment or plan",
)
def document_detail(request: HttpRequest, document_id: int) -> Any:
    return selectors.document_get_for_user(
        actor=actor_of(request, READ), pk=document_id
    )


@router.post(
    "/compliance/facilities/{int:facility_id}/documents/{kind}/versions",
    response={201: VersionOut},
    summary="Draft a new version of the assessment or plan (multipart: file, summary)",
)
def version_create(
    request: HttpRequest,
    facility_id: int,
    kind: Literal["pfsa", "pfsp"],
    form: Form[VersionForm],
    file: File[UploadedFile],
) -> tuple[int, Any]:
    import json

    actor = actor_of(request, WRITE)
    facility = selectors.facility_get_for_compliance(actor=actor, pk=facility_id)
    try:
        summary = json.loads(form.summary or "{}")
    except ValueError:
        raise InvalidInput(
            "The summary is not valid JSON.", fields={"summary": ["invalid JSON"]}
        ) from None
    return 201, services.document_version_create(
        actor=actor,
        facility=facility,
        kind=kind,
        file_name=file.name or "",
        content=file.read(),
        summary=summary,
        note=form.note,
    )


@router.get(
    "/compliance/document-versions/{int:version_id}/file",
    summary="Download the file of a version",
    response={200: None},
)
def version_file(request: HttpRequest, version_id: int) -> FileResponse:
    version = selectors.version_get_for_user(
        actor=actor_of(request, READ), pk=version_id
    )
    return FileResponse(
        version.file.open("rb"), as_attachment=True, filename=version.file_name
    )


@router.post(
    "/compliance/document-versions/{int:version_id}/submit",
    response=VersionOut,
    summary="Submit a draft for the local committee's advice",
)
def version_submit(request: HttpRequest, version_id: int) -> Any:
    actor = actor_of(request, WRITE)
    version = selectors.version_get_for_user(actor=actor, pk=version_id)
    return services.document_version_submit(actor=actor, version=version)


@router.post(
    "/compliance/document-versions/{int:version_id}/advice",
    response=VersionOut,
    summary="Give the local committee's advice",
)
def version_advise(request: HttpRequest, version_id: int, payload: AdviceIn) -> Any:
    actor = actor_of(request, WRITE)
    version = selectors.version_get_for_user(actor=actor, pk=version_id)
    return services.document_version_advise(
        actor=actor, version=version, favourable=payload.favourable, text=payload.text
    )


@router.post(
    "/compliance/document-versions/{int:version_id}/decision",
    response=VersionOut,
    summary="Approve or reject (the national authority); approving a plan issues the certificate",
)
def version_decide(request: HttpRequest, version_id: int, payload: DecisionIn) -> Any:
    actor = actor_of(request, WRITE)
    version = selectors.version_get_for_user(actor=actor, pk=version_id)
    return services.document_version_decide(
        actor=actor, version=version, approve=payload.approve, note=payload.note
    )


@router.post(
    "/compliance/facilities/{int:facility_id}/major-change",
    response=list[DocumentOut],
    summary="Flag a major change: the assessment and plan fall due for review",
)
def major_change(request: HttpRequest, facility_id: int, payload: MajorChangeIn) -> Any:
    actor = actor_of(request, WRITE)
    facility = selectors.facility_get_for_compliance(actor=actor, pk=facility_id)
    return services.facility_major_change_flag(
        actor=actor, facility=facility, reason=payload.reason
    )


@router.get(
    "/compliance/certificates",
    response=list[CertificateOut],
    summary="Facility certificates (statements of compliance)",
)
@paginate(Page)
def certificate_list(request: HttpRequest, facility: Id | None = None) -> Any:
    return selectors.certificate_list_for_user(
        actor=actor_of(request, READ), facility=facility
    )


# Facility status ------------------------------------------------------------------------


class DutyOut(Schema):
    code: str
    label: str
    due_on: dt.date
    status: Literal["ok", "due_soon", "late"]
    last: dt.date | None


class FacilityStatusOut(Schema):
    facility_id: int
    risk: str
    security_level: int
    duties: list[DutyOut]
    pending_acknowledgements: int
    open_findings: int
    late_findings: int
    next_inspection: dt.date | None
    certificate_expires: dt.date | None


class RiskIn(InSchema):
    risk: Literal["low", "medium", "high"]
    note: str = Field("", max_length=300)


@router.get(
    "/compliance/facilities/{int:facility_id}/status",
    response=FacilityStatusOut,
    summary="What is due, late and open at a facility",
)
def facility_status(request: HttpRequest, facility_id: int) -> dict[str, Any]:
    facility = selectors.facility_get_for_compliance(
        actor=actor_of(request, READ), pk=facility_id
    )
    status = selectors.facility_statuses(
        facility_ids={facility.pk}, today=timezone.localdate()
    )[facility.pk]
    return {
        **status.__dict__,
        "duties": [
            {**d.__dict__, "label": d.label, "status": str(d.status)}
            for d in status.duties
        ],
        "security_level": facility.effective_security_level,
    }


@router.post(
    "/compliance/facilities/{int:facility_id}/risk",
    response=FacilityStatusOut,
    summary="Set a facility's risk, which sets how often it is inspected",
)
def facility_risk(request: HttpRequest, facility_id: int, payload: RiskIn) -> Any:
    actor = actor_of(request, WRITE)
    facility = selectors.facility_get_for_compliance(actor=actor, pk=facility_id)
    services.facility_risk_set(
        actor=actor, facility=facility, risk=payload.risk, note=payload.note
    )
    return facility_status(request, facility_id)


# Inspections ----------------------------------------------------------------------------


class ItemOut(Schema):
    key: str
    position: int
    section: str
    text: str
    guidance: str
    source: str
    answer_type: str
    unit: str


class TemplateOut(Schema):
    id: int
    code: str
    version: int
    title: str
    description: str
    sources: list[str]
    active: bool
    items: list[ItemOut]

    @staticmethod
    def resolve_items(obj: ChecklistTemplate) -> list[Any]:
        return list(obj.items.all())


class _AnswerFields(Schema):
    item: str
    choice: str
    number: Decimal | None
    text: str
    comment: str
    client_saved_at: dt.datetime
    saved_at: dt.datetime
    revision: int


class AnswerOut(_AnswerFields):
    @staticmethod
    def resolve_item(obj: Answer) -> str:
        return obj.item.key


class SavedAnswerOut(_AnswerFields):
    applied: bool


def _answer_out(answer: Answer, applied: bool) -> dict[str, Any]:
    return {
        "item": answer.item.key,
        "choice": answer.choice,
        "number": answer.number,
        "text": answer.text,
        "comment": answer.comment,
        "client_saved_at": answer.client_saved_at,
        "saved_at": answer.saved_at,
        "revision": answer.revision,
        "applied": applied,
    }


class PhotoOut(Schema):
    id: int
    client_id: uuid.UUID
    item: str | None
    content_type: str
    size: int
    sha256: str
    caption: str


class FindingOut(Schema):
    id: int
    inspection_id: int
    facility_id: int
    number: int
    item: str | None
    severity: str
    description: str
    source: str
    status: str
    action: str
    action_owner: str
    deadline: dt.date | None
    closed_at: dt.datetime | None

    @staticmethod
    def resolve_item(obj: Finding) -> str | None:
        return obj.item.key if obj.item else None


class InspectionOut(Schema):
    id: int
    facility_id: int
    template_id: int
    kind: str
    status: str
    planned_on: dt.date
    inspector: str
    started_at: dt.datetime | None
    completed_at: dt.datetime | None
    outcome: str
    summary: str

    @staticmethod
    def resolve_inspector(obj: Inspection) -> str:
        return obj.inspector.get_username()


class InspectionDetailOut(InspectionOut):
    answers: list[AnswerOut]
    findings: list[FindingOut]
    photos: list[PhotoOut]

    @staticmethod
    def resolve_answers(obj: Inspection) -> list[Any]:
        return list(obj.answers.select_related("item"))

    @staticmethod
    def resolve_findings(obj: Inspection) -> list[Any]:
        return list(obj.findings.select_related("item"))

    @staticmethod
    def resolve_photos(obj: Inspection) -> list[dict[str, Any]]:
        return [
            {
                "id": p.pk,
                "client_id": p.client_id,
                "item": p.item.key if p.item else None,
                "content_type": p.content_type,
                "size": p.size,
                "sha256": p.sha256,
                "caption": p.caption,
            }
            for p in obj.photos.select_related("item")
        ]


class InspectionIn(InSchema):
    facility_id: Id
    template_id: Id
    kind: Literal["announced", "unannounced"]
    planned_on: dt.date
    inspector_id: Id | None = None


class InspectionFilters(Schema):
    facility: Id | None = None
    status: Literal["planned", "in_progress", "completed", "cancelled"] | None = None
    planned_from: dt.date | None = None
    planned_until: dt.date | None = None


class AnswerIn(InSchema):
    choice: Literal["", "yes", "no", "na"] = ""
    number: Decimal | None = Field(None, max_digits=14, decimal_places=3)
    text: str = Field("", max_length=4000)
    comment: str = Field("", max_length=4000)
    client_saved_at: dt.datetime = Field(
        ..., description="When the inspector gave this answer on the device"
    )


class PhotoIn(InSchema):
    client_id: uuid.UUID
    content_type: Literal["image/jpeg", "image/png", "image/webp"]
    data: str = Field(..., min_length=4, max_length=14_000_000, description="Base64")
    item: str = Field("", max_length=60)
    caption: str = Field("", max_length=200)


class CompleteIn(InSchema):
    summary: str = OptionalText


class FindingIn(InSchema):
    severity: Literal["observation", "minor", "major", "critical"]
    description: str = Text
    item: str = Field("", max_length=60)
    deadline: dt.date | None = None


@router.get(
    "/compliance/checklists",
    response=list[TemplateOut],
    summary="Checklist templates and their items",
)
@paginate(Page)
def template_list(request: HttpRequest, all_versions: bool = False) -> Any:
    actor_of(request, READ)
    return selectors.template_list(active=None if all_versions else True)


@router.get(
    "/compliance/checklists/{int:template_id}",
    response=TemplateOut,
    summary="One checklist template",
)
def template_detail(request: HttpRequest, template_id: int) -> Any:
    actor_of(request, READ)
    return selectors.template_get(pk=template_id)


@router.get(
    "/compliance/inspections", response=list[InspectionOut], summary="Inspections"
)
@paginate(Page)
def inspection_list(request: HttpRequest, filters: Query[InspectionFilters]) -> Any:
    return selectors.inspection_list_for_user(
        actor=actor_of(request, READ),
        facility=filters.facility,
        status=filters.status or "",
        planned_from=filters.planned_from,
        planned_until=filters.planned_until,
    )


@router.post(
    "/compliance/inspections",
    response={201: InspectionOut},
    summary="Plan an inspection (an inspector)",
)
def inspection_plan(request: HttpRequest, payload: InspectionIn) -> tuple[int, Any]:
    actor = actor_of(request, WRITE)
    facility = _facility(actor, payload.facility_id)
    template = _ref("template_id", selectors.template_get, pk=payload.template_id)
    inspector = None
    if payload.inspector_id is not None:
        inspector = User.objects.filter(pk=payload.inspector_id, is_active=True).first()
        if inspector is None:
            raise InvalidInput(
                "Unknown inspector.", fields={"inspector_id": ["not found"]}
            )
    return 201, services.inspection_plan(
        actor=actor,
        facility=facility,
        template=template,
        kind=payload.kind,
        planned_on=payload.planned_on,
        inspector=inspector,
    )


@router.get(
    "/compliance/inspections/{int:inspection_id}",
    response=InspectionDetailOut,
    summary="An inspection with its answers, photos and findings",
)
def inspection_detail(request: HttpRequest, inspection_id: int) -> Any:
    return selectors.inspection_get_for_user(
        actor=actor_of(request, READ), pk=inspection_id
    )


@router.post(
    "/compliance/inspections/{int:inspection_id}/start",
    response=InspectionOut,
    summary="Start an inspection on site",
)
def inspection_start(request: HttpRequest, inspection_id: int) -> Any:
    actor = actor_of(request, WRITE)
    inspection = selectors.inspection_get_for_user(actor=actor, pk=inspection_id)
    return services.inspection_start(actor=actor, inspection=inspection)


@router.put(
    "/compliance/inspections/{int:inspection_id}/answers/{item_key}",
    response=SavedAnswerOut,
    url_name="compliance_answer_save",
    summary="Save the answer to one item (idempotent)",
    description=(
        "Send the whole answer and the time it was given on the device. Sending "
        "it again changes nothing; a save made on the device before the stored "
        "one is ignored (`applied` is false) and the stored answer is returned."
    ),
)
def answer_save(
    request: HttpRequest, inspection_id: int, item_key: str, payload: AnswerIn
) -> dict[str, Any]:
    actor = actor_of(request, WRITE)
    inspection = selectors.inspection_get_for_user(actor=actor, pk=inspection_id)
    answer, applied = services.answer_save(
        actor=actor,
        inspection=inspection,
        item_key=item_key[:60],
        choice=payload.choice,
        number=payload.number,
        text=payload.text,
        comment=payload.comment,
        client_saved_at=payload.client_saved_at,
    )
    return _answer_out(answer, applied)


@router.post(
    "/compliance/inspections/{int:inspection_id}/photos",
    response={201: PhotoOut, 200: PhotoOut},
    url_name="compliance_photo_add",
    summary="Add a photo (idempotent by the device's id)",
)
def photo_add(
    request: HttpRequest, inspection_id: int, payload: PhotoIn
) -> tuple[int, dict[str, Any]]:
    actor = actor_of(request, WRITE)
    inspection = selectors.inspection_get_for_user(actor=actor, pk=inspection_id)
    try:
        content = base64.b64decode(payload.data.split(",")[-1], validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(
            "The photo is not valid base64.", fields={"data": ["invalid base64"]}
        ) from None
    photo, created = services.photo_add(
        actor=actor,
        inspection=inspection,
        client_id=payload.client_id,
        content=content,
        content_type=payload.content_type,
        item_key=payload.item,
        caption=payload.caption,
    )
    out = {
        "id": photo.pk,
        "client_id": photo.client_id,
        "item": photo.item.key if photo.item else None,
        "content_type": photo.content_type,
        "size": photo.size,
        "sha256": photo.sha256,
        "caption": photo.caption,
    }
    return (201 if created else 200), out


@router.post(
    "/compliance/inspections/{int:inspection_id}/findings",
    response={201: FindingOut},
    summary="Record a finding",
)
def finding_create(
    request: HttpRequest, inspection_id: int, payload: FindingIn
) -> tuple[int, Any]:
    actor = actor_of(request, WRITE)
    inspection = selectors.inspection_get_for_user(actor=actor, pk=inspection_id)
    return 201, services.finding_create(
        actor=actor,
        inspection=inspection,
        severity=payload.severity,
        description=payload.description,
        item_key=payload.item,
        deadline=payload.deadline,
    )


@router.post(
    "/compliance/inspections/{int:inspection_id}/complete",
    response=InspectionOut,
    summary="Complete an inspection",
)
def inspection_complete(
    request: HttpRequest, inspection_id: int, payload: CompleteIn
) -> Any:
    actor = actor_of(request, WRITE)
    inspection = selectors.inspection_get_for_user(actor=actor, pk=inspection_id)
    return services.inspection_complete(
        actor=actor, inspection=inspection, summary=payload.summary
    )


@router.get(
    "/compliance/inspections/{int:inspection_id}/report.pdf",
    summary="The PDF report of an inspection",
    response={200: None},
)
def inspection_report(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspection = selectors.inspection_get_for_user(
        actor=actor_of(request, READ), pk=inspection_id
    )
    response = HttpResponse(inspection_pdf(inspection), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="inspection-{inspection.pk}.pdf"'
    )
    return response


# Findings -------------------------------------------------------------------------------


class FindingUpdateOut(Schema):
    kind: str
    text: str
    file_name: str
    author: str | None
    at: dt.datetime

    @staticmethod
    def resolve_author(obj: FindingUpdate) -> str | None:
        return obj.author.get_username() if obj.author else None


class FindingDetailOut(FindingOut):
    updates: list[FindingUpdateOut]

    @staticmethod
    def resolve_updates(obj: Finding) -> list[Any]:
        return list(obj.updates.select_related("author"))


class FindingFilters(Schema):
    facility: Id | None = None
    status: Literal["open", "planned", "evidence", "closed"] | None = None
    severity: Literal["observation", "minor", "major", "critical"] | None = None
    open: bool = False


class PlanIn(InSchema):
    action: str = Text
    owner: str = Field(..., min_length=1, max_length=200)
    deadline: dt.date


class FollowUpIn(InSchema):
    text: str = Text
    evidence: bool = False


class CloseIn(InSchema):
    text: str = Text


@router.get("/compliance/findings", response=list[FindingOut], summary="Findings")
@paginate(Page)
def finding_list(request: HttpRequest, filters: Query[FindingFilters]) -> Any:
    return selectors.finding_list_for_user(
        actor=actor_of(request, READ),
        facility=filters.facility,
        status=filters.status or "",
        severity=filters.severity or "",
        open_only=filters.open,
    )


@router.get(
    "/compliance/findings/{int:finding_id}",
    response=FindingDetailOut,
    summary="A finding and its follow-up",
)
def finding_detail(request: HttpRequest, finding_id: int) -> Any:
    return selectors.finding_get_for_user(actor=actor_of(request, READ), pk=finding_id)


@router.post(
    "/compliance/findings/{int:finding_id}/plan",
    response=FindingDetailOut,
    summary="Give the corrective action plan (the facility)",
)
def finding_plan(request: HttpRequest, finding_id: int, payload: PlanIn) -> Any:
    actor = actor_of(request, WRITE)
    finding = selectors.finding_get_for_user(actor=actor, pk=finding_id)
    return services.finding_plan(
        actor=actor,
        finding=finding,
        action=payload.action,
        owner=payload.owner,
        deadline=payload.deadline,
    )


@router.post(
    "/compliance/findings/{int:finding_id}/follow-ups",
    response={201: FindingUpdateOut},
    summary="Report progress or submit evidence (the facility)",
)
def finding_follow_up(
    request: HttpRequest, finding_id: int, payload: FollowUpIn
) -> tuple[int, Any]:
    actor = actor_of(request, WRITE)
    finding = selectors.finding_get_for_user(actor=actor, pk=finding_id)
    return 201, services.finding_follow_up(
        actor=actor, finding=finding, text=payload.text, evidence=payload.evidence
    )


@router.post(
    "/compliance/findings/{int:finding_id}/close",
    response=FindingDetailOut,
    summary="Close a finding (an inspector)",
)
def finding_close(request: HttpRequest, finding_id: int, payload: CloseIn) -> Any:
    actor = actor_of(request, WRITE)
    finding = selectors.finding_get_for_user(actor=actor, pk=finding_id)
    return services.finding_close(actor=actor, finding=finding, text=payload.text)


@router.post(
    "/compliance/findings/{int:finding_id}/reopen",
    response=FindingDetailOut,
    summary="Reopen a closed finding (an inspector)",
)
def finding_reopen(request: HttpRequest, finding_id: int, payload: CloseIn) -> Any:
    actor = actor_of(request, WRITE)
    finding = selectors.finding_get_for_user(actor=actor, pk=finding_id)
    return services.finding_reopen(actor=actor, finding=finding, text=payload.text)


# Drills and exercises -------------------------------------------------------------------


class InjectOut(Schema):
    minute: int
    text: str


class ScenarioOut(Schema):
    code: str
    kind: str
    title: str
    threat: str
    summary: str
    objectives: list[str]
    participants: list[str]
    injects: list[InjectOut]
    expected_actions: list[str]
    evaluation_criteria: list[str]
    duration_minutes: int
    references: list[str]


class ReportOut(Schema):
    summary: str
    went_well: str
    lessons: str
    actions: str
    detection_seconds: int | None
    response_seconds: int | None
    written_at: dt.datetime
    shared_at: dt.datetime | None


class ExerciseOut(Schema):
    id: int
    kind: str
    format: str
    scenario: str | None
    title: str
    port: str
    facility_ids: list[int]
    status: str
    planned_on: dt.date
    held_on: dt.date | None
    exercise_mode: bool
    notes: str
    report: ReportOut | None

    @staticmethod
    def resolve_scenario(obj: Exercise) -> str | None:
        return obj.scenario.code if obj.scenario else None

    @staticmethod
    def resolve_port(obj: Exercise) -> str:
        return obj.port.locode

    @staticmethod
    def resolve_facility_ids(obj: Exercise) -> list[int]:
        return sorted(f.pk for f in obj.facilities.all())

    @staticmethod
    def resolve_report(obj: Exercise, context: Any) -> Any:
        report = getattr(obj, "report", None)
        if report is None:
            return None
        request = context["request"]
        return (
            report
            if selectors.report_visible(actor=request.auth, report=report)
            else None
        )


class ExerciseIn(InSchema):
    kind: Literal["drill", "exercise"]
    title: str = Field("", max_length=200)
    scenario: str = Field("", max_length=10)
    format: Literal["", "tabletop", "live", "command_post", "seminar", "combined"] = ""
    planned_on: dt.date
    held_on: dt.date | None = None
    facility_ids: list[Id] = Field(..., min_length=1, max_length=200)
    exercise_mode: bool = False
    notes: str = OptionalText


class HeldIn(InSchema):
    held_on: dt.date


class ReportIn(InSchema):
    summary: str = Text
    lessons: str = Text
    went_well: str = OptionalText
    actions: str = OptionalText
    detection_seconds: int | None = Field(None, ge=0, le=604800)
    response_seconds: int | None = Field(None, ge=0, le=604800)


class ExerciseFilters(Schema):
    facility: Id | None = None
    kind: Literal["drill", "exercise"] | None = None
    status: Literal["planned", "held", "cancelled"] | None = None


@router.get(
    "/compliance/scenarios",
    response=list[ScenarioOut],
    summary="The library of drill and exercise scenarios",
)
@paginate(Page)
def scenario_list(
    request: HttpRequest, kind: Literal["drill", "exercise"] | None = None
) -> Any:
    actor_of(request, READ)
    return selectors.scenario_list(kind=kind or "")


@router.get(
    "/compliance/scenarios/{code}", response=ScenarioOut, summary="One scenario"
)
def scenario_detail(request: HttpRequest, code: str) -> Scenario:
    actor_of(request, READ)
    return selectors.scenario_get(code=code)


@router.get(
    "/compliance/exercises",
    response=list[ExerciseOut],
    summary="Drills and exercises",
)
@paginate(Page)
def exercise_list(request: HttpRequest, filters: Query[ExerciseFilters]) -> Any:
    return selectors.exercise_list_for_user(
        actor=actor_of(request, READ),
        facility=filters.facility,
        kind=filters.kind or "",
        status=filters.status or "",
    )


@router.post(
    "/compliance/exercises",
    response={201: ExerciseOut},
    summary="Plan (or record) a drill or exercise for one or more facilities",
)
def exercise_plan(request: HttpRequest, payload: ExerciseIn) -> tuple[int, Any]:
    actor = actor_of(request, WRITE)
    facilities = [
        _facility(actor, pk, "facility_ids")
        for pk in dict.fromkeys(payload.facility_ids)
    ]
    scenario = None
    if payload.scenario:
        scenario = _ref("scenario", selectors.scenario_get, code=payload.scenario)
    return 201, services.exercise_plan(
        actor=actor,
        kind=payload.kind,
        title=payload.title,
        planned_on=payload.planned_on,
        held_on=payload.held_on,
        facilities=facilities,
        scenario=scenario,
        format=payload.format,
        exercise_mode=payload.exercise_mode,
        notes=payload.notes,
    )


@router.get(
    "/compliance/exercises/{int:exercise_id}",
    response=ExerciseOut,
    summary="One drill or exercise",
)
def exercise_detail(request: HttpRequest, exercise_id: int) -> Any:
    return selectors.exercise_get_for_user(
        actor=actor_of(request, READ), pk=exercise_id
    )


@router.post(
    "/compliance/exercises/{int:exercise_id}/held",
    response=ExerciseOut,
    summary="Record that it was held",
)
def exercise_held(request: HttpRequest, exercise_id: int, payload: HeldIn) -> Any:
    actor = actor_of(request, WRITE)
    exercise = selectors.exercise_get_for_user(actor=actor, pk=exercise_id)
    return services.exercise_record_held(
        actor=actor, exercise=exercise, held_on=payload.held_on
    )


@router.put(
    "/compliance/exercises/{int:exercise_id}/report",
    response=ExerciseOut,
    summary="Write the after-action report",
)
def exercise_report(request: HttpRequest, exercise_id: int, payload: ReportIn) -> Any:
    actor = actor_of(request, WRITE)
    exercise = selectors.exercise_get_for_user(actor=actor, pk=exercise_id)
    services.exercise_report_write(actor=actor, exercise=exercise, **payload.dict())
    return selectors.exercise_get_for_user(actor=actor, pk=exercise_id)


@router.post(
    "/compliance/exercises/{int:exercise_id}/report/share",
    response=ExerciseOut,
    summary="Share the after-action report with the local committee",
)
def exercise_share(request: HttpRequest, exercise_id: int) -> Any:
    actor = actor_of(request, WRITE)
    exercise = selectors.exercise_get_for_user(actor=actor, pk=exercise_id)
    services.exercise_report_share(actor=actor, exercise=exercise)
    return selectors.exercise_get_for_user(actor=actor, pk=exercise_id)


# Training -------------------------------------------------------------------------------


class CourseOut(Schema):
    code: str
    name: str
    validity_months: int
    hours: int | None
    description: str


class CourseIn(InSchema):
    code: str = Field(..., pattern=r"^[a-z0-9-]{2,40}$")
    name: str = Field(..., min_length=1, max_length=200)
    validity_months: int = Field(..., ge=0, le=240)
    hours: int | None = Field(None, ge=1, le=1000)
    description: str = OptionalText


class RecordOut(Schema):
    id: int
    person_id: int
    course: str
    completed_on: dt.date
    expires_on: dt.date | None
    provider_id: int | None
    certificate: str

    @staticmethod
    def resolve_course(obj: TrainingRecord) -> str:
        return obj.course.code


class RecordIn(InSchema):
    person_id: Id
    course: str = Field(..., min_length=1, max_length=40)
    completed_on: dt.date
    expires_on: dt.date | None = None
    certificate: str = Field("", max_length=60)
    provider_id: Id | None = None


class RecordFilters(Schema):
    person: Id | None = None
    course: str = Field("", max_length=40)
    organisation: Id | None = None
    expires_before: dt.date | None = None


class ImportRowOut(Schema):
    line: int
    status: Literal["imported", "unchanged", "rejected"]
    message: str = ""
    fields: dict[str, list[str]] = {}
    record: int | None = None
    person: int | None = None
    course: str | None = None


class ImportOut(Schema):
    id: int | None
    file_name: str
    rows_total: int
    rows_imported: int
    rows_unchanged: int
    rows_rejected: int
    results: list[ImportRowOut]


class ImportForm(Schema):
    provider_id: int | None = Field(None, ge=1, le=2**63 - 1)
    dry_run: bool = False


class RuleOut(Schema):
    id: int
    course: str
    port: str | None
    zone_id: int | None
    role: str
    organisation_role: str
    reason: str
    applies_to: str

    @staticmethod
    def resolve_course(obj: TrainingRule) -> str:
        return obj.course.code

    @staticmethod
    def resolve_port(obj: TrainingRule) -> str | None:
        return obj.port.locode if obj.port else None

    @staticmethod
    def resolve_applies_to(obj: TrainingRule) -> str:
        return obj.describe()


class RuleIn(InSchema):
    course: str = Field(..., min_length=1, max_length=40)
    port: str = Field("", max_length=5)
    zone_id: Id | None = None
    role: str = Field("", max_length=30)
    organisation_role: str = Field("", max_length=30)
    reason: str = Field("", max_length=300)


class PersonComplianceOut(Schema):
    person_id: int
    name: str
    required: list[str]
    missing: list[str]
    expired: list[str]
    expiring: list[str]
    compliant: bool


class ComplianceOut(Schema):
    people: int
    subject: int
    compliant: int
    percent: int
    by_course: dict[str, dict[str, int]]
    not_compliant: list[PersonComplianceOut]


@router.get(
    "/compliance/courses", response=list[CourseOut], summary="The course catalogue"
)
@paginate(Page)
def course_list(request: HttpRequest) -> Any:
    actor_of(request, READ)
    return selectors.course_list()


@router.post(
    "/compliance/courses",
    response={201: CourseOut},
    summary="Add a course (the national authority)",
)
def course_create(request: HttpRequest, payload: CourseIn) -> tuple[int, Any]:
    return 201, services.course_create(actor=actor_of(request, WRITE), **payload.dict())


@router.get(
    "/compliance/training-records",
    response=list[RecordOut],
    summary="Training records of the people the caller may see",
)
@paginate(Page)
def record_list(request: HttpRequest, filters: Query[RecordFilters]) -> Any:
    return selectors.training_record_list_for_user(
        actor=actor_of(request, READ),
        person=filters.person,
        course=filters.course,
        organisation=filters.organisation,
        expires_before=filters.expires_before,
    )


@router.post(
    "/compliance/training-records",
    response={201: RecordOut, 200: RecordOut},
    summary="Record a completed course (idempotent by person, course and day)",
)
def record_create(request: HttpRequest, payload: RecordIn) -> tuple[int, Any]:
    actor = actor_of(request, WRITE)
    person = _ref(
        "person_id",
        core_selectors.person_get_for_user,
        actor=actor,
        pk=payload.person_id,
    )
    course = _ref("course", selectors.course_get, code=payload.course)
    provider = None
    if payload.provider_id is not None:
        provider = _ref(
            "provider_id",
            core_selectors.organisation_get_for_user,
            actor=actor,
            pk=payload.provider_id,
        )
    record, created = services.training_record_create(
        actor=actor,
        person=person,
        course=course,
        completed_on=payload.completed_on,
        expires_on=payload.expires_on,
        provider=provider,
        certificate=payload.certificate,
    )
    return (201 if created else 200), record


@router.post(
    "/compliance/training-imports",
    response={201: ImportOut, 200: ImportOut},
    summary="Import a training provider's CSV file (multipart), with a result per row",
    description=(
        "Columns: `course`, `completed_on` (YYYY-MM-DD), optionally `expires_on` and "
        "`certificate`, and the person as `person_id`, `national_register_number`, "
        "or `document_number` with `date_of_birth`. A rejected row changes nothing. "
        "With `dry_run` nothing is stored (200)."
    ),
)
def training_import(
    request: HttpRequest, form: Form[ImportForm], file: File[UploadedFile]
) -> tuple[int, Any]:
    actor = actor_of(request, WRITE)
    provider = None
    if form.provider_id is not None:
        provider = _ref(
            "provider_id",
            core_selectors.organisation_get_for_user,
            actor=actor,
            pk=form.provider_id,
        )
    if file.size and file.size > 5 << 20:
        raise InvalidInput(
            "The file is too large (5 MB at most).", fields={"file": ["too large"]}
        )
    try:
        text = file.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            "Save the file as UTF-8 CSV.", fields={"file": ["not UTF-8"]}
        ) from None
    batch = services.training_import(
        actor=actor,
        csv_text=text,
        file_name=file.name or "import.csv",
        provider=provider,
        dry_run=form.dry_run,
    )
    return (200 if form.dry_run else 201), {
        "id": batch.pk,
        "file_name": batch.file_name,
        "rows_total": batch.rows_total,
        "rows_imported": batch.rows_imported,
        "rows_unchanged": batch.rows_unchanged,
        "rows_rejected": batch.rows_rejected,
        "results": batch.results,
    }


@router.get(
    "/compliance/training-imports/{int:import_id}",
    response=ImportOut,
    summary="The results of an import",
)
def training_import_detail(request: HttpRequest, import_id: int) -> TrainingImport:
    return selectors.training_import_get_for_user(
        actor=actor_of(request, READ), pk=import_id
    )


@router.get(
    "/compliance/training-rules",
    response=list[RuleOut],
    summary="Rules that make courses mandatory",
)
@paginate(Page)
def rule_list(request: HttpRequest, port: str = "", course: str = "") -> Any:
    actor_of(request, READ)
    return selectors.training_rule_list(port=port[:5], course=course[:40])


@router.post(
    "/compliance/training-rules",
    response={201: RuleOut},
    summary="Make a course mandatory for a port's staff, a role, a kind of organisation or a zone",
)
def rule_create(request: HttpRequest, payload: RuleIn) -> tuple[int, Any]:
    actor = actor_of(request, WRITE)
    course = _ref("course", selectors.course_get, code=payload.course)
    port = (
        _ref("port", core_selectors.port_get_for_user, actor=actor, locode=payload.port)
        if payload.port
        else None
    )
    zone = (
        _ref(
            "zone_id", core_selectors.zone_get_for_user, actor=actor, pk=payload.zone_id
        )
        if payload.zone_id
        else None
    )
    return 201, services.training_rule_create(
        actor=actor,
        course=course,
        port=port,
        zone=zone,
        role=payload.role,
        organisation_role=payload.organisation_role,
        reason=payload.reason,
    )


@router.delete(
    "/compliance/training-rules/{int:rule_id}",
    response={204: None},
    summary="Remove a training rule",
)
def rule_delete(request: HttpRequest, rule_id: int) -> tuple[int, None]:
    actor = actor_of(request, WRITE)
    services.training_rule_delete(
        actor=actor, rule=selectors.training_rule_get(pk=rule_id)
    )
    return 204, None


def _compliance_out(result: selectors.TrainingCompliance) -> dict[str, Any]:
    return {
        "people": result.total,
        "subject": result.subject,
        "compliant": result.compliant,
        "percent": result.percent,
        "by_course": result.by_course,
        "not_compliant": [
            {
                "person_id": p.person.pk,
                "name": p.person.full_name,
                "required": sorted(p.required),
                "missing": p.missing,
                "expired": p.expired,
                "expiring": p.expiring,
                "compliant": p.compliant,
            }
            for p in result.not_compliant
        ],
    }


@router.get(
    "/compliance/organisations/{int:organisation_id}/training",
    response=ComplianceOut,
    summary="Training compliance of an organisation's staff",
)
def organisation_training(request: HttpRequest, organisation_id: int) -> dict[str, Any]:
    from django.conf import settings

    actor = actor_of(request, READ)
    organisation = core_selectors.organisation_get_for_user(
        actor=actor, pk=organisation_id
    )
    return _compliance_out(
        selectors.organisation_training_for_user(
            actor=actor,
            organisation=organisation,
            today=timezone.localdate(),
            soon_days=settings.COMPLIANCE_TRAINING_REMINDER_DAYS,
        )
    )


@router.get(
    "/compliance/facilities/{int:facility_id}/training",
    response=ComplianceOut,
    summary="Training compliance of the people working at a facility",
)
def facility_training(request: HttpRequest, facility_id: int) -> dict[str, Any]:
    from django.conf import settings

    facility = selectors.facility_get_for_compliance(
        actor=actor_of(request, READ), pk=facility_id
    )
    return _compliance_out(
        selectors.facility_training(
            facility=facility,
            today=timezone.localdate(),
            soon_days=settings.COMPLIANCE_TRAINING_REMINDER_DAYS,
        )
    )


# Declarations of Security and pre-arrival information ---------------------------------


class ActivityIO(Schema):
    activity: str = Field(..., min_length=1, max_length=200)
    responsible: Literal["ship", "facility", "both"]


class DeclarationOut(Schema):
    id: int
    facility_id: int
    ship_name: str
    imo: str
    flag: str
    reason: str
    valid_from: dt.datetime
    valid_until: dt.datetime
    ship_level: int
    facility_level: int
    activities: list[ActivityIO]
    status: str
    ship_signatory: str
    ship_signatory_capacity: str
    ship_signed_at: dt.datetime | None
    facility_signatory_name: str
    facility_signed_at: dt.datetime | None


class DeclarationIn(InSchema):
    facility_id: Id
    ship_name: str = Field(..., min_length=1, max_length=70)
    imo: str = Field(..., min_length=7, max_length=12)
    flag: str = Field(..., min_length=2, max_length=2)
    reason: Literal[
        "ship_higher_level", "agreement", "threat", "no_plan", "ship_to_ship", "other"
    ]
    valid_from: dt.datetime
    valid_until: dt.datetime
    ship_level: Level
    facility_level: Level | None = None
    activities: list[ActivityIO] = Field(..., min_length=1, max_length=30)


class SignIn(InSchema):
    party: Literal["ship", "facility"]
    name: str = Field("", max_length=150)
    capacity: str = Field("", max_length=60)


class PortCallIO(Schema):
    port: str = Field(..., min_length=5, max_length=6)
    facility: str = Field("", max_length=200)
    arrived_on: dt.date
    departed_on: dt.date
    level: Level


class PreArrivalIn(InSchema):
    issc_number: str = Field(..., min_length=1, max_length=40)
    issc_issuer: str = Field(..., min_length=1, max_length=120)
    issc_expires_on: dt.date
    ship_level: Level
    sso_contact: str = Field(..., min_length=1, max_length=200)
    port_calls: list[PortCallIO] = Field(..., min_length=1, max_length=10)
    special_measures: str = OptionalText


class ShipCallIn(InSchema):
    facility_id: Id
    ship_name: str = Field(..., min_length=1, max_length=70)
    imo: str = Field(..., min_length=7, max_length=12)
    mmsi: str = Field(..., min_length=9, max_length=11)
    call_sign: str = Field("", max_length=7)
    flag: str = Field("", max_length=2)
    eta: dt.datetime
    pre_arrival: PreArrivalIn | None = None


class ShipCallOut(Schema):
    id: int
    facility_id: int
    ship_name: str
    imo: str
    mmsi: str
    call_sign: str
    flag: str
    eta: dt.datetime
    due_at: dt.datetime
    state: Literal["awaited", "on_time", "late", "missing"]
    received_at: dt.datetime | None
    issc_number: str
    issc_issuer: str
    issc_expires_on: dt.date | None
    ship_level: int | None
    sso_contact: str
    port_calls: list[PortCallIO]
    special_measures: str
    flagged_at: dt.datetime | None

    @staticmethod
    def resolve_due_at(obj: ShipCall) -> dt.datetime:
        return selectors.pre_arrival(obj, timezone.now()).due_at

    @staticmethod
    def resolve_state(obj: ShipCall) -> str:
        return selectors.pre_arrival(obj, timezone.now()).state


class ShipCallFilters(Schema):
    facility: Id | None = None
    state: Literal["flagged", "awaited", "received"] | None = None
    eta_from: dt.datetime | None = None
    eta_until: dt.datetime | None = None


@router.get(
    "/compliance/declarations",
    response=list[DeclarationOut],
    summary="Declarations of Security",
)
@paginate(Page)
def declaration_list(request: HttpRequest, facility: Id | None = None) -> Any:
    return selectors.declaration_list_for_user(
        actor=actor_of(request, READ), facility=facility
    )


@router.post(
    "/compliance/declarations",
    response={201: DeclarationOut},
    summary="Draw up a Declaration of Security (the facility's PFSO)",
)
def declaration_create(request: HttpRequest, payload: DeclarationIn) -> tuple[int, Any]:
    actor = actor_of(request, WRITE)
    facility = _facility(actor, payload.facility_id)
    data = payload.dict(exclude={"facility_id"})
    return 201, services.declaration_create(actor=actor, facility=facility, **data)


@router.get(
    "/compliance/declarations/{int:declaration_id}",
    response=DeclarationOut,
    summary="One Declaration of Security",
)
def declaration_detail(request: HttpRequest, declaration_id: int) -> Any:
    return selectors.declaration_get_for_user(
        actor=actor_of(request, READ), pk=declaration_id
    )


@router.post(
    "/compliance/declarations/{int:declaration_id}/signatures",
    response=DeclarationOut,
    summary="Sign for the facility, or record the ship's signature",
)
def declaration_sign(
    request: HttpRequest, declaration_id: int, payload: SignIn
) -> DeclarationOfSecurity:
    actor = actor_of(request, WRITE)
    declaration = selectors.declaration_get_for_user(actor=actor, pk=declaration_id)
    return services.declaration_sign(
        actor=actor,
        declaration=declaration,
        party=payload.party,
        name=payload.name,
        capacity=payload.capacity,
    )


@router.get(
    "/compliance/ship-calls",
    response=list[ShipCallOut],
    summary="Ship calls and their pre-arrival information",
)
@paginate(Page)
def ship_call_list(request: HttpRequest, filters: Query[ShipCallFilters]) -> Any:
    return selectors.ship_call_list_for_user(
        actor=actor_of(request, READ),
        facility=filters.facility,
        state=filters.state or "",
        eta_from=filters.eta_from,
        eta_until=filters.eta_until,
    )


@router.post(
    "/compliance/ship-calls",
    response={201: ShipCallOut, 200: ShipCallOut},
    summary="Announce a ship call, with its pre-arrival information if known",
    description=(
        "The facility, IMO number and ETA name the call: announcing it again "
        "returns it (200). IMO and MMSI (with a country MID) are validated. The "
        "pre-arrival information is due 24 hours before arrival; late or missing "
        "information is flagged to the PFSO and the port security officer."
    ),
)
def ship_call_create(request: HttpRequest, payload: ShipCallIn) -> tuple[int, Any]:
    from django.db import transaction

    actor = actor_of(request, WRITE)
    facility = _ref(
        "facility_id",
        core_selectors.facility_get_for_user,
        actor=actor,
        pk=payload.facility_id,
    )
    with transaction.atomic():
        call, created = services.ship_call_announce(
            actor=actor,
            facility=facility,
            ship_name=payload.ship_name,
            imo=payload.imo,
            mmsi=payload.mmsi,
            eta=payload.eta,
            call_sign=payload.call_sign,
            flag=payload.flag,
        )
        if payload.pre_arrival is not None:
            call = services.pre_arrival_submit(
                actor=actor, call=call, **_pre_arrival(payload.pre_arrival)
            )
    return (201 if created else 200), call


def _pre_arrival(payload: PreArrivalIn) -> dict[str, Any]:
    data = payload.dict()
    data["port_calls"] = [
        {**c, "arrived_on": str(c["arrived_on"]), "departed_on": str(c["departed_on"])}
        for c in data["port_calls"]
    ]
    return data


@router.get(
    "/compliance/ship-calls/{int:call_id}",
    response=ShipCallOut,
    summary="One ship call",
)
def ship_call_detail(request: HttpRequest, call_id: int) -> Any:
    return selectors.ship_call_get_for_user(actor=actor_of(request, READ), pk=call_id)


@router.put(
    "/compliance/ship-calls/{int:call_id}/pre-arrival",
    response=ShipCallOut,
    summary="Send or correct the pre-arrival security information",
)
def pre_arrival_submit(
    request: HttpRequest, call_id: int, payload: PreArrivalIn
) -> Any:
    actor = actor_of(request, WRITE)
    call = selectors.ship_call_get_for_user(actor=actor, pk=call_id)
    return services.pre_arrival_submit(actor=actor, call=call, **_pre_arrival(payload))


# Reminders ------------------------------------------------------------------------------


class ReminderOut(Schema):
    id: int
    kind: str
    message: str
    due_on: dt.date
    late: bool
    link: str
    facility_id: int | None
    created_at: dt.datetime
    read_at: dt.datetime | None


@router.get(
    "/compliance/reminders",
    response=list[ReminderOut],
    summary="The caller's reminders",
)
@paginate(Page)
def reminder_list(request: HttpRequest, unread: bool | None = None) -> Any:
    return selectors.reminder_list_for_user(
        actor=actor_of(request, READ), unread=unread
    )


@router.post(
    "/compliance/reminders/{int:reminder_id}/read",
    response=ReminderOut,
    summary="Mark a reminder read",
)
def reminder_read(request: HttpRequest, reminder_id: int) -> Reminder:
    actor = actor_of(request, WRITE)
    reminder = selectors.reminder_get_for_user(actor=actor, pk=reminder_id)
    return services.reminder_read(actor=actor, reminder=reminder)
