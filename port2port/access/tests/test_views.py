from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import World, _client_for, _member
from port2port.access import gate, services
from port2port.access.models import (
    AccessEvent,
    AccessGrant,
    LateBanAlert,
    PassActivation,
    PortBan,
    PortPass,
    Visit,
)
from port2port.access.tests.conftest import Gates
from port2port.access.tests.factories import PortPassFactory
from port2port.core.models import Organisation, User
from port2port.core.tests import factories

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def gate_operator(world: World, gates: Gates) -> User:
    return _member(
        "gateop", world.terminal_operator, "gate_operator", facility=world.deurganck
    )


@pytest.fixture
def gate_operator_client(gate_operator: User) -> Client:
    return _client_for(gate_operator)


@pytest.fixture
def visitor(world: World) -> Any:
    """A haulier employee without a pass: a visit gives her a day pass."""
    return factories.PersonFactory(
        first_name="Lotte", last_name="Janssens", employer=world.haulier
    )


@pytest.fixture
def visit(world: World, gates: Gates, dave: User, visitor: Any) -> Visit:
    now = timezone.now()
    return services.visit_create(
        actor=dave,
        requester=world.haulier,
        facility=world.deurganck,
        zone=gates.zone,
        purpose=Visit.Purpose.MEETING,
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=3),
        visitors=[visitor],
    )


def _decide(client: Client, token: str, point: int, credential: str) -> Any:
    return client.post(
        f"/api/v1/access-points/{point}/decisions",
        data={"credential": credential},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


# Opening the pages -----------------------------------------------------------------------


def test_pages_require_sign_in(client: Client, world: World) -> None:
    response = client.get("/access/gates/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/access/gates/")


def test_an_htmx_poll_without_a_session_reloads_the_sign_in_page(
    client: Client, world: World
) -> None:
    response = client.get("/access/gates/?since=3", headers=HTMX)
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("pfso_client", "/access/facility/{deurganck}/"),
        ("alice_client", "/access/facility/{deurganck}/"),
        ("pfso_client", "/access/gates/"),
        ("alice_client", "/access/gates/"),
        ("gate_operator_client", "/access/gates/"),
        ("dave_client", "/access/company/"),
        ("judge_client", "/access/bans/"),
        ("alice_client", "/access/bans/"),
        ("judge_client", "/access/bans/new/?person={driver}"),
        ("judge_client", "/access/people/{driver}/"),
        ("alice_client", "/access/people/{driver}/"),
        ("dave_client", "/access/people/{driver}/"),
        ("dave_client", "/access/overview/"),
        ("gate_operator_client", "/access/overview/?q=Peeters"),
    ],
)
def test_every_page_opens_for_its_role(
    request: pytest.FixtureRequest, world: World, gates: Gates, who: str, path: str
) -> None:
    client = request.getfixturevalue(who)
    # The driver's pass is activated in Ghent too, so Ghent's officer may see him;
    # his colleague has nothing in Ghent.
    colleague = factories.PersonFactory(employer=world.haulier)
    url = path.format(
        deurganck=world.deurganck.pk, driver=world.driver.pk, colleague=colleague.pk
    )
    response = client.get(url)
    assert response.status_code == 200, url


def test_my_facility_opens_the_pfso_s_facility(
    pfso_client: Client, world: World
) -> None:
    response = pfso_client.get("/access/facility/")
    assert response.status_code == 302
    assert response["Location"] == f"/access/facility/{world.deurganck.pk}/"


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("charlie_client", "/access/facility/{deurganck}/"),
        ("dave_client", "/access/facility/{deurganck}/"),
        ("gate_operator_client", "/access/facility/{deurganck}/"),
        ("dave_client", "/access/gates/"),
        ("judge_client", "/access/gates/"),
        ("pfso_client", "/access/bans/"),
        ("dave_client", "/access/bans/"),
        ("alice_client", "/access/bans/new/?person={driver}"),
        ("pfso_client", "/access/company/"),
        ("charlie_client", "/access/people/{colleague}/"),
    ],
)
def test_pages_of_other_roles_and_ports_are_404(
    request: pytest.FixtureRequest, world: World, gates: Gates, who: str, path: str
) -> None:
    client = request.getfixturevalue(who)
    # The driver's pass is activated in Ghent too, so Ghent's officer may see him;
    # his colleague has nothing in Ghent.
    colleague = factories.PersonFactory(employer=world.haulier)
    url = path.format(
        deurganck=world.deurganck.pk, driver=world.driver.pk, colleague=colleague.pk
    )
    assert client.get(url).status_code == 404, url


def test_my_facility_lists_the_facilities_of_a_port_security_officer(
    alice_client: Client, world: World
) -> None:
    second = factories.FacilityFactory(
        port=world.antwerp, name="Waaslandhaven Terminal"
    )
    response = alice_client.get("/access/facility/")
    assert response.status_code == 200
    body = response.content.decode()
    assert f'href="/access/facility/{world.deurganck.pk}/"' in body
    assert f'href="/access/facility/{second.pk}/"' in body
    assert f'href="/access/facility/{world.kluizendok.pk}/"' not in body


