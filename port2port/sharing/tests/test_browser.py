"""The hub's journey in a real browser (Chromium through Playwright).

The Antwerp LCMB shares an AMBER bulletin with a plate; a truck with that plate
is refused at a gate in Ghent (a gate decision through the access API); Ghent's
control room gets an alert that names the plate and the gate but not the
bulletin, and the Antwerp owner sees the match.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest

from conftest import World, _member
from port2port.access import gate
from port2port.core import services as core_services
from port2port.core.models import Clearance, User
from port2port.core.tests import factories
from port2port.detection.models import Alert
from port2port.sharing import services
from port2port.sharing.models import CommitteeMember, Match

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
VIEWPORTS = {
    "phone": {"width": 375, "height": 740},
    "desk": {"width": 1440, "height": 900},
}


@pytest.fixture
def playwright_browser(chromium_path: str) -> Iterator[tuple[Any, Any]]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run"],
        )
        yield playwright, browser
        browser.close()


def _login(browser: Any, base: str, viewport: str, username: str) -> Any:
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "correct horse battery staple")
    page.click("form#login-form button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.problems = problems
    return page


def _no_sideways_scroll(page: Any) -> None:
    assert (
        page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    )


@pytest.mark.parametrize("viewport", ["phone", "desk"])
def test_antwerp_bulletin_plate_seen_at_a_ghent_gate(
    playwright_browser: tuple[Any, Any],
    live_server: Any,
    world: World,
    alice: User,
    viewport: str,
) -> None:
    playwright, browser = playwright_browser
    base = live_server.url
    alice.clearance = Clearance.CONFIDENTIAL
    alice.save()
    services.committee_member_add(
        actor=None,
        committee=world.antwerp.committee,
        user=alice,
        role=CommitteeMember.Role.CHAIR,
    )
    _member("gino", world.nsp, "control_room_operator", port=world.ghent)
    zone = factories.ZoneFactory(
        facility=world.kluizendok, port=world.ghent, name="Quay"
    )
    lane = factories.AccessPointFactory(
        zone=zone, code="KL1", name="Kluizendok truck lane"
    )
    admin = _member("ghadmin", world.ghent_operator, "company_admin")
    _, token = core_services.api_token_create(
        actor=admin,
        organisation=world.ghent_operator,
        facility=world.kluizendok,
        name="Lane controller",
        permissions=["gate:decide"],
    )

    # The Antwerp LCMB's chair shares an AMBER bulletin with a plate, to the LCMB.
    page = _login(browser, base, viewport, "alice")
    page.goto(f"{base}/hub/bulletins/new/")
    form = page.locator("form#bulletin-form")
    form.locator("input[name=title]").fill("Cloned plates at container terminals")
    form.locator("textarea[name=text]").fill(
        "A crew collects containers with a cloned plate."
    )
    form.locator("select[name=tlp]").select_option("amber")
    form.locator("select[name=distribution]").select_option("committee")
    form.locator("select[name=committee]").select_option(
        str(world.antwerp.committee.pk)
    )
    form.locator("textarea[name=indicators]").fill("plate: 1-XYZ-789")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Cloned plates at container terminals"
    _no_sideways_scroll(page)

    # A truck with that plate is read at the Ghent lane.
    api = playwright.request.new_context(base_url=base)
    gate.state_current(force_poll=True)
    response = api.post(
        f"/api/v1/access-points/{lane.pk}/decisions",
        data=json.dumps({"plate": "1XYZ789"}),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
        },
    )
    assert response.status == 200, response.text()
    api.dispose()
    services.matches_run_live()
    match = Match.objects.get()
    alert = Alert.objects.get(pk=match.alert_id)
    assert alert.port == world.ghent

    # Ghent's control room sees the alert: the plate and the lane, not the bulletin.
    room = _login(browser, base, viewport, "gino")
    room.goto(f"{base}/detection/?port=BEGNE")
    queue = room.locator(f"[data-alert='{alert.pk}']")
    queue.wait_for()
    assert "1-XYZ-789" in queue.inner_text()
    assert "Kluizendok truck lane" in queue.inner_text()
    assert "Cloned plates" not in room.locator("main").inner_text()
    room.goto(f"{base}/hub/matches/{match.pk}/")
    details = room.locator("main").inner_text()
    assert "Cloned plates" not in details
    assert "A crew collects" not in details
    assert room.goto(f"{base}/hub/bulletins/{match.bulletin_id}/").status == 404
    room.problems.clear()  # the browser logs the expected 404
    _no_sideways_scroll(room)

    # The Antwerp owner sees the match on the bulletin.
    page.goto(f"{base}/hub/bulletins/{match.bulletin_id}/")
    row = page.locator(f"tr[data-match='{match.pk}']")
    assert "Kluizendok truck lane" in row.inner_text()
    assert "BEGNE" in row.inner_text()
    _no_sideways_scroll(page)
    assert page.problems == []
    assert room.problems == []
