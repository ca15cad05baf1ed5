"""The release chain in a real browser (Chromium through Playwright).

The shipping agent releases a container to the forwarder; the forwarder passes
it on to the haulier, which accepts and assigns its driver; once the terminal
and customs have reported, the terminal's gate lets that driver take the
container and refuses another driver of the same company. It runs on a
phone-sized and on a control-room-sized window.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
from django.utils import timezone

from port2port.access import gate
from port2port.access.tests.test_browser import Session, playwright_browser
from port2port.release import services
from port2port.release.models import Release
from port2port.release.tests.conftest import CONTAINER, Chain

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

__all__ = ["playwright_browser"]


def _layout(session: Session, name: str) -> None:
    session.page.screenshot(
        path=f"test-results/release-{name}-{session.viewport}.png", full_page=True
    )
    overflow = session.page.evaluate(
        "document.documentElement.scrollWidth - window.innerWidth"
    )
    assert overflow <= 0, f"{name} is {overflow}px too wide"


@pytest.mark.parametrize("viewport", ["phone", "desk"])
def test_release_transfer_assign_and_pick_up_journey(
    playwright_browser: tuple[Any, Any], live_server: Any, chain: Chain, viewport: str
) -> None:
    _, browser = playwright_browser
    base = live_server.url
    os.makedirs("test-results", exist_ok=True)

    # The shipping agent releases the container to the forwarder.
    agent = Session(browser, base, viewport, "agent")
    page = agent.page
    page.goto(f"{base}/release/")
    page.wait_for_url(f"{base}/release/agent/")
    form = page.locator("form[action='/release/agent/create/']")
    form.locator("input[name=container_number]").fill(CONTAINER)
    form.locator("input[name=bills_of_lading]").fill("MEDUAN123456")
    form.locator("select[name=terminal]").select_option(str(chain.world.deurganck.pk))
    form.locator("select[name=holder]").select_option(str(chain.forwarder_org.pk))
    until = timezone.localtime() + dt.timedelta(days=7)
    form.locator("input[name=valid_until]").fill(until.strftime("%Y-%m-%dT%H:%M"))
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    release = Release.objects.get()
    assert page.url == f"{base}/release/releases/{release.pk}/"
    assert page.locator("h1").inner_text() == CONTAINER
    _layout(agent, "timeline")
    page.goto(f"{base}/release/agent/")
    assert page.locator(f"#release-{release.pk}").count() == 1
    _layout(agent, "releases")
    agent.close()

    # The forwarder passes it on to the haulier.
    forwarder = Session(browser, base, viewport, "forwarder")
    page = forwarder.page
    page.goto(f"{base}/release/inbox/")
    row = page.locator(f"#held-{release.pk}")
    row.locator("select[name=receiver]").select_option(str(chain.world.haulier.pk))
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "offered to Scheldt Haulage BV" in page.locator(".messages").inner_text()
    _layout(forwarder, "inbox")
    forwarder.close()

    # The haulier accepts and assigns its driver.
    haulier = Session(browser, base, viewport, "dave")
    page = haulier.page
    page.goto(f"{base}/release/inbox/")
    page.locator("form[action$='/accept/'] button").click()
    page.wait_for_load_state()
    page.goto(f"{base}/release/assign/")
    row = page.locator(f"#assign-{release.pk}")
    row.locator("input[name=pass_number]").fill(chain.driver_pass.number)
    row.locator("input[name=plate]").fill("1-ABC-123")
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "Jan Peeters" in page.locator(f"#assign-{release.pk}").inner_text()
    _layout(haulier, "assign")
    haulier.close()

    # The terminal and customs report (their integrations, here the services).
    services.release_terminal_report(
        actor=chain.gate_operator,
        release=release,
        discharged=True,
        terminal_released=True,
    )
    services.release_customs_report(
        actor=chain.customs, release=release, status="released"
    )
    gate.state_current(force_poll=True)

    # At the gate: another driver of the same haulier is refused, the driver goes.
    terminal = Session(browser, base, viewport, "gateop")
    page = terminal.page
    page.goto(f"{base}/release/gate/")
    check = page.locator("#gate-check form")
    check.locator("input[name=container_number]").fill(CONTAINER)
    check.locator("input[name=credential]").fill(chain.colleague_pass.number)
    check.locator("input[name=plate]").fill("1ABC123")
    check.locator("button[type=submit]").click()
    page.locator(".verdict--denied").wait_for()
    assert page.locator("[data-reason=WRONG_DRIVER]").count() == 1
    check = page.locator("#gate-check form")
    check.locator("input[name=container_number]").fill(CONTAINER)
    check.locator("input[name=credential]").fill(chain.driver_pass.number)
    check.locator("input[name=plate]").fill("1ABC123")
    check.locator("button[type=submit]").click()
    page.locator(".verdict--allowed").wait_for()
    assert "Jan Peeters" in page.locator(".verdict--allowed").inner_text()
    _layout(terminal, "gate")
    terminal.close()
    release.refresh_from_db()
    assert release.status == "picked_up"