def test_navigation_shows_the_access_pages_by_role(
    pfso_client: Client, dave_client: Client, judge_client: Client
) -> None:
    pfso_page = pfso_client.get("/access/overview/").content.decode()
    assert 'href="/access/gates/"' in pfso_page
    assert 'href="/access/facility/"' in pfso_page
    assert 'href="/access/bans/"' not in pfso_page
    dave_page = dave_client.get("/access/overview/").content.decode()
    assert 'href="/access/company/"' in dave_page
    assert 'href="/access/gates/"' not in dave_page
    judge_page = judge_client.get("/access/overview/").content.decode()
    assert 'href="/access/bans/"' in judge_page


# The PFSO's facility ------------------------------------------------------------------------


def test_facility_page_shows_visits_passes_grants_and_denials(
    pfso_client: Client,
    world: World,
    gates: Gates,
    visit: Visit,
    gate_token: str,
    client: Client,
) -> None:
    assert _decide(client, gate_token, gates.gate.pk, "NOPE").json()["allowed"] is False
    page = pfso_client.get(f"/access/facility/{world.deurganck.pk}/").content.decode()
    assert f'id="visit-{visit.pk}"' in page
    assert "Lotte Janssens" in page
    assert "P2P000000000001" in page  # the driver's pass, accepted here
    assert "Peeters, Jan" in page
    assert "The pass or day pass presented is not known." in page  # denial log
    assert f"/access/grants/{gates.grant.pk}/revoke/" in page


