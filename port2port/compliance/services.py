"""Writes of the compliance module.

Every function checks that the caller may make the change, validates its input,
writes an audit entry in the same transaction for each security-relevant change
and raises an ``ApplicationError`` when it refuses, so that a refused request
changes nothing. Security level changes update the registry's level, which the
gate snapshots notice by themselves; training records append a ``PolicyChange``
so that every gate takes in a new or expired training within a second.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import uuid
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from port2port.access.models import PolicyChange, ZonePolicy
from port2port.access.services import policy_changed, zone_policy_set
from port2port.compliance import permissions, schedule
from port2port.compliance.models import (
    AfterActionReport,
    Answer,
    Certificate,
    ChecklistItem,
    ChecklistTemplate,
    Course,
    DeclarationOfSecurity,
    DocumentVersion,
    Exercise,
    FacilityProfile,
    Finding,
    FindingUpdate,
    Inspection,
    InspectionPhoto,
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
from port2port.core.audit import audit_record
from port2port.core.errors import (
    ApplicationError,
    Conflict,
    InvalidInput,
    NotPermitted,
    field_error,
)
from port2port.core.models import (
    Facility,
    Membership,
    Organisation,
    Person,
    Port,
    Role,
    User,
    Zone,
)
from port2port.core.scopes import Actor, scope_for
from port2port.core.selectors import person_list_for_user
from port2port.core.services import national_register_hash
from port2port.lib.identifiers import (
    InvalidIdentifier,
    imo_normalise,
    locode_normalise,
    mmsi_normalise,
)

DATA = Path(__file__).resolve().parent / "data"
# How long a facility has to act on a finding, by severity, unless the inspector
# sets another deadline.
FINDING_DAYS = {"critical": 7, "major": 30, "minor": 90}
DOCUMENT_SUFFIXES = frozenset({".pdf", ".docx", ".odt", ".doc"})
EVIDENCE_SUFFIXES = DOCUMENT_SUFFIXES | {".jpg", ".jpeg", ".png", ".xlsx"}
PHOTO_TYPES = {
    "image/jpeg": b"\xff\xd8\xff",
    "image/png": b"\x89PNG\r\n\x1a\n",
    "image/webp": b"RIFF",
}
PHOTO_MAX_BYTES = 10 << 20
IMPORT_MAX_ROWS = 10_000
TEXT_MAX = 4000

# The structured summary of an assessment (the elements of ISPS B/15.3) and of a
# plan (the contents of ISPS B/16.3).
SUMMARY_FIELDS: dict[str, tuple[str, ...]] = {
    SecurityDocument.Kind.PFSA: (
        "physical_security",
        "structural_integrity",
        "personnel_protection",
        "procedures",
        "communications_and_it",
        "transport_infrastructure",
        "utilities",
        "other_risks",
        "conclusion",
    ),
    SecurityDocument.Kind.PFSP: (
        "organisation",
        "authorities_and_communication",
        "level_1_measures",
        "level_2_3_measures",
        "review_and_audit",
        "reporting",
    ),
}


def _user(actor: Actor | None) -> User | None:
    return actor if isinstance(actor, User) else None


def _label(actor: Actor | None) -> str:
    if actor is None:
        return "system"
    return scope_for(actor).label


def _text(
    name: str, value: str, *, required: bool = True, limit: int = TEXT_MAX
) -> str:
    value = (value or "").strip()
    if required and not value:
        raise field_error(name, _("This field is required."))
    if len(value) > limit:
        raise field_error(name, _("At most %(limit)d characters.") % {"limit": limit})
    return value


def _today() -> dt.date:
    return timezone.localdate()


def _soon_days() -> int:
    return int(settings.COMPLIANCE_DUE_SOON_DAYS)


# Security levels ------------------------------------------------------------------------


def _pfso_facilities(port: Port, facility: Facility | None) -> list[Facility]:
    """Return the facilities whose PFSO must acknowledge a change."""
    if facility is not None:
        return [facility]
    return list(Facility.objects.filter(port=port, isps=True).order_by("pk"))


def _level_record(
    *,
    actor: Actor | None,
    port: Port,
    facility: Facility | None,
    level: int,
    previous: int | None,
    reason: str,
    valid_until: dt.datetime | None,
    now: dt.datetime,
) -> SecurityLevelChange:
    SecurityLevelChange.objects.filter(
        port=port, facility=facility, ended_at__isnull=True
    ).update(ended_at=now, end=SecurityLevelChange.End.SUPERSEDED)
    change = SecurityLevelChange.objects.create(
        port=port,
        facility=facility,
        level=level,
        previous_level=previous,
        reason=reason,
        valid_from=now,
        valid_until=valid_until,
        set_by=_user(actor),
        set_by_label=_label(actor),
    )
    LevelAcknowledgement.objects.bulk_create(
        LevelAcknowledgement(change=change, facility=f)
        for f in _pfso_facilities(port, facility)
    )
    return change


def _level_notify(change: SecurityLevelChange, now: dt.datetime) -> None:
    """Tell the PFSO of every facility concerned that a level waits for them."""
    acknowledgements = list(change.acknowledgements.select_related("facility"))
    pfsos = _pfso_users({a.facility_id for a in acknowledgements})
    for ack in acknowledgements:
        _remind(
            pfsos.get(ack.facility_id, []),
            kind=Reminder.Kind.LEVEL,
            key=f"level:{ack.pk}",
            message=_("Acknowledge security level %(level)d at %(facility)s.")
            % {"level": change.level, "facility": ack.facility.name},
            due_on=timezone.localdate(now),
            late=True,
            link=f"/compliance/facilities/{ack.facility_id}/",
            facility=ack.facility,
            now=now,
        )


@transaction.atomic
def security_level_set(
    *,
    actor: Actor,
    port: Port,
    level: int,
    reason: str,
    facility: Facility | None = None,
    valid_until: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> SecurityLevelChange:
    """Set the security level of a port, or of one of its facilities.

    The port's security officer (or the national authority) sets it with a
    reason and, optionally, the end of its validity; every PFSO concerned must
    then acknowledge it. The registry's level changes at once, and with it the
    gates' decisions.
    """
    scope = scope_for(actor)
    if not (
        permissions.is_port_officer(scope, port.pk)
        or permissions.is_national_authority(scope)
    ):
        raise NotPermitted(
            _(
                "Only the port's security officer or the national authority can set a security level."
            )
        )
    now = now or timezone.now()
    if level not in (1, 2, 3):
        raise field_error("level", _("A security level is 1, 2 or 3."))
    reason = _text("reason", reason, limit=2000)
    if valid_until is not None and valid_until <= now:
        raise field_error("valid_until", _("The validity must end in the future."))
    if facility is not None and facility.port_id != port.pk:
        raise field_error("facility", _("The facility is not in this port."))
    if facility is not None:
        target: Port | Facility = Facility.objects.select_for_update().get(
            pk=facility.pk
        )
        previous = target.security_level
    else:
        target = Port.objects.select_for_update().get(pk=port.pk)
        previous = target.security_level
    target.security_level = level
    # ``updated_at`` moves with the level: the gate snapshots watch it.
    target.save(update_fields=["security_level", "updated_at"])
    if facility is not None:
        facility.security_level = level
    else:
        port.security_level = level
    change = _level_record(
        actor=actor,
        port=port,
        facility=facility,
        level=level,
        previous=previous,
        reason=reason,
        valid_until=valid_until,
        now=now,
    )
    _level_notify(change, now)
    audit_record(
        actor=actor,
        action="security_level.set",
        obj=change,
        port_id=port.pk,
        facility_id=facility.pk if facility else None,
        details={
            "from": previous,
            "to": level,
            "reason": reason,
            "valid_until": valid_until.isoformat() if valid_until else None,
            "facilities_to_acknowledge": change.acknowledgements.count(),
        },
    )
    return change


@transaction.atomic
def security_level_acknowledge(
    *, actor: Actor, acknowledgement: LevelAcknowledgement
) -> LevelAcknowledgement:
    """Record that the facility's PFSO has taken note of a level change (once)."""
    scope = scope_for(actor)
    if not (
        scope.is_platform_admin
        or scope.has_role(Role.PFSO, facility_id=acknowledgement.facility_id)
    ):
        raise NotPermitted(_("Only the facility's PFSO can acknowledge the level."))
    done = LevelAcknowledgement.objects.filter(
        pk=acknowledgement.pk, acknowledged_at__isnull=True
    ).update(acknowledged_at=timezone.now(), acknowledged_by=_user(actor))
    acknowledgement.refresh_from_db()
    if done:
        change = acknowledgement.change
        audit_record(
            actor=actor,
            action="security_level.acknowledge",
            obj=acknowledgement,
            port_id=change.port_id,
            facility_id=acknowledgement.facility_id,
            details={"change": change.pk, "level": change.level},
        )
    return acknowledgement


