from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone, translation

from conftest import World, _member
from port2port.access import services
from port2port.access.models import LateBanAlert, PolicyChange, PortPass, Visit
from port2port.access.tests.conftest import Gates
from port2port.access.tests.factories import PortPassFactory
from port2port.core.errors import Conflict, InvalidInput, NotPermitted
from port2port.core.models import AuditEntry, User
from port2port.core.tests import factories

pytestmark = pytest.mark.django_db


def _ban(judge: User, world: World) -> object:
    today = timezone.localdate()
    return services.ban_issue(
        actor=judge,
        person=world.driver,
        starts_on=today,
        ends_on=today + dt.timedelta(days=30),
        legal_reference="AN.12.L3.2026/7",
    )


def test_lifting_a_ban_gives_back_the_active_pass_but_not_an_uncollected_one(
    judge: User, dave: User, gates: Gates, world: World
) -> None:
    waiting = PortPassFactory(
        number="P2P000000000077",
        person=world.driver,
        state=PortPass.State.ISSUED,
        activated_at=None,
    )
    ban = _ban(judge, world)
    gates.driver_pass.refresh_from_db()
    waiting.refresh_from_db()
    assert gates.driver_pass.state == PortPass.State.SUSPENDED
    assert waiting.state == PortPass.State.ISSUED
    with pytest.raises(Conflict, match="port ban"):
        services.pass_collect(actor=dave, port_pass=waiting)

    services.ban_lift(actor=judge, ban=ban, reason="Conditions lifted by the court")

    gates.driver_pass.refresh_from_db()
    waiting.refresh_from_db()
    assert gates.driver_pass.state == PortPass.State.ACTIVE
    assert waiting.state == PortPass.State.ISSUED


def test_a_banned_person_gets_no_new_pass(
    judge: User, dave: User, world: World
) -> None:
    _ban(judge, world)
    with pytest.raises(Conflict, match="port ban"):
        services.pass_issue(actor=dave, person=world.driver)


# Late-ban alerts -------------------------------------------------------------------------


def test_the_pfso_acknowledges_a_late_ban_alert_once(
    judge: User, pfso: User, alice: User, gates: Gates, world: World
) -> None:
    _ban(judge, world)
    alert = LateBanAlert.objects.get(facility=world.deurganck, kind="pass")

    services.late_ban_alert_acknowledge(actor=pfso, alert=alert)
    again = services.late_ban_alert_acknowledge(actor=alice, alert=alert)

    alert.refresh_from_db()
    assert alert.acknowledged_by == pfso
    assert again.acknowledged_by == pfso
    entries = AuditEntry.objects.filter(action="late_ban_alert.acknowledge")
    assert [(e.actor_id, e.object_id, e.facility_id) for e in entries] == [
        (pfso.pk, str(alert.pk), world.deurganck.pk)
    ]


@pytest.mark.parametrize("who", ["charlie", "dave", "bob"])
def test_only_the_facility_s_officers_acknowledge_its_late_ban_alert(
    request: pytest.FixtureRequest, judge: User, gates: Gates, world: World, who: str
) -> None:
    _ban(judge, world)
    alert = LateBanAlert.objects.get(facility=world.deurganck, kind="pass")
    with pytest.raises(NotPermitted):
        services.late_ban_alert_acknowledge(
            actor=request.getfixturevalue(who), alert=alert
        )
    alert.refresh_from_db()
    assert alert.acknowledged_at is None
    assert not AuditEntry.objects.filter(action="late_ban_alert.acknowledge").exists()


# Visits ------------------------------------------------------------------------------------


def _visit(dave: User, world: World, gates: Gates, **extra: Any) -> Visit:
    now = timezone.now()
    return services.visit_create(
        actor=dave,
        requester=world.haulier,
        facility=world.deurganck,
        zone=gates.zone,
        purpose=Visit.Purpose.DELIVERY,
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=3),
        visitors=[factories.PersonFactory(employer=world.haulier)],
        **extra,
    )


@pytest.mark.parametrize("who", ["dave", "pfso"])
def test_the_company_or_the_pfso_cancels_an_approved_visit(
    request: pytest.FixtureRequest,
    dave: User,
    pfso: User,
    gates: Gates,
    world: World,
    who: str,
) -> None:
    visit = _visit(dave, world, gates)
    services.visit_decide(actor=pfso, visit=visit, party="terminal", approve=True)
    visitor = visit.visitors.get()
    last_change = max(PolicyChange.objects.values_list("pk", flat=True))

    services.visit_cancel(
        actor=request.getfixturevalue(who), visit=visit, reason=" Ship left early "
    )

    visit.refresh_from_db()
    assert visit.status == Visit.Status.CANCELLED
    # The visitor's gate data is reloaded by every process.
    assert list(
        PolicyChange.objects.filter(pk__gt=last_change).values_list("scope", "ref")
    ) == [("person", str(visitor.person_id))]
    entry = AuditEntry.objects.get(action="visit.cancel")
    assert entry.actor_id == request.getfixturevalue(who).pk
    assert json.loads(entry.details) == {
        "by": "company" if who == "dave" else "terminal",
        "from": "approved",
        "reason": "Ship left early",
        "visitors": [visitor.person_id],
    }


@pytest.mark.parametrize("who", ["charlie", "bob", "agent_admin"])
def test_others_cannot_cancel_a_visit(
    request: pytest.FixtureRequest, dave: User, gates: Gates, world: World, who: str
) -> None:
    agent = factories.OrganisationFactory(
        name="Antwerp Shipping Agency", roles=["shipping_agent"], ports=[world.antwerp]
    )
    if who == "agent_admin":
        actor = _member("agentadmin", agent, "company_admin")
    else:
        actor = request.getfixturevalue(who)
    visit = _visit(dave, world, gates, vessel_name="MSC Anna", agent=agent)
    with pytest.raises(NotPermitted):
        services.visit_cancel(actor=actor, visit=visit)
    visit.refresh_from_db()
    assert visit.status == Visit.Status.SUBMITTED


