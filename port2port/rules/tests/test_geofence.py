"""Vessel geofences: entering an area, loitering off a berth, coming alongside."""

from __future__ import annotations

import pytest

from port2port.rules import Event
from port2port.rules.tests.builders import NOON, engine, ids, offset, vessel

RESTRICTED = {
    "id": "restricted",
    "kind": "geofence",
    "trigger": "enter",
    "severity": "high",
    "area_kinds": ["restricted"],
}
INSIDE = offset(1100, 100)  # in R1 (a 200 m square 1 km east)
OUTSIDE = offset(800, 100)


def test_a_vessel_entering_the_restricted_area_matches_once() -> None:
    e = engine(RESTRICTED)
    assert e.process([vessel(NOON, 1, OUTSIDE, sog=5)]) == []
    entering = vessel(NOON + 60, 1, INSIDE, sog=5)
    [match] = e.process([entering])
    assert match.details == {"area": "R1", "key": 1}
    assert match.position == INSIDE
    assert match.dedup_key == "restricted|BEANR|1:R1"
    assert e.process([vessel(NOON + 70, 1, offset(1150, 120), sog=5)]) == []


def test_leaving_and_coming_back_matches_again() -> None:
    e = engine(RESTRICTED)
    stream = [
        vessel(NOON, 1, INSIDE),
        vessel(NOON + 10, 1, OUTSIDE),
        vessel(NOON + 20, 1, INSIDE),
    ]
    assert [m.count for m in e.process(stream)] == [1, 2]


def test_each_vessel_is_followed_on_its_own() -> None:
    e = engine(RESTRICTED)
    stream = [
        vessel(NOON, 1, INSIDE),
        vessel(NOON + 1, 2, INSIDE),
        vessel(NOON + 2, 1, INSIDE),
    ]
    assert [m.details["key"] for m in e.process(stream)] == [1, 2]


def test_named_areas_and_a_vessel_filter() -> None:
    small_in_r1 = {
        "id": "small",
        "kind": "geofence",
        "trigger": "enter",
        "areas": ["R1"],
        "vessel": {"max_length_m": 30, "include_unknown": True},
    }
    e = engine(small_in_r1)
    assert e.process([vessel(NOON, 1, INSIDE, length_m=150)]) == []
    assert ids(e.process([vessel(NOON, 2, INSIDE, length_m=12)])) == ["small"]
    assert ids(e.process([vessel(NOON, 3, INSIDE, length_m=None)])) == ["small"]


def test_an_area_of_another_port_is_not_used() -> None:
    e = engine(RESTRICTED)
    assert e.process([vessel(NOON, 1, INSIDE, port="BEZEE")]) == []


LOITER = {
    "id": "loiter",
    "kind": "geofence",
    "trigger": "loiter",
    "max_speed_kn": 1,
    "duration_s": 1200,
    "outside_kinds": ["berth"],
}
OFF_BERTH = offset(500, 500)
AT_BERTH = offset(0, -300)  # in B1


def slow(
    at: float,
    position: tuple[float, float] = OFF_BERTH,
    sog: float = 0.4,
    mmsi: int = 7,
) -> Event:
    return vessel(at, mmsi, position, sog=sog)


def test_loitering_below_one_knot_for_twenty_minutes_off_a_berth() -> None:
    e = engine(LOITER)
    stream = [slow(NOON + t) for t in range(0, 1200, 180)]
    assert e.process(stream) == []
    [match] = e.process([slow(NOON + 1200)])
    assert match.details == {"key": 7, "since": NOON, "duration_s": 1200.0}
    assert [ev.time for ev in match.events] == [NOON, NOON + 1200]
    assert e.process([slow(NOON + 1300)]) == []  # once per stay


@pytest.mark.parametrize(
    ("middle_position", "middle_sog"),
    [
        pytest.param(OFF_BERTH, 1.0, id="one-knot-is-not-slow"),
        pytest.param(OFF_BERTH, 5.0, id="moved-on"),
        pytest.param(AT_BERTH, 0.0, id="at-the-berth"),
    ],
)
def test_the_stay_starts_again(
    middle_position: tuple[float, float], middle_sog: float
) -> None:
    e = engine(LOITER)
    stream = [
        slow(NOON),
        slow(NOON + 600, middle_position, middle_sog),
        slow(NOON + 700),
        slow(NOON + 1250),
        slow(NOON + 1800),
    ]
    assert e.process(stream) == []
    assert ids(e.process([slow(NOON + 1900)])) == ["loiter"]


