"""The control room's main journey in a real browser (Chromium through Playwright).

A fence controller and a camera post a fence alarm and a person detection
through the events API; the rules raise one confirmed-intrusion alert, which
arrives on the operator's open map page by the live stream (no reload); the
operator promotes it to an incident and closes the incident. It runs on a
phone-sized and on a control-room-sized window.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from port2port.core.models import ApiToken, User
from port2port.detection import runner
from port2port.detection.models import Alert, Incident
from port2port.detection.tests.conftest import Sensors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Playwright's synchronous API runs an event loop in this thread; the test's own
# ORM calls happen between browser steps, never concurrently with them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

VIEWPORTS = {
    "phone": {"width": 375, "height": 740},
    "desk": {"width": 1440, "height": 900},
}
WAIT_MS = 15_000
STREAM_SECONDS = 3


@pytest.fixture
def playwright_browser(chromium_path: str) -> Iterator[tuple[Any, Any]]:
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
        yield playwright, browser
        browser.close()


@pytest.fixture
def _short_streams(settings: Any) -> None:
    # The live server's stream threads end soon after the page goes (so none
    # outlives the test); the page reconnects by itself with Last-Event-ID.
    settings.DETECTION_STREAM_SECONDS = STREAM_SECONDS


def _login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "correct horse battery staple")
    page.click("form#login-form button[type=submit]")
    page.wait_for_url(f"{base}/")


def _post_events(api: Any, secret: str, events: list[dict[str, Any]]) -> None:
    response = api.post(
        "/api/v1/events",
        data=json.dumps({"events": events}),
        headers={
            "Authorization": f"Bearer {secret}",
            "Content-Type": "application/json",
        },
    )
    assert response.status == 200, response.text()
    assert response.json()["accepted"] == len(events)


@pytest.mark.usefixtures("_short_streams")
@pytest.mark.parametrize("viewport", ["phone", "desk"])
def test_an_intrusion_reaches_the_map_live_and_becomes_a_closed_incident(
    playwright_browser: tuple[Any, Any],
    live_server: Any,
    sensors: Sensors,
    sensor_token: tuple[ApiToken, str],
    bob: User,
    viewport: str,
) -> None:
    playwright, browser = playwright_browser
    base = live_server.url
    _token, secret = sensor_token
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    _login(page, base, "bob")
    page.goto(f"{base}/detection/?port=BEANR")
    assert page.locator(".alert-queue__empty").is_visible()
    # Waits through locators: a polled JavaScript predicate is evaluated with
    # eval(), which the pages' Content Security Policy rightly refuses.
    from playwright.sync_api import expect  # with the browser fixture's import

    live = page.locator("#cr-live")
    if live.count():
        expect(live).to_have_text("live", timeout=WAIT_MS)

    api = playwright.request.new_context(base_url=base)
    at = timezone.now() - dt.timedelta(seconds=30)
    _post_events(
        api,
        secret,
        [
            {
                "source": "BEANR-F1",
                "id": "fz-0001",
                "time": at.isoformat(),
                "kind": "fence.alarm",
                "payload": {"sensor": "s2", "alarm": "climb"},
            },
            {
                "source": "BEANR-C1",
                "id": "1767226455.475377-mxklsc:new",
                "time": (at + dt.timedelta(seconds=12)).isoformat(),
                "kind": "camera.object",
                "payload": {"label": "person", "score": 0.88},
            },
        ],
    )
    api.dispose()
    # The worker's job, done here: judge the new events.
    runner.rules_run()
    alert = Alert.objects.get()

    item = page.locator(f"li.alert-item[data-alert='{alert.pk}']")
    item.wait_for(timeout=WAIT_MS)
    assert page.locator("li.alert-item").count() == 1
    assert "Confirmed intrusion" in item.inner_text()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the control room is {overflow}px too wide"

    item.get_by_role("button", name="Promote to incident").click()
    incident = Incident.objects.get()
    page.wait_for_url(f"{base}/detection/incidents/{incident.pk}/")
    form = page.locator("form#incident-form")
    form.locator("select[name=status]").select_option("closed")
    form.locator("textarea[name=description]").fill(
        "Intruder climbed fence segment 1 and was caught by the patrol."
    )
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    incident.refresh_from_db()
    alert.refresh_from_db()
    assert (incident.status, alert.status, alert.incident_id) == (
        "closed",
        "promoted",
        incident.pk,
    )
    assert "caught by the patrol" in page.content()
    page.screenshot(
        path=f"test-results/detection-incident-{viewport}.png", full_page=True
    )
    context.close()
    time.sleep(STREAM_SECONDS + 0.5)  # The last stream thread ends.
    assert problems == []