def security_level_expire_due(*, now: dt.datetime | None = None) -> int:
    """Restore the previous level where a level's validity has ended; return how many.

    Each lapse is a new change that the PFSOs acknowledge, written by the system.
    """
    now = now or timezone.now()
    count = 0
    due = SecurityLevelChange.objects.filter(
        ended_at__isnull=True, valid_until__isnull=False, valid_until__lte=now
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            change = (
                SecurityLevelChange.objects.select_for_update(of=("self",))
                .select_related("port", "facility")
                .filter(pk=pk, ended_at__isnull=True)
                .first()
            )
            if change is None:
                continue
            change.ended_at = now
            change.end = SecurityLevelChange.End.LAPSED
            change.save(update_fields=["ended_at", "end"])
            port = Port.objects.select_for_update().get(pk=change.port_id)
            if change.facility_id is not None:
                facility = Facility.objects.select_for_update().get(
                    pk=change.facility_id
                )
                facility.security_level = change.previous_level
                facility.save(update_fields=["security_level", "updated_at"])
                restored = max(change.previous_level or 1, port.security_level)
            else:
                facility = None
                port.security_level = change.previous_level or 1
                port.save(update_fields=["security_level", "updated_at"])
                restored = port.security_level
            reason = _("The validity of level %(level)d ended.") % {
                "level": change.level
            }
            lapse = SecurityLevelChange.objects.create(
                port=port,
                facility=facility,
                level=restored,
                previous_level=change.level,
                reason=reason,
                valid_from=now,
                set_by_label="system",
            )
            LevelAcknowledgement.objects.bulk_create(
                LevelAcknowledgement(change=lapse, facility=f)
                for f in _pfso_facilities(port, facility)
            )
            _level_notify(lapse, now)
            audit_record(
                actor=None,
                action="security_level.lapse",
                obj=lapse,
                port_id=port.pk,
                facility_id=facility.pk if facility else None,
                details={"from": change.level, "to": restored, "ended": change.pk},
            )
            count += 1
    return count


def security_level_expire_job() -> None:
    security_level_expire_due()


# Assessments, plans and certificates ------------------------------------------------


def _review_due(document: SecurityDocument, today: dt.date) -> dt.date:
    return schedule.next_review_due(
        document.last_approved_on,
        major_change=document.major_change_on,
        major_change_days=int(settings.COMPLIANCE_MAJOR_CHANGE_REVIEW_DAYS),
        today=document.created_at.date() if document.created_at else today,
    )


def _check_document_officer(actor: Actor, facility: Facility) -> None:
    if not permissions.is_facility_officer(scope_for(actor), facility):
        raise NotPermitted(
            _("Only the facility's PFSO or the port's security officer can do this.")
        )


def _clean_summary(kind: str, summary: dict[str, Any]) -> dict[str, str]:
    if not isinstance(summary, dict):
        raise field_error("summary", _("The summary is an object of texts."))
    allowed = SUMMARY_FIELDS[kind]
    unknown = sorted(set(summary) - set(allowed))
    if unknown:
        raise field_error(
            "summary",
            _("Unknown summary fields: %(names)s.") % {"names": ", ".join(unknown)},
        )
    clean = {}
    for name in allowed:
        value = summary.get(name) or ""
        if not isinstance(value, str):
            raise field_error(f"summary.{name}", _("Write this part as text."))
        if value.strip():
            clean[name] = _text(f"summary.{name}", value)
    return clean


def _stored_file(name: str, content: bytes, suffix: str) -> ContentFile[bytes]:
    return ContentFile(content, name=f"{uuid.uuid4().hex}{suffix}")


def _file_checks(
    field: str, file_name: str, content: bytes, suffixes: frozenset[str]
) -> str:
    suffix = Path(file_name).suffix.lower()
    if suffix not in suffixes:
        raise field_error(
            field,
            _("Send a file of one of these types: %(types)s.")
            % {"types": ", ".join(sorted(suffixes))},
        )
    if not content:
        raise field_error(field, _("The file is empty."))
    if len(content) > settings.COMPLIANCE_UPLOAD_MAX_BYTES:
        raise field_error(field, _("The file is too large."))
    if suffix == ".pdf" and not content.startswith(b"%PDF-"):
        raise field_error(field, _("The file is not a PDF document."))
    return suffix


@transaction.atomic
def document_version_create(
    *,
    actor: Actor,
    facility: Facility,
    kind: str,
    file_name: str,
    content: bytes,
    summary: dict[str, Any],
    note: str = "",
) -> DocumentVersion:
    """Draft a new version of a facility's assessment or plan (its PFSO).

    A draft not yet submitted is replaced by the new one; a version under review
    must be decided first.
    """
    _check_document_officer(actor, facility)
    if kind not in SUMMARY_FIELDS:
        raise field_error("kind", _("The document is a PFSA or a PFSP."))
    file_name = _text("file", Path(file_name or "").name, limit=200)
    suffix = _file_checks("file", file_name, content, DOCUMENT_SUFFIXES)
    clean = _clean_summary(kind, summary)
    note = _text("note", note, required=False)
    document, _created = SecurityDocument.objects.get_or_create(
        facility=facility, kind=kind
    )
    document = SecurityDocument.objects.select_for_update().get(pk=document.pk)
    open_versions = document.versions.filter(
        status__in=[DocumentVersion.Status.SUBMITTED, DocumentVersion.Status.ADVISED]
    )
    if open_versions.exists():
        raise Conflict(
            _("Version %(number)d is under review; wait for its decision.")
            % {"number": open_versions.first().number}  # type: ignore[union-attr]
        )
    document.versions.filter(status=DocumentVersion.Status.DRAFT).update(
        status=DocumentVersion.Status.SUPERSEDED
    )
    number = (document.versions.aggregate(m=Max("number"))["m"] or 0) + 1
    version = DocumentVersion.objects.create(
        document=document,
        number=number,
        file=_stored_file(file_name, content, suffix),
        file_name=file_name,
        file_size=len(content),
        file_sha256=hashlib.sha256(content).hexdigest(),
        summary=clean,
        note=note,
        created_by=_user(actor),
        created_at=timezone.now(),
    )
    if document.review_due_on is None:
        document.review_due_on = _review_due(document, _today())
        document.save(update_fields=["review_due_on", "updated_at"])
    audit_record(
        actor=actor,
        action="document.draft",
        obj=version,
        port_id=facility.port_id,
        facility_id=facility.pk,
        organisation_id=facility.operator_id,
        details={"kind": kind, "version": number, "sha256": version.file_sha256},
    )
    return version


def _locked_version(version: DocumentVersion) -> DocumentVersion:
    return (
        DocumentVersion.objects.select_for_update(of=("self",))
        .select_related("document__facility__port")
        .get(pk=version.pk)
    )


def _document_audit(
    actor: Actor, action: str, version: DocumentVersion, **details: Any
) -> None:
    facility = version.document.facility
    audit_record(
        actor=actor,
        action=action,
        obj=version,
        port_id=facility.port_id,
        facility_id=facility.pk,
        organisation_id=facility.operator_id,
        details={"kind": version.document.kind, "version": version.number, **details},
    )


@transaction.atomic
def document_version_submit(
    *, actor: Actor, version: DocumentVersion
) -> DocumentVersion:
    """Send a draft to the port's local committee for its advice (the PFSO)."""
    version = _locked_version(version)
    _check_document_officer(actor, version.document.facility)
    if version.status != DocumentVersion.Status.DRAFT:
        raise Conflict(_("Only a draft can be submitted."))
    version.status = DocumentVersion.Status.SUBMITTED
    version.submitted_at = timezone.now()
    version.save(update_fields=["status", "submitted_at"])
    _document_audit(actor, "document.submit", version)
    return version


@transaction.atomic
def document_version_advise(
    *, actor: Actor, version: DocumentVersion, favourable: bool, text: str
) -> DocumentVersion:
    """Give the local committee's advice and pass the version to the national authority."""
    version = _locked_version(version)
    facility = version.document.facility
    if not permissions.is_lcmb_for(scope_for(actor), facility.port_id):
        raise NotPermitted(_("Only the port's local committee gives this advice."))
    if version.status != DocumentVersion.Status.SUBMITTED:
        raise Conflict(_("This version is not waiting for the committee's advice."))
    version.advice = (
        DocumentVersion.Advice.FAVOURABLE
        if favourable
        else DocumentVersion.Advice.UNFAVOURABLE
    )
    version.advice_text = _text("text", text)
    version.advised_at = timezone.now()
    version.advised_by = _user(actor)
    version.status = DocumentVersion.Status.ADVISED
    version.save(
        update_fields=["advice", "advice_text", "advised_at", "advised_by", "status"]
    )
    _document_audit(actor, "document.advise", version, advice=version.advice)
    return version


@transaction.atomic
def document_version_decide(
    *,
    actor: Actor,
    version: DocumentVersion,
    approve: bool,
    note: str = "",
    today: dt.date | None = None,
) -> DocumentVersion:
    """Approve or reject an advised version (the national authority).

    Approving restarts the review clock; approving a plan issues the facility's
    certificate, valid 5 years.
    """
    version = _locked_version(version)
    if not permissions.is_national_authority(scope_for(actor)):
        raise NotPermitted(_("Only the national authority approves plans."))
    if version.status != DocumentVersion.Status.ADVISED:
        raise Conflict(_("This version is not waiting for a decision."))
    today = today or _today()
    note = _text("note", note, required=not approve)
    version.decided_at = timezone.now()
    version.decided_by = _user(actor)
    version.decision_note = note
    document = SecurityDocument.objects.select_for_update().get(pk=version.document_id)
    if not approve:
        version.status = DocumentVersion.Status.REJECTED
        version.save(
            update_fields=["status", "decided_at", "decided_by", "decision_note"]
        )
        _document_audit(actor, "document.reject", version)
        return version
    document.versions.filter(status=DocumentVersion.Status.APPROVED).update(
        status=DocumentVersion.Status.SUPERSEDED
    )
    version.status = DocumentVersion.Status.APPROVED
    version.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    document.last_approved_on = today
    document.major_change_on = None
    document.major_change_reason = ""
    document.review_due_on = _review_due(document, today)
    document.save()
    _document_audit(
        actor, "document.approve", version, review_due=str(document.review_due_on)
    )
    if document.kind == SecurityDocument.Kind.PFSP:
        facility = document.facility
        certificate = Certificate.objects.create(
            facility=facility,
            version=version,
            number=f"ISPS-{facility.port.locode}-{facility.pk:05d}-{version.pk:06d}",
            issued_on=today,
            expires_on=schedule.certificate_expiry(today),
            issued_by=_user(actor),
        )
        audit_record(
            actor=actor,
            action="certificate.issue",
            obj=certificate,
            port_id=facility.port_id,
            facility_id=facility.pk,
            organisation_id=facility.operator_id,
            details={
                "number": certificate.number,
                "expires_on": str(certificate.expires_on),
            },
        )
    return version


@transaction.atomic
def facility_major_change_flag(
    *, actor: Actor, facility: Facility, reason: str, today: dt.date | None = None
) -> list[SecurityDocument]:
    """Flag a major change at a facility: its assessment and plan fall due for review."""
    scope = scope_for(actor)
    if not (
        permissions.is_facility_officer(scope, facility)
        or permissions.is_national_authority(scope)
    ):
        raise NotPermitted(
            _(
                "Only the facility's PFSO, the port's officer or the national authority can flag a major change."
            )
        )
    reason = _text("reason", reason, limit=2000)
    today = today or _today()
    documents = []
    for kind in (SecurityDocument.Kind.PFSA, SecurityDocument.Kind.PFSP):
        document, _created = SecurityDocument.objects.get_or_create(
            facility=facility, kind=kind
        )
        document.major_change_on = today
        document.major_change_reason = reason
        document.review_due_on = _review_due(document, today)
        document.save()
        documents.append(document)
    audit_record(
        actor=actor,
        action="facility.major_change",
        obj=facility,
        port_id=facility.port_id,
        facility_id=facility.pk,
        organisation_id=facility.operator_id,
        details={"reason": reason, "review_due": str(documents[0].review_due_on)},
    )
    return documents


# Inspections ----------------------------------------------------------------------------


def _check_inspector(actor: Actor, facility: Facility) -> None:
    if not permissions.is_inspector_for(scope_for(actor), facility.port_id):
        raise NotPermitted(_("Only an inspector of the facility's port can do this."))


@transaction.atomic
def facility_risk_set(
    *, actor: Actor, facility: Facility, risk: str, note: str = ""
) -> FacilityProfile:
    """Set the risk of a facility, which sets how often it is inspected."""
    scope = scope_for(actor)
    if not (
        permissions.is_inspector_for(scope, facility.port_id)
        or permissions.is_port_officer(scope, facility.port_id)
        or permissions.is_national_authority(scope)
    ):
        raise NotPermitted(_("Only an inspector or the port's officer sets the risk."))
    if risk not in FacilityProfile.Risk.values:
        raise field_error("risk", _("The risk is low, medium or high."))
    profile, _created = FacilityProfile.objects.get_or_create(facility=facility)
    old = profile.risk
    profile.risk = risk
    profile.risk_note = _text("note", note, required=False, limit=300)
    profile.save()
    audit_record(
        actor=actor,
        action="facility.risk",
        obj=facility,
        port_id=facility.port_id,
        facility_id=facility.pk,
        details={"from": old, "to": risk},
    )
    return profile


def _is_inspector_user(user: User, port_id: int) -> bool:
    return Membership.objects.filter(
        Q(port_id=port_id) | Q(port__isnull=True),
        user=user,
        role=Role.INSPECTOR,
    ).exists() or bool(user.is_superuser)


@transaction.atomic
def inspection_plan(
    *,
    actor: Actor,
    facility: Facility,
    template: ChecklistTemplate,
    kind: str,
    planned_on: dt.date,
    inspector: User | None = None,
) -> Inspection:
    """Plan an inspection of a facility, announced or not, for an inspector."""
    _check_inspector(actor, facility)
    if kind not in Inspection.Kind.values:
        raise field_error("kind", _("An inspection is announced or unannounced."))
    if not template.active:
        raise field_error("template", _("This checklist version is no longer used."))
    inspector = inspector or _user(actor)
    if inspector is None or not _is_inspector_user(inspector, facility.port_id):
        raise field_error(
            "inspector", _("The inspector must inspect the facility's port.")
        )
    inspection = Inspection.objects.create(
        facility=facility,
        template=template,
        kind=kind,
        planned_on=planned_on,
        inspector=inspector,
        created_by=_user(actor),
    )
    audit_record(
        actor=actor,
        action="inspection.plan",
        obj=inspection,
        port_id=facility.port_id,
        facility_id=facility.pk,
        details={
            "kind": kind,
            "planned_on": str(planned_on),
            "template": f"{template.code}@{template.version}",
            "inspector": inspector.get_username(),
        },
    )
    return inspection


def _locked_inspection(inspection: Inspection) -> Inspection:
    return (
        Inspection.objects.select_for_update(of=("self",))
        .select_related("facility", "template")
        .get(pk=inspection.pk)
    )


def _start(actor: Actor, inspection: Inspection, now: dt.datetime) -> None:
    inspection.status = Inspection.Status.IN_PROGRESS
    inspection.started_at = now
    inspection.save(update_fields=["status", "started_at", "updated_at"])
    audit_record(
        actor=actor,
        action="inspection.start",
        obj=inspection,
        port_id=inspection.facility.port_id,
        facility_id=inspection.facility_id,
        details={"kind": inspection.kind},
    )


@transaction.atomic
def inspection_start(*, actor: Actor, inspection: Inspection) -> Inspection:
    """Start an inspection on site; starting it again changes nothing."""
    inspection = _locked_inspection(inspection)
    _check_inspector(actor, inspection.facility)
    if inspection.status == Inspection.Status.PLANNED:
        _start(actor, inspection, timezone.now())
    elif inspection.status != Inspection.Status.IN_PROGRESS:
        raise Conflict(_("This inspection is finished."))
    return inspection


@transaction.atomic
def inspection_cancel(*, actor: Actor, inspection: Inspection) -> Inspection:
    """Cancel a planned inspection."""
    inspection = _locked_inspection(inspection)
    _check_inspector(actor, inspection.facility)
    if inspection.status != Inspection.Status.PLANNED:
        raise Conflict(_("Only a planned inspection can be cancelled."))
    inspection.status = Inspection.Status.CANCELLED
    inspection.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="inspection.cancel",
        obj=inspection,
        port_id=inspection.facility.port_id,
        facility_id=inspection.facility_id,
    )
    return inspection


