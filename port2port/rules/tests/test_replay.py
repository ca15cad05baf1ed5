"""A replay gives the same matches as the live stream did.

Live, events come in batches of any size, and the worker moves the clock
between them (never past an event still to come); a replay feeds the stored
events in one batch. The matches must be the same, in the same order.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from port2port.rules import Event, Match
from port2port.rules.tests.builders import NOON, engine, event, offset, vessel

RULES: list[dict[str, Any]] = [
    {
        "id": "person",
        "kind": "condition",
        "aggregate_s": 120,
        "when": {"kinds": ["camera.detection"], "where": {"payload.label": "person"}},
    },
    {
        "id": "night",
        "kind": "condition",
        "when": {
            "kinds": ["fence.alarm"],
            "time_of_day": {"from": "12:10", "to": "12:40"},
        },
    },
    {
        "id": "intrusion",
        "kind": "correlation",
        "first": {"kinds": ["fence.alarm"]},
        "then": {"kinds": ["camera.detection"], "where": {"payload.label": "person"}},
        "within_s": 60,
        "relation": "covers",
    },
    {
        "id": "zone-pair",
        "kind": "correlation",
        "first": {"kinds": ["fence.alarm"]},
        "then": {"kinds": ["gate.decision"]},
        "within_s": 90,
        "relation": "same_zone",
        "ordered": True,
    },
    {
        "id": "probing",
        "kind": "count",
        "match": {"kinds": ["gate.decision"], "where": {"payload.allowed": False}},
        "within_s": 300,
        "threshold": 2,
        "group_by": "payload.credential",
        "distinct": "source_id",
    },
    {
        "id": "watched",
        "kind": "watchlist",
        "match": {"kinds": ["gate.decision"]},
        "fields": ["payload.credential"],
        "lists": ["persons"],
    },
    {
        "id": "restricted",
        "kind": "geofence",
        "trigger": "enter",
        "area_kinds": ["restricted"],
    },
    {
        "id": "loiter",
        "kind": "geofence",
        "trigger": "loiter",
        "duration_s": 300,
        "max_gap_s": 200,
    },
    {"id": "alongside", "kind": "geofence", "trigger": "approach", "distance_m": 80},
    {
        "id": "offline",
        "kind": "absence",
        "sources": ["F1", "F2", "F3", "A1"],
        "aggregate_s": 100,
    },
]

SOURCES = {
    "fence.alarm": ["F1", "F2", "F3"],
    "camera.detection": ["C1", "C2"],
    "gate.decision": ["G1", "G2", "G3"],
    "sensor.heartbeat": ["F1", "F2", "F3", "A1"],
}
PLACES = [
    offset(1100, 100),
    offset(800, 100),
    offset(0, -300),
    offset(30, -300),
    offset(500, 500),
]


@st.composite
def streams(draw: st.DrawFn) -> list[Event]:
    out: list[Event] = []
    now = NOON
    for n in range(draw(st.integers(1, 60))):
        now += draw(st.sampled_from([0.0, 0.5, 5.0, 30.0, 61.0, 150.0, 301.0]))
        kind = draw(st.sampled_from([*SOURCES, "ais.position"]))
        exercise = draw(st.booleans()) and draw(st.booleans())
        if kind == "ais.position":
            out.append(
                vessel(
                    now,
                    draw(st.sampled_from([1, 2, 3])),
                    draw(st.sampled_from(PLACES)),
                    sog=draw(st.sampled_from([0.0, 0.4, 3.0])),
                    nav_status=draw(st.sampled_from([0, 5])),
                    length_m=draw(st.sampled_from([9.0, 250.0])),
                    exercise=exercise,
                )
            )
            continue
        source = draw(st.sampled_from(SOURCES[kind]))
        payload: dict[str, object] = {
            "label": draw(st.sampled_from(["person", "car"])),
            "allowed": draw(st.booleans()),
            "credential": draw(st.sampled_from(["P1", "P2"])),
        }
        zone = {
            "F1": "Z1",
            "F2": "Z1",
            "F3": "Z2",
            "C1": "Z1",
            "C2": "Z2",
            "G1": "Z1",
            "G2": "Z2",
            "G3": "Z3",
        }.get(source)
        out.append(
            Event(f"x{n}", now, source, "BEANR", kind, zone, None, payload, exercise)
        )
    return out


def _fresh() -> Any:
    return engine(*RULES, watchlists={"persons": ["P2"]})


def _key(match: Match) -> tuple[object, ...]:
    return (
        match.rule_id,
        match.time,
        match.dedup_key,
        match.count,
        match.first_time,
        tuple(event.id for event in match.events),
        tuple(sorted(match.details.items())),
        match.exercise,
    )


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example],
)
@given(streams(), st.data())
def test_one_batch_and_live_batches_with_clock_ticks_give_the_same_matches(
    events: list[Event], data: st.DataObject
) -> None:
    replay = _fresh()
    expected = replay.process(events) + replay.advance(events[-1].time + 1000)

    live = _fresh()
    got: list[Match] = []
    cuts = sorted(
        data.draw(st.sets(st.integers(1, max(1, len(events) - 1)), max_size=8))
    )
    start = 0
    for cut in [*cuts, len(events)]:
        batch = events[start:cut]
        if not batch:
            continue
        got += live.process(batch)
        if cut < len(events):
            # The worker's clock tick: somewhere up to the next event's time.
            low, high = batch[-1].time, events[cut].time
            tick = data.draw(st.sampled_from([low, (low + high) / 2, high]))
            got += live.advance(tick)
        start = cut
    got += live.advance(events[-1].time + 1000)

    assert [_key(m) for m in got] == [_key(m) for m in expected]


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(streams())
def test_all_windowed_state_is_gone_once_the_windows_have_passed(
    events: list[Event],
) -> None:
    e = _fresh()
    e.process(events)
    e.advance(events[-1].time + 7200)
    sizes = e.state_size()
    assert {rule: size for rule, size in sizes.items() if size} == {}


def _both(
    make: Any, events: list[Event], ticks: dict[int, float], end: float
) -> tuple[list[Match], list[Match]]:
    """Return the matches of one batch, and of one batch per event with ticks."""
    replay = make()
    batch = replay.process(events) + replay.advance(end)
    live = make()
    stepped: list[Match] = []
    for index, one in enumerate(events):
        stepped += live.process([one])
        if index in ticks:
            stepped += live.advance(ticks[index])
    stepped += live.advance(end)
    return batch, stepped


def test_deadlines_fire_in_time_order_however_the_clock_moved() -> None:
    def make() -> Any:
        return engine({"id": "offline", "kind": "absence", "sources": ["F1", "F2"]})

    events = [
        event("sensor.heartbeat", NOON, "F1"),
        event("sensor.heartbeat", NOON + 20, "F2"),
        event("sensor.heartbeat", NOON + 50, "F1"),  # F1's deadline moves to +350
        event("camera.detection", NOON + 500, "C1"),
    ]
    batch, live = _both(make, events, {2: NOON + 330}, NOON + 600)
    assert [(m.details["source"], m.time) for m in batch] == [
        ("F2", NOON + 320),
        ("F1", NOON + 350),
    ]
    assert [_key(m) for m in live] == [_key(m) for m in batch]


def test_state_is_swept_on_a_grid_of_event_time() -> None:
    def make() -> Any:
        return engine(
            {
                "id": "restricted",
                "kind": "geofence",
                "trigger": "enter",
                "area_kinds": ["restricted"],
            },
            idle_ttl_s=100,
        )

    inside = offset(1100, 100)
    events = [
        vessel(NOON, 1, inside),
        event("camera.detection", NOON + 59, "C1"),
        vessel(NOON + 105, 1, inside),
        event("camera.detection", NOON + 170, "C1"),
        vessel(NOON + 290, 1, inside),
    ]
    batch, live = _both(make, events, {1: NOON + 61, 3: NOON + 200}, NOON + 400)
    # Forgotten by the sweep at +240 (last seen at +105): it enters again at +290.
    assert [m.time for m in batch] == [NOON, NOON + 290]
    assert [_key(m) for m in live] == [_key(m) for m in batch]


odd_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=True),
    st.text(max_size=3),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
)


_ODD_KEYS = [
    "label",
    "allowed",
    "credential",
    "mmsi",
    "sog",
    "nav_status",
    "length_m",
    "ship_type",
    "plate",
]


@settings(max_examples=300, deadline=None, database=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([*SOURCES, "ais.position", "ais.position"]),
            st.dictionaries(st.sampled_from(_ODD_KEYS), odd_values, min_size=2),
            st.sampled_from([None, *PLACES]),
        ),
        min_size=1,
        max_size=30,
    )
)
@example([("ais.position", {"mmsi": [1], "sog": 0.1}, PLACES[0])])
@example(
    [("ais.position", {"mmsi": {"a": 1}, "sog": 5.0, "ship_type": [3]}, PLACES[2])]
)
def test_odd_payloads_never_break_the_engine(
    items: list[tuple[str, dict[str, object], tuple[float, float] | None]],
) -> None:
    e = _fresh()
    events = [
        Event(f"o{n}", NOON + n * 7.0, "F1", "BEANR", kind, "Z1", place, payload)
        for n, (kind, payload, place) in enumerate(items)
    ]
    e.process(events)
    e.advance(NOON + 10_000)
