"""Vessels on the live map, replay, broadcasts and exercise timings in a browser.

Each page on a phone-sized and a control-room-sized window: it draws, it is not
wider than the screen, and the browser reports no error.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from django.utils import timezone

from conftest import World
from port2port.core.models import User
from port2port.detection import services
from port2port.detection.models import Vessel
from port2port.detection.tests.conftest import Sensors
from port2port.detection.tests.test_browser import (  # noqa: F401 - fixtures
    STREAM_SECONDS,
    VIEWPORTS,
    WAIT_MS,
    _login,
    _short_streams,
    playwright_browser,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_overflow(page: Any, name: str) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name} is {overflow}px too wide"


@pytest.mark.usefixtures("_short_streams")
@pytest.mark.parametrize("viewport", ["phone", "desk"])
def test_vessels_replay_broadcasts_and_exercises_in_the_browser(
    playwright_browser: tuple[Any, Any],  # noqa: F811
    live_server: Any,
    sensors: Sensors,
    world: World,
    bob: User,
    viewport: str,
) -> None:
    _playwright, browser = playwright_browser
    base = live_server.url
    now = timezone.now()
    Vessel.objects.create(
        mmsi=205123000,
        name="SCHELDE TRADER",
        port_id=world.antwerp.pk,
        lon=4.255,
        lat=51.272,
        sog=7.0,
        cog=90.0,
        position_at=now,
        track=[[now.timestamp() - 60, 4.25, 51.272], [now.timestamp(), 4.255, 51.272]],
    )
    at = now - dt.timedelta(minutes=10)
    services.events_ingest(
        actor=None,
        events=[
            {
                "source": "BEANR-F1",
                "id": "1",
                "kind": "fence.alarm",
                "time": at.isoformat(),
            },
            {
                "source": "BEANR-F1",
                "id": "2",
                "kind": "fence.alarm",
                "time": (at + dt.timedelta(seconds=5)).isoformat(),
                "exercise": True,
            },
        ],
    )
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    _login(page, base, "bob")

    page.goto(f"{base}/detection/?port=BEANR")
    page.locator(".cr-vessel").wait_for(timeout=WAIT_MS)
    assert page.locator(".cr-vessel").count() == 1
    _no_overflow(page, "the control room")

    page.goto(f"{base}/detection/replay/?port=BEANR")
    page.locator("#rp-summary[data-events='2']").wait_for(
        state="attached", timeout=WAIT_MS
    )
    page.locator("#rp-step").click()
    page.locator("#rp-step").click()
    assert page.locator("#rp-log li").count() == 2
    assert page.locator(".cr-event--exercise").count() == 1
    _no_overflow(page, "the replay")

    page.goto(f"{base}/detection/broadcasts/")
    page.locator("#b-map.leaflet-container").wait_for(timeout=WAIT_MS)
    page.fill("#b-title", "Drone over the dock")
    page.fill("#b-message", "Report any drone to the control room.")
    page.locator("#broadcast-form button[type=submit]").click()
    page.wait_for_url(f"{base}/detection/broadcasts/*/")
    assert "2 companies have not acknowledged" in page.content()
    _no_overflow(page, "the broadcast")

    page.goto(f"{base}/detection/exercise/?port=BEANR")
    assert page.locator("#ex-count").inner_text() == "0"
    _no_overflow(page, "the exercise timings")
    context.close()
    time.sleep(STREAM_SECONDS + 0.5)  # The last stream thread ends.
    assert problems == []