def _open_for_answers(actor: Actor, inspection: Inspection) -> Inspection:
    inspection = _locked_inspection(inspection)
    _check_inspector(actor, inspection.facility)
    if inspection.status == Inspection.Status.PLANNED:
        _start(actor, inspection, timezone.now())
    elif inspection.status != Inspection.Status.IN_PROGRESS:
        raise Conflict(_("This inspection is finished: its answers are final."))
    return inspection


def _item(inspection: Inspection, key: str) -> ChecklistItem:
    item = ChecklistItem.objects.filter(
        template_id=inspection.template_id, key=key
    ).first()
    if item is None:
        raise field_error("item", _("This checklist has no such item."))
    return item


def _answer_values(
    item: ChecklistItem, choice: str, number: Any, text: str
) -> dict[str, Any]:
    kind = ChecklistItem.AnswerType
    values: dict[str, Any] = {"choice": "", "number": None, "text": ""}
    if item.answer_type == kind.YES_NO_NA:
        if choice not in Answer.Choice.values:
            raise field_error("choice", _("Answer yes, no or not applicable."))
        values["choice"] = choice
    elif item.answer_type == kind.NUMBER:
        if choice == Answer.Choice.NA:
            values["choice"] = choice
        else:
            try:
                value = Decimal(str(number))
            except (InvalidOperation, ValueError):
                raise field_error("number", _("Give a number.")) from None
            if not value.is_finite() or abs(value) >= Decimal("1e11"):
                raise field_error("number", _("Give a number.")) from None
            values["number"] = value.quantize(Decimal("0.001"))
    elif item.answer_type == kind.TEXT:
        values["text"] = _text("text", text)
    elif choice:
        # A photo item is answered by its photos; it may be marked not applicable.
        if choice != Answer.Choice.NA:
            raise field_error("choice", _("A photo item is answered with photos."))
        values["choice"] = choice
    return values


def answer_save(
    *,
    actor: Actor,
    inspection: Inspection,
    item_key: str,
    client_saved_at: dt.datetime,
    choice: str = "",
    number: Any = None,
    text: str = "",
    comment: str = "",
) -> tuple[Answer, bool]:
    """Save the answer to one item; return it and whether this save was applied.

    Idempotent: sending the same answer again changes nothing, and a save made on
    the device before the stored one (a queue replayed out of order after a lost
    connection) is ignored, so that the latest answer made on the device wins.
    """
    now = timezone.now()
    if client_saved_at > now + dt.timedelta(days=1):
        raise field_error("client_saved_at", _("This time lies in the future."))
    comment = _text("comment", comment, required=False)
    for attempt in range(2):
        try:
            with transaction.atomic():
                inspection = _open_for_answers(actor, inspection)
                item = _item(inspection, item_key)
                values = _answer_values(item, choice, number, text)
                values["comment"] = comment
                answer = (
                    Answer.objects.select_for_update()
                    .filter(inspection=inspection, item=item)
                    .first()
                )
                if answer is None:
                    answer = Answer.objects.create(
                        inspection=inspection,
                        item=item,
                        client_saved_at=client_saved_at,
                        saved_at=now,
                        saved_by=_user(actor),
                        **values,
                    )
                    return answer, True
                if client_saved_at < answer.client_saved_at:
                    return answer, False
                changed = {
                    name: value
                    for name, value in values.items()
                    if getattr(answer, name) != value
                }
                if not changed:
                    return answer, True
                for name, value in changed.items():
                    setattr(answer, name, value)
                answer.client_saved_at = client_saved_at
                answer.saved_at = now
                answer.saved_by = _user(actor)
                answer.revision += 1
                answer.save()
                return answer, True
        except IntegrityError:
            # Two first saves of the same item raced; the second one now updates.
            if attempt:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def photo_add(
    *,
    actor: Actor,
    inspection: Inspection,
    client_id: uuid.UUID,
    content: bytes,
    content_type: str,
    item_key: str = "",
    caption: str = "",
) -> tuple[InspectionPhoto, bool]:
    """Add a photo to an inspection; return it and whether it is new.

    The device names each photo with a random id: sending it again (after a lost
    answer) returns the stored photo instead of adding a second one.
    """
    caption = _text("caption", caption, required=False, limit=200)
    magic = PHOTO_TYPES.get(content_type)
    if magic is None:
        raise field_error("file", _("Send a JPEG, PNG or WebP photo."))
    if not content.startswith(magic):
        raise field_error("file", _("The file is not the photo its type says."))
    if len(content) > PHOTO_MAX_BYTES:
        raise field_error("file", _("The photo is too large (10 MB at most)."))
    digest = hashlib.sha256(content).hexdigest()
    try:
        with transaction.atomic():
            stored = InspectionPhoto.objects.filter(
                inspection=inspection, client_id=client_id
            ).first()
            if stored is not None:
                if stored.sha256 != digest:
                    raise Conflict(_("Another photo was sent with this reference."))
                return stored, False
            inspection = _open_for_answers(actor, inspection)
            item = _item(inspection, item_key) if item_key else None
            suffix = {"image/jpeg": ".jpg", "image/png": ".png"}.get(
                content_type, ".webp"
            )
            photo = InspectionPhoto.objects.create(
                inspection=inspection,
                item=item,
                client_id=client_id,
                file=_stored_file("photo", content, suffix),
                content_type=content_type,
                size=len(content),
                sha256=digest,
                caption=caption,
                uploaded_by=_user(actor),
                uploaded_at=timezone.now(),
            )
            return photo, True
    except IntegrityError:
        photo = InspectionPhoto.objects.get(inspection=inspection, client_id=client_id)
        if photo.sha256 != digest:
            raise Conflict(_("Another photo was sent with this reference.")) from None
        return photo, False


