"""Reports from submission to deletion: routing, follow-up, keys, forwarding, retention."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from conftest import World, _member
from port2port.core.audit import audit_verify
from port2port.core.errors import Conflict, InvalidInput, NotFound, NotPermitted
from port2port.core.models import AuditEntry, User
from port2port.reporting import abuse, crypto, keyring, services
from port2port.reporting.files import CleanFile
from port2port.reporting.models import (
    Attachment,
    Category,
    HandlerKey,
    KeyWrap,
    Message,
    Report,
    ReportAccess,
)
from port2port.reporting.tests.conftest import PASSWORD, Desk, submit, unlock

pytestmark = pytest.mark.django_db


def _readers(report: Report) -> set[str]:
    return set(
        KeyWrap.objects.filter(report=report, user__isnull=False).values_list(
            "user__username", flat=True
        )
    )


def test_a_report_reaches_the_triage_group_and_smuggling_also_customs(
    desk: Desk, world: World
) -> None:
    report, receipt = submit(desk, port=world.antwerp)
    smuggling, _ = submit(desk, category=Category.SMUGGLING, port=world.antwerp)

    assert len(receipt) == 16
    assert receipt.isdigit()
    assert list(report.groups.values_list("code", flat=True)) == ["aik"]
    assert set(smuggling.groups.values_list("code", flat=True)) == {"aik", "customs"}
    assert _readers(report) == {"hanna"}
    assert _readers(smuggling) == {"hanna", "hugo"}
    assert report.status == Report.Status.NEW
    assert report.anonymous is True
    assert report.received_at.minute == 0
    entry = AuditEntry.objects.get(
        action="reporting.report.receive", object_id=report.pk
    )
    assert entry.actor_id is None
    assert entry.port_id is None
    assert json.loads(entry.details)["groups"] == ["aik"]


def test_a_handler_reads_what_the_reporter_wrote(desk: Desk, world: World) -> None:
    report, _ = submit(
        desk,
        what="Two men cut the fence at quay 1742.",
        people="Black Audi, plate 1-XYZ-987",
        contact_email="reporter@example.org",
        port=world.antwerp,
    )

    plain = services.report_open(
        actor=desk.hanna, report=report, private=unlock(desk.hanna)
    )

    assert plain.content["what"] == "Two men cut the fence at quay 1742."
    assert plain.content["people"] == "Black Audi, plate 1-XYZ-987"
    assert plain.content["contact"]["email"] == "reporter@example.org"
    report.refresh_from_db()
    assert report.anonymous is False
    assert report.unread is False


def test_a_channel_refuses_a_category_or_port_it_does_not_offer(
    desk: Desk, world: World
) -> None:
    with pytest.raises(InvalidInput) as category:
        submit(desk, channel=desk.drug_free, category=Category.THEFT)
    with pytest.raises(InvalidInput) as port:
        submit(desk, channel=desk.drug_free, category=Category.DRUGS, port=world.ghent)
    with pytest.raises(InvalidInput) as empty:
        submit(desk, what="   ")

    assert category.value.fields == {
        "category": ["Choose one of the categories offered."]
    }
    assert list(port.value.fields) == ["port"]
    assert list(empty.value.fields) == ["what"]
    assert Report.objects.count() == 0


def test_the_handler_asks_and_the_reporter_answers_with_the_receipt(desk: Desk) -> None:
    report, receipt = submit(desk)
    services.report_question_ask(
        actor=desk.hanna,
        report=report,
        private=unlock(desk.hanna),
        text="Which way did the van go?",
    )

    cookie, opened = services.receipt_login(receipt=receipt)
    session = services.reporter_session_open(cookie=cookie)
    assert opened == report
    assert session is not None
    reporter_report, key = session
    services.reporter_message_add(
        report=reporter_report, key=key, text="Towards the Kieldrecht lock."
    )
    services.report_note_add(
        actor=desk.hanna,
        report=report,
        private=unlock(desk.hanna),
        text="Check camera 12.",
    )

    for_reporter = services.report_decrypt(report=report, key=key, for_reporter=True)
    assert [(m.kind, m.text) for m in for_reporter.messages] == [
        ("question", "Which way did the van go?"),
        ("reporter", "Towards the Kieldrecht lock."),
    ]
    assert for_reporter.messages[0].author == "Handler"
    handler_view = services.report_open(
        actor=desk.hanna, report=report, private=unlock(desk.hanna)
    )
    assert [m.kind for m in handler_view.messages] == ["question", "reporter", "note"]
    report.refresh_from_db()
    assert report.status == Report.Status.TRIAGE


def test_a_wrong_or_partial_receipt_opens_nothing(desk: Desk) -> None:
    submit(desk)

    for attempt in ("0000000000000000", "1234", ""):
        with pytest.raises(services.ReceiptRefused) as refused:
            services.receipt_login(receipt=attempt)
        assert refused.value.code == "unknown"
    assert services.reporter_session_open(cookie="forged.token") is None


def test_receipt_guessing_pauses_the_login_for_everyone(
    desk: Desk, settings: Any
) -> None:
    settings.REPORTING_RATE_RECEIPT_FAILURES = (5, 300)
    _, receipt = submit(desk)
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        for n in range(5):
            with pytest.raises(services.ReceiptRefused):
                services.receipt_login(receipt=f"{n:016d}")
        # Now even the right receipt waits: the guesser cannot go on.
        with pytest.raises(services.ReceiptRefused) as paused:
            services.receipt_login(receipt=receipt)
        assert paused.value.code == "paused"
        assert abuse.login_paused() > 0
        assert abuse.login_bits() == settings.REPORTING_POW_LOGIN_BITS + 4
    with time_machine.travel(start + dt.timedelta(seconds=301), tick=False):
        cookie, _ = services.receipt_login(receipt=receipt)
    assert cookie


def test_forwarding_gives_the_new_group_the_key_and_no_one_else(
    desk: Desk, charlie: User
) -> None:
    report, _ = submit(desk)
    assert _readers(report) == {"hanna"}
    with pytest.raises(NotFound):
        services.report_open(actor=desk.henk, report=report, private=unlock(desk.henk))

    services.report_forward(
        actor=desk.hanna,
        report=report,
        private=unlock(desk.hanna),
        group=desk.antwerp,
        note="For the port's own follow-up.",
    )

    assert _readers(report) == {"hanna", "henk"}
    plain = services.report_open(
        actor=desk.henk, report=report, private=unlock(desk.henk)
    )
    assert plain.content["what"] == "A grey van circled the terminal three times."
    report.refresh_from_db()
    assert report.status == Report.Status.FORWARDED
    assert set(report.groups.values_list("code", flat=True)) == {"aik", "antwerp"}
    # Customs and the Ghent officer still have nothing.
    with pytest.raises(NotFound):
        services.report_open(actor=desk.hugo, report=report, private=unlock(desk.hugo))
    with pytest.raises(NotFound):
        services.report_status_set(actor=charlie, report=report, status="closed")
    with pytest.raises(Conflict):
        services.report_forward(
            actor=desk.hanna,
            report=report,
            private=unlock(desk.hanna),
            group=desk.antwerp,
        )
    assert AuditEntry.objects.filter(action="reporting.report.forward").count() == 1


def test_a_member_without_the_handler_role_reads_nothing(
    desk: Desk, world: World
) -> None:
    intruder = _member("ivan", world.poab, "control_room_operator", port=world.antwerp)
    desk.aik.members.add(intruder)
    report, _ = submit(desk)

    assert _readers(report) == {"hanna"}
    with pytest.raises(NotFound):
        services.report_note_add(actor=intruder, report=report, private=None, text="x")


def test_a_new_member_gets_the_key_when_a_colleague_opens_the_report(
    desk: Desk,
) -> None:
    report, _ = submit(desk)
    newcomer = _member("nora", desk.police, "report_handler")
    desk.aik.members.add(newcomer)
    private = unlock(newcomer)
    with pytest.raises(services.KeyMissing):
        services.report_open(actor=newcomer, report=report, private=private)

    services.report_open(actor=desk.hanna, report=report, private=unlock(desk.hanna))

    assert services.report_open(actor=newcomer, report=report, private=private)


def test_changing_the_password_reseals_the_key_and_keeps_the_reports(
    desk: Desk,
) -> None:
    report, _ = submit(desk)
    before = HandlerKey.objects.get(user=desk.hanna)

    services.handler_password_change(
        user=desk.hanna, old_password=PASSWORD, new_password="a much longer new secret"
    )

    after = HandlerKey.objects.get(user=desk.hanna)
    assert bytes(after.public_key) == bytes(before.public_key)
    assert bytes(after.sealed_private_key) != bytes(before.sealed_private_key)
    desk.hanna.refresh_from_db()
    assert desk.hanna.check_password("a much longer new secret")
    with pytest.raises(InvalidInput):
        services.handler_key_unlock(user=desk.hanna, password=PASSWORD)
    private = services.handler_key_unlock(
        user=desk.hanna, password="a much longer new secret"
    )
    assert services.report_open(actor=desk.hanna, report=report, private=private)
    assert AuditEntry.objects.filter(action="reporting.handler_key.reseal").count() == 1


def test_a_password_changed_on_another_page_reseals_from_the_unlocked_session_key(
    desk: Desk, rf: Any
) -> None:
    report, _ = submit(desk)
    request = rf.get("/admin/password_change/")
    request.user = desk.hanna
    request._reporting_private = unlock(desk.hanna)
    token = keyring.current_request.set(request)
    try:
        desk.hanna.set_password("changed in the admin site")
        desk.hanna.save()
    finally:
        keyring.current_request.reset(token)

    private = services.handler_key_unlock(
        user=desk.hanna, password="changed in the admin site"
    )
    assert services.report_open(actor=desk.hanna, report=report, private=private)


def test_a_password_set_by_an_administrator_gives_a_new_key_and_recovery_restores(
    desk: Desk, tmp_path: Path
) -> None:
    out = tmp_path / "police-recovery.pem"
    call_command(
        "reporting_recovery",
        "generate",
        "--organisation",
        desk.police.pk,
        "--out",
        str(out),
        stdout=io.StringIO(),
    )
    report, _ = submit(desk)
    assert (
        KeyWrap.objects.filter(report=report, recovery_key__isnull=False).count() == 1
    )
    old_public = bytes(HandlerKey.objects.get(user=desk.hanna).public_key)

    # Without the unlocked key at hand, the old key cannot follow the password.
    desk.hanna.set_password("set by the administrator")
    desk.hanna.save()

    key = HandlerKey.objects.get(user=desk.hanna)
    assert bytes(key.public_key) != old_public
    private = services.handler_key_unlock(
        user=desk.hanna, password="set by the administrator"
    )
    with pytest.raises(services.KeyMissing):
        services.report_open(actor=desk.hanna, report=report, private=private)
    assert AuditEntry.objects.filter(action="reporting.handler_key.reset").count() == 1

    output = io.StringIO()
    call_command("reporting_recovery", "restore", "--key", str(out), stdout=output)

    assert "Report keys given back: 1." in output.getvalue()
    plain = services.report_open(actor=desk.hanna, report=report, private=private)
    assert plain.content["what"] == "A grey van circled the terminal three times."
    assert oct(out.stat().st_mode & 0o777) == "0o600"


def test_closed_reports_are_deleted_after_retention_with_their_files(
    desk: Desk, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    upload = CleanFile("note.pdf", "application/pdf", b"%PDF-1.4 secret", False)
    old, _ = services.report_submit(
        channel=desk.portwatch,
        category=Category.THEFT,
        port=None,
        content=services.ReportContent(what="Copper cables stolen."),
        uploads=[upload],
    )
    recent, _ = submit(desk)
    kept_open, _ = submit(desk)
    stored = Path(settings.REPORTING_FILES_DIR)
    assert len(list(stored.rglob("*"))) == 2  # one folder, one file
    now = timezone.now()
    with time_machine.travel(now - dt.timedelta(days=91), tick=False):
        services.report_status_set(actor=desk.hanna, report=old, status="closed")
    with time_machine.travel(now - dt.timedelta(days=89), tick=False):
        services.report_status_set(actor=desk.hanna, report=recent, status="closed")

    with django_capture_on_commit_callbacks(execute=True):
        deleted = services.retention_run(now)

    assert deleted == 1
    assert set(Report.objects.values_list("pk", flat=True)) == {recent.pk, kept_open.pk}
    assert not Attachment.objects.exists()
    assert not KeyWrap.objects.filter(report_id=old.pk).exists()
    assert [p for p in stored.rglob("*") if p.is_file()] == []
    entry = AuditEntry.objects.get(action="reporting.report.delete")
    assert entry.object_repr == old.reference
    assert json.loads(entry.details)["files"] == 1
    assert audit_verify().ok
    assert services.retention_run(now) == 0


def test_the_export_holds_the_report_its_thread_and_its_files(desk: Desk) -> None:
    report, _ = services.report_submit(
        channel=desk.portwatch,
        category=Category.DRUGS,
        port=None,
        content=services.ReportContent(what="Bags thrown from a ship."),
        uploads=[CleanFile("image-1.png", "image/png", b"\x89PNG fake", True)],
    )
    services.report_note_add(
        actor=desk.hanna,
        report=report,
        private=unlock(desk.hanna),
        text="Seen on radar.",
    )

    name, data = services.report_export(
        actor=desk.hanna, report=report, private=unlock(desk.hanna)
    )

    assert name == f"{report.reference}.zip"
    archive = zipfile.ZipFile(io.BytesIO(data))
    document = json.loads(archive.read("report.json"))
    assert document["content"]["what"] == "Bags thrown from a ship."
    assert [m["text"] for m in document["messages"]] == ["Seen on radar."]
    assert document["files"][0]["metadata_removed"] is True
    assert archive.read(archive.namelist()[1]) == b"\x89PNG fake"
    assert AuditEntry.objects.filter(action="reporting.report.export").count() == 1


def test_assignment_is_to_a_handler_of_the_reports_groups(desk: Desk) -> None:
    report, _ = submit(desk)

    services.report_assign(actor=desk.hanna, report=report, assignee=desk.hanna)
    with pytest.raises(InvalidInput):
        services.report_assign(actor=desk.hanna, report=report, assignee=desk.hugo)

    report.refresh_from_db()
    assert report.assignee == desk.hanna
    assert report.status == Report.Status.TRIAGE


def test_a_closed_report_takes_no_more_questions_or_answers(desk: Desk) -> None:
    report, receipt = submit(desk)
    services.report_status_set(actor=desk.hanna, report=report, status="closed")
    cookie, _ = services.receipt_login(receipt=receipt)
    session = services.reporter_session_open(cookie=cookie)
    assert session is not None

    with pytest.raises(Conflict):
        services.report_question_ask(
            actor=desk.hanna, report=report, private=unlock(desk.hanna), text="?"
        )
    with pytest.raises(Conflict):
        services.reporter_message_add(report=session[0], key=session[1], text="more")
    assert Message.objects.count() == 0


def test_a_bulletin_draft_carries_no_word_of_the_reporter(
    desk: Desk, world: World
) -> None:
    report, _ = submit(desk, what="My colleague Jan sells badges.", port=world.antwerp)

    draft = services.report_bulletin_draft(
        actor=desk.hanna,
        report=report,
        title="Badges offered for sale",
        summary="Port badges are offered for sale in Antwerp.",
        indicators=["badge trade", " "],
    )

    assert draft.source == report.reference
    assert draft.port == "BEANR"
    assert draft.indicators == ("badge trade",)
    assert "Jan" not in repr(draft)


def test_the_reporter_session_expires(desk: Desk, settings: Any) -> None:
    _, receipt = submit(desk)
    cookie, _ = services.receipt_login(receipt=receipt)

    later = timezone.now() + dt.timedelta(
        minutes=settings.REPORTING_REPORTER_SESSION_MINUTES + 1
    )
    assert services.reporter_session_open(cookie=cookie, now=later) is None
    assert services.reporter_session_open(cookie=cookie) is not None
    assert ReportAccess.objects.count() == 1
    assert crypto.RECEIPT_DIGITS == 16


def test_guessing_a_handlers_password_on_the_unlock_page_pauses(desk: Desk) -> None:
    for _ in range(5):
        with pytest.raises(InvalidInput):
            services.handler_key_unlock(user=desk.hanna, password="guess")

    with pytest.raises(NotPermitted) as paused:
        services.handler_key_unlock(user=desk.hanna, password=PASSWORD)
    assert paused.value.fields == {"password": ["paused"]}
    # Another handler is not held back.
    assert unlock(desk.hugo)


def test_the_worker_runs_the_retention_job(desk: Desk) -> None:
    from port2port.core.periodic import job_list, job_run

    job = next(j for j in job_list() if j.name == "reporting.retention")
    report, _ = submit(desk)
    services.report_status_set(actor=desk.hanna, report=report, status="closed")
    Report.objects.filter(pk=report.pk).update(
        closed_at=timezone.now() - dt.timedelta(days=200)
    )

    assert job_run(job, worker="test") is True
    assert not Report.objects.exists()
