"""Exercise mode: a compliance exercise's scenario played on the live picture."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import World
from port2port.compliance.models import Scenario as LibraryScenario
from port2port.core.errors import Conflict
from port2port.core.models import User
from port2port.detection import demo
from port2port.detection.exercise import exercise_mode_run, exercise_times
from port2port.detection.models import Alert

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(world: World) -> World:
    demo.seed()
    return world


def _library(threat: str) -> str:
    scenario = LibraryScenario.objects.filter(threat=threat).first()
    assert scenario is not None, f"the library has a {threat} scenario"
    return scenario.code


def test_an_intrusion_drill_raises_exercise_alerts_that_are_timed(
    seeded: World,
) -> None:
    run = exercise_mode_run(
        exercise_id=1, scenario=_library("intrusion"), injects=[], facility_ids=[]
    )
    assert run["scenario"] == "night-intrusion"
    assert run["alerts"]
    alerts = Alert.objects.filter(pk__in=run["alerts"])
    assert all(a.exercise for a in alerts)
    assert not Alert.objects.filter(exercise=False).exists()

    start = timezone.now() - dt.timedelta(hours=1)
    end = timezone.now() + dt.timedelta(minutes=1)
    detection, response = exercise_times(
        port_ids=[seeded.antwerp.pk], start=start, end=end
    )
    assert detection is not None
    assert response is None  # nobody handled the alerts yet
    Alert.objects.filter(pk__in=run["alerts"]).update(
        handled_at=timezone.now() + dt.timedelta(seconds=90)
    )
    _, response = exercise_times(port_ids=[seeded.antwerp.pk], start=start, end=end)
    assert response is not None
    assert response >= 89
    # Another port measured nothing.
    assert exercise_times(port_ids=[seeded.ghent.pk], start=start, end=end) == (
        None,
        None,
    )


def test_a_threat_without_a_live_scenario_is_refused(seeded: World) -> None:
    with pytest.raises(Conflict):
        exercise_mode_run(
            exercise_id=1, scenario=_library("cyber"), injects=[], facility_ids=[]
        )
    assert not Alert.objects.exists()


def test_a_compliance_exercise_runs_on_the_live_picture_with_the_default_runner(
    seeded: World, alice: User
) -> None:
    from port2port.compliance import services as compliance_services
    from port2port.compliance.views import _measured_times

    exercise = compliance_services.exercise_plan(
        actor=alice,
        kind="drill",
        title="",
        planned_on=timezone.localdate(),
        facilities=[seeded.deurganck],
        scenario=LibraryScenario.objects.get(code=_library("intrusion")),
        exercise_mode=True,
    )
    run = compliance_services.exercise_mode_start(actor=alice, exercise=exercise)
    assert run["scenario"] == "night-intrusion"
    assert run["alerts"]
    detection, response = _measured_times(exercise, [seeded.deurganck])
    assert detection is not None
    assert response is None
