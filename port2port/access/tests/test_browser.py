"""The access module's main journey in a real browser (Chromium through Playwright).

A company administrator announces two visits for a new visitor; the PFSO
approves them; the visitor's day pass opens the gate inside the visit's window
and not outside it; the gate operator sees the decisions arrive live (and reads
them in Dutch); a judge bans a driver, who is then refused at a gate of another
port. It runs on a phone-sized and on a control-room-sized window.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from conftest import World, _member
from port2port.access import gate
from port2port.access.models import PortBan, PortPass, Visit, Visitor
from port2port.access.tests.conftest import Gates
from port2port.core.models import User
from port2port.core.tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Playwright's synchronous API runs an event loop in this thread; the test's own
# ORM calls happen between browser steps, never concurrently with them.
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


class Session:
    """One user's browser window, collecting console errors (CSP violations too)."""

    def __init__(self, browser: Any, base: str, viewport: str, username: str) -> None:
        self.base = base
        self.viewport = viewport
        self.context = browser.new_context(viewport=VIEWPORTS[viewport])
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

    def open_menu(self) -> None:
        """Unfold the menu, which hides behind a button on a phone."""
        menu = self.page.locator("[data-menu-toggle]")
        if menu.is_visible():
            menu.click()

    def navigate(self, label: str) -> None:
        self.open_menu()
        self.page.click(f"nav.mainnav a:text-is('{label}')")
        self.page.wait_for_load_state()

    def check_layout(self, name: str) -> None:
        """Save a screenshot and check the page does not scroll sideways."""
        self.page.screenshot(
            path=f"test-results/access-{name}-{self.viewport}.png", full_page=True
        )
        overflow = self.page.evaluate(
            "document.documentElement.scrollWidth - window.innerWidth"
        )
        assert overflow <= 0, f"{name} is {overflow}px too wide"

    def close(self) -> None:
        assert self.problems == []
        self.context.close()


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _announce(
    session: Session, gates: Gates, world: World, visitor: Any, start: dt.datetime
) -> None:
    page = session.page
    form = page.locator("form#announce-form")
    form.locator("select[name=facility]").select_option(str(world.deurganck.pk))
    form.locator("select[name=zone]").select_option(str(gates.zone.pk))
    form.locator("select[name=purpose]").select_option("meeting")
    form.locator("input[name=starts_at]").fill(_local(start))
    form.locator("input[name=ends_at]").fill(_local(start + dt.timedelta(hours=4)))
    form.locator("select[name=visitors]").select_option([str(visitor.pk)])
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "waits for approval" in page.locator(".messages").inner_text()


def _decide(api: Any, token: str, point: int, credential: str) -> dict[str, Any]:
    # The live server runs in this process: take in the changes the pages made
    # before the gate decides, instead of waiting for the next poll.
    gate.state_current(force_poll=True)
    response = api.post(
        f"/api/v1/access-points/{point}/decisions",
        data=json.dumps({"credential": credential}),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
        },
    )
    assert response.status == 200, response.text()
    return response.json()


def _codes(decision: dict[str, Any]) -> list[str]:
    return [reason["code"].upper() for reason in decision["reasons"]]