def _outcome(inspection: Inspection) -> str:
    severities = set(inspection.findings.values_list("severity", flat=True))
    for severity in ("critical", "major", "minor"):
        if severity in severities:
            return severity
    return Inspection.Outcome.COMPLIANT


@transaction.atomic
def finding_create(
    *,
    actor: Actor,
    inspection: Inspection,
    severity: str,
    description: str,
    item_key: str = "",
    deadline: dt.date | None = None,
) -> Finding:
    """Record a finding of an inspection, with a deadline set by its severity."""
    inspection = _locked_inspection(inspection)
    _check_inspector(actor, inspection.facility)
    if inspection.status == Inspection.Status.CANCELLED:
        raise Conflict(_("This inspection was cancelled."))
    if inspection.status == Inspection.Status.PLANNED:
        _start(actor, inspection, timezone.now())
    if severity not in Finding.Severity.values:
        raise field_error(
            "severity", _("The severity is observation, minor, major or critical.")
        )
    description = _text("description", description)
    item = _item(inspection, item_key) if item_key else None
    today = _today()
    if deadline is None and severity in FINDING_DAYS:
        deadline = today + dt.timedelta(days=FINDING_DAYS[severity])
    if deadline is not None and deadline < today:
        raise field_error("deadline", _("The deadline lies in the past."))
    number = (inspection.findings.aggregate(m=Max("number"))["m"] or 0) + 1
    finding = Finding.objects.create(
        inspection=inspection,
        facility=inspection.facility,
        item=item,
        number=number,
        severity=severity,
        description=description,
        source=item.source if item else "",
        deadline=deadline,
        created_by=_user(actor),
    )
    if inspection.status == Inspection.Status.COMPLETED:
        inspection.outcome = _outcome(inspection)
        inspection.save(update_fields=["outcome", "updated_at"])
    audit_record(
        actor=actor,
        action="finding.create",
        obj=finding,
        port_id=inspection.facility.port_id,
        facility_id=inspection.facility_id,
        organisation_id=inspection.facility.operator_id,
        details={
            "inspection": inspection.pk,
            "severity": severity,
            "deadline": str(deadline) if deadline else None,
        },
    )
    return finding


@transaction.atomic
def inspection_complete(
    *, actor: Actor, inspection: Inspection, summary: str = ""
) -> Inspection:
    """Complete an inspection once every item that needs an answer has one."""
    inspection = _locked_inspection(inspection)
    _check_inspector(actor, inspection.facility)
    if inspection.status != Inspection.Status.IN_PROGRESS:
        raise Conflict(_("Only an inspection in progress can be completed."))
    answered = set(inspection.answers.values_list("item_id", flat=True))
    missing = list(
        inspection.template.items.exclude(answer_type=ChecklistItem.AnswerType.PHOTO)
        .exclude(pk__in=answered)
        .values_list("key", flat=True)
    )
    if missing:
        raise InvalidInput(
            _("Answer every item first: %(count)d are still open.")
            % {"count": len(missing)},
            fields={"answers": missing},
        )
    inspection.summary = _text("summary", summary, required=False)
    inspection.status = Inspection.Status.COMPLETED
    inspection.completed_at = timezone.now()
    inspection.outcome = _outcome(inspection)
    inspection.save()
    audit_record(
        actor=actor,
        action="inspection.complete",
        obj=inspection,
        port_id=inspection.facility.port_id,
        facility_id=inspection.facility_id,
        organisation_id=inspection.facility.operator_id,
        details={
            "outcome": inspection.outcome,
            "answers": len(answered),
            "findings": inspection.findings.count(),
        },
    )
    return inspection


def _locked_finding(finding: Finding) -> Finding:
    return (
        Finding.objects.select_for_update(of=("self",))
        .select_related("facility", "inspection")
        .get(pk=finding.pk)
    )


def _finding_step(
    actor: Actor,
    finding: Finding,
    kind: str,
    text: str,
    *,
    file_name: str = "",
    content: bytes | None = None,
) -> FindingUpdate:
    update = FindingUpdate(
        finding=finding,
        kind=kind,
        text=text,
        author=_user(actor),
        at=timezone.now(),
    )
    if content is not None:
        name = _text("file", Path(file_name or "").name, limit=200)
        suffix = _file_checks("file", name, content, frozenset(EVIDENCE_SUFFIXES))
        update.file = _stored_file(name, content, suffix)
        update.file_name = name
    update.save()
    audit_record(
        actor=actor,
        action=f"finding.{kind}",
        obj=finding,
        port_id=finding.facility.port_id,
        facility_id=finding.facility_id,
        organisation_id=finding.facility.operator_id,
        details={"status": finding.status, "file": update.file_name or None},
    )
    return update


@transaction.atomic
def finding_plan(
    *, actor: Actor, finding: Finding, action: str, owner: str, deadline: dt.date
) -> Finding:
    """Answer a finding with a corrective action plan: what, who and by when."""
    finding = _locked_finding(finding)
    _check_document_officer(actor, finding.facility)
    if finding.status == Finding.Status.CLOSED:
        raise Conflict(_("This finding is closed."))
    finding.action = _text("action", action)
    finding.action_owner = _text("owner", owner, limit=200)
    if deadline < _today():
        raise field_error("deadline", _("The deadline lies in the past."))
    finding.deadline = deadline
    if finding.status == Finding.Status.OPEN:
        finding.status = Finding.Status.PLANNED
    finding.save()
    _finding_step(
        actor,
        finding,
        FindingUpdate.Kind.PLAN,
        _("%(action)s — owner: %(owner)s, deadline: %(deadline)s")
        % {
            "action": finding.action,
            "owner": finding.action_owner,
            "deadline": deadline,
        },
    )
    return finding


@transaction.atomic
def finding_follow_up(
    *,
    actor: Actor,
    finding: Finding,
    text: str,
    evidence: bool = False,
    file_name: str = "",
    content: bytes | None = None,
) -> FindingUpdate:
    """Report progress on a finding, or submit the evidence that it is solved."""
    finding = _locked_finding(finding)
    _check_document_officer(actor, finding.facility)
    if finding.status == Finding.Status.CLOSED:
        raise Conflict(_("This finding is closed."))
    if finding.status == Finding.Status.OPEN:
        raise Conflict(_("Give a corrective action plan first."))
    text = _text("text", text)
    if evidence:
        finding.status = Finding.Status.EVIDENCE
        finding.save(update_fields=["status", "updated_at"])
    kind = FindingUpdate.Kind.EVIDENCE if evidence else FindingUpdate.Kind.PROGRESS
    return _finding_step(
        actor, finding, kind, text, file_name=file_name, content=content
    )


@transaction.atomic
def finding_close(*, actor: Actor, finding: Finding, text: str) -> Finding:
    """Close a finding (an inspector), after checking the evidence."""
    finding = _locked_finding(finding)
    _check_inspector(actor, finding.facility)
    if finding.status == Finding.Status.CLOSED:
        raise Conflict(_("This finding is already closed."))
    text = _text("text", text)
    finding.status = Finding.Status.CLOSED
    finding.closed_at = timezone.now()
    finding.closed_by = _user(actor)
    finding.save()
    _finding_step(actor, finding, FindingUpdate.Kind.CLOSED, text)
    return finding


@transaction.atomic
def finding_reopen(*, actor: Actor, finding: Finding, text: str) -> Finding:
    """Reopen a closed finding (an inspector)."""
    finding = _locked_finding(finding)
    _check_inspector(actor, finding.facility)
    if finding.status != Finding.Status.CLOSED:
        raise Conflict(_("Only a closed finding can be reopened."))
    text = _text("text", text)
    finding.status = Finding.Status.PLANNED if finding.action else Finding.Status.OPEN
    finding.closed_at = None
    finding.closed_by = None
    finding.save()
    _finding_step(actor, finding, FindingUpdate.Kind.REOPENED, text)
    return finding


# Drills and exercises ------------------------------------------------------------------


def _check_exercise_facilities(actor: Actor, facilities: list[Facility]) -> None:
    scope = scope_for(actor)
    if permissions.is_national_authority(scope):
        return
    for facility in facilities:
        if not permissions.is_facility_officer(scope, facility):
            raise NotPermitted(
                _("You are not the PFSO or the port's officer of %(facility)s.")
                % {"facility": facility.name}
            )


