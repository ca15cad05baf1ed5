"""An inspection carried out on a phone, in a real browser (Chromium through Playwright).

The inspector opens today's inspection from the dashboard, answers as they go,
loses the connection, answers again (kept on the phone), gets the connection
back (the answer is sent), and records a finding. The PFSO then sees the finding
on the facility page and answers it with a corrective action plan.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from conftest import World
from port2port.compliance import services
from port2port.compliance.models import Answer, ChecklistTemplate, Finding
from port2port.core.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Playwright's synchronous API runs an event loop in this thread; the test's own
# ORM calls happen between browser steps, never concurrently with them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PHONE = {"width": 375, "height": 740}


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


class Phone:
    """One user's phone-sized browser window, collecting console errors."""

    def __init__(self, browser: Any, base: str, username: str) -> None:
        self.context = browser.new_context(viewport=PHONE)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on(
            "console",
            lambda m: self.problems.append(m.text) if m.type == "error" else None,
        )
        self.page.on("pageerror", lambda e: self.problems.append(str(e)))
        self.page.goto(f"{base}/accounts/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", "correct horse battery staple")
        self.page.click("form#login-form button[type=submit]")
        self.page.wait_for_url(f"{base}/")

    def check_layout(self, name: str) -> None:
        self.page.screenshot(path=f"test-results/compliance-{name}.png", full_page=True)
        overflow = self.page.evaluate(
            "document.documentElement.scrollWidth - window.innerWidth"
        )
        assert overflow <= 0, f"{name} is {overflow}px too wide"

    def close(self) -> None:
        # A browser that goes offline logs its failed requests; they are expected.
        problems = [p for p in self.problems if "ERR_INTERNET_DISCONNECTED" not in p]
        assert problems == []
        self.context.close()


def test_an_inspector_carries_out_an_inspection_on_a_phone_through_a_lost_connection(
    playwright_browser: Any,
    live_server: Any,
    world: World,
    inspector: User,
    pfso: User,
) -> None:
    os.makedirs("test-results", exist_ok=True)
    base = live_server.url
    if not ChecklistTemplate.objects.filter(code="perimeter-access").exists():
        # An earlier browser test flushed the tables, and with them the templates
        # that a migration ships: load them again as the migration does.
        shipped = importlib.import_module(
            "port2port.compliance.migrations.0003_checklists_and_scenarios"
        )
        shipped.load(django_apps, None)
    template = ChecklistTemplate.objects.get(code="perimeter-access")
    inspection = services.inspection_plan(
        actor=inspector,
        facility=world.deurganck,
        template=template,
        kind="unannounced",
        planned_on=timezone.localdate(),
    )

    phone = Phone(playwright_browser, base, "inspector")
    page = phone.page
    page.goto(f"{base}/compliance/")
    page.click(f"a[href='/compliance/inspections/{inspection.pk}/run/']")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Perimeter and access control check"
    phone.check_layout("run-phone")

    # Online: the answer is saved at once.
    page.locator("#item-fence-continuous label", has_text="Yes").click()
    page.locator("[data-state-of=fence-continuous]", has_text="✓").wait_for()
    assert Answer.objects.get(item__key="fence-continuous").choice == "yes"

    # Offline: the answers stay on the phone and the page says so.
    phone.context.set_offline(True)
    page.locator("#item-fence-clear-zone label", has_text="No").click()
    page.fill("#n-fence-height", "2.4")
    page.locator("#n-fence-height").blur()
    page.locator("#save-status[data-state=offline]").wait_for()
    stored = json.loads(
        page.evaluate(f"localStorage.getItem('p2p-inspection-{inspection.pk}')")
    )
    assert stored["answers"]["fence-clear-zone"]["choice"] == "no"
    assert stored["answers"]["fence-height"]["number"] == "2.4"
    assert not Answer.objects.filter(item__key="fence-clear-zone").exists()

    # Back online: the kept answers are sent, and the phone forgets them.
    phone.context.set_offline(False)
    page.locator("#save-status[data-state=saved]").wait_for(timeout=15000)
    assert Answer.objects.get(item__key="fence-clear-zone").choice == "no"
    assert str(Answer.objects.get(item__key="fence-height").number) == "2.400"
    stored = json.loads(
        page.evaluate(f"localStorage.getItem('p2p-inspection-{inspection.pk}')")
    )
    assert stored["answers"] == {}

    # A reload shows the saved answers from the server.
    page.reload()
    assert page.locator("#item-fence-clear-zone input[value=no]").is_checked()

    # A finding on the clear zone.
    page.select_option("#f-severity", "major")
    page.select_option("#f-item", "fence-clear-zone")
    page.fill(
        "#f-description", "Containers stacked against the fence at the reefer yard."
    )
    page.click("section[aria-labelledby=finding-heading] button[type=submit]")
    page.wait_for_load_state()
    assert "Finding 1 was recorded." in page.locator(".messages").inner_text()
    finding = Finding.objects.get()
    assert (finding.severity, finding.item.key) == ("major", "fence-clear-zone")
    phone.close()

    # The PFSO sees the finding on the facility page and plans the corrective action.
    desk = Phone(playwright_browser, base, "pfso")
    page = desk.page
    page.goto(f"{base}/compliance/")
    page.wait_for_url(f"{base}/compliance/facilities/{world.deurganck.pk}/")
    desk.check_layout("facility-phone")
    page.click(f"a[href='/compliance/findings/{finding.pk}/']")
    page.wait_for_load_state()
    assert (
        "Containers stacked against the fence"
        in page.locator("#finding-description").inner_text()
    )
    deadline = timezone.localdate() + dt.timedelta(days=14)
    page.fill("textarea[name=action]", "Move the stack 5 m away from the fence")
    page.fill("input[name=owner]", "Yard manager")
    page.fill("input[name=deadline]", deadline.isoformat())
    page.click("section[aria-labelledby=plan-heading] button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#finding-status").inner_text() == "Action planned"
    desk.check_layout("finding-phone")
    desk.close()
    finding.refresh_from_db()
    assert (finding.status, finding.action_owner, finding.deadline) == (
        "planned",
        "Yard manager",
        deadline,
    )