def test_a_rejected_or_ended_visit_cannot_be_cancelled(
    dave: User, pfso: User, gates: Gates, world: World
) -> None:
    rejected = _visit(dave, world, gates)
    services.visit_decide(
        actor=pfso, visit=rejected, party="terminal", approve=False, reason="Full"
    )
    with pytest.raises(Conflict, match="waits for approval or is approved"):
        services.visit_cancel(actor=dave, visit=rejected)
    ended = _visit(dave, world, gates)
    Visit.objects.filter(pk=ended.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=5),
        ends_at=timezone.now() - dt.timedelta(hours=1),
    )
    ended.refresh_from_db()
    with pytest.raises(Conflict, match="already ended"):
        services.visit_cancel(actor=dave, visit=ended)
    assert not AuditEntry.objects.filter(action="visit.cancel").exists()


# Bans issued ahead of time -----------------------------------------------------------------


def test_a_ban_issued_ahead_of_time_is_enforced_on_its_first_day_once(
    judge: User, gates: Gates, world: World
) -> None:
    today = timezone.localdate()
    ban = services.ban_issue(
        actor=judge,
        person=world.driver,
        starts_on=today + dt.timedelta(days=3),
        ends_on=today + dt.timedelta(days=60),
        legal_reference="AN.12.L3.2026/8",
    )
    assert ban.enforced_at is None
    assert services.ban_start_due(today=today + dt.timedelta(days=2)) == []
    gates.driver_pass.refresh_from_db()
    assert gates.driver_pass.state == PortPass.State.ACTIVE
    assert not LateBanAlert.objects.exists()

    started = services.ban_start_due(today=today + dt.timedelta(days=3))
    again = services.ban_start_due(today=today + dt.timedelta(days=4))

    assert started == [ban]
    assert again == []
    ban.refresh_from_db()
    assert ban.enforced_at is not None
    gates.driver_pass.refresh_from_db()
    assert gates.driver_pass.state == PortPass.State.SUSPENDED
    assert gates.driver_pass.state_reason == "port ban"
    assert sorted(LateBanAlert.objects.values_list("facility__code", "kind")) == [
        ("BEANR-0001", "grant"),
        ("BEANR-0001", "pass"),
        ("BEGNE-0001", "grant"),
        ("BEGNE-0001", "pass"),
    ]
    starts = AuditEntry.objects.filter(action="ban.start")
    assert [(e.object_id, e.actor_label) for e in starts] == [(str(ban.pk), "system")]
    assert AuditEntry.objects.filter(
        action="pass.suspend", object_id=str(gates.driver_pass.pk)
    ).exists()


def test_a_ban_enforced_at_issue_or_lifted_is_not_started_again(
    judge: User, gates: Gates, world: World
) -> None:
    today = timezone.localdate()
    at_once = _ban(judge, world)
    assert at_once.enforced_at is not None
    later = services.ban_issue(
        actor=judge,
        person=factories.PersonFactory(employer=world.haulier),
        starts_on=today + dt.timedelta(days=1),
        ends_on=today + dt.timedelta(days=10),
        legal_reference="AN.12.L3.2026/9",
    )
    services.ban_lift(actor=judge, ban=later, reason="Quashed on appeal")
    alerts = LateBanAlert.objects.count()

    assert services.ban_start_due(today=today + dt.timedelta(days=1)) == []
    assert LateBanAlert.objects.count() == alerts
    assert not AuditEntry.objects.filter(action="ban.start").exists()


def test_the_ban_job_is_registered_with_the_configured_interval() -> None:
    from django.conf import settings

    from port2port.core.periodic import job_list

    jobs = {job.name: job for job in job_list()}
    assert jobs["access.ban_start_due"].interval == settings.BAN_START_CHECK_SECONDS
    assert (
        jobs["access.ban_start_due"].func == "port2port.access.services.ban_start_due"
    )


# Translated refusals ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "A rejection needs a reason."),
        ("nl", "Een weigering vereist een reden."),
        ("fr", "Un refus doit être motivé."),
    ],
)
def test_a_service_refuses_in_the_active_language(
    dave: User, pfso: User, gates: Gates, world: World, language: str, message: str
) -> None:
    visit = _visit(dave, world, gates)
    with translation.override(language), pytest.raises(InvalidInput) as refused:
        services.visit_decide(actor=pfso, visit=visit, party="terminal", approve=False)
    assert refused.value.message == message
    assert refused.value.fields == {"reason": [message]}


def test_a_pass_in_the_wrong_state_names_what_it_must_be(
    dave: User, gates: Gates, world: World
) -> None:
    services.pass_change_state(
        actor=dave, port_pass=gates.driver_pass, action="suspend", reason="On leave"
    )
    with translation.override("nl"), pytest.raises(Conflict) as refused:
        services.pass_change_state(
            actor=dave, port_pass=gates.driver_pass, action="suspend", reason="Again"
        )
    assert refused.value.message == "Alleen een actieve pas kan geschorst worden."
    with pytest.raises(Conflict, match="Only a suspended pass can be reinstated"):
        services.pass_change_state(
            actor=dave,
            port_pass=PortPassFactory(
                number="P2P000000000078",
                person=factories.PersonFactory(employer=world.haulier),
            ),
            action="reinstate",
            reason="Back",
        )