@transaction.atomic
def exercise_plan(
    *,
    actor: Actor,
    kind: str,
    title: str,
    planned_on: dt.date,
    facilities: list[Facility],
    scenario: Scenario | None = None,
    format: str = "",
    exercise_mode: bool = False,
    notes: str = "",
    held_on: dt.date | None = None,
) -> Exercise:
    """Plan a drill or an exercise for one or several facilities (and ports).

    With ``held_on`` it records one already held.
    """
    if kind not in Exercise.Kind.values:
        raise field_error("kind", _("Choose a drill or an exercise."))
    if not facilities:
        raise field_error("facilities", _("Choose at least one facility."))
    _check_exercise_facilities(actor, facilities)
    if scenario is not None and scenario.kind != kind:
        raise field_error("scenario", _("This scenario is for another kind."))
    if kind == Exercise.Kind.DRILL:
        format = Exercise.Format.DRILL
    elif format not in Exercise.Format.values or format == Exercise.Format.DRILL:
        raise field_error(
            "format",
            _(
                "An exercise is a tabletop, live, command post, seminar or combined one."
            ),
        )
    title = _text("title", title or (scenario.title if scenario else ""), limit=200)
    today = _today()
    if held_on is not None and held_on > today:
        raise field_error("held_on", _("This day has not come yet."))
    exercise = Exercise.objects.create(
        kind=kind,
        format=format,
        scenario=scenario,
        title=title,
        port=facilities[0].port,
        planned_on=planned_on,
        held_on=held_on,
        status=Exercise.Status.HELD if held_on else Exercise.Status.PLANNED,
        exercise_mode=exercise_mode,
        notes=_text("notes", notes, required=False),
        organiser=_user(actor),
    )
    exercise.facilities.set(facilities)
    ports = sorted({f.port.locode for f in facilities})
    audit_record(
        actor=actor,
        action="exercise.plan",
        obj=exercise,
        port_id=exercise.port_id,
        facility_id=facilities[0].pk if len(facilities) == 1 else None,
        details={
            "kind": kind,
            "format": format,
            "scenario": scenario.code if scenario else None,
            "facilities": sorted(f.pk for f in facilities),
            "ports": ports,
            "planned_on": str(planned_on),
            "held_on": str(held_on) if held_on else None,
        },
    )
    return exercise


def _locked_exercise(actor: Actor, exercise: Exercise) -> Exercise:
    exercise = Exercise.objects.select_for_update().get(pk=exercise.pk)
    _check_exercise_facilities(actor, list(exercise.facilities.select_related("port")))
    return exercise


@transaction.atomic
def exercise_record_held(
    *, actor: Actor, exercise: Exercise, held_on: dt.date
) -> Exercise:
    """Record that a planned drill or exercise was held, which resets its clock."""
    exercise = _locked_exercise(actor, exercise)
    if exercise.status != Exercise.Status.PLANNED:
        raise Conflict(_("Only a planned drill or exercise can be recorded as held."))
    if held_on > _today():
        raise field_error("held_on", _("This day has not come yet."))
    exercise.status = Exercise.Status.HELD
    exercise.held_on = held_on
    exercise.save(update_fields=["status", "held_on", "updated_at"])
    audit_record(
        actor=actor,
        action="exercise.held",
        obj=exercise,
        port_id=exercise.port_id,
        details={"kind": exercise.kind, "held_on": str(held_on)},
    )
    return exercise


@transaction.atomic
def exercise_cancel(*, actor: Actor, exercise: Exercise) -> Exercise:
    """Cancel a planned drill or exercise."""
    exercise = _locked_exercise(actor, exercise)
    if exercise.status != Exercise.Status.PLANNED:
        raise Conflict(_("Only a planned drill or exercise can be cancelled."))
    exercise.status = Exercise.Status.CANCELLED
    exercise.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor, action="exercise.cancel", obj=exercise, port_id=exercise.port_id
    )
    return exercise


@transaction.atomic
def exercise_report_write(
    *,
    actor: Actor,
    exercise: Exercise,
    summary: str,
    lessons: str,
    went_well: str = "",
    actions: str = "",
    detection_seconds: int | None = None,
    response_seconds: int | None = None,
) -> AfterActionReport:
    """Write (or rewrite) the after-action report of a held drill or exercise."""
    exercise = _locked_exercise(actor, exercise)
    if exercise.status != Exercise.Status.HELD:
        raise Conflict(_("Write the report once the drill or exercise is held."))
    for name, value in (
        ("detection_seconds", detection_seconds),
        ("response_seconds", response_seconds),
    ):
        if value is not None and not 0 <= value <= 7 * 86400:
            raise field_error(name, _("Give a number of seconds up to a week."))
    report, _created = AfterActionReport.objects.update_or_create(
        exercise=exercise,
        defaults={
            "summary": _text("summary", summary),
            "lessons": _text("lessons", lessons),
            "went_well": _text("went_well", went_well, required=False),
            "actions": _text("actions", actions, required=False),
            "detection_seconds": detection_seconds,
            "response_seconds": response_seconds,
            "written_by": _user(actor),
            "written_at": timezone.now(),
        },
    )
    audit_record(
        actor=actor,
        action="exercise.report",
        obj=exercise,
        port_id=exercise.port_id,
        details={"shared": report.shared_at is not None},
    )
    return report


@transaction.atomic
def exercise_report_share(*, actor: Actor, exercise: Exercise) -> AfterActionReport:
    """Share an after-action report with the local committee of every port concerned."""
    exercise = _locked_exercise(actor, exercise)
    report = AfterActionReport.objects.filter(exercise=exercise).first()
    if report is None:
        raise Conflict(_("Write the after-action report first."))
    if report.shared_at is None:
        report.shared_at = timezone.now()
        report.shared_by = _user(actor)
        report.save(update_fields=["shared_at", "shared_by"])
        committees = sorted(
            {
                f.port.committee.code
                for f in exercise.facilities.select_related("port__committee")
                if f.port.committee
            }
        )
        audit_record(
            actor=actor,
            action="exercise.report_share",
            obj=exercise,
            port_id=exercise.port_id,
            details={"committees": committees},
        )
    return report


def exercise_mode_start(*, actor: Actor, exercise: Exercise) -> Any:
    """Run a scenario's injects on the live picture (exercise mode).

    The detection module provides the runner (``P2P_EXERCISE_MODE_RUNNER``, a
    dotted path): it is called with the exercise, turns the injects into
    exercise events and later writes the measured detection and response times
    into the after-action report. Until it exists, this refuses.
    """
    with transaction.atomic():
        exercise = _locked_exercise(actor, exercise)
    runner = settings.COMPLIANCE_EXERCISE_MODE_RUNNER
    if not runner:
        raise Conflict(
            _("Exercise mode needs the detection module, which is not installed.")
        )
    if exercise.scenario is None:
        raise Conflict(_("Exercise mode runs a scenario of the library."))
    audit_record(
        actor=actor,
        action="exercise.mode_start",
        obj=exercise,
        port_id=exercise.port_id,
        details={"scenario": exercise.scenario.code},
    )
    return import_string(runner)(
        exercise_id=exercise.pk,
        scenario=exercise.scenario.code,
        injects=list(exercise.scenario.injects),
        facility_ids=sorted(exercise.facilities.values_list("pk", flat=True)),
    )


# Training -------------------------------------------------------------------------------


def course_catalogue_load() -> int:
    """Add the courses of the catalogue that are missing; return how many were added.

    Existing courses keep their names and validity; only an empty description
    or hours are filled in.
    """
    added = 0
    for raw in json.loads((DATA / "courses.json").read_text(encoding="utf-8")):
        course, created = Course.objects.get_or_create(
            code=raw["code"],
            defaults={
                "name": raw["name"],
                "validity_months": raw["validity_months"],
                "hours": raw["hours"],
                "description": raw["description"],
            },
        )
        if created:
            added += 1
        elif not course.description or course.hours is None:
            course.description = course.description or raw["description"]
            course.hours = course.hours if course.hours is not None else raw["hours"]
            course.save(update_fields=["description", "hours", "updated_at"])
    return added


@transaction.atomic
def course_create(
    *,
    actor: Actor,
    code: str,
    name: str,
    validity_months: int,
    hours: int | None = None,
    description: str = "",
) -> Course:
    """Add a course to the national catalogue (the national authority)."""
    if not permissions.is_national_authority(scope_for(actor)):
        raise NotPermitted(_("Only the national authority keeps the course catalogue."))
    code = _text("code", code, limit=40).lower()
    if Course.objects.filter(code=code).exists():
        raise Conflict(_("A course with this code exists."), fields={"code": ["taken"]})
    if not 0 <= validity_months <= 240:
        raise field_error("validity_months", _("Between 0 and 240 months."))
    course = Course.objects.create(
        code=code,
        name=_text("name", name, limit=200),
        validity_months=validity_months,
        hours=hours,
        description=_text("description", description, required=False),
    )
    audit_record(
        actor=actor, action="course.create", obj=course, details={"code": code}
    )
    return course


def _may_record_training(actor: Actor, person: Person) -> bool:
    scope = scope_for(actor)
    if permissions.is_national_authority(scope):
        return True
    if person.employer_id is None:
        return False
    if scope.has_role(Role.COMPANY_ADMIN, organisation_id=person.employer_id):
        return True
    officer_ports = {
        g.port_id
        for g in scope.grants
        if g.role == Role.PORT_SECURITY_OFFICER and g.port_id is not None
    }
    return (
        bool(officer_ports)
        and Organisation.ports.through.objects.filter(
            organisation_id=person.employer_id, port_id__in=officer_ports
        ).exists()
    )


def _expiry(course: Course, completed_on: dt.date) -> dt.date | None:
    if not course.validity_months:
        return None
    return schedule.add_months(completed_on, course.validity_months)


