"""The anonymous reporting journey in a real browser (Chromium through Playwright).

A reporter sends a report in Dutch on a phone, with the proof of work done by
the page's script, and keeps the receipt; no cookie is set. A handler unlocks
their key, reads the report and asks a question. The reporter comes back with
the receipt on another phone session, reads the question and answers; the
handler sees the answer.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from conftest import World
from port2port.reporting.models import Message, Report
from port2port.reporting.tests.conftest import PASSWORD, Desk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PHONE = {"width": 375, "height": 740}
DESK = {"width": 1440, "height": 900}


@pytest.fixture
def playwright_browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


class Window:
    """One browser window that collects console errors (CSP violations too)."""

    def __init__(self, browser: Any, viewport: dict[str, int]) -> None:
        self.context = browser.new_context(viewport=viewport)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on(
            "console",
            lambda m: self.problems.append(m.text) if m.type == "error" else None,
        )
        self.page.on("pageerror", lambda e: self.problems.append(str(e)))

    def check_layout(self, name: str) -> None:
        self.page.screenshot(path=f"test-results/reporting-{name}.png", full_page=True)
        overflow = self.page.evaluate(
            "document.documentElement.scrollWidth - window.innerWidth"
        )
        assert overflow <= 0, f"{name} is {overflow}px too wide"

    def close(self) -> None:
        assert self.problems == []
        self.context.close()


def test_report_in_dutch_on_a_phone_question_and_answer_with_the_receipt(
    playwright_browser: Any, live_server: Any, desk: Desk, world: World
) -> None:
    base = live_server.url
    os.makedirs("test-results", exist_ok=True)

    # The reporter sends a report in Dutch on a phone.
    reporter = Window(playwright_browser, PHONE)
    page = reporter.page
    page.goto(f"{base}/report/nl/")
    assert page.locator("html").get_attribute("lang") == "nl"
    page.click("a[href='/report/nl/portwatch/']")
    page.wait_for_load_state()
    form = page.locator("form#report-form")
    form.locator("input[name=category][value=drugs]").check()
    form.locator("select[name=port]").select_option(str(world.antwerp.pk))
    form.locator("input[name=place]").fill("Kaai 1742, bij de containerkraan")
    form.locator("input[name=when]").fill("gisteren rond 23 uur")
    form.locator("textarea[name=what]").fill(
        "Twee mannen haalden sporttassen uit een container en laadden ze in een busje."
    )
    form.locator("textarea[name=people]").fill("Witte bestelwagen 1-VAN-321")
    page.locator("#report-map").click()
    assert form.locator("input[name=latitude]").input_value() != "", reporter.problems
    reporter.check_layout("form-nl-phone")
    form.locator("button[type=submit]").click()
    page.locator("#receipt-digits").wait_for(timeout=20_000)
    receipt = page.locator("#receipt-digits").inner_text().replace(" ", "")
    assert len(receipt) == 16
    assert receipt.isdigit()
    assert "Bedankt" in page.locator("h1").inner_text()
    reporter.check_layout("receipt-nl-phone")
    assert reporter.context.cookies() == []
    reporter.close()
    report = Report.objects.get()
    assert report.port == world.antwerp

    # The handler unlocks the key, reads the report and asks a question.
    handler = Window(playwright_browser, DESK)
    page = handler.page
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "hanna")
    page.fill("input[name=password]", PASSWORD)
    page.click("form#login-form button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.click("nav.mainnav a:text-is('Reports')")
    page.wait_for_load_state()
    page.click(f"a:text-is('{report.reference}')")
    page.wait_for_load_state()
    page.fill("form#unlock-form input[name=password]", PASSWORD)
    page.click("form#unlock-form button[type=submit]")
    page.wait_for_load_state()
    assert "sporttassen" in page.locator("#report-what").inner_text()
    page.fill(
        "form#message-form textarea[name=text]",
        "Dank u. Welke richting reed het busje uit?",
    )
    page.click("form#message-form button[type=submit]")
    page.wait_for_load_state()
    assert "Welke richting" in page.locator("#thread").inner_text()
    handler.check_layout("report-desk")

    # The reporter comes back with the receipt, reads the question and answers.
    again = Window(playwright_browser, PHONE)
    page = again.page
    page.goto(f"{base}/report/nl/follow-up/")
    page.fill("form#receipt-form input[name=receipt]", receipt)
    page.click("form#receipt-form button[type=submit]")
    page.locator("#thread").wait_for(timeout=20_000)
    assert "Welke richting reed het busje uit?" in page.locator("#thread").inner_text()
    page.fill("form#reply-form textarea[name=text]", "Richting de Kieldrechtsluis.")
    page.click("form#reply-form button[type=submit]")
    page.wait_for_load_state()
    assert "Richting de Kieldrechtsluis." in page.locator("#thread").inner_text()
    again.check_layout("follow-up-nl-phone")
    cookies = again.context.cookies()
    assert [c["name"] for c in cookies] == ["p2p_report"]
    assert cookies[0]["httpOnly"] is True
    assert cookies[0]["sameSite"] == "Strict"
    again.close()

    # The handler sees the answer.
    handler.page.reload()
    assert (
        "Richting de Kieldrechtsluis." in handler.page.locator("#thread").inner_text()
    )
    handler.close()
    assert list(Message.objects.values_list("kind", flat=True)) == [
        "question",
        "reporter",
    ]
