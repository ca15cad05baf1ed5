"""Inspections: saving answers idempotently, photos, findings and their follow-up."""

from __future__ import annotations

import base64
import datetime as dt
import io
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone
from pypdf import PdfReader

from port2port.compliance import services
from port2port.compliance.models import Answer, Finding, Inspection, InspectionPhoto
from port2port.compliance.report import inspection_pdf
from port2port.compliance.tests.conftest import answer_all
from port2port.core.errors import Conflict, InvalidInput, NotPermitted
from port2port.core.models import AuditEntry, User

pytestmark = pytest.mark.django_db

# The smallest valid PNG: one transparent pixel.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


def save(
    inspection: Inspection, actor: User, key: str, at: dt.datetime, **values: object
) -> tuple[Answer, bool]:
    return services.answer_save(
        actor=actor, inspection=inspection, item_key=key, client_saved_at=at, **values
    )


def test_saving_the_same_answer_again_changes_nothing(
    inspection: Inspection, inspector: User
) -> None:
    at = timezone.now()
    first, applied = save(inspection, inspector, "plan-approved", at, choice="no")
    again, applied_again = save(inspection, inspector, "plan-approved", at, choice="no")
    assert (applied, applied_again) == (True, True)
    assert (again.pk, again.revision) == (first.pk, 1)
    assert Answer.objects.count() == 1
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.IN_PROGRESS


def test_a_save_made_earlier_on_the_device_never_replaces_a_later_one(
    inspection: Inspection, inspector: User
) -> None:
    now = timezone.now()
    save(inspection, inspector, "plan-approved", now, choice="yes")
    stale, applied = save(
        inspection,
        inspector,
        "plan-approved",
        now - dt.timedelta(minutes=2),
        choice="no",
    )
    assert (applied, stale.choice) == (False, "yes")
    newer, applied = save(
        inspection,
        inspector,
        "plan-approved",
        now + dt.timedelta(minutes=1),
        choice="na",
    )
    assert (applied, newer.choice, newer.revision) == (True, "na", 2)


@pytest.mark.parametrize(
    ("key", "values", "field"),
    [
        ("plan-approved", {"choice": "maybe"}, "choice"),
        ("plan-approved", {"text": "yes"}, "choice"),
        ("level-response-minutes", {"number": "ten"}, "number"),
        ("level-response-minutes", {"number": "Infinity"}, "number"),
        ("plan-changes", {"text": "  "}, "text"),
        ("access-gate-photo", {"choice": "yes"}, "choice"),
        ("no-such-item", {"choice": "yes"}, "item"),
    ],
)
def test_answers_of_the_wrong_type_are_refused(
    inspection: Inspection,
    inspector: User,
    key: str,
    values: dict[str, object],
    field: str,
) -> None:
    with pytest.raises(InvalidInput) as refused:
        save(inspection, inspector, key, timezone.now(), **values)
    assert field in refused.value.fields
    assert not Answer.objects.exists()


def test_numbers_are_kept_exactly(inspection: Inspection, inspector: User) -> None:
    answer, _ = save(
        inspection, inspector, "level-response-minutes", timezone.now(), number="12.5"
    )
    assert answer.number == Decimal("12.500")


def test_only_an_inspector_of_the_port_answers(
    inspection: Inspection, pfso: User, alice: User
) -> None:
    for actor in (pfso, alice):
        with pytest.raises(NotPermitted):
            save(inspection, actor, "plan-approved", timezone.now(), choice="yes")


def test_a_photo_sent_twice_is_stored_once(
    inspection: Inspection, inspector: User
) -> None:
    client_id = uuid.uuid4()
    photo, created = services.photo_add(
        actor=inspector,
        inspection=inspection,
        client_id=client_id,
        content=PNG,
        content_type="image/png",
        item_key="access-gate-photo",
    )
    again, created_again = services.photo_add(
        actor=inspector,
        inspection=inspection,
        client_id=client_id,
        content=PNG,
        content_type="image/png",
        item_key="access-gate-photo",
    )
    assert (created, created_again, again.pk) == (True, False, photo.pk)
    assert InspectionPhoto.objects.count() == 1
    with pytest.raises(Conflict):
        services.photo_add(
            actor=inspector,
            inspection=inspection,
            client_id=client_id,
            content=PNG + b"x",
            content_type="image/png",
        )


def test_a_photo_must_be_what_its_type_says(
    inspection: Inspection, inspector: User
) -> None:
    with pytest.raises(InvalidInput):
        services.photo_add(
            actor=inspector,
            inspection=inspection,
            client_id=uuid.uuid4(),
            content=b"<svg/>",
            content_type="image/png",
        )


