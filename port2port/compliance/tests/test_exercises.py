"""Drills and exercises: the frequency rules per facility, port-wide exercises, reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from conftest import World
from port2port.compliance import selectors, services
from port2port.compliance.models import Exercise, Scenario
from port2port.compliance.schedule import Status
from port2port.core.errors import Conflict, InvalidInput, NotFound, NotPermitted
from port2port.core.models import AuditEntry, User

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 4, 15)

# Called by exercise mode in the test below, as the detection module will be.
CALLS: list[dict[str, Any]] = []


def fake_runner(**kwargs: Any) -> str:
    CALLS.append(kwargs)
    return "started"


def test_the_library_has_the_drills_and_exercises_the_rules_ask_for() -> None:
    assert Scenario.objects.filter(kind="drill").count() >= 12
    assert Scenario.objects.filter(kind="exercise").count() >= 4
    assert {
        "intrusion",
        "unauthorised_access",
        "suspicious_package",
        "bomb_threat",
        "drug_smuggling",
        "insider",
        "cyber",
        "level_change",
        "small_craft",
    } <= set(Scenario.objects.values_list("threat", flat=True))
    for scenario in Scenario.objects.all():
        for part in (
            scenario.objectives,
            scenario.injects,
            scenario.expected_actions,
            scenario.evaluation_criteria,
            scenario.participants,
        ):
            assert part, scenario.code


@time_machine.travel(dt.datetime(2026, 4, 15, 9, tzinfo=dt.UTC), tick=False)
def test_a_facility_is_late_for_its_drill_three_months_and_a_day_after_the_last(
    world: World, pfso: User
) -> None:
    services.exercise_plan(
        actor=pfso,
        kind="drill",
        title="Fence",
        planned_on=dt.date(2026, 1, 14),
        held_on=dt.date(2026, 1, 14),
        facilities=[world.deurganck],
        scenario=Scenario.objects.get(code="D01"),
    )
    status = selectors.facility_statuses(
        facility_ids={world.deurganck.pk}, today=TODAY
    )[world.deurganck.pk]
    drill = status.duty("drill")
    assert drill is not None
    assert (drill.last, drill.due_on, drill.status) == (
        dt.date(2026, 1, 14),
        dt.date(2026, 4, 14),
        Status.LATE,
    )
    exercise = status.duty("exercise")
    assert exercise is not None
    assert (exercise.due_on, exercise.status) == (dt.date(2026, 12, 31), Status.OK)


@time_machine.travel(dt.datetime(2026, 4, 15, 9, tzinfo=dt.UTC), tick=False)
def test_a_port_wide_exercise_across_ports_counts_for_every_facility(
    world: World, namb: User
) -> None:
    exercise = services.exercise_plan(
        actor=namb,
        kind="exercise",
        format="live",
        title="",
        planned_on=dt.date(2026, 4, 10),
        facilities=[world.deurganck, world.kluizendok],
        scenario=Scenario.objects.get(code="E04"),
    )
    assert exercise.title == "Intrusion by water and land at night"
    services.exercise_record_held(
        actor=namb, exercise=exercise, held_on=dt.date(2026, 4, 10)
    )
    statuses = selectors.facility_statuses(
        facility_ids={world.deurganck.pk, world.kluizendok.pk}, today=TODAY
    )
    for facility_id in (world.deurganck.pk, world.kluizendok.pk):
        duty = statuses[facility_id].duty("exercise")
        assert duty is not None
        assert (duty.last, duty.due_on) == (dt.date(2026, 4, 10), dt.date(2027, 10, 10))


def test_a_pfso_plans_only_for_its_own_facility(world: World, pfso: User) -> None:
    with pytest.raises(NotPermitted):
        services.exercise_plan(
            actor=pfso,
            kind="drill",
            title="Joint",
            planned_on=TODAY,
            facilities=[world.deurganck, world.kluizendok],
        )
    assert not Exercise.objects.exists()


@pytest.mark.parametrize(
    ("kind", "fmt", "scenario", "field"),
    [
        ("exercise", "", "", "format"),
        ("exercise", "drill", "", "format"),
        ("drill", "", "E01", "scenario"),
        ("parade", "", "", "kind"),
    ],
)
def test_kind_format_and_scenario_must_fit(
    world: World, alice: User, kind: str, fmt: str, scenario: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.exercise_plan(
            actor=alice,
            kind=kind,
            format=fmt,
            title="x",
            planned_on=TODAY,
            facilities=[world.deurganck],
            scenario=Scenario.objects.get(code=scenario) if scenario else None,
        )
    assert field in refused.value.fields


def test_the_report_is_shared_with_the_ports_committee(
    world: World, alice: User, lcmb: User
) -> None:
    exercise = services.exercise_plan(
        actor=alice,
        kind="exercise",
        format="tabletop",
        title="Cocaine in a reefer",
        planned_on=dt.date(2026, 1, 1),
        held_on=dt.date(2026, 1, 1),
        facilities=[world.deurganck],
    )
    report = services.exercise_report_write(
        actor=alice,
        exercise=exercise,
        summary="Went as planned.",
        lessons="Badge records took 40 minutes to obtain.",
    )
    assert not selectors.report_visible(actor=lcmb, report=report)
    with pytest.raises(NotPermitted):
        services.exercise_report_share(actor=lcmb, exercise=exercise)
    report = services.exercise_report_share(actor=alice, exercise=exercise)
    assert selectors.report_visible(actor=lcmb, report=report)
    entry = AuditEntry.objects.get(action="exercise.report_share")
    assert '"committees":["lcmb-antwerp"]' in entry.details


def test_another_port_does_not_see_the_exercise(
    world: World, alice: User, charlie: User
) -> None:
    exercise = services.exercise_plan(
        actor=alice,
        kind="drill",
        title="x",
        planned_on=TODAY,
        facilities=[world.deurganck],
    )
    with pytest.raises(NotFound):
        selectors.exercise_get_for_user(actor=charlie, pk=exercise.pk)


def test_exercise_mode_waits_for_the_detection_module_then_hands_it_the_injects(
    world: World, alice: User, settings: Any
) -> None:
    exercise = services.exercise_plan(
        actor=alice,
        kind="drill",
        title="",
        planned_on=TODAY,
        facilities=[world.deurganck],
        scenario=Scenario.objects.get(code="D02"),
        exercise_mode=True,
    )
    settings.COMPLIANCE_EXERCISE_MODE_RUNNER = ""
    with pytest.raises(Conflict):
        services.exercise_mode_start(actor=alice, exercise=exercise)
    settings.COMPLIANCE_EXERCISE_MODE_RUNNER = (
        "port2port.compliance.tests.test_exercises.fake_runner"
    )
    CALLS.clear()
    assert services.exercise_mode_start(actor=alice, exercise=exercise) == "started"
    assert CALLS[0]["scenario"] == "D02"
    assert CALLS[0]["facility_ids"] == [world.deurganck.pk]
    assert CALLS[0]["injects"][0]["minute"] == 0