@transaction.atomic
def training_record_create(
    *,
    actor: Actor,
    person: Person,
    course: Course,
    completed_on: dt.date,
    expires_on: dt.date | None = None,
    provider: Organisation | None = None,
    certificate: str = "",
    batch: TrainingImport | None = None,
) -> tuple[TrainingRecord, bool]:
    """Record a completed course; return the record and whether it is new.

    The same person, course and completion day is the same record: sending it
    again changes nothing. The gates take the new training in at once.
    """
    if not _may_record_training(actor, person):
        raise NotPermitted(
            _(
                "Only the employer's administrator, the port's officer or the national authority records trainings."
            )
        )
    if completed_on > _today():
        raise field_error("completed_on", _("This day has not come yet."))
    if expires_on is None:
        expires_on = _expiry(course, completed_on)
    elif expires_on <= completed_on:
        raise field_error("expires_on", _("A training expires after its completion."))
    certificate = _text("certificate", certificate, required=False, limit=60)
    existing = TrainingRecord.objects.filter(
        person=person, course=course, completed_on=completed_on
    ).first()
    if existing is not None:
        return existing, False
    record = TrainingRecord.objects.create(
        person=person,
        course=course,
        completed_on=completed_on,
        expires_on=expires_on,
        provider=provider,
        certificate=certificate,
        imported_by=batch,
    )
    if batch is None:
        audit_record(
            actor=actor,
            action="training.record",
            obj=record,
            organisation_id=person.employer_id,
            details={
                "person": person.pk,
                "course": course.code,
                "completed_on": str(completed_on),
                "expires_on": str(expires_on) if expires_on else None,
            },
        )
    policy_changed(scope=PolicyChange.Scope.PERSON, ref=person.pk)
    return record, True


_IMPORT_COLUMNS = {
    "person_id",
    "national_register_number",
    "document_number",
    "date_of_birth",
    "course",
    "completed_on",
    "expires_on",
    "certificate",
}


def _row_date(row: dict[str, str], name: str, *, required: bool) -> dt.date | None:
    value = (row.get(name) or "").strip()
    if not value:
        if required:
            raise field_error(name, _("This field is required."))
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise field_error(name, _("Write the date as YYYY-MM-DD.")) from None


def _row_person(actor: Actor, row: dict[str, str]) -> Person:
    visible = person_list_for_user(actor=actor)
    person_id = (row.get("person_id") or "").strip()
    number = (row.get("national_register_number") or "").strip()
    document = (row.get("document_number") or "").strip()
    if person_id:
        if not person_id.isdigit():
            raise field_error("person_id", _("A person id is a number."))
        found = visible.filter(pk=int(person_id))
    elif number:
        found = visible.filter(national_register_hash=national_register_hash(number))
    elif document:
        born = _row_date(row, "date_of_birth", required=True)
        assert born is not None  # noqa: S101 - required above
        found = visible.filter(document_number__iexact=document, date_of_birth=born)
    else:
        raise field_error(
            "person",
            _(
                "Name the person: person_id, national_register_number, or document_number with date_of_birth."
            ),
        )
    people = list(found[:2])
    if len(people) != 1:
        raise field_error("person", _("No such person among the people you manage."))
    return people[0]


class _DryRun(Exception):
    pass


def training_import(
    *,
    actor: Actor,
    csv_text: str,
    file_name: str,
    provider: Organisation | None = None,
    dry_run: bool = False,
) -> TrainingImport:
    """Import training records from a provider's CSV file, row by row.

    Each row is imported, found unchanged (already recorded) or rejected with its
    reasons; a rejected row changes nothing. The columns are ``course``,
    ``completed_on``, optionally ``expires_on`` and ``certificate``, and the
    person: ``person_id``, ``national_register_number``, or ``document_number``
    with ``date_of_birth``. With ``dry_run`` nothing is stored.
    """
    scope = scope_for(actor)
    if not (
        permissions.is_national_authority(scope)
        or scope.has_role(Role.COMPANY_ADMIN, Role.PORT_SECURITY_OFFICER)
    ):
        raise NotPermitted(_("You may not import training records."))
    reader = csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    if "course" not in header or "completed_on" not in header:
        raise field_error(
            "file", _("The file needs the columns course and completed_on.")
        )
    unknown = sorted(set(header) - _IMPORT_COLUMNS)
    if unknown:
        raise field_error(
            "file",
            _("Unknown columns: %(names)s.") % {"names": ", ".join(unknown)},
        )
    reader.fieldnames = header
    batch = TrainingImport(
        uploaded_by=_user(actor),
        provider=provider,
        file_name=_text("file", Path(file_name or "import.csv").name, limit=200),
        at=timezone.now(),
    )
    courses = {c.code: c for c in Course.objects.all()}
    results: list[dict[str, Any]] = []
    try:
        with transaction.atomic():
            if not dry_run:
                batch.save()
            for line, row in enumerate(reader, start=2):
                if line - 1 > IMPORT_MAX_ROWS:
                    raise field_error(
                        "file",
                        _("At most %(count)d rows per file.")
                        % {"count": IMPORT_MAX_ROWS},
                    )
                result: dict[str, Any] = {"line": line}
                try:
                    with transaction.atomic():
                        person = _row_person(actor, row)
                        code = (row.get("course") or "").strip().lower()
                        course = courses.get(code)
                        if course is None:
                            raise field_error("course", _("Unknown course."))
                        completed = _row_date(row, "completed_on", required=True)
                        assert completed is not None  # noqa: S101 - required
                        record, created = training_record_create(
                            actor=actor,
                            person=person,
                            course=course,
                            completed_on=completed,
                            expires_on=_row_date(row, "expires_on", required=False),
                            provider=provider,
                            certificate=row.get("certificate") or "",
                            batch=None if dry_run else batch,
                        )
                    result.update(
                        status="imported" if created else "unchanged",
                        record=record.pk if not dry_run else None,
                        person=person.pk,
                        course=code,
                    )
                except ApplicationError as exc:
                    result.update(
                        status="rejected",
                        message=exc.message,
                        fields=exc.fields,
                    )
                results.append(result)
            batch.results = results
            batch.rows_total = len(results)
            batch.rows_imported = sum(r["status"] == "imported" for r in results)
            batch.rows_unchanged = sum(r["status"] == "unchanged" for r in results)
            batch.rows_rejected = sum(r["status"] == "rejected" for r in results)
            if dry_run:
                raise _DryRun
            batch.save()
            audit_record(
                actor=actor,
                action="training.import",
                obj=batch,
                details={
                    "file": batch.file_name,
                    "imported": batch.rows_imported,
                    "unchanged": batch.rows_unchanged,
                    "rejected": batch.rows_rejected,
                    "provider": provider.pk if provider else None,
                },
            )
    except _DryRun:
        pass
    except csv.Error as exc:
        raise field_error(
            "file", _("The file is not valid CSV: %(error)s") % {"error": exc}
        ) from None
    return batch


def _check_rule_owner(actor: Actor, *, port: Port | None, zone: Zone | None) -> None:
    scope = scope_for(actor)
    if permissions.is_national_authority(scope):
        return
    if zone is not None:
        if zone.facility is not None and permissions.is_facility_officer(
            scope, zone.facility
        ):
            return
        if permissions.is_port_officer(scope, zone.port_id):
            return
    elif port is not None and permissions.is_port_officer(scope, port.pk):
        return
    raise NotPermitted(
        _(
            "A port rule is the port officer's, a zone rule its PFSO's, a national rule the national authority's."
        )
    )


def _zone_courses_sync(actor: Actor, zone: Zone, add: str = "", drop: str = "") -> None:
    """Write a zone rule's course into the zone's access policy, keeping the rest."""
    policy = ZonePolicy.objects.filter(zone=zone).first()
    courses = set(policy.courses if policy else [])
    if add:
        courses.add(add)
    if drop:
        courses.discard(drop)
    zone_policy_set(
        actor=actor,
        zone=zone,
        verification_categories=list(policy.verification_categories if policy else []),
        courses=sorted(courses),
        biometric=policy.biometric if policy else False,
        escort=policy.escort if policy else False,
        extract=policy.extract if policy else False,
        anti_passback=policy.anti_passback if policy else ZonePolicy.AntiPassback.NONE,
    )


@transaction.atomic
def training_rule_create(
    *,
    actor: Actor,
    course: Course,
    port: Port | None = None,
    zone: Zone | None = None,
    role: str = "",
    organisation_role: str = "",
    reason: str = "",
) -> TrainingRule:
    """Make a course mandatory for a group: a port's staff, a role, a kind, a zone.

    A zone rule is enforced at the zone's gates from now on.
    """
    if zone is not None:
        port = zone.port
    _check_rule_owner(actor, port=port, zone=zone)
    if role and role not in Role.values:
        raise field_error("role", _("Unknown role."))
    if organisation_role and organisation_role not in Organisation.Role.values:
        raise field_error("organisation_role", _("Unknown kind of organisation."))
    rule = TrainingRule.objects.create(
        course=course,
        port=port,
        zone=zone,
        role=role,
        organisation_role=organisation_role,
        reason=_text("reason", reason, required=False, limit=300),
        created_by=_user(actor),
    )
    if zone is not None:
        _zone_courses_sync(actor, zone, add=course.code)
    audit_record(
        actor=actor,
        action="training_rule.create",
        obj=rule,
        port_id=port.pk if port else None,
        facility_id=zone.facility_id if zone else None,
        details={
            "course": course.code,
            "zone": zone.pk if zone else None,
            "role": role,
            "organisation_role": organisation_role,
        },
    )
    return rule


@transaction.atomic
def training_rule_delete(*, actor: Actor, rule: TrainingRule) -> None:
    """Remove a rule; a zone rule's course leaves the zone's policy too."""
    _check_rule_owner(actor, port=rule.port, zone=rule.zone)
    zone, code = rule.zone, rule.course.code
    audit_record(
        actor=actor,
        action="training_rule.delete",
        obj=rule,
        port_id=rule.port_id,
        facility_id=zone.facility_id if zone else None,
        details={"course": code},
    )
    rule.delete()
    if (
        zone is not None
        and not TrainingRule.objects.filter(zone=zone, course__code=code).exists()
    ):
        _zone_courses_sync(actor, zone, drop=code)


