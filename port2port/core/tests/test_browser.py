"""The foundation's main journey in a real browser (Chromium through Playwright).

A port security officer signs in, switches to Dutch, opens the map and a
facility; an officer of another port gets 404 for that facility. It runs on a
phone-sized and on a control-room-sized window.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from conftest import World
from port2port.core.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Playwright's synchronous API runs an event loop in this thread; the test's own
# ORM calls happen between browser steps, never concurrently with them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

VIEWPORTS = {
    "phone": {"width": 375, "height": 740},
    "desk": {"width": 1440, "height": 900},
}


@pytest.fixture
def browser(chromium_path: str) -> Iterator[Any]:
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


def _sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "correct horse battery staple")
    page.click("form#login-form button[type=submit]")
    page.wait_for_url(f"{base}/")


@pytest.mark.parametrize("viewport", ["phone", "desk"])
def test_officer_signs_in_switches_to_dutch_and_opens_map_and_facility(
    browser: Any,
    live_server: Any,
    world: World,
    alice: User,
    charlie: User,
    viewport: str,
) -> None:
    base = live_server.url
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))

    _sign_in(page, base, "alice")
    assert page.locator("html").get_attribute("lang") == "en"

    # Switch the language to Dutch from the shell (behind the menu on a phone).
    menu = page.locator("[data-menu-toggle]")
    if menu.is_visible():
        menu.click()
    page.select_option("form#language-form select[name=language]", "nl")
    page.click("form#language-form button[type=submit]")
    from playwright.sync_api import expect  # with the browser fixture's import

    expect(page.locator("html")).to_have_attribute("lang", "nl")
    assert page.locator("html").get_attribute("lang") == "nl"

    # The map draws the facilities as vector layers, without any tile server.
    page.goto(f"{base}/map/")
    page.wait_for_selector("#map .leaflet-interactive", timeout=10_000)
    assert page.locator("#map path.leaflet-interactive").count() >= 1

    # The facility page shows the facility, its details in Dutch.
    page.goto(f"{base}/facilities/{world.deurganck.pk}/")
    assert page.locator("h1").inner_text().strip().startswith("Deurganck Terminal")
    assert "Beveiligingsniveau" in page.content()
    page.screenshot(path=f"test-results/facility-{viewport}.png", full_page=True)
    assert problems == []
    context.close()

    # An officer of another port is told the facility does not exist.
    other = browser.new_context(viewport=VIEWPORTS[viewport])
    page = other.new_page()
    _sign_in(page, base, "charlie")
    response = page.goto(f"{base}/facilities/{world.deurganck.pk}/")
    assert response.status == 404
    other.close()