def test_a_gap_in_the_reports_starts_the_stay_again() -> None:
    e = engine(LOITER)
    assert e.process([slow(NOON), slow(NOON + 601), slow(NOON + 1201)]) == []


def test_reports_without_speed_change_nothing() -> None:
    e = engine(LOITER)
    no_speed = slow(NOON + 500)
    no_speed.payload["sog"] = None  # type: ignore[index]
    stream = [
        slow(NOON),
        slow(NOON + 400),
        no_speed,
        slow(NOON + 800),
        slow(NOON + 1200),
    ]
    assert ids(e.process(stream)) == ["loiter"]


def test_loitering_only_inside_the_named_areas() -> None:
    inside_waters = {**LOITER, "id": "in-waters", "area_kinds": ["port_waters"]}
    e = engine(inside_waters)
    far = offset(20_000, 0)
    assert e.process([slow(NOON + t, far) for t in range(0, 1201, 300)]) == []
    near = [slow(NOON + t, mmsi=8) for t in range(0, 1201, 300)]
    assert ids(e.process(near)) == ["in-waters"]


ALONGSIDE = {
    "id": "alongside",
    "kind": "geofence",
    "trigger": "approach",
    "severity": "high",
    "distance_m": 50,
}
SHIP = offset(0, -300)


def moored(at: float, mmsi: int = 100, length_m: float | None = 300.0) -> Event:
    return vessel(at, mmsi, SHIP, sog=0.0, nav_status=5, length_m=length_m)


def craft(
    at: float, metres: float, mmsi: int = 200, length_m: float | None = 9.0
) -> Event:
    return vessel(
        at,
        mmsi,
        offset(metres, -300),
        sog=3.0,
        nav_status=None,
        length_m=length_m,
        ship_type=37,
    )


def test_a_small_craft_alongside_a_moored_ship() -> None:
    e = engine(ALONGSIDE)
    ship = moored(NOON)
    boat = craft(NOON + 30, 40)
    [match] = e.process([ship, boat])
    assert match.details == {
        "craft": 200,
        "target": 100,
        "distance_m": pytest.approx(40, abs=0.1),
    }
    assert match.events == (ship, boat)
    assert match.dedup_key == "alongside|BEANR|200:100"


@pytest.mark.parametrize(
    ("stream", "reason"),
    [
        ([moored(NOON), craft(NOON + 30, 60)], "too far"),
        ([moored(NOON), craft(NOON + 30, 40, length_m=80)], "not a small craft"),
        ([moored(NOON, length_m=20), craft(NOON + 30, 40)], "not a large ship"),
        ([moored(NOON), craft(NOON + 601, 40)], "the ship's report is stale"),
        ([craft(NOON, 40)], "no ship"),
        ([moored(NOON), moored(NOON + 10, mmsi=101)], "two moored ships"),
    ],
)
def test_no_approach(stream: list[Event], reason: str) -> None:
    assert engine(ALONGSIDE).process(stream) == [], reason


def test_a_ship_that_leaves_its_berth_is_no_longer_a_target() -> None:
    e = engine(ALONGSIDE)
    leaving = vessel(NOON + 10, 100, SHIP, sog=4.0, nav_status=0, length_m=300.0)
    assert e.process([moored(NOON), leaving, craft(NOON + 20, 40)]) == []
    assert e.state_size()["alongside"] == 0


def test_a_craft_of_unknown_length_counts_as_small() -> None:
    e = engine(ALONGSIDE)
    assert ids(e.process([moored(NOON), craft(NOON + 5, 30, length_m=None)])) == [
        "alongside"
    ]


def test_slow_ships_near_each_other_are_both_targets_not_craft() -> None:
    e = engine(ALONGSIDE)
    drifting = vessel(
        NOON + 5,
        300,
        offset(20, -300),
        sog=0.3,
        nav_status=0,
        length_m=9.0,
        ship_type=37,
    )
    assert e.process([moored(NOON), drifting]) == []
