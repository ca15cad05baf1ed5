"""Assessments and plans: PFSO drafts, LCMB advises, NAMB approves, certificate."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from conftest import World
from port2port.compliance import services
from port2port.compliance.models import Certificate, DocumentVersion, SecurityDocument
from port2port.compliance.tests.conftest import PDF, draft
from port2port.core.errors import Conflict, InvalidInput, NotPermitted
from port2port.core.models import AuditEntry, User

pytestmark = pytest.mark.django_db


@time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC), tick=False)
def test_a_plan_goes_from_draft_to_certificate(
    world: World, pfso: User, lcmb: User, namb: User
) -> None:
    version = draft(pfso, world.deurganck)
    assert (version.number, version.status) == (1, DocumentVersion.Status.DRAFT)
    assert version.file.read() == PDF
    version = services.document_version_submit(actor=pfso, version=version)
    version = services.document_version_advise(
        actor=lcmb, version=version, favourable=True, text="In order."
    )
    assert version.status == DocumentVersion.Status.ADVISED
    version = services.document_version_decide(
        actor=namb, version=version, approve=True
    )
    assert version.status == DocumentVersion.Status.APPROVED
    certificate = Certificate.objects.get(version=version)
    assert (certificate.issued_on, certificate.expires_on) == (
        dt.date(2026, 3, 2),
        dt.date(2031, 3, 1),
    )
    document = SecurityDocument.objects.get(facility=world.deurganck, kind="pfsp")
    assert document.review_due_on == dt.date(2031, 3, 2)
    assert list(
        AuditEntry.objects.order_by("seq")
        .filter(action__startswith="document.")
        .values_list("action", flat=True)
    ) == ["document.draft", "document.submit", "document.advise", "document.approve"]
    assert AuditEntry.objects.filter(action="certificate.issue").count() == 1


def test_an_approved_assessment_has_no_certificate(
    world: World, pfso: User, lcmb: User, namb: User
) -> None:
    version = draft(pfso, world.deurganck, kind="pfsa")
    services.document_version_submit(actor=pfso, version=version)
    services.document_version_advise(
        actor=lcmb, version=version, favourable=True, text="Ok"
    )
    services.document_version_decide(actor=namb, version=version, approve=True)
    assert not Certificate.objects.exists()


def test_each_step_belongs_to_its_actor(
    world: World, pfso: User, lcmb: User, namb: User, alice: User
) -> None:
    version = draft(pfso, world.deurganck)
    with pytest.raises(NotPermitted):
        services.document_version_submit(actor=lcmb, version=version)
    services.document_version_submit(actor=pfso, version=version)
    for actor in (pfso, alice, namb):
        with pytest.raises(NotPermitted):
            services.document_version_advise(
                actor=actor, version=version, favourable=True, text="x"
            )
    services.document_version_advise(
        actor=lcmb, version=version, favourable=False, text="No"
    )
    for actor in (pfso, lcmb):
        with pytest.raises(NotPermitted):
            services.document_version_decide(actor=actor, version=version, approve=True)
    with pytest.raises(Conflict):
        services.document_version_submit(actor=pfso, version=version)


def test_a_rejection_needs_a_reason_and_issues_nothing(
    world: World, pfso: User, lcmb: User, namb: User
) -> None:
    version = draft(pfso, world.deurganck)
    services.document_version_submit(actor=pfso, version=version)
    services.document_version_advise(
        actor=lcmb, version=version, favourable=False, text="Gaps"
    )
    with pytest.raises(InvalidInput):
        services.document_version_decide(actor=namb, version=version, approve=False)
    version = services.document_version_decide(
        actor=namb, version=version, approve=False, note="Level 2 measures missing."
    )
    assert version.status == DocumentVersion.Status.REJECTED
    assert not Certificate.objects.exists()


def test_a_version_under_review_blocks_a_new_draft_and_a_draft_is_replaced(
    world: World, pfso: User
) -> None:
    first = draft(pfso, world.deurganck)
    second = draft(pfso, world.deurganck)
    first.refresh_from_db()
    assert (first.status, second.number) == (DocumentVersion.Status.SUPERSEDED, 2)
    services.document_version_submit(actor=pfso, version=second)
    with pytest.raises(Conflict):
        draft(pfso, world.deurganck)


@pytest.mark.parametrize(
    ("file_name", "content", "summary"),
    [
        ("plan.exe", PDF, {}),
        ("plan.pdf", b"not a pdf", {}),
        ("plan.pdf", b"", {}),
        ("plan.pdf", PDF, {"secret_annex": "x"}),
        ("plan.pdf", PDF, {"organisation": 3}),
    ],
)
def test_bad_files_and_summaries_are_refused(
    world: World, pfso: User, file_name: str, content: bytes, summary: dict[str, object]
) -> None:
    with pytest.raises(InvalidInput):
        services.document_version_create(
            actor=pfso,
            facility=world.deurganck,
            kind="pfsp",
            file_name=file_name,
            content=content,
            summary=summary,
        )
    assert not DocumentVersion.objects.exists()


def test_a_major_change_brings_the_review_forward_and_approval_restarts_the_clock(
    world: World, pfso: User, lcmb: User, namb: User
) -> None:
    with time_machine.travel(dt.datetime(2024, 1, 10, 9, tzinfo=dt.UTC), tick=False):
        version = draft(pfso, world.deurganck)
        services.document_version_submit(actor=pfso, version=version)
        services.document_version_advise(
            actor=lcmb, version=version, favourable=True, text="Ok"
        )
        services.document_version_decide(actor=namb, version=version, approve=True)
    with time_machine.travel(dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC), tick=False):
        documents = services.facility_major_change_flag(
            actor=pfso, facility=world.deurganck, reason="New quay and a second gate"
        )
        pfsp = next(d for d in documents if d.kind == "pfsp")
        assert pfsp.review_due_on == dt.date(2026, 7, 30)
        version = draft(pfso, world.deurganck)
        services.document_version_submit(actor=pfso, version=version)
        services.document_version_advise(
            actor=lcmb, version=version, favourable=True, text="Ok"
        )
        services.document_version_decide(actor=namb, version=version, approve=True)
    pfsp.refresh_from_db()
    assert (pfsp.major_change_on, pfsp.review_due_on) == (None, dt.date(2031, 5, 1))
    assert Certificate.objects.count() == 2
