"""The handlers' pages and the public follow-up, in the browser's way (test client)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from conftest import World, _client_for, _member
from port2port.core.models import User
from port2port.reporting import abuse, keyring
from port2port.reporting.models import Category, Message, Report
from port2port.reporting.tests.conftest import (
    PASSWORD,
    Desk,
    submit,
    unlocked_client,
)
from port2port.reporting.tests.test_privacy import challenge

pytestmark = pytest.mark.django_db


def test_the_inbox_lists_the_groups_reports_only(desk: Desk, world: World) -> None:
    mine, _ = submit(desk, what="for the AIK")
    smuggling, _ = submit(desk, category=Category.SMUGGLING)
    hugo = unlocked_client(desk.hugo)

    response = hugo.get("/reporting/inbox/")

    assert response.status_code == 200
    assert f'data-report="{smuggling.pk}"' in response.content.decode()
    assert f'data-report="{mine.pk}"' not in response.content.decode()
    assert hugo.get(f"/reporting/reports/{mine.pk}/").status_code == 404
    assert response["Cache-Control"] == "private, no-store"


def test_someone_who_handles_no_reports_gets_404(
    desk: Desk, charlie_client: Client
) -> None:
    report, _ = submit(desk)

    assert charlie_client.get("/reporting/").status_code == 404
    assert charlie_client.get("/reporting/inbox/").status_code == 404
    assert charlie_client.get(f"/reporting/reports/{report.pk}/").status_code == 404
    assert charlie_client.get("/reporting/statistics/").status_code == 404


def test_a_locked_key_sends_the_handler_to_unlock_first(desk: Desk) -> None:
    report, _ = submit(desk, what="Quay 9, at night.")
    client = _client_for(desk.hanna)

    first = client.get(f"/reporting/reports/{report.pk}/")
    wrong = client.post("/reporting/unlock/", {"password": "nope", "next": "/x"})
    right = client.post(
        "/reporting/unlock/",
        {"password": PASSWORD, "next": f"/reporting/reports/{report.pk}/"},
    )
    page = client.get(f"/reporting/reports/{report.pk}/")

    assert first.status_code == 302
    assert first["Location"].startswith("/reporting/unlock/")
    assert wrong.status_code == 200
    assert "This password is not correct." in wrong.content.decode()
    assert right.status_code == 302
    assert right["Location"] == f"/reporting/reports/{report.pk}/"
    cookie = right.cookies[keyring.COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    # The session holds only the sealed key, never the key itself.
    session = client.session
    assert "reporting_key" in session
    assert page.status_code == 200
    assert "Quay 9, at night." in page.content.decode()


def test_the_session_copy_does_not_open_without_the_cookie(desk: Desk) -> None:
    report, _ = submit(desk)
    client = unlocked_client(desk.hanna)
    client.cookies.pop(keyring.COOKIE)

    response = client.get(f"/reporting/reports/{report.pk}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/reporting/unlock/")


def test_a_question_on_the_page_reaches_the_reporter(desk: Desk) -> None:
    report, receipt = submit(desk)
    client = unlocked_client(desk.hanna)

    asked = client.post(
        f"/reporting/reports/{report.pk}/messages/",
        {"kind": "question", "text": "What colour was the car?"},
    )
    noted = client.post(
        f"/reporting/reports/{report.pk}/messages/",
        {"kind": "note", "text": "Internal: matches report 12."},
    )
    reporter = Client()
    login = reporter.get("/report/en/follow-up/")
    token, bits = challenge(login.content.decode())
    reporter.post(
        "/report/en/follow-up/",
        {
            "receipt": receipt,
            "pow_token": token,
            "pow_solution": abuse.work_solve(token, bits),
        },
    )
    follow_up = reporter.get("/report/en/follow-up/report/")
    answered = reporter.post("/report/en/follow-up/report/", {"text": "Dark blue."})

    assert asked.status_code == noted.status_code == 302
    text = follow_up.content.decode()
    assert "What colour was the car?" in text
    assert "Internal: matches report 12." not in text
    assert answered.status_code == 302
    assert answered["Location"] == "/report/en/follow-up/report/?sent=1"
    assert list(Message.objects.values_list("kind", flat=True)) == [
        "question",
        "note",
        "reporter",
    ]
    report.refresh_from_db()
    assert report.unread is True
    page = client.get(f"/reporting/reports/{report.pk}/")
    assert "Dark blue." in page.content.decode()


def test_status_assignment_and_forwarding_from_the_page(desk: Desk) -> None:
    report, _ = submit(desk)
    client = unlocked_client(desk.hanna)

    client.post(f"/reporting/reports/{report.pk}/status/", {"status": "investigation"})
    client.post(f"/reporting/reports/{report.pk}/assign/", {"assignee": desk.hanna.pk})
    forwarded = client.post(
        f"/reporting/reports/{report.pk}/forward/",
        {"group": desk.antwerp.pk, "note": "Yours too."},
    )

    report.refresh_from_db()
    assert report.assignee == desk.hanna
    assert forwarded.status_code == 302
    assert report.status == Report.Status.FORWARDED
    henk = unlocked_client(desk.henk)
    assert "Yours too." in henk.get(f"/reporting/reports/{report.pk}/").content.decode()


def test_files_download_and_export_for_handlers(desk: Desk) -> None:
    from port2port.reporting import services
    from port2port.reporting.files import CleanFile

    report, _ = services.report_submit(
        channel=desk.portwatch,
        category=Category.OTHER,
        port=None,
        content=services.ReportContent(what="See the document."),
        uploads=[CleanFile("plan.pdf", "application/pdf", b"%PDF-1.4 plan", False)],
    )
    client = unlocked_client(desk.hanna)
    page = client.get(f"/reporting/reports/{report.pk}/").content.decode()
    link = re.search(r'href="(/reporting/reports/\d+/files/\d+/)"', page)
    assert link is not None
    assert "may contain metadata" in page

    download = client.get(link.group(1))
    export = client.post(f"/reporting/reports/{report.pk}/export/")

    assert download.status_code == 200
    assert download.content == b"%PDF-1.4 plan"
    assert download["Content-Disposition"] == 'attachment; filename="plan.pdf"'
    assert download["Content-Security-Policy"].startswith("sandbox")
    assert export["Content-Type"] == "application/zip"
    assert unlocked_client(desk.hugo).get(link.group(1)).status_code == 404


def test_the_key_page_changes_the_password_and_the_key_follows(desk: Desk) -> None:
    report, _ = submit(desk)
    client = unlocked_client(desk.hanna)

    refused = client.post(
        "/reporting/key/",
        {
            "old_password": "wrong",
            "new_password": "a brand new long secret",
            "new_password_again": "a brand new long secret",
        },
    )
    changed = client.post(
        "/reporting/key/",
        {
            "old_password": PASSWORD,
            "new_password": "a brand new long secret",
            "new_password_again": "a brand new long secret",
        },
    )

    assert refused.status_code == 200
    assert "This password is not correct." in refused.content.decode()
    assert changed.status_code == 302
    # Still signed in and unlocked in this session, and the new password opens the key.
    assert client.get(f"/reporting/reports/{report.pk}/").status_code == 200
    again = Client()
    again.force_login(User.objects.get(pk=desk.hanna.pk))
    assert (
        again.post(
            "/reporting/unlock/", {"password": "a brand new long secret", "next": "/"}
        ).status_code
        == 302
    )


def test_statistics_hide_small_counts_and_show_no_content(
    desk: Desk, world: World, settings: Any
) -> None:
    settings.REPORTING_STATS_MIN_CELL = 3
    for _ in range(4):
        submit(desk, category=Category.THEFT, port=world.antwerp, what="Secret words")
    submit(desk, category=Category.DRUGS, port=world.ghent)
    namb = _member("namb", world.poab, "national_authority")
    client = _client_for(namb)

    response = client.get("/reporting/statistics/")

    text = response.content.decode()
    assert response.status_code == 200
    assert "Secret words" not in text
    assert '<span class="stat__value" id="stats-total">5</span>' in text
    body = client.get("/api/v1/reporting/statistics").json()
    by_category = {c["label"]: c["count"] for c in body["tables"][1]["cells"]}
    # Drugs (1) is hidden, and theft too, or drugs could be worked out from the total.
    assert by_category["Drugs"] is None
    assert by_category["Theft"] is None
    assert by_category["Cyber"] == 0
    by_port = {c["label"]: c["count"] for c in body["tables"][2]["cells"]}
    assert by_port == {"Antwerp (BEANR)": None, "Ghent (BEGNE)": None}
    assert (
        unlocked_client(desk.hanna).get("/api/v1/reporting/statistics").status_code
        == 404
    )


def test_the_public_pages_speak_the_four_languages(desk: Desk) -> None:
    client = Client()
    titles = {
        lang: client.get(f"/report/{lang}/portwatch/").content.decode()
        for lang in ("en", "nl", "fr", "de")
    }

    assert "Send the report" in titles["en"]
    assert "Verstuur de melding" in titles["nl"]
    assert "Envoyer le signalement" in titles["fr"]
    assert "Meldung senden" in titles["de"]
    assert '<html lang="de">' in titles["de"]
    assert client.get("/report/xx/portwatch/").status_code == 404
    assert client.get("/report/en/no-such-channel/").status_code == 404


def test_the_inbox_costs_the_same_queries_for_one_report_or_many(
    desk: Desk, django_assert_max_num_queries: Any
) -> None:
    client = unlocked_client(desk.hanna)
    submit(desk)
    client.get("/reporting/inbox/")
    with django_assert_max_num_queries(20) as one:
        client.get("/reporting/inbox/")
    for _ in range(5):
        submit(desk)

    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get("/reporting/inbox/")

    assert response.content.decode().count("data-report=") == 6


def test_a_public_page_says_its_language(desk: Desk) -> None:
    response = Client().get("/report/de/")

    assert response["Content-Language"] == "de"
    assert (
        "Eine verdächtige Situation in einem Hafen melden" in response.content.decode()
    )
