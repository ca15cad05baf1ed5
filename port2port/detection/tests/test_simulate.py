"""The detection demo data, the simulator and its scenarios."""

from __future__ import annotations

import random
import time
from io import StringIO

import pytest
from django.core.management import call_command

from conftest import World
from port2port.core.models import User
from port2port.core.scopes import scope_for
from port2port.detection import demo, simulator
from port2port.detection.models import Alert, Event, Rule, Source, Vessel

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(world: World) -> World:
    demo.seed()
    return world


def _simulate(*args: str) -> str:
    out = StringIO()
    call_command("simulate", *args, stdout=out)
    return out.getvalue()


def test_the_demo_places_the_deurganck_sensors_and_the_rules(seeded: World) -> None:
    kinds = sorted(Source.objects.values_list("kind", flat=True))
    assert kinds.count("fence_segment") == 8
    assert kinds.count("camera") == 4
    assert {"ais_receiver", "drone_detector"} <= set(kinds)
    camera = Source.objects.get(code="BEANR-0001-C02")
    assert sorted(camera.covers.values_list("code", flat=True)) == [
        "BEANR-0001-F03",
        "BEANR-0001-F04",
    ]
    assert set(Rule.objects.values_list("code", flat=True)) == {
        rule["id"] for rule in demo.DEMO_RULES
    }
    ccr = User.objects.get(username="ccr.antwerp")
    assert scope_for(ccr).has_role("control_room_operator", port_id=seeded.antwerp.pk)


def test_every_scenario_reads_and_names_demo_sources(seeded: World) -> None:
    codes = set(Source.objects.values_list("code", flat=True))
    names = simulator.scenario_names()
    assert names == ["badge-probing", "night-intrusion", "small-craft-alongside"]
    for name in names:
        scenario = simulator.scenario_load(name)
        for step in scenario.steps:
            if "event" in step and not step["event"]["source"].startswith("AP-"):
                assert step["event"]["source"] in codes


def test_the_night_intrusion_exercise_raises_one_exercise_alert(seeded: World) -> None:
    out = _simulate("--scenario", "night-intrusion", "--now", "--exercise")
    alert = Alert.objects.get()
    assert (alert.rule_code, alert.exercise, alert.severity) == (
        "deurganck-intrusion",
        True,
        "high",
    )
    assert Event.objects.filter(exercise=True).count() == 5
    assert f"Alert #{alert.pk} [high] Confirmed intrusion" in out
    assert "detected 18 s into the scenario" in out


def test_a_small_craft_alongside_the_moored_ship_is_raised(seeded: World) -> None:
    out = _simulate("--scenario", "small-craft-alongside", "--now")
    alert = Alert.objects.get()
    assert alert.rule_code == "small-craft-alongside"
    assert "5 events (ais.position 5); 9 AIS sentences" in out
    assert Vessel.objects.get(mmsi=205999123).name == "BLAUWE REIGER"


def test_an_unknown_scenario_is_refused(seeded: World) -> None:
    with pytest.raises(Exception, match="No scenario 'flood'"):
        _simulate("--scenario", "flood")


def test_the_live_traffic_sends_heartbeats_ships_and_gate_reads(
    seeded: World,
) -> None:
    sim = simulator.Simulator(rng=random.Random(7))
    now = time.time()
    sim.tick(now, 2.0)
    assert sim.counts.by_kind["heartbeat"] == 12
    assert sim.counts.by_kind["ais.position"] == len(simulator.SHIPS)
    assert Vessel.objects.count() == len(simulator.SHIPS)
    moored = Vessel.objects.get(name="DEURGANCK STAR")
    assert (moored.nav_status, moored.sog) == (5, 0.0)
    # Ten seconds later: no new heartbeat yet, the ships report again; over a
    # whole hour the fence certainly raises a nuisance alarm.
    sim.tick(now + 10, 3600.0)
    assert sim.counts.by_kind["heartbeat"] == 12
    assert sim.counts.by_kind["ais.position"] == 2 * len(simulator.SHIPS)
    assert sim.counts.by_kind["fence.alarm"] == 1


def test_a_ship_walks_the_scheldt_back_and_forth() -> None:
    route = simulator.Route(simulator.SCHELDT)
    assert route.at(0)[:2] == simulator.SCHELDT[0]
    assert route.at(route.total)[:2] == simulator.SCHELDT[-1]
    assert route.at(2 * route.total)[:2] == simulator.SCHELDT[0]
    assert 55_000 < route.total < 65_000  # Vlissingen to Deurganck
    assert simulator.imo_number(913427) == 9134270