# Declarations of Security and pre-arrival information ---------------------------------


def _imo(value: str) -> str:
    try:
        return imo_normalise(value)
    except InvalidIdentifier as exc:
        raise field_error("imo", _(str(exc))) from None


def _mmsi(value: str) -> str:
    try:
        code = mmsi_normalise(value)
    except InvalidIdentifier as exc:
        raise field_error("mmsi", _(str(exc))) from None
    problem = schedule.mmsi_check(code)
    if problem:
        raise field_error("mmsi", _(problem))
    return code


def _flag(value: str, *, required: bool) -> str:
    value = (value or "").strip().upper()
    if not value and not required:
        return ""
    if len(value) != 2 or not value.isalpha() or not value.isascii():
        raise field_error("flag", _("The flag is a two-letter country code."))
    return value


_RESPONSIBLE = ("ship", "facility", "both")


def _activities(raw: list[dict[str, Any]]) -> list[dict[str, str]]:
    if not isinstance(raw, list) or not raw:
        raise field_error("activities", _("List at least one activity."))
    if len(raw) > 30:
        raise field_error("activities", _("At most 30 activities."))
    clean = []
    for entry in raw:
        if not isinstance(entry, dict):
            raise field_error(
                "activities", _("Each activity names who is responsible.")
            )
        activity = _text("activities", str(entry.get("activity") or ""), limit=200)
        responsible = entry.get("responsible")
        if responsible not in _RESPONSIBLE:
            raise field_error(
                "activities", _("The ship, the facility or both are responsible.")
            )
        clean.append({"activity": activity, "responsible": responsible})
    return clean


@transaction.atomic
def declaration_create(
    *,
    actor: Actor,
    facility: Facility,
    ship_name: str,
    imo: str,
    flag: str,
    reason: str,
    valid_from: dt.datetime,
    valid_until: dt.datetime,
    ship_level: int,
    activities: list[dict[str, Any]],
    facility_level: int | None = None,
) -> DeclarationOfSecurity:
    """Draw up a Declaration of Security between a ship and the facility (its PFSO)."""
    _check_document_officer(actor, facility)
    if reason not in DeclarationOfSecurity.Reason.values:
        raise field_error("reason", _("Unknown reason."))
    if valid_until <= valid_from:
        raise field_error("valid_until", _("The validity must end after it starts."))
    if (valid_until - valid_from).days > 92:
        raise field_error("valid_until", _("A declaration holds at most 3 months."))
    facility_level = facility_level or facility.effective_security_level
    for name, level in (("ship_level", ship_level), ("facility_level", facility_level)):
        if level not in (1, 2, 3):
            raise field_error(name, _("A security level is 1, 2 or 3."))
    declaration = DeclarationOfSecurity.objects.create(
        facility=facility,
        ship_name=_text("ship_name", ship_name, limit=70),
        imo=_imo(imo),
        flag=_flag(flag, required=True),
        reason=reason,
        valid_from=valid_from,
        valid_until=valid_until,
        ship_level=ship_level,
        facility_level=facility_level,
        activities=_activities(activities),
        created_by=_user(actor),
    )
    audit_record(
        actor=actor,
        action="declaration.create",
        obj=declaration,
        port_id=facility.port_id,
        facility_id=facility.pk,
        details={
            "imo": declaration.imo,
            "reason": reason,
            "ship_level": ship_level,
            "facility_level": facility_level,
        },
    )
    return declaration


@transaction.atomic
def declaration_sign(
    *,
    actor: Actor,
    declaration: DeclarationOfSecurity,
    party: str,
    name: str = "",
    capacity: str = "",
) -> DeclarationOfSecurity:
    """Sign for the facility, or record the signature of the ship's master or SSO.

    Once both have signed the declaration is in force.
    """
    declaration = DeclarationOfSecurity.objects.select_for_update().get(
        pk=declaration.pk
    )
    facility = Facility.objects.get(pk=declaration.facility_id)
    _check_document_officer(actor, facility)
    if declaration.status == DeclarationOfSecurity.Status.CANCELLED:
        raise Conflict(_("This declaration was cancelled."))
    now = timezone.now()
    if party == "facility":
        if declaration.facility_signed_at is not None:
            raise Conflict(_("The facility has already signed."))
        user = _user(actor)
        declaration.facility_signatory = user
        declaration.facility_signatory_name = (
            (user.get_full_name() or user.get_username()) if user else _label(actor)
        )
        declaration.facility_signed_at = now
    elif party == "ship":
        if declaration.ship_signed_at is not None:
            raise Conflict(_("The ship has already signed."))
        declaration.ship_signatory = _text("name", name, limit=150)
        declaration.ship_signatory_capacity = _text("capacity", capacity, limit=60)
        declaration.ship_signed_at = now
    else:
        raise field_error("party", _("The ship or the facility signs."))
    if declaration.ship_signed_at and declaration.facility_signed_at:
        declaration.status = DeclarationOfSecurity.Status.SIGNED
    declaration.save()
    audit_record(
        actor=actor,
        action="declaration.sign",
        obj=declaration,
        port_id=facility.port_id,
        facility_id=facility.pk,
        details={"party": party, "status": declaration.status},
    )
    return declaration


def _may_announce_call(actor: Actor, facility: Facility) -> bool:
    scope = scope_for(actor)
    if permissions.is_facility_officer(scope, facility) or (
        permissions.is_national_authority(scope)
    ):
        return True
    return _agent_of(actor, facility) is not None


def _agent_of(actor: Actor, facility: Facility) -> Organisation | None:
    scope = scope_for(actor)
    ids = [g.organisation_id for g in scope.grants if g.role == Role.COMPANY_ADMIN]
    for organisation in Organisation.objects.filter(pk__in=ids, ports=facility.port_id):
        if "shipping_agent" in organisation.roles:
            return organisation
    return None


def _port_calls(raw: list[dict[str, Any]], today: dt.date) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw:
        raise field_error("port_calls", _("List the ship's last port calls."))
    if len(raw) > 10:
        raise field_error("port_calls", _("List the last 10 port calls at most."))
    clean = []
    for index, entry in enumerate(raw):
        name = f"port_calls.{index}"
        if not isinstance(entry, dict):
            raise field_error(name, _("A port call names the port, dates and level."))
        try:
            locode = locode_normalise(str(entry.get("port") or ""))
        except InvalidIdentifier as exc:
            raise field_error(f"{name}.port", _(str(exc))) from None
        try:
            arrived = dt.date.fromisoformat(str(entry.get("arrived_on")))
            departed = dt.date.fromisoformat(str(entry.get("departed_on")))
        except ValueError:
            raise field_error(name, _("Write the dates as YYYY-MM-DD.")) from None
        if departed < arrived or departed > today:
            raise field_error(name, _("The dates of this call do not fit."))
        level = entry.get("level")
        if level not in (1, 2, 3):
            raise field_error(f"{name}.level", _("A security level is 1, 2 or 3."))
        facility = str(entry.get("facility") or "")[:200]
        clean.append(
            {
                "port": locode,
                "facility": facility,
                "arrived_on": str(arrived),
                "departed_on": str(departed),
                "level": level,
            }
        )
    clean.sort(key=lambda c: c["arrived_on"], reverse=True)
    return clean


def _flag_call(call: ShipCall, state: str, now: dt.datetime) -> None:
    call.flagged_at = now
    call.flag_state = state
    call.save(update_fields=["flagged_at", "flag_state", "updated_at"])
    facility = call.facility
    message = (
        _("Pre-arrival information of %(ship)s is missing.")
        if state == "missing"
        else _("Pre-arrival information of %(ship)s came late.")
    ) % {"ship": call.ship_name}
    recipients = _officer_users(facility)
    _remind(
        recipients,
        kind=Reminder.Kind.PRE_ARRIVAL,
        key=f"pre_arrival:{call.pk}:{state}",
        message=message,
        due_on=timezone.localdate(call.eta),
        late=True,
        link=f"/compliance/ships/{call.pk}/",
        facility=facility,
        now=now,
    )
    audit_record(
        actor=None,
        action="pre_arrival.flag",
        obj=call,
        port_id=facility.port_id,
        facility_id=facility.pk,
        details={"state": state, "imo": call.imo, "eta": call.eta.isoformat()},
    )


@transaction.atomic
def ship_call_announce(
    *,
    actor: Actor,
    facility: Facility,
    ship_name: str,
    imo: str,
    mmsi: str,
    eta: dt.datetime,
    call_sign: str = "",
    flag: str = "",
) -> tuple[ShipCall, bool]:
    """Announce a ship's call at a facility; return it and whether it is new.

    The facility, IMO number and arrival time name the call: announcing it again
    returns the stored call.
    """
    if not _may_announce_call(actor, facility):
        raise NotPermitted(
            _(
                "Only the facility's officers or a shipping agent of the port announce calls."
            )
        )
    imo = _imo(imo)
    existing = ShipCall.objects.filter(facility=facility, imo=imo, eta=eta).first()
    if existing is not None:
        return existing, False
    call = ShipCall.objects.create(
        facility=facility,
        ship_name=_text("ship_name", ship_name, limit=70),
        imo=imo,
        mmsi=_mmsi(mmsi),
        call_sign=_text("call_sign", call_sign, required=False, limit=7).upper(),
        flag=_flag(flag, required=False),
        eta=eta,
        agent=_agent_of(actor, facility),
        created_by=_user(actor),
    )
    audit_record(
        actor=actor,
        action="ship_call.announce",
        obj=call,
        port_id=facility.port_id,
        facility_id=facility.pk,
        details={"imo": imo, "mmsi": call.mmsi, "eta": eta.isoformat()},
    )
    return call, True