def test_an_inspection_completes_only_when_every_item_is_answered(
    inspection: Inspection, inspector: User
) -> None:
    services.inspection_start(actor=inspector, inspection=inspection)
    answer_all(inspection, inspector, skip={"general-remarks"})
    with pytest.raises(InvalidInput) as refused:
        services.inspection_complete(actor=inspector, inspection=inspection)
    assert refused.value.fields == {"answers": ["general-remarks"]}
    answer_all(inspection, inspector)
    done = services.inspection_complete(
        actor=inspector, inspection=inspection, summary="Good."
    )
    assert (done.status, done.outcome) == ("completed", "compliant")
    with pytest.raises(Conflict):
        save(inspection, inspector, "plan-approved", timezone.now(), choice="no")


def test_a_finding_gets_a_deadline_by_severity_and_sets_the_outcome(
    inspection: Inspection, inspector: User
) -> None:
    major = services.finding_create(
        actor=inspector,
        inspection=inspection,
        severity="major",
        description="The fence is cut behind the reefer stack.",
        item_key="access-every-person",
    )
    minor = services.finding_create(
        actor=inspector,
        inspection=inspection,
        severity="minor",
        description="Log gaps.",
    )
    today = timezone.localdate()
    assert (major.number, major.deadline, major.source) == (
        1,
        today + dt.timedelta(days=30),
        "ISPS A/14.2; B/16.12",
    )
    assert (minor.number, minor.deadline) == (2, today + dt.timedelta(days=90))
    answer_all(inspection, inspector)
    done = services.inspection_complete(actor=inspector, inspection=inspection)
    assert done.outcome == "major"


def test_a_finding_is_planned_evidenced_and_closed_by_the_inspector(
    inspection: Inspection, inspector: User, pfso: User
) -> None:
    finding = services.finding_create(
        actor=inspector,
        inspection=inspection,
        severity="critical",
        description="Gate open.",
    )
    with pytest.raises(Conflict):
        services.finding_follow_up(actor=pfso, finding=finding, text="Done")
    deadline = timezone.localdate() + dt.timedelta(days=5)
    finding = services.finding_plan(
        actor=pfso,
        finding=finding,
        action="Lock the gate",
        owner="Site manager",
        deadline=deadline,
    )
    assert finding.status == Finding.Status.PLANNED
    services.finding_follow_up(
        actor=pfso,
        finding=finding,
        text="New padlock, photo attached.",
        evidence=True,
        file_name="padlock.png",
        content=PNG,
    )
    finding.refresh_from_db()
    assert finding.status == Finding.Status.EVIDENCE
    with pytest.raises(NotPermitted):
        services.finding_close(actor=pfso, finding=finding, text="Closed")
    finding = services.finding_close(
        actor=inspector, finding=finding, text="Checked on site."
    )
    assert (finding.status, finding.closed_by) == (Finding.Status.CLOSED, inspector)
    assert list(finding.updates.values_list("kind", flat=True)) == [
        "plan",
        "evidence",
        "closed",
    ]
    assert (
        AuditEntry.objects.filter(
            action="finding.closed", facility_id=finding.facility_id
        ).count()
        == 1
    )
    finding = services.finding_reopen(
        actor=inspector, finding=finding, text="Padlock gone again."
    )
    assert finding.status == Finding.Status.PLANNED


def test_the_pdf_report_shows_the_facility_answers_and_findings(
    inspection: Inspection, inspector: User, pfso: User
) -> None:
    services.photo_add(
        actor=inspector,
        inspection=inspection,
        client_id=uuid.uuid4(),
        content=PNG,
        content_type="image/png",
        item_key="access-gate-photo",
    )
    finding = services.finding_create(
        actor=inspector,
        inspection=inspection,
        severity="major",
        description="Tailgating at turnstile T3 – nobody reacts.",
    )
    services.finding_plan(
        actor=pfso,
        finding=finding,
        action="Install an airlock",
        owner="Terminal manager",
        deadline=timezone.localdate() + dt.timedelta(days=20),
    )
    answer_all(inspection, inspector)
    done = services.inspection_complete(
        actor=inspector, inspection=inspection, summary="Two issues."
    )
    reader = PdfReader(io.BytesIO(inspection_pdf(done)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Deurganck Terminal" in text
    assert "Tailgating at turnstile T3 - nobody reacts." in text
    assert "Install an airlock" in text
    assert "Major shortcomings" in text
    assert "Ines Pector" in text
