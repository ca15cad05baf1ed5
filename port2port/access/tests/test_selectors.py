from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import World, _member
from port2port.access import selectors, services
from port2port.access.models import LateBanAlert, Visit
from port2port.access.tests.conftest import Gates
from port2port.core.errors import NotFound
from port2port.core.models import Organisation, User
from port2port.core.tests import factories

pytestmark = pytest.mark.django_db


# Person search ---------------------------------------------------------------------------


def _names(people: object) -> list[str]:
    return [p.full_name for p in people]  # type: ignore[attr-defined]


def test_a_judge_searches_every_person_by_name_and_date_of_birth(
    judge: User, world: World
) -> None:
    factories.PersonFactory(
        first_name="Marie",
        last_name="Dubois",
        employer=world.haulier,
        date_of_birth=dt.date(1990, 5, 1),
    )

    assert _names(selectors.person_search_for_user(actor=judge, q="dubois")) == [
        "Marie Dubois",
        "Marie Dubois",
    ]
    assert _names(
        selectors.person_search_for_user(
            actor=judge, q="Marie Dubois", born=dt.date(1990, 5, 1)
        )
    ) == ["Marie Dubois"]
    assert (
        _names(selectors.person_search_for_user(actor=judge, q="Marie Peeters")) == []
    )


def test_a_company_administrator_searches_only_the_people_it_may_see(
    dave: User, world: World
) -> None:
    world.driver.date_of_birth = dt.date(1980, 1, 2)
    world.driver.save(update_fields=["date_of_birth"])
    factories.PersonFactory(
        first_name="Marie",
        last_name="Peeters",
        employer=world.haulier,
        date_of_birth=dt.date(1995, 7, 8),
    )

    assert _names(selectors.person_search_for_user(actor=dave, q="peeters")) == [
        "Jan Peeters",
        "Marie Peeters",
    ]
    # Marie Dubois works for the Ghent terminal: not one of dave's people.
    assert _names(selectors.person_search_for_user(actor=dave, q="Marie")) == [
        "Marie Peeters"
    ]
    assert _names(
        selectors.person_search_for_user(
            actor=dave, q="Peeters", born=dt.date(1995, 7, 8)
        )
    ) == ["Marie Peeters"]


# Day passes, agent visits, alerts ------------------------------------------------------------


@pytest.fixture
def agent(world: World) -> Organisation:
    return factories.OrganisationFactory(
        name="Antwerp Shipping Agency", roles=["shipping_agent"], ports=[world.antwerp]
    )


@pytest.fixture
def approved(world: World, gates: Gates, dave: User, pfso: User) -> Visit:
    now = timezone.now()
    visit = services.visit_create(
        actor=dave,
        requester=world.haulier,
        facility=world.deurganck,
        zone=gates.zone,
        purpose=Visit.Purpose.REPAIR,
        starts_at=now,
        ends_at=now + dt.timedelta(hours=4),
        visitors=[factories.PersonFactory(employer=world.haulier)],
    )
    return services.visit_decide(
        actor=pfso, visit=visit, party="terminal", approve=True
    )


@pytest.mark.parametrize("who", ["dave", "pfso", "alice"])
def test_the_company_and_the_facility_s_officers_get_the_day_pass(
    request: pytest.FixtureRequest, approved: Visit, who: str
) -> None:
    visitor = approved.visitors.get()
    found = selectors.day_pass_get_for_user(
        actor=request.getfixturevalue(who),
        visit=approved.pk,
        person=visitor.person_id,
    )
    assert found == visitor
    assert found.day_pass_id


@pytest.mark.parametrize("who", ["charlie", "bob", "gate_operator"])
def test_others_get_no_day_pass(
    request: pytest.FixtureRequest, world: World, approved: Visit, who: str
) -> None:
    actor = (
        _member(
            "gateop", world.terminal_operator, "gate_operator", facility=world.deurganck
        )
        if who == "gate_operator"
        else request.getfixturevalue(who)
    )
    with pytest.raises(NotFound):
        selectors.day_pass_get_for_user(
            actor=actor, visit=approved.pk, person=approved.visitors.get().person_id
        )


def test_a_cancelled_visit_or_a_pass_holder_has_no_day_pass(
    approved: Visit, dave: User, world: World
) -> None:
    with pytest.raises(NotFound):
        selectors.day_pass_get_for_user(
            actor=dave, visit=approved.pk, person=world.driver.pk
        )
    services.visit_cancel(actor=dave, visit=approved)
    with pytest.raises(NotFound):
        selectors.day_pass_get_for_user(
            actor=dave, visit=approved.pk, person=approved.visitors.get().person_id
        )


def test_the_agent_s_administrator_sees_the_ship_visits_waiting_for_it(
    world: World, gates: Gates, dave: User, pfso: User, agent: Organisation
) -> None:
    admin = _member("agentadmin", agent, "company_admin")
    now = timezone.now()

    def announce(**extra: object) -> Visit:
        return services.visit_create(
            actor=dave,
            requester=world.haulier,
            facility=world.deurganck,
            purpose=Visit.Purpose.CREW_CHANGE,
            starts_at=now,
            ends_at=now + dt.timedelta(hours=4),
            visitors=[world.driver],
            **extra,  # type: ignore[arg-type]
        )

    waiting = announce(vessel_name="MSC Anna", agent=agent)
    decided = announce(vessel_name="MSC Bella", agent=agent)
    services.visit_decide(actor=admin, visit=decided, party="agent", approve=True)
    announce(vessel_name="MSC Carla")

    assert list(
        selectors.visit_list_waiting_for_agent(actor=admin, agent=agent.pk)
    ) == [waiting]
    # The terminal's PFSO and the announcing company are not the agent.
    assert not selectors.visit_list_waiting_for_agent(actor=pfso, agent=agent.pk)
    assert not selectors.visit_list_waiting_for_agent(actor=dave, agent=agent.pk)


def test_late_ban_alerts_are_found_only_in_the_caller_s_scope(
    judge: User, gates: Gates, world: World, pfso: User, alice: User, charlie: User
) -> None:
    today = timezone.localdate()
    services.ban_issue(
        actor=judge,
        person=world.driver,
        starts_on=today,
        ends_on=today + dt.timedelta(days=30),
        legal_reference="AN/2",
    )
    antwerp = LateBanAlert.objects.get(facility=world.deurganck, kind="pass")
    ghent = LateBanAlert.objects.get(facility=world.kluizendok, kind="pass")

    assert selectors.late_ban_alert_get_for_user(actor=pfso, pk=antwerp.pk) == antwerp
    assert selectors.late_ban_alert_get_for_user(actor=alice, pk=antwerp.pk) == antwerp
    assert selectors.late_ban_alert_get_for_user(actor=charlie, pk=ghent.pk) == ghent
    for actor, alert in ((charlie, antwerp), (pfso, ghent), (alice, ghent)):
        with pytest.raises(NotFound):
            selectors.late_ban_alert_get_for_user(actor=actor, pk=alert.pk)