@transaction.atomic
def pre_arrival_submit(
    *,
    actor: Actor,
    call: ShipCall,
    issc_number: str,
    issc_issuer: str,
    issc_expires_on: dt.date,
    ship_level: int,
    sso_contact: str,
    port_calls: list[dict[str, Any]],
    special_measures: str = "",
    now: dt.datetime | None = None,
) -> ShipCall:
    """Record a call's pre-arrival security information (due 24 hours before arrival).

    Sending it again corrects it; the first receipt counts for the deadline. Late
    information is flagged to the facility's PFSO and the port's officer.
    """
    call = (
        ShipCall.objects.select_for_update(of=("self",))
        .select_related("facility")
        .get(pk=call.pk)
    )
    if not _may_announce_call(actor, call.facility):
        raise NotPermitted(
            _("Only the facility's officers or a shipping agent of the port send this.")
        )
    now = now or timezone.now()
    if ship_level not in (1, 2, 3):
        raise field_error("ship_level", _("A security level is 1, 2 or 3."))
    call.issc_number = _text("issc_number", issc_number, limit=40)
    call.issc_issuer = _text("issc_issuer", issc_issuer, limit=120)
    call.issc_expires_on = issc_expires_on
    call.ship_level = ship_level
    call.sso_contact = _text("sso_contact", sso_contact, limit=200)
    call.port_calls = _port_calls(port_calls, timezone.localdate(now))
    call.special_measures = _text("special_measures", special_measures, required=False)
    first = call.received_at is None
    if first:
        call.received_at = now
    call.save()
    audit_record(
        actor=actor,
        action="pre_arrival.receive",
        obj=call,
        port_id=call.facility.port_id,
        facility_id=call.facility_id,
        details={
            "first": first,
            "ship_level": ship_level,
            "issc_expires_on": str(issc_expires_on),
            "port_calls": len(call.port_calls),
        },
    )
    state = schedule.pre_arrival_state(
        eta=call.eta, received_at=call.received_at, now=now
    ).state
    if state == "late" and call.flag_state != "late":
        _flag_call(call, "late", now)
    return call


def pre_arrival_check(*, now: dt.datetime | None = None) -> int:
    """Flag the calls whose pre-arrival information is missing at its deadline, once."""
    now = now or timezone.now()
    deadline = now + dt.timedelta(hours=schedule.PRE_ARRIVAL_HOURS)
    count = 0
    due = ShipCall.objects.filter(
        received_at__isnull=True,
        flagged_at__isnull=True,
        eta__lt=deadline,
        eta__gt=now - dt.timedelta(days=2),
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            call = (
                ShipCall.objects.select_for_update(of=("self",))
                .select_related("facility")
                .filter(pk=pk, flagged_at__isnull=True, received_at__isnull=True)
                .first()
            )
            if call is not None:
                _flag_call(call, "missing", now)
                count += 1
    return count


def pre_arrival_check_job() -> None:
    pre_arrival_check()


# Reminders ------------------------------------------------------------------------------


def _officer_users(facility: Facility) -> list[User]:
    """Return the facility's PFSOs and its port's security officers."""
    return list(
        User.objects.filter(
            Q(memberships__role=Role.PFSO, memberships__facility=facility)
            | Q(
                memberships__role=Role.PORT_SECURITY_OFFICER,
                memberships__port_id=facility.port_id,
            ),
            is_active=True,
        ).distinct()
    )


def _pfso_users(facility_ids: set[int]) -> dict[int, list[User]]:
    users: dict[int, list[User]] = {}
    for membership in Membership.objects.filter(
        role=Role.PFSO, facility_id__in=facility_ids, user__is_active=True
    ).select_related("user"):
        users.setdefault(membership.facility_id or 0, []).append(membership.user)
    return users


def _remind(
    recipients: list[User],
    *,
    kind: str,
    key: str,
    message: str,
    due_on: dt.date,
    late: bool,
    link: str = "",
    facility: Facility | None = None,
    now: dt.datetime,
) -> int:
    key = key[:200]
    told = set(
        Reminder.objects.filter(
            key=key, recipient__in=[u.pk for u in recipients]
        ).values_list("recipient_id", flat=True)
    )
    rows = [
        Reminder(
            recipient=user,
            kind=kind,
            key=key,
            message=message[:300],
            due_on=due_on,
            late=late,
            link=link,
            facility=facility,
            created_at=now,
        )
        for user in {u.pk: u for u in recipients}.values()
        if user.pk not in told
    ]
    # A worker running the same job at the same moment adds nothing twice.
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def reminders_run(*, now: dt.datetime | None = None) -> int:
    """Tell each officer once about what falls due soon or is late; return how many.

    Unacknowledged levels, reviews, certificates, drills, exercises, planned
    inspections, corrective-action deadlines and trainings about to expire. A
    reminder names its duty and due date, so running this again adds nothing.
    """
    from port2port.compliance import selectors

    now = now or timezone.now()
    today = timezone.localdate(now)
    soon = _soon_days()
    horizon = today + dt.timedelta(days=soon)
    added = 0
    facilities = {
        f.pk: f for f in Facility.objects.filter(isps=True).select_related("port")
    }
    pfsos = _pfso_users(set(facilities))

    for ack in LevelAcknowledgement.objects.filter(
        acknowledged_at__isnull=True, change__ended_at__isnull=True
    ).select_related("change", "facility"):
        added += _remind(
            pfsos.get(ack.facility_id, []),
            kind=Reminder.Kind.LEVEL,
            key=f"level:{ack.pk}",
            message=_("Acknowledge security level %(level)d at %(facility)s.")
            % {"level": ack.change.level, "facility": ack.facility.name},
            due_on=timezone.localdate(ack.change.valid_from),
            late=True,
            link=f"/compliance/facilities/{ack.facility_id}/",
            facility=ack.facility,
            now=now,
        )

    statuses = selectors.facility_statuses(facility_ids=set(facilities), today=today)
    for facility_id, status in statuses.items():
        facility = facilities[facility_id]
        for duty in status.duties:
            if duty.status == schedule.Status.OK:
                continue
            added += _remind(
                pfsos.get(facility_id, []),
                kind=duty.kind,
                key=f"{duty.kind}:{facility_id}:{duty.due_on}",
                message=_("%(duty)s at %(facility)s: due %(due)s.")
                % {"duty": duty.label, "facility": facility.name, "due": duty.due_on},
                due_on=duty.due_on,
                late=duty.status == schedule.Status.LATE,
                link=f"/compliance/facilities/{facility_id}/",
                facility=facility,
                now=now,
            )

    for inspection in Inspection.objects.filter(
        status=Inspection.Status.PLANNED, planned_on__lte=horizon
    ).select_related("facility", "inspector"):
        added += _remind(
            [inspection.inspector],
            kind=Reminder.Kind.INSPECTION,
            key=f"inspection:{inspection.pk}:{inspection.planned_on}",
            message=_("Inspection of %(facility)s planned on %(day)s.")
            % {"facility": inspection.facility.name, "day": inspection.planned_on},
            due_on=inspection.planned_on,
            late=inspection.planned_on < today,
            link=f"/compliance/inspections/{inspection.pk}/",
            facility=inspection.facility,
            now=now,
        )

    for finding in (
        Finding.objects.exclude(status=Finding.Status.CLOSED)
        .filter(deadline__lte=horizon)
        .select_related("facility", "inspection__inspector")
    ):
        assert finding.deadline is not None  # noqa: S101 - filtered above
        late = finding.deadline < today
        recipients = list(pfsos.get(finding.facility_id, []))
        if late:
            recipients.append(finding.inspection.inspector)
        added += _remind(
            recipients,
            kind=Reminder.Kind.FINDING,
            key=f"finding:{finding.pk}:{finding.deadline}",
            message=_("Finding %(number)d at %(facility)s: deadline %(day)s.")
            % {
                "number": finding.number,
                "facility": finding.facility.name,
                "day": finding.deadline,
            },
            due_on=finding.deadline,
            late=late,
            link=f"/compliance/findings/{finding.pk}/",
            facility=finding.facility,
            now=now,
        )

    expiring = TrainingRecord.objects.filter(
        expires_on__gte=today,
        expires_on__lte=today
        + dt.timedelta(days=int(settings.COMPLIANCE_TRAINING_REMINDER_DAYS)),
        person__employer__isnull=False,
    ).select_related("person", "course")
    admins: dict[int, list[User]] = {}
    for membership in Membership.objects.filter(
        role=Role.COMPANY_ADMIN, user__is_active=True
    ).select_related("user"):
        admins.setdefault(membership.organisation_id, []).append(membership.user)
    renewed = set(
        TrainingRecord.objects.filter(
            expires_on__gt=today
            + dt.timedelta(days=int(settings.COMPLIANCE_TRAINING_REMINDER_DAYS))
        ).values_list("person_id", "course_id")
    )
    for record in expiring:
        if (record.person_id, record.course_id) in renewed:
            continue
        assert record.expires_on is not None  # noqa: S101 - filtered above
        recipients = list(admins.get(record.person.employer_id or 0, []))
        added += _remind(
            recipients,
            kind=Reminder.Kind.TRAINING,
            key=f"training:{record.pk}:{record.expires_on}",
            message=_("%(course)s of %(person)s expires on %(day)s.")
            % {
                "course": record.course.name,
                "person": record.person.full_name,
                "day": record.expires_on,
            },
            due_on=record.expires_on,
            late=False,
            link="/compliance/training/",
            now=now,
        )
    return added


def reminders_job() -> None:
    reminders_run()


@transaction.atomic
def reminder_read(*, actor: Actor, reminder: Reminder) -> Reminder:
    """Mark one of the caller's reminders as read."""
    if _user(actor) is None or reminder.recipient_id != _user(actor).pk:  # type: ignore[union-attr]
        raise NotPermitted(_("This reminder is not yours."))
    if reminder.read_at is None:
        reminder.read_at = timezone.now()
        reminder.save(update_fields=["read_at"])
    return reminder