@pytest.mark.parametrize("viewport", ["phone", "desk"])
def test_visit_day_pass_live_view_and_port_ban_journey(
    playwright_browser: tuple[Any, Any],
    live_server: Any,
    world: World,
    gates: Gates,
    dave: User,
    pfso: User,
    judge: User,
    gate_token: str,
    ghent_gate_token: str,
    viewport: str,
) -> None:
    playwright, browser = playwright_browser
    base = live_server.url
    os.makedirs("test-results", exist_ok=True)
    visitor = factories.PersonFactory(
        first_name="Lotte", last_name="Janssens", employer=world.haulier
    )
    _member(
        "gateop", world.terminal_operator, "gate_operator", facility=world.deurganck
    )
    api = playwright.request.new_context(base_url=base)
    now = timezone.now()

    # The company administrator announces a visit now and one the day after tomorrow.
    company = Session(browser, base, viewport, "dave")
    company.navigate("My company")
    assert company.page.locator("h1").inner_text() == "Scheldt Haulage BV"
    _announce(company, gates, world, visitor, now - dt.timedelta(hours=1))
    _announce(company, gates, world, visitor, now + dt.timedelta(days=2))
    assert (
        company.page.locator("section[aria-labelledby=visits-heading] tbody tr").count()
        == 2
    )
    company.check_layout("company")
    company.close()
    current, later = Visit.objects.order_by("starts_at")
    assert current.status == later.status == Visit.Status.SUBMITTED

    # The PFSO refuses a rejection without a reason, then approves both visits.
    pfso_session = Session(browser, base, viewport, "pfso")
    pfso_session.navigate("My facility")
    page = pfso_session.page
    assert page.locator("h1").inner_text() == "Deurganck Terminal"
    row = page.locator(f"#visit-{later.pk}")
    row.locator("button[value=reject]").click()
    page.locator(f"#visit-{later.pk} .errorlist").wait_for()
    assert (
        "A rejection needs a reason." in page.locator(f"#visit-{later.pk}").inner_text()
    )
    for visit in (current, later):
        page.locator(f"#visit-{visit.pk} button[value=approve]").click()
        page.locator(f"#visit-{visit.pk} td[data-status=approved]").wait_for()
    assert page.locator(f"#visit-{current.pk}").inner_text().count("Approved") == 1
    pfso_session.check_layout("facility")
    pfso_session.close()
    current.refresh_from_db()
    assert current.status == Visit.Status.APPROVED

    # The visitor's day pass opens the gate in the visit's window, not outside it.
    inside = Visitor.objects.get(visit=current).day_pass_id
    outside = Visitor.objects.get(visit=later).day_pass_id
    assert inside
    assert outside
    allowed = _decide(api, gate_token, gates.gate.pk, gate.day_pass_token(inside))
    assert allowed["allowed"] is True, allowed
    assert allowed["person_name"] == "Lotte Janssens"
    refused = _decide(api, gate_token, gates.gate.pk, gate.day_pass_token(outside))
    assert refused["allowed"] is False
    assert "VISIT_OUTSIDE_WINDOW" in _codes(refused)

    # The gate operator sees both decisions, and the next one arrives by itself.
    operator = Session(browser, base, viewport, "gateop")
    operator.navigate("Gates")
    page = operator.page
    rows = page.locator("#decision-rows tr.decision")
    assert rows.count() == 2
    assert page.locator(
        f"tr[data-event-id='{allowed['decision_id']}'].decision--allowed"
    ).is_visible()
    assert (
        "The announced visit does not cover this time."
        in page.locator(f"tr[data-event-id='{refused['decision_id']}']").inner_text()
    )
    latest = _decide(api, gate_token, gates.gate.pk, "P2P000000000001")
    page.locator(f"tr[data-event-id='{latest['decision_id']}']").wait_for(timeout=6_000)
    assert rows.count() == 3
    assert rows.first.get_attribute("data-event-id") == str(latest["decision_id"])
    assert "Jan Peeters" in rows.first.inner_text()

    # The manual check answers in a large panel and logs the decision.
    page.select_option("#manual-check select[name=access_point]", str(gates.gate.pk))
    page.fill("#manual-check input[name=credential]", "P2P000000000001")
    page.click("#manual-check button[type=submit]")
    page.locator("#manual-check .verdict--allowed").wait_for()
    assert "Jan Peeters" in page.locator("#manual-check .verdict").inner_text()
    operator.check_layout("gates")

    # The same page in Dutch.
    operator.open_menu()
    page.select_option("form#language-form select[name=language]", "nl")
    page.click("form#language-form button[type=submit]")
    from playwright.sync_api import expect  # with the browser fixture's import

    expect(page.locator("html")).to_have_attribute("lang", "nl")
    assert page.locator("h1").inner_text() == "Poortbeslissingen"
    assert (
        "Het aangekondigde bezoek dekt dit tijdstip niet."
        in page.locator(f"tr[data-event-id='{refused['decision_id']}']").inner_text()
    )
    operator.check_layout("gates-nl")
    operator.close()

    # A judge finds the driver and bans him from every port.
    court = Session(browser, base, viewport, "judge")
    court.navigate("Port bans")
    page = court.page
    page.fill("input[name=q]", "Peeters")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_load_state()
    page.locator("tr", has_text="Peeters, Jan").locator(
        "a", has_text="Ban this person"
    ).click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Ban Jan Peeters"
    today = timezone.localdate()
    page.fill("input[name=ends_on]", today.replace(year=today.year + 5).isoformat())
    page.fill("input[name=legal_reference]", "AN.12.34.567/26")
    assert page.locator("input[name=all_ports]").is_checked()
    court.check_layout("ban-form")
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    assert "is recorded" in page.locator(".messages").inner_text()
    assert "AN.12.34.567/26" in page.locator("#results").inner_text()
    court.check_layout("bans")
    court.close()
    assert PortBan.objects.get().person == world.driver
    assert PortPass.objects.get(number="P2P000000000001").state == "suspended"

    # The driver is refused at the gate of another port, because of the ban.
    banned = _decide(api, ghent_gate_token, gates.ghent_gate.pk, "P2P000000000001")
    assert banned["allowed"] is False
    assert "PORT_BAN" in _codes(banned)
    api.dispose()


