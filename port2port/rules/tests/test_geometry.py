"""Point-in-polygon, distances, the search grid and the local clock."""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from port2port.rules.clock import LocalClock
from port2port.rules.geometry import AreaSet, Grid, Polygon, distance_m, haversine_m
from port2port.rules.tests.builders import offset


def ray_cast(x: float, y: float, ring: list[tuple[float, float]]) -> bool:
    """The textbook even-odd test, the reference."""
    inside = False
    j = len(ring) - 1
    for i, (xi, yi) in enumerate(ring):
        xj, yj = ring[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


@st.composite
def rings(draw: st.DrawFn) -> list[tuple[float, float]]:
    """A star-shaped ring of 3 to 300 corners around (4.3, 51.3)."""
    corners = draw(st.integers(3, 300))
    radii = draw(st.lists(st.floats(0.001, 0.05), min_size=corners, max_size=corners))
    return [
        (
            4.3 + r * 1.6 * math.cos(2 * math.pi * k / corners),
            51.3 + r * math.sin(2 * math.pi * k / corners),
        )
        for k, r in enumerate(radii)
    ]


@settings(max_examples=200, deadline=None, database=None)
@given(
    rings(),
    st.lists(
        st.tuples(st.floats(4.2, 4.4), st.floats(51.25, 51.35)), min_size=1, max_size=40
    ),
)
def test_the_prepared_polygon_agrees_with_the_textbook_ray_cast(
    ring: list[tuple[float, float]], points: list[tuple[float, float]]
) -> None:
    polygon = Polygon((tuple(ring),), "p")
    for x, y in points:
        assert polygon.contains(x, y) == ray_cast(x, y, ring), (x, y)


def test_a_hole_is_outside() -> None:
    outer = (offset(0, 0), offset(100, 0), offset(100, 100), offset(0, 100))
    hole = (offset(40, 40), offset(60, 40), offset(60, 60), offset(40, 60))
    polygon = Polygon((outer, hole))
    assert polygon.contains(*offset(20, 20))
    assert not polygon.contains(*offset(50, 50))
    assert not polygon.contains(*offset(150, 50))


def test_an_area_set_finds_the_polygon_and_remembers_the_last_position() -> None:
    a = Polygon(
        ((offset(0, 0), offset(100, 0), offset(100, 100), offset(0, 100)),), "A"
    )
    b = Polygon(
        ((offset(500, 0), offset(600, 0), offset(600, 100), offset(500, 100)),), "B"
    )
    areas = AreaSet([a, b])
    here = offset(550, 50)
    found = areas.locate(here)
    assert found is b
    assert areas.locate(here) is b
    assert areas.locate(offset(50, 50)) is a
    assert areas.locate(offset(300, 50)) is None
    assert areas.find(*offset(-10, 50)) is None
    assert AreaSet([]).locate(here) is None


@settings(max_examples=300, deadline=None, database=None)
@given(
    st.floats(-60, 70),
    st.floats(-180, 180),
    st.floats(0, 5000),
    st.floats(0, 2 * math.pi),
)
def test_the_distance_is_within_a_thousandth_of_the_great_circle(
    lat: float, lon: float, metres: float, bearing: float
) -> None:
    a = (lon, lat)
    b = offset(metres * math.sin(bearing), metres * math.cos(bearing), a)
    assert distance_m(a, b) == pytest.approx(haversine_m(a, b), rel=1e-3, abs=0.01)


@settings(max_examples=1000, deadline=None, database=None)
@given(
    st.floats(-80, 80),
    st.floats(-179, 179),
    st.floats(1, 2000),
    st.floats(0, 0.999),
    st.floats(0, 2 * math.pi),
)
def test_the_grid_search_covers_every_point_within_the_radius(
    lat: float, lon: float, radius: float, fraction: float, bearing: float
) -> None:
    grid = Grid(radius)
    here = (lon, lat)
    there = offset(
        radius * fraction * math.sin(bearing),
        radius * fraction * math.cos(bearing),
        here,
    )
    assert grid.cell(there) in grid.near(here)


@settings(max_examples=300, deadline=None, database=None)
@given(
    st.datetimes(
        min_value=dt.datetime(2000, 1, 1),  # noqa: DTZ001 (hypothesis adds the zone)
        max_value=dt.datetime(2040, 1, 1),  # noqa: DTZ001
        timezones=st.just(dt.UTC),
    ),
    st.sampled_from(
        [
            "Europe/Brussels",
            "America/St_Johns",
            "Asia/Kathmandu",
            "Australia/Lord_Howe",
            "UTC",
        ]
    ),
)
def test_the_local_minute_of_the_week_agrees_with_zoneinfo(
    instant: dt.datetime, zone: str
) -> None:
    clock = LocalClock(zone)
    local = instant.astimezone(zoneinfo.ZoneInfo(zone))
    assert (
        clock.minute_of_week(instant.timestamp())
        == local.weekday() * 1440 + local.hour * 60 + local.minute
    )


def test_the_local_clock_around_the_change_to_summer_time_in_brussels() -> None:
    clock = LocalClock("Europe/Brussels")
    change = 1743296400.0  # 2025-03-30 01:00 UTC, a Sunday
    sunday = 6 * 1440
    assert clock.minute_of_week(change - 60) == sunday + 1 * 60 + 59
    assert clock.minute_of_week(change) == sunday + 3 * 60
