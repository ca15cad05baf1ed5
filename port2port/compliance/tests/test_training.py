"""Training: records, rules per port, role and zone, the gates, imports, reminders."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import World
from port2port.access import gate
from port2port.access.models import PolicyChange, ZonePolicy
from port2port.access.tests.conftest import Gates
from port2port.compliance import selectors, services
from port2port.compliance.models import Course, Reminder, TrainingImport, TrainingRecord
from port2port.core.errors import InvalidInput, NotPermitted
from port2port.core.models import AuditEntry, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def awareness(db: None) -> Course:
    services.course_catalogue_load()
    return Course.objects.get(code="awareness")


def test_the_catalogue_has_the_five_courses(db: None) -> None:
    assert services.course_catalogue_load() == 5
    assert services.course_catalogue_load() == 0
    assert list(Course.objects.values_list("code", flat=True)) == [
        "awareness",
        "exe14",
        "isps-basic",
        "pfso",
        "recruitment-proof",
    ]
    assert Course.objects.get(code="exe14").hours == 16


def decide(gates: Gates) -> list[str]:
    _decision, event = gate.gate_decide(
        access_point_id=gates.gate.pk, credential="P2P000000000001", plate=None
    )
    return event.reason_list


def test_an_expired_training_that_a_zone_requires_closes_its_gate(
    world: World, alice: User, gates: Gates, awareness: Course
) -> None:
    assert decide(gates) == []
    services.training_rule_create(
        actor=alice, course=awareness, zone=gates.zone, reason="Terminal rule"
    )
    assert ZonePolicy.objects.get(zone=gates.zone).courses == ["awareness"]
    assert decide(gates) == ["TRAINING_MISSING"]
    today = timezone.localdate()
    services.training_record_create(
        actor=alice,
        person=world.driver,
        course=awareness,
        completed_on=today - dt.timedelta(days=1200),
    )
    assert decide(gates) == ["TRAINING_EXPIRED"]
    services.training_record_create(
        actor=alice,
        person=world.driver,
        course=awareness,
        completed_on=today - dt.timedelta(days=3),
    )
    assert decide(gates) == []


def test_removing_a_zone_rule_lifts_the_requirement(
    world: World, alice: User, gates: Gates, awareness: Course
) -> None:
    rule = services.training_rule_create(actor=alice, course=awareness, zone=gates.zone)
    services.training_rule_delete(actor=alice, rule=rule)
    assert ZonePolicy.objects.get(zone=gates.zone).courses == []
    assert decide(gates) == []


def test_a_record_tells_the_gates_and_is_idempotent(
    world: World, dave: User, awareness: Course
) -> None:
    day = timezone.localdate() - dt.timedelta(days=10)
    record, created = services.training_record_create(
        actor=dave, person=world.driver, course=awareness, completed_on=day
    )
    again, created_again = services.training_record_create(
        actor=dave, person=world.driver, course=awareness, completed_on=day
    )
    assert (created, created_again, again.pk) == (True, False, record.pk)
    assert record.expires_on == day.replace(year=day.year + 3)
    assert (
        PolicyChange.objects.filter(scope="person", ref=str(world.driver.pk)).count()
        == 1
    )
    assert AuditEntry.objects.filter(action="training.record").count() == 1


def test_another_company_cannot_record_a_training(
    world: World, charlie: User, awareness: Course
) -> None:
    with pytest.raises(NotPermitted):
        services.training_record_create(
            actor=charlie,
            person=world.driver,
            course=awareness,
            completed_on=timezone.localdate(),
        )


def test_a_port_rule_makes_a_course_mandatory_for_the_staff_of_that_port(
    world: World, charlie: User, awareness: Course
) -> None:
    services.training_rule_create(
        actor=charlie, course=awareness, port=world.ghent, reason="All staff"
    )
    result = selectors.organisation_training_for_user(
        actor=charlie,
        organisation=world.ghent_operator,
        today=timezone.localdate(),
        soon_days=60,
    )
    person = next(p for p in result.people if p.person == world.ghent_person)
    assert (person.missing, result.percent) == (["awareness"], 0)
    antwerp = selectors.training_compliance(
        people=[world.driver], today=timezone.localdate(), soon_days=60
    )
    assert antwerp.people[0].required == {}


def test_a_role_rule_applies_to_the_holders_of_the_role(
    world: World, namb: User, pfso: User
) -> None:
    services.course_catalogue_load()
    pfso.person = world.driver
    pfso.save()
    services.training_rule_create(
        actor=namb, course=Course.objects.get(code="pfso"), role="pfso"
    )
    result = selectors.training_compliance(
        people=[world.driver, world.ghent_person],
        today=timezone.localdate(),
        soon_days=60,
    )
    assert [p.missing for p in result.people] == [["pfso"], []]


def test_only_the_ports_officer_makes_a_port_rule(
    world: World, alice: User, awareness: Course
) -> None:
    with pytest.raises(NotPermitted):
        services.training_rule_create(actor=alice, course=awareness, port=world.ghent)


CSV = """person_id,course,completed_on,expires_on,certificate
{driver},awareness,2026-01-10,,C-1
{driver},awareness,2026-01-10,,C-1
{driver},cooking,2026-01-10,,
{driver},awareness,10/01/2026,,
{ghent},awareness,2026-01-10,,
{driver},exe14,2025-12-01,2025-11-01,
,awareness,2026-01-10,,
"""


def test_an_import_reports_each_row_and_bad_rows_change_nothing(
    world: World, dave: User, awareness: Course
) -> None:
    text = CSV.format(driver=world.driver.pk, ghent=world.ghent_person.pk)
    batch = services.training_import(
        actor=dave, csv_text=text, file_name="provider.csv"
    )
    assert [r["status"] for r in batch.results] == [
        "imported",
        "unchanged",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
    ]
    assert [r["line"] for r in batch.results] == [2, 3, 4, 5, 6, 7, 8]
    assert (batch.rows_imported, batch.rows_unchanged, batch.rows_rejected) == (1, 1, 5)
    assert batch.results[2]["fields"] == {"course": ["Unknown course."]}
    assert "person" in batch.results[4]["fields"]
    record = TrainingRecord.objects.get()
    assert (record.person, record.certificate, record.imported_by) == (
        world.driver,
        "C-1",
        batch,
    )
    assert AuditEntry.objects.filter(action="training.import").count() == 1


def test_a_dry_run_stores_nothing(world: World, dave: User, awareness: Course) -> None:
    text = CSV.format(driver=world.driver.pk, ghent=world.ghent_person.pk)
    batch = services.training_import(
        actor=dave, csv_text=text, file_name="provider.csv", dry_run=True
    )
    assert (batch.pk, batch.rows_imported, batch.rows_rejected) == (None, 1, 5)
    assert not TrainingRecord.objects.exists()
    assert not TrainingImport.objects.exists()
    assert not PolicyChange.objects.exists()


@pytest.mark.parametrize(
    "text",
    [
        "name,course\nJan,awareness\n",
        "person_id,course,completed_on,colour\n1,awareness,2026-01-01,red\n",
    ],
)
def test_a_file_with_wrong_columns_is_refused_whole(
    dave: User, awareness: Course, text: str
) -> None:
    with pytest.raises(InvalidInput):
        services.training_import(actor=dave, csv_text=text, file_name="x.csv")
    assert not TrainingImport.objects.exists()


def test_the_employer_is_reminded_once_before_a_training_expires(
    world: World, dave: User, awareness: Course
) -> None:
    today = timezone.localdate()
    services.training_record_create(
        actor=dave,
        person=world.driver,
        course=awareness,
        completed_on=today - dt.timedelta(days=1000),
        expires_on=today + dt.timedelta(days=20),
    )
    services.reminders_run()
    services.reminders_run()
    reminder = Reminder.objects.get(recipient=dave)
    assert reminder.kind == "training"
    assert "Jan Peeters" in reminder.message
    assert reminder.due_on == today + dt.timedelta(days=20)