@pytest.mark.parametrize("viewport", ["phone", "desk"])
def test_agent_decision_late_ban_alert_day_pass_and_cancellation_journey(
    playwright_browser: tuple[Any, Any],
    live_server: Any,
    world: World,
    gates: Gates,
    dave: User,
    pfso: User,
    judge: User,
    gate_token: str,
    viewport: str,
) -> None:
    from port2port.access import services
    from port2port.access.models import LateBanAlert
    from port2port.lib.tests.test_qr import qr_read

    playwright, browser = playwright_browser
    base = live_server.url
    os.makedirs("test-results", exist_ok=True)
    agent = factories.OrganisationFactory(
        name="Antwerp Shipping Agency", roles=["shipping_agent"], ports=[world.antwerp]
    )
    _member("agentadmin", agent, "company_admin")
    visitor = factories.PersonFactory(
        first_name="Els", last_name="Wouters", employer=world.haulier
    )
    now = timezone.now()
    visit = services.visit_create(
        actor=dave,
        requester=world.haulier,
        facility=world.deurganck,
        zone=gates.zone,
        purpose=Visit.Purpose.CREW_CHANGE,
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=3),
        visitors=[visitor],
        vessel_name="MSC Anna",
        agent=agent,
    )
    # A ban of the driver, whose pass the terminal accepts: a late-ban alert there.
    today = timezone.localdate()
    services.ban_issue(
        actor=judge,
        person=world.driver,
        starts_on=today,
        ends_on=today + dt.timedelta(days=30),
        legal_reference="AN.9/26",
    )
    alert = LateBanAlert.objects.get(facility=world.deurganck, kind="pass")
    api = playwright.request.new_context(base_url=base)

    # The shipping agent approves the ship visit on its company page, then reads
    # the page in Dutch.
    agent_session = Session(browser, base, viewport, "agentadmin")
    agent_session.navigate("My company")
    page = agent_session.page
    page.locator(f"#visit-{visit.pk} button[value=approve]").click()
    page.locator(
        f"#visit-{visit.pk}", has_text="the terminal has yet to decide"
    ).wait_for()
    agent_session.check_layout("agent")
    agent_session.open_menu()
    page.select_option("form#language-form select[name=language]", "nl")
    page.click("form#language-form button[type=submit]")
    from playwright.sync_api import expect  # with the browser fixture's import

    expect(page.locator("html")).to_have_attribute("lang", "nl")
    assert (
        page.locator("#agent-heading").inner_text()
        == "Scheepsbezoeken die op uw beslissing als scheepsagent wachten"
    )
    agent_session.check_layout("agent-nl")
    agent_session.close()

    # The PFSO acknowledges the late-ban alert and approves the visit.
    pfso_session = Session(browser, base, viewport, "pfso")
    pfso_session.navigate("My facility")
    page = pfso_session.page
    page.locator(f"#alert-{alert.pk} button[type=submit]").click()
    page.locator(f"#alert-{alert.pk}.alert--info").wait_for()
    assert "Acknowledged" in page.locator(f"#alert-{alert.pk}").inner_text()
    page.locator(f"#visit-{visit.pk} button[value=approve]").click()
    page.locator(f"#visit-{visit.pk} td[data-status=approved]").wait_for()
    pfso_session.check_layout("facility-alerts")
    pfso_session.close()
    alert.refresh_from_db()
    assert alert.acknowledged_by == pfso

    # The company prints the day pass; the token in its QR code opens the gate.
    company = Session(browser, base, viewport, "dave")
    company.navigate("My company")
    page = company.page
    page.locator(f"#our-visit-{visit.pk} a", has_text="Day pass").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Els Wouters"
    assert page.locator("button[data-print]").is_visible()
    token = qr_read(page.locator(".day-pass__qr").inner_html())
    company.check_layout("day-pass")
    allowed = _decide(api, gate_token, gates.gate.pk, token)
    assert allowed["allowed"] is True, allowed
    assert allowed["person_name"] == "Els Wouters"

    # In French, the company cancels the visit; the day pass stops opening the gate.
    company.open_menu()
    page.select_option("form#language-form select[name=language]", "fr")
    page.click("form#language-form button[type=submit]")
    from playwright.sync_api import expect  # with the browser fixture's import

    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert "Badge journalier" in (page.locator(".eyebrow").text_content() or "")
    company.check_layout("day-pass-fr")
    page.goto(f"{base}/access/company/")
    row = page.locator(f"#our-visit-{visit.pk}")
    row.locator("summary", has_text="Annuler…").click()
    row.locator("input[name=reason]").fill("Escale annulée")
    row.locator("button[type=submit]", has_text="Annuler la visite").click()
    page.wait_for_load_state()
    assert "est annulée" in page.locator(".messages").inner_text()
    company.check_layout("company-fr")
    company.close()
    visit.refresh_from_db()
    assert visit.status == Visit.Status.CANCELLED
    refused = _decide(api, gate_token, gates.gate.pk, token)
    assert refused["allowed"] is False
    assert _codes(refused) == ["UNKNOWN_CREDENTIAL"]
    api.dispose()
