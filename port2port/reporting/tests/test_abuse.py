"""Proof of work and global limits on the public forms."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from port2port.reporting import abuse
from port2port.reporting.models import Report
from port2port.reporting.tests.conftest import Desk
from port2port.reporting.tests.test_privacy import challenge, send_report

pytestmark = pytest.mark.django_db


def test_a_challenge_needs_its_work_and_is_used_once() -> None:
    issued = abuse.challenge_issue("submit", 8)
    solution = abuse.work_solve(issued.token, 8)

    assert abuse.work_is_done(issued.token, solution, 8)
    assert not abuse.work_is_done(issued.token, "x1", 8)
    assert abuse.challenge_redeem(issued.token, solution, purpose="submit") is True
    with pytest.raises(abuse.Refused) as used:
        abuse.challenge_redeem(issued.token, solution, purpose="submit")
    assert used.value.reason == "used"
    other = abuse.challenge_issue("login", 8)
    with pytest.raises(abuse.Refused):
        abuse.challenge_redeem(other.token, "0", purpose="submit")
    with pytest.raises(abuse.Refused):
        abuse.challenge_redeem(issued.token + "x", solution, purpose="submit")
    lazy = abuse.challenge_issue("submit", 8)
    assert abuse.challenge_redeem(lazy.token, "", purpose="submit") is False


def test_a_report_without_the_work_counts_against_the_small_allowance(
    desk: Desk, settings: Any
) -> None:
    settings.REPORTING_RATE_SUBMIT_NO_SCRIPT = (2, 600)
    client = Client()

    statuses = []
    for _ in range(3):
        page = client.get("/report/en/portwatch/")
        token, _bits = challenge(page.content.decode())
        response = client.post(
            "/report/en/portwatch/",
            {"category": "theft", "what": "Sent without scripts.", "pow_token": token},
        )
        statuses.append(response.status_code)

    assert statuses == [200, 200, 429]
    assert "Please wait" in response.content.decode()
    assert Report.objects.count() == 2
    # A browser that does the work is not held back by the allowance.
    done = send_report(
        client, "/report/en/portwatch/", {"category": "theft", "what": "x"}
    )
    assert done.status_code == 200
    assert Report.objects.count() == 3


def test_the_global_limit_holds_for_everyone(desk: Desk, settings: Any) -> None:
    settings.REPORTING_RATE_SUBMIT = (1, 600)

    first = send_report(
        Client(), "/report/en/portwatch/", {"category": "theft", "what": "a"}
    )
    second = send_report(
        Client(), "/report/en/portwatch/", {"category": "theft", "what": "b"}
    )

    assert first.status_code == 200
    assert second.status_code == 429
    assert Report.objects.count() == 1


def test_sending_the_same_form_twice_makes_one_report(desk: Desk) -> None:
    client = Client()
    page = client.get("/report/en/portwatch/")
    token, bits = challenge(page.content.decode())
    body = {
        "category": "theft",
        "what": "Twice?",
        "pow_token": token,
        "pow_solution": abuse.work_solve(token, bits),
    }

    assert client.post("/report/en/portwatch/", body).status_code == 200
    again = client.post("/report/en/portwatch/", body)

    assert again.status_code == 400
    assert "already sent" in again.content.decode()
    assert Report.objects.count() == 1


def test_receipt_guessing_through_the_page_is_paused(desk: Desk, settings: Any) -> None:
    settings.REPORTING_RATE_RECEIPT_FAILURES = (3, 300)
    client = Client()

    statuses = []
    for n in range(5):
        page = client.get("/report/en/follow-up/")
        token, bits = challenge(page.content.decode())
        response = client.post(
            "/report/en/follow-up/",
            {
                "receipt": f"{n:016d}",
                "pow_token": token,
                "pow_solution": abuse.work_solve(token, bits),
            },
        )
        statuses.append(response.status_code)

    assert statuses == [403, 403, 403, 429, 429]
    assert "Too many wrong receipts" in response.content.decode()
    assert client.cookies == {}
    # The login asks for more work while the guessing goes on.
    assert challenge(client.get("/report/en/follow-up/").content.decode())[1] == (
        settings.REPORTING_POW_LOGIN_BITS + 4
    )