def test_pfso_approves_a_visit_and_the_row_is_swapped(
    pfso_client: Client, visit: Visit
) -> None:
    response = pfso_client.post(
        f"/access/visits/{visit.pk}/decision/",
        {"decision": "approve", "reason": ""},
        headers=HTMX,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith(f'<tr id="visit-{visit.pk}"')
    assert "Approved" in body
    visit.refresh_from_db()
    assert visit.status == Visit.Status.APPROVED
    assert visit.visitors.get().day_pass_id


def test_a_rejection_without_reason_shows_an_error_and_changes_nothing(
    pfso_client: Client, visit: Visit
) -> None:
    response = pfso_client.post(
        f"/access/visits/{visit.pk}/decision/",
        {"decision": "reject", "reason": "  "},
        headers=HTMX,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "A rejection needs a reason." in body
    assert 'aria-invalid="true"' in body
    visit.refresh_from_db()
    assert visit.status == Visit.Status.SUBMITTED
    assert visit.terminal_decision == Visit.Decision.PENDING


def test_pfso_rejects_a_visit_with_a_reason(pfso_client: Client, visit: Visit) -> None:
    response = pfso_client.post(
        f"/access/visits/{visit.pk}/decision/",
        {"decision": "reject", "reason": "No berth that day"},
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == Visit.Status.REJECTED
    assert visit.rejection_reason == "No berth that day"


def test_charlie_cannot_approve_an_antwerp_visit(
    charlie_client: Client, visit: Visit
) -> None:
    response = charlie_client.post(
        f"/access/visits/{visit.pk}/decision/", {"decision": "approve"}, headers=HTMX
    )
    assert response.status_code == 404
    visit.refresh_from_db()
    assert visit.status == Visit.Status.SUBMITTED


def test_the_announcing_company_cannot_approve_its_own_visit(
    dave_client: Client, visit: Visit
) -> None:
    response = dave_client.post(
        f"/access/visits/{visit.pk}/decision/", {"decision": "approve"}, headers=HTMX
    )
    assert response.status_code == 200
    assert "Only the terminal&#x27;s PFSO can decide for the terminal." in (
        response.content.decode()
    )
    visit.refresh_from_db()
    assert visit.status == Visit.Status.SUBMITTED


def test_pfso_accepts_a_pass_by_its_number(
    pfso_client: Client, world: World, gates: Gates
) -> None:
    newcomer = PortPassFactory(
        person=factories.PersonFactory(employer=world.haulier), number="P2P000000000777"
    )
    response = pfso_client.post(
        f"/access/facility/{world.deurganck.pk}/activations/",
        {"activate-number": " p2p 000000000777 "},
    )
    assert response.status_code == 302
    assert PassActivation.objects.filter(
        port_pass=newcomer, facility=world.deurganck
    ).exists()
    again = pfso_client.post(
        f"/access/facility/{world.deurganck.pk}/activations/",
        {"activate-number": "P2P000000000777"},
    )
    assert again.status_code == 200
    assert "The pass is already activated at this facility." in again.content.decode()
    unknown = pfso_client.post(
        f"/access/facility/{world.deurganck.pk}/activations/",
        {"activate-number": "P2P999"},
    )
    assert "No pass has this number." in unknown.content.decode()


def test_pfso_grants_a_zone_and_revokes_the_grant(
    pfso_client: Client, world: World, gates: Gates
) -> None:
    holder = factories.PersonFactory(employer=world.haulier)
    PortPassFactory(person=holder, number="P2P000000000888")
    response = pfso_client.post(
        f"/access/facility/{world.deurganck.pk}/grants/",
        {
            "grant-number": "P2P000000000888",
            "grant-zone": gates.zone.pk,
            "grant-valid_from": "2026-01-05T06:00",
            "grant-valid_until": "2026-12-31T18:00",
        },
    )
    assert response.status_code == 302, response.content.decode()
    grant = AccessGrant.objects.get(person=holder)
    assert grant.zone == gates.zone
    assert timezone.localtime(grant.valid_from).hour == 6
    response = pfso_client.post(f"/access/grants/{grant.pk}/revoke/")
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_at is not None


def test_a_grant_that_ends_before_it_starts_is_refused_on_the_form(
    pfso_client: Client, world: World, gates: Gates
) -> None:
    response = pfso_client.post(
        f"/access/facility/{world.deurganck.pk}/grants/",
        {
            "grant-number": "P2P000000000001",
            "grant-zone": gates.zone.pk,
            "grant-valid_from": "2026-06-01T06:00",
            "grant-valid_until": "2026-05-01T06:00",
        },
    )
    assert response.status_code == 200
    assert "A grant ends after it starts." in response.content.decode()
    assert AccessGrant.objects.filter(person=world.driver).count() == 2


def test_a_zone_of_another_port_cannot_be_granted(
    pfso_client: Client, world: World, gates: Gates
) -> None:
    response = pfso_client.post(
        f"/access/facility/{world.deurganck.pk}/grants/",
        {
            "grant-number": "P2P000000000001",
            "grant-zone": gates.ghent_zone.pk,
            "grant-valid_from": "2026-06-01T06:00",
        },
    )
    assert response.status_code == 200
    assert AccessGrant.objects.filter(person=world.driver).count() == 2


# The gates -------------------------------------------------------------------------------------


def test_live_view_since_returns_only_newer_rows(
    gate_operator_client: Client,
    gates: Gates,
    gate_token: str,
    ghent_gate_token: str,
    client: Client,
) -> None:
    first = _decide(client, gate_token, gates.gate.pk, "P2P000000000001").json()
    second = _decide(client, gate_token, gates.gate.pk, "NOPE").json()
    # A decision at another port's gate is not the operator's business.
    _decide(client, ghent_gate_token, gates.ghent_gate.pk, "P2P000000000001")

    page = gate_operator_client.get("/access/gates/").content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert 'hx-swap="afterbegin"' in page
    assert page.count('class="decision decision--') == 2

    response = gate_operator_client.get(
        f"/access/gates/?since={first['decision_id']}", headers=HTMX
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("<tr ") == 1
    assert f'data-event-id="{second["decision_id"]}"' in body
    assert f'name="since" value="{second["decision_id"]}"' in body
    assert "decision--denied" in body
    assert "The pass or day pass presented is not known." in body

    nothing = gate_operator_client.get(
        f"/access/gates/?since={second['decision_id']}", headers=HTMX
    )
    assert nothing.status_code == 204


def test_live_view_takes_the_largest_since_it_is_sent(
    gate_operator_client: Client, gates: Gates, gate_token: str, client: Client
) -> None:
    first = _decide(client, gate_token, gates.gate.pk, "P2P000000000001").json()
    second = _decide(client, gate_token, gates.gate.pk, "NOPE").json()
    response = gate_operator_client.get(
        f"/access/gates/?since=0&since={first['decision_id']}", headers=HTMX
    )
    assert f'data-event-id="{second["decision_id"]}"' in response.content.decode()
    assert f'data-event-id="{first["decision_id"]}"' not in response.content.decode()


def test_manual_check_decides_and_stores_an_access_event(
    gate_operator_client: Client, gate_operator: User, gates: Gates, world: World
) -> None:
    response = gate_operator_client.post(
        "/access/gates/check/",
        {
            "access_point": gates.gate.pk,
            "credential": "P2P000000000001",
            "direction": "in",
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "verdict--allowed" in body
    assert "Jan Peeters" in body
    event = AccessEvent.objects.get()
    assert event.allowed is True
    assert event.access_point_id == gates.gate.pk
    assert event.person_id == world.driver.pk
    assert event.request_id.startswith(f"desk:{gate_operator.pk}:")


def test_manual_check_shows_a_denial_with_its_reasons(
    gate_operator_client: Client, gates: Gates
) -> None:
    response = gate_operator_client.post(
        "/access/gates/check/",
        {"access_point": gates.gate.pk, "credential": "NOPE", "direction": "in"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "verdict--denied" in body
    assert "The pass or day pass presented is not known." in body
    assert AccessEvent.objects.get().allowed is False


def test_manual_check_is_refused_at_another_facility_s_access_point(
    gate_operator_client: Client, gates: Gates
) -> None:
    response = gate_operator_client.post(
        "/access/gates/check/",
        {
            "access_point": gates.ghent_gate.pk,
            "credential": "P2P000000000001",
            "direction": "in",
        },
    )
    assert response.status_code == 200
    assert "verdict" not in response.content.decode()
    assert AccessEvent.objects.count() == 0


def test_manual_check_needs_a_pass_or_a_plate(
    gate_operator_client: Client, gates: Gates
) -> None:
    response = gate_operator_client.post(
        "/access/gates/check/", {"access_point": gates.gate.pk, "direction": "in"}
    )
    assert "Type a pass number, a number plate, or both." in response.content.decode()
    assert AccessEvent.objects.count() == 0


def test_the_gate_list_offers_only_the_operator_s_access_points(
    gate_operator_client: Client, gates: Gates
) -> None:
    page = gate_operator_client.get("/access/gates/").content.decode()
    assert f'<option value="{gates.gate.pk}"' in page
    assert f'<option value="{gates.lane.pk}"' in page
    assert f'<option value="{gates.ghent_gate.pk}"' not in page


# The company ------------------------------------------------------------------------------------


def test_dave_announces_a_visit_through_the_company_page(
    dave_client: Client, world: World, gates: Gates, visitor: Any
) -> None:
    page = dave_client.get("/access/company/").content.decode()
    assert f'<option value="{world.deurganck.pk}"' in page
    # The haulier is not active in Ghent: its facilities are not offered.
    assert f'<option value="{world.kluizendok.pk}"' not in page
    response = dave_client.post(
        "/access/company/visits/",
        {
            "org": world.haulier.pk,
            "facility": world.deurganck.pk,
            "zone": gates.zone.pk,
            "purpose": "delivery",
            "starts_at": "2026-12-01T08:00",
            "ends_at": "2026-12-01T12:00",
            "visitors": [visitor.pk],
            "plate": "1-abc-123",
        },
    )
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert visit.requester == world.haulier
    assert visit.zone == gates.zone
    assert visit.plate == "1ABC123"
    assert list(visit.visitors.values_list("person_id", flat=True)) == [visitor.pk]
    assert visit.status == Visit.Status.SUBMITTED


def test_a_visit_that_ends_before_it_starts_is_refused_on_the_form(
    dave_client: Client, world: World, visitor: Any
) -> None:
    response = dave_client.post(
        "/access/company/visits/",
        {
            "facility": world.deurganck.pk,
            "purpose": "meeting",
            "starts_at": "2026-12-01T12:00",
            "ends_at": "2026-12-01T08:00",
            "visitors": [visitor.pk],
        },
    )
    assert response.status_code == 200
    assert "A visit ends after it starts." in response.content.decode()
    assert Visit.objects.count() == 0


def test_dave_requests_hands_over_suspends_and_reports_a_pass_lost(
    dave_client: Client, world: World, visitor: Any
) -> None:
    dave_client.post(f"/access/company/people/{visitor.pk}/pass/")
    port_pass = PortPass.objects.get(person=visitor)
    assert port_pass.state == PortPass.State.ISSUED
    dave_client.post(f"/access/passes/{port_pass.pk}/collect/")
    port_pass.refresh_from_db()
    assert port_pass.state == PortPass.State.ACTIVE

    refused = dave_client.post(
        f"/access/passes/{port_pass.pk}/state/",
        {"action": "suspend", "reason": ""},
        follow=True,
    )
    assert "Give a reason." in refused.content.decode()
    port_pass.refresh_from_db()
    assert port_pass.state == PortPass.State.ACTIVE

    dave_client.post(
        f"/access/passes/{port_pass.pk}/state/",
        {"action": "suspend", "reason": "Left on sick leave"},
    )
    port_pass.refresh_from_db()
    assert port_pass.state == PortPass.State.SUSPENDED

    dave_client.post(f"/access/passes/{port_pass.pk}/lost/")
    port_pass.refresh_from_db()
    assert port_pass.state == PortPass.State.LOST
    assert PortPass.objects.filter(person=visitor, state=PortPass.State.ISSUED).exists()


def test_the_company_page_shows_a_banned_employee(
    dave_client: Client, world: World, gates: Gates, judge: User
) -> None:
    today = timezone.localdate()
    services.ban_issue(
        actor=judge,
        person=world.driver,
        starts_on=today,
        ends_on=today + dt.timedelta(days=365),
        legal_reference="AN.12.34.567/26",
    )
    page = dave_client.get("/access/company/").content.decode()
    assert "Active port ban" in page
    assert "Suspended" in page


# Bans -----------------------------------------------------------------------------------------


def test_judge_finds_a_person_and_the_ban_suspends_the_pass(
    judge_client: Client, world: World, gates: Gates
) -> None:
    found = judge_client.get("/access/bans/?q=Peeters").content.decode()
    assert f"/access/bans/new/?person={world.driver.pk}" in found
    today = timezone.localdate()
    response = judge_client.post(
        f"/access/bans/new/?person={world.driver.pk}",
        {
            "starts_on": today.isoformat(),
            "ends_on": today.replace(year=today.year + 5).isoformat(),
            "legal_reference": "AN.12.34.567/26",
            "all_ports": "on",
        },
    )
    assert response.status_code == 302
    ban = PortBan.objects.get(person=world.driver)
    assert ban.all_ports is True
    gates.driver_pass.refresh_from_db()
    assert gates.driver_pass.state == PortPass.State.SUSPENDED
    listing = judge_client.get("/access/bans/").content.decode()
    assert "AN.12.34.567/26" in listing


def test_a_ban_over_twenty_years_is_refused_on_the_form(
    judge_client: Client, world: World, gates: Gates
) -> None:
    response = judge_client.post(
        f"/access/bans/new/?person={world.driver.pk}",
        {
            "starts_on": "2026-01-01",
            "ends_on": "2046-01-02",
            "legal_reference": "AN.12.34.567/26",
            "all_ports": "on",
        },
    )
    assert response.status_code == 200
    assert "A port ban lasts at most 20 years." in response.content.decode()
    assert PortBan.objects.count() == 0
    gates.driver_pass.refresh_from_db()
    assert gates.driver_pass.state == PortPass.State.ACTIVE


def test_a_ban_limited_to_some_ports_names_them(
    judge_client: Client, world: World, gates: Gates
) -> None:
    response = judge_client.post(
        f"/access/bans/new/?person={world.driver.pk}",
        {"starts_on": "2026-01-01", "ends_on": "2027-01-01", "legal_reference": "X/1"},
    )
    assert "Name the ports, or ban from all ports." in response.content.decode()
    response = judge_client.post(
        f"/access/bans/new/?person={world.driver.pk}",
        {
            "starts_on": "2026-01-01",
            "ends_on": "2027-01-01",
            "legal_reference": "X/1",
            "ports": [world.ghent.pk],
        },
    )
    assert response.status_code == 302
    assert list(PortBan.objects.get().ports.all()) == [world.ghent]


def test_judge_lifts_a_ban_with_a_reason(
    judge_client: Client, judge: User, world: World, gates: Gates
) -> None:
    today = timezone.localdate()
    ban = services.ban_issue(
        actor=judge,
        person=world.driver,
        starts_on=today,
        ends_on=today + dt.timedelta(days=30),
        legal_reference="AN.1/26",
    )
    refused = judge_client.post(
        f"/access/bans/{ban.pk}/lift/", {"reason": ""}, headers=HTMX
    )
    assert "This field is required." in refused.content.decode()
    ban.refresh_from_db()
    assert ban.status == PortBan.Status.ACTIVE
    response = judge_client.post(
        f"/access/bans/{ban.pk}/lift/", {"reason": "Judgment overturned"}, headers=HTMX
    )
    assert response.status_code == 200
    assert "Lifted" in response.content.decode()
    ban.refresh_from_db()
    assert ban.status == PortBan.Status.LIFTED
    gates.driver_pass.refresh_from_db()
    assert gates.driver_pass.state == PortPass.State.ACTIVE


def test_only_the_judge_sees_the_ban_form(
    alice_client: Client, judge_client: Client, world: World
) -> None:
    assert "Ban a person" not in alice_client.get("/access/bans/").content.decode()
    assert "Ban a person" in judge_client.get("/access/bans/").content.decode()
    response = alice_client.post(
        f"/access/bans/new/?person={world.driver.pk}",
        {"starts_on": "2026-01-01", "ends_on": "2027-01-01", "legal_reference": "X"},
    )
    assert response.status_code == 404
    assert PortBan.objects.count() == 0


# Person page -------------------------------------------------------------------------------------


def test_person_page_hides_screening_from_roles_that_may_not_see_it(
    world: World, gates: Gates, judge: User
) -> None:
    dispatcher = _member("disp", world.haulier, "transport_dispatcher")
    today = timezone.localdate()
    services.ban_issue(
        actor=judge,
        person=world.driver,
        starts_on=today,
        ends_on=today + dt.timedelta(days=30),
        legal_reference="AN.1/26",
    )
    page = _client_for(dispatcher).get(f"/access/people/{world.driver.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "P2P000000000001" in body
    assert "Port bans" not in body
    assert "AN.1/26" not in body
    admin_page = _client_for(judge).get(f"/access/people/{world.driver.pk}/")
    assert "AN.1/26" in admin_page.content.decode()


# Translations -------------------------------------------------------------------------------------


def test_reasons_are_shown_in_the_reader_s_language(
    gate_operator_client: Client, gates: Gates, gate_token: str, client: Client
) -> None:
    _decide(client, gate_token, gates.gate.pk, "NOPE")
    page = gate_operator_client.get(
        "/access/gates/", headers={"Accept-Language": "nl"}
    ).content.decode()
    assert 'lang="nl"' in page
    assert "De voorgelegde pas of dagpas is niet gekend." in page
    page = gate_operator_client.get(
        "/access/gates/", headers={"Accept-Language": "fr"}
    ).content.decode()
    assert "Le badge ou le badge journalier présenté est inconnu." in page


# Query counts ----------------------------------------------------------------------------------


def test_facility_page_query_count_is_fixed(
    pfso_client: Client,
    pfso: User,
    world: World,
    gates: Gates,
    dave: User,
    django_assert_max_num_queries: Any,
) -> None:
    now = timezone.now()
    for n in range(10):
        holder = factories.PersonFactory(employer=world.haulier)
        port_pass = PortPassFactory(person=holder, number=f"P2P10000000{n:04d}")
        PassActivation.objects.create(
            port_pass=port_pass, facility=world.deurganck, activated_at=now
        )
        AccessGrant.objects.create(zone=gates.zone, person=holder, valid_from=now)
        services.visit_create(
            actor=dave,
            requester=world.haulier,
            facility=world.deurganck,
            purpose=Visit.Purpose.MEETING,
            starts_at=now,
            ends_at=now + dt.timedelta(hours=2),
            visitors=[holder],
        )
        gate.gate_decide(access_point_id=gates.gate.pk, credential=f"X{n}", plate=None)
    for _ in range(5):
        approved = services.visit_create(
            actor=dave,
            requester=world.haulier,
            facility=world.deurganck,
            purpose=Visit.Purpose.DELIVERY,
            starts_at=now + dt.timedelta(days=1),
            ends_at=now + dt.timedelta(days=1, hours=2),
            visitors=[factories.PersonFactory(employer=world.haulier)],
        )
        services.visit_decide(
            actor=pfso, visit=approved, party="terminal", approve=True
        )
    with django_assert_max_num_queries(23):
        response = pfso_client.get(f"/access/facility/{world.deurganck.pk}/")
    assert response.status_code == 200
    assert response.content.decode().count('<tr id="visit-') == 10
    assert response.content.decode().count('<tr id="approved-visit-') == 5


def test_gates_page_and_poll_query_counts_are_fixed(
    gate_operator_client: Client, gates: Gates, django_assert_max_num_queries: Any
) -> None:
    for n in range(30):
        gate.gate_decide(access_point_id=gates.gate.pk, credential=f"X{n}", plate=None)
    with django_assert_max_num_queries(8):
        response = gate_operator_client.get("/access/gates/")
    assert response.content.decode().count('class="decision decision--') == 30
    with django_assert_max_num_queries(5):
        response = gate_operator_client.get("/access/gates/?since=0", headers=HTMX)
    assert response.content.decode().count("<tr ") == 30


def test_company_page_query_count_is_fixed(
    dave_client: Client, world: World, django_assert_max_num_queries: Any
) -> None:
    for n in range(20):
        person = factories.PersonFactory(employer=world.haulier)
        PortPassFactory(person=person, number=f"P2P20000000{n:04d}")
    with django_assert_max_num_queries(18):
        response = dave_client.get("/access/company/")
    assert response.status_code == 200
    assert response.content.decode().count('id="person-') == 21


def test_bans_page_query_count_is_fixed(
    judge_client: Client,
    judge: User,
    world: World,
    django_assert_max_num_queries: Any,
) -> None:
    today = timezone.localdate()
    for _ in range(15):
        services.ban_issue(
            actor=judge,
            person=factories.PersonFactory(employer=world.haulier),
            starts_on=today,
            ends_on=today + dt.timedelta(days=90),
            legal_reference="AN/1",
        )
    with django_assert_max_num_queries(7):
        response = judge_client.get("/access/bans/")
    assert response.content.decode().count('<tr id="ban-') == 15


def test_ghent_officer_sees_a_driver_whose_pass_is_activated_in_ghent(
    charlie_client: Client, world: World, gates: Gates
) -> None:
    assert charlie_client.get(f"/access/people/{world.driver.pk}/").status_code == 200


# Late-ban alerts ---------------------------------------------------------------------------------


@pytest.fixture
def late_ban(judge: User, gates: Gates, world: World) -> PortBan:
    today = timezone.localdate()
    return services.ban_issue(
        actor=judge,
        person=world.driver,
        starts_on=today,
        ends_on=today + dt.timedelta(days=30),
        legal_reference="AN.7/26",
    )


def test_pfso_acknowledges_a_late_ban_alert_and_the_alert_is_swapped(
    pfso_client: Client, pfso: User, world: World, late_ban: PortBan
) -> None:
    alert = LateBanAlert.objects.get(facility=world.deurganck, kind="pass")
    page = pfso_client.get(f"/access/facility/{world.deurganck.pk}/").content.decode()
    assert f"/access/alerts/{alert.pk}/acknowledge/" in page

    response = pfso_client.post(
        f"/access/alerts/{alert.pk}/acknowledge/", {"next": "/x/"}, headers=HTMX
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith(
        f'<li class="alert alert--info late-ban" id="alert-{alert.pk}"'
    )
    assert "Acknowledged" in body
    assert "/acknowledge/" not in body
    alert.refresh_from_db()
    assert alert.acknowledged_by == pfso
    page = pfso_client.get(f"/access/facility/{world.deurganck.pk}/").content.decode()
    assert f"/access/alerts/{alert.pk}/acknowledge/" not in page


def test_the_overview_lists_the_open_late_ban_alerts_of_the_port(
    alice_client: Client, bob_client: Client, world: World, late_ban: PortBan
) -> None:
    page = alice_client.get("/access/overview/").content.decode()
    assert page.count('class="alert alert--error late-ban"') == 2
    assert "Deurganck Terminal" in page
    assert "AN.7/26" not in page  # the reference stays on the bans page
    # A control-room operator is not the facility's officer.
    assert "late-ban" not in bob_client.get("/access/overview/").content.decode()

    alert = LateBanAlert.objects.get(facility=world.deurganck, kind="grant")
    response = alice_client.post(
        f"/access/alerts/{alert.pk}/acknowledge/", {"next": "/access/overview/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/access/overview/"
    page = alice_client.get("/access/overview/").content.decode()
    assert page.count('class="alert alert--error late-ban"') == 1


def test_charlie_cannot_acknowledge_an_antwerp_alert(
    charlie_client: Client, world: World, late_ban: PortBan
) -> None:
    alert = LateBanAlert.objects.get(facility=world.deurganck, kind="pass")
    response = charlie_client.post(f"/access/alerts/{alert.pk}/acknowledge/")
    assert response.status_code == 404
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


# Cancelling visits and day passes -----------------------------------------------------------------


def test_dave_cancels_a_visit_on_the_company_page(
    dave_client: Client,
    pfso: User,
    visit: Visit,
    gates: Gates,
    gate_token: str,
    client: Client,
) -> None:
    services.visit_decide(actor=pfso, visit=visit, party="terminal", approve=True)
    token = gate.day_pass_token(visit.visitors.get().day_pass_id or "")
    assert _decide(client, gate_token, gates.gate.pk, token).json()["allowed"] is True
    page = dave_client.get("/access/company/").content.decode()
    assert f"/access/visits/{visit.pk}/cancel/" in page
    assert f"/access/visits/{visit.pk}/day-passes/" in page

    response = dave_client.post(
        f"/access/visits/{visit.pk}/cancel/",
        {"reason": "Meeting moved", "next": "/access/company/"},
        follow=True,
    )

    assert response.redirect_chain == [("/access/company/", 302)]
    assert "its day passes no longer open any gate" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == Visit.Status.CANCELLED
    assert f"/access/visits/{visit.pk}/cancel/" not in response.content.decode()
    assert f"/access/visits/{visit.pk}/day-passes/" not in response.content.decode()
    refused = _decide(client, gate_token, gates.gate.pk, token).json()
    assert refused["allowed"] is False
    assert [r["code"] for r in refused["reasons"]] == ["UNKNOWN_CREDENTIAL"]


def test_the_pfso_cancels_an_approved_visit_on_the_facility_page(
    pfso_client: Client, pfso: User, world: World, visit: Visit
) -> None:
    services.visit_decide(actor=pfso, visit=visit, party="terminal", approve=True)
    page = pfso_client.get(f"/access/facility/{world.deurganck.pk}/").content.decode()
    assert f'<tr id="approved-visit-{visit.pk}"' in page

    response = pfso_client.post(f"/access/visits/{visit.pk}/cancel/", {})

    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == Visit.Status.CANCELLED


def test_a_refused_cancellation_is_shown_and_changes_nothing(
    dave_client: Client, charlie_client: Client, pfso: User, visit: Visit
) -> None:
    services.visit_decide(
        actor=pfso, visit=visit, party="terminal", approve=False, reason="Full"
    )
    assert charlie_client.post(f"/access/visits/{visit.pk}/cancel/").status_code == 404
    response = dave_client.post(f"/access/visits/{visit.pk}/cancel/", follow=True)
    assert (
        "Only a visit that waits for approval or is approved can be cancelled."
        in response.content.decode()
    )
    visit.refresh_from_db()
    assert visit.status == Visit.Status.REJECTED


@pytest.mark.parametrize("who", ["dave_client", "pfso_client", "alice_client"])
def test_the_day_pass_page_shows_the_qr_code_of_the_visit(
    request: pytest.FixtureRequest, pfso: User, visit: Visit, visitor: Any, who: str
) -> None:
    from port2port.lib.tests.test_qr import qr_read

    services.visit_decide(actor=pfso, visit=visit, party="terminal", approve=True)
    response = request.getfixturevalue(who).get(
        f"/access/visits/{visit.pk}/day-passes/{visitor.pk}/"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>Lotte Janssens</h1>" in body
    assert "Deurganck Terminal" in body
    assert "data-print" in body
    svg = body[body.index("<svg ") : body.index("</svg>") + 6]
    token = qr_read(svg)
    decided = gate.gate_decide(
        access_point_id=visit.zone.access_points.get(code="G1").pk,  # type: ignore[union-attr]
        credential=token,
        plate=None,
    )[0]
    assert (decided.allowed, decided.person_name) == (True, "Lotte Janssens")


@pytest.mark.parametrize(
    "who", ["charlie_client", "bob_client", "gate_operator_client"]
)
def test_the_day_pass_page_is_404_for_others(
    request: pytest.FixtureRequest, pfso: User, visit: Visit, visitor: Any, who: str
) -> None:
    services.visit_decide(actor=pfso, visit=visit, party="terminal", approve=True)
    response = request.getfixturevalue(who).get(
        f"/access/visits/{visit.pk}/day-passes/{visitor.pk}/"
    )
    assert response.status_code == 404


# The shipping agent ----------------------------------------------------------------------------


@pytest.fixture
def agent(world: World) -> Organisation:
    return factories.OrganisationFactory(
        name="Antwerp Shipping Agency", roles=["shipping_agent"], ports=[world.antwerp]
    )


@pytest.fixture
def agent_client(agent: Organisation) -> Client:
    return _client_for(_member("agentadmin", agent, "company_admin"))


@pytest.fixture
def ship_visit(
    world: World, gates: Gates, dave: User, visitor: Any, agent: Organisation
) -> Visit:
    now = timezone.now()
    return services.visit_create(
        actor=dave,
        requester=world.haulier,
        facility=world.deurganck,
        purpose=Visit.Purpose.CREW_CHANGE,
        starts_at=now + dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=5),
        visitors=[visitor],
        vessel_name="MSC Anna",
        agent=agent,
    )


def test_dave_announces_a_ship_visit_with_its_agent(
    dave_client: Client, world: World, gates: Gates, visitor: Any, agent: Organisation
) -> None:
    start = timezone.localtime() + dt.timedelta(hours=2)
    data = {
        "org": world.haulier.pk,
        "facility": world.deurganck.pk,
        "zone": "",
        "purpose": "crew_change",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "visitors": [visitor.pk],
        "agent": agent.pk,
    }
    refused = dave_client.post("/access/company/visits/", data)
    assert refused.status_code == 200
    assert "Name the vessel" in refused.content.decode()
    assert not Visit.objects.exists()

    response = dave_client.post(
        "/access/company/visits/", {**data, "vessel_name": "MSC Anna"}
    )

    assert response.status_code == 302
    visit = Visit.objects.get()
    assert (visit.agent, visit.agent_decision) == (agent, Visit.Decision.PENDING)


def test_the_agent_approves_a_ship_visit_on_its_company_page(
    agent_client: Client, ship_visit: Visit, dave_client: Client
) -> None:
    page = agent_client.get("/access/company/").content.decode()
    assert "Ship visits waiting for your decision as shipping agent" in page
    assert f'<tr id="visit-{ship_visit.pk}"' in page
    assert 'name="party" value="agent"' in page
    # The announcing company is no agent: it has no such list.
    assert (
        "as shipping agent" not in dave_client.get("/access/company/").content.decode()
    )

    refused = agent_client.post(
        f"/access/visits/{ship_visit.pk}/decision/",
        {"decision": "reject", "reason": "", "party": "agent"},
        headers=HTMX,
    )
    assert "A rejection needs a reason." in refused.content.decode()
    response = agent_client.post(
        f"/access/visits/{ship_visit.pk}/decision/",
        {"decision": "approve", "party": "agent"},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert "the terminal has yet to decide" in response.content.decode()
    ship_visit.refresh_from_db()
    assert ship_visit.agent_decision == Visit.Decision.APPROVED
    assert ship_visit.status == Visit.Status.SUBMITTED
    page = agent_client.get("/access/company/").content.decode()
    assert f'<tr id="visit-{ship_visit.pk}"' not in page


def test_the_agent_rejects_a_ship_visit_with_a_reason_without_htmx(
    agent_client: Client, ship_visit: Visit
) -> None:
    response = agent_client.post(
        f"/access/visits/{ship_visit.pk}/decision/",
        {
            "decision": "reject",
            "reason": "Crew change not agreed with the master",
            "party": "agent",
            "next": "/access/company/",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/access/company/"
    ship_visit.refresh_from_db()
    assert (ship_visit.status, ship_visit.agent_decision) == ("rejected", "rejected")
    assert ship_visit.rejection_reason == "Crew change not agreed with the master"


def test_the_terminal_s_pfso_cannot_decide_for_the_agent(
    pfso_client: Client, ship_visit: Visit
) -> None:
    response = pfso_client.post(
        f"/access/visits/{ship_visit.pk}/decision/",
        {"decision": "approve", "party": "agent"},
        headers=HTMX,
    )
    assert "Only the shipping agent of the visit can decide for it." in (
        response.content.decode()
    )
    ship_visit.refresh_from_db()
    assert ship_visit.agent_decision == Visit.Decision.PENDING


def test_the_agent_page_query_count_is_fixed(
    agent_client: Client,
    world: World,
    dave: User,
    agent: Organisation,
    django_assert_max_num_queries: Any,
) -> None:
    now = timezone.now()
    for n in range(8):
        services.visit_create(
            actor=dave,
            requester=world.haulier,
            facility=world.deurganck,
            purpose=Visit.Purpose.SUPPLIES,
            starts_at=now + dt.timedelta(days=n),
            ends_at=now + dt.timedelta(days=n, hours=2),
            visitors=[factories.PersonFactory(employer=world.haulier)],
            vessel_name=f"Vessel {n}",
            agent=agent,
        )
    with django_assert_max_num_queries(18):
        response = agent_client.get("/access/company/")
    assert response.content.decode().count('<tr id="visit-') == 8


# The new pages in Dutch and French ------------------------------------------------------------


def test_a_service_refusal_is_shown_in_the_reader_s_language(
    pfso_client: Client, visit: Visit
) -> None:
    response = pfso_client.post(
        f"/access/visits/{visit.pk}/decision/",
        {"decision": "reject", "reason": ""},
        headers={**HTMX, "Accept-Language": "nl"},
    )
    assert "Een weigering vereist een reden." in response.content.decode()
    response = pfso_client.post(
        f"/access/visits/{visit.pk}/decision/",
        {"decision": "reject", "reason": ""},
        headers={**HTMX, "Accept-Language": "fr"},
    )
    assert "Un refus doit être motivé." in response.content.decode()


@pytest.mark.parametrize(
    ("language", "day_pass", "agent_heading", "approved_heading"),
    [
        (
            "nl",
            "Afdrukken",
            "Scheepsbezoeken die op uw beslissing als scheepsagent wachten",
            "Komende goedgekeurde bezoeken",
        ),
        (
            "fr",
            "Imprimer",
            "Visites à bord en attente de votre décision d'agent maritime",
            "Visites approuvées à venir",
        ),
    ],
)
def test_the_new_pages_are_shown_in_dutch_and_french(
    dave_client: Client,
    pfso_client: Client,
    agent_client: Client,
    pfso: User,
    world: World,
    visit: Visit,
    visitor: Any,
    ship_visit: Visit,
    language: str,
    day_pass: str,
    agent_heading: str,
    approved_heading: str,
) -> None:
    services.visit_decide(actor=pfso, visit=visit, party="terminal", approve=True)
    headers = {"Accept-Language": language}
    page = dave_client.get(
        f"/access/visits/{visit.pk}/day-passes/{visitor.pk}/", headers=headers
    ).content.decode()
    assert f'lang="{language}"' in page
    assert day_pass in page
    page = agent_client.get("/access/company/", headers=headers).content.decode()
    assert agent_heading in page
    page = pfso_client.get(
        f"/access/facility/{world.deurganck.pk}/", headers=headers
    ).content.decode()
    assert approved_heading in page
