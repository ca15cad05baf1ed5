"""Counts within a window, grouped by a key, of events or of distinct values."""

from __future__ import annotations

import pytest

from port2port.rules import Event
from port2port.rules.tests.builders import NOON, engine, event, ids

PROBING = {
    "id": "probing",
    "kind": "count",
    "severity": "high",
    "match": {"kinds": ["gate.decision"], "where": {"payload.allowed": False}},
    "within_s": 600,
    "threshold": 3,
    "group_by": "payload.credential",
    "distinct": "source_id",
}


def denied(at: float, gate: str, credential: str = "P-1") -> Event:
    return event("gate.decision", at, gate, allowed=False, credential=credential)


def test_three_denials_at_three_gates_within_ten_minutes_is_probing() -> None:
    stream = [denied(NOON, "G1"), denied(NOON + 200, "G2"), denied(NOON + 599, "G3")]
    [match] = engine(PROBING).process(stream)
    assert match.events == tuple(stream)
    assert match.details == {"group": "P-1", "count": 3}
    assert match.dedup_key == "probing|BEANR|P-1"
    assert match.zone_id == "Z3"


@pytest.mark.parametrize(
    "stream",
    [
        pytest.param([("G1", 0), ("G1", 10), ("G1", 20)], id="same-gate"),
        pytest.param([("G1", 0), ("G2", 10), ("G2", 20)], id="two-gates"),
        pytest.param(
            [("G1", 0), ("G2", 300), ("G3", 600.5)],
            id="spread-over-more-than-ten-minutes",
        ),
    ],
)
def test_not_probing(stream: list[tuple[str, float]]) -> None:
    events = [denied(NOON + at, gate) for gate, at in stream]
    assert engine(PROBING).process(events) == []


def test_allowed_decisions_and_other_credentials_do_not_count() -> None:
    stream = [
        denied(NOON, "G1"),
        event("gate.decision", NOON + 1, "G2", allowed=True, credential="P-1"),
        denied(NOON + 2, "G2", "P-2"),
        event("gate.decision", NOON + 3, "G3", allowed=False),
    ]
    assert engine(PROBING).process(stream) == []


def test_a_gate_that_leaves_the_window_stops_counting() -> None:
    e = engine(PROBING)
    stream = [denied(NOON, "G1"), denied(NOON + 100, "G2"), denied(NOON + 650, "G2")]
    assert e.process(stream) == []
    # G1 left the window at NOON + 600; G2 is still in it twice.
    assert ids(e.process([denied(NOON + 660, "G3")])) == []
    assert ids(e.process([denied(NOON + 661, "G1")])) == ["probing"]


def test_a_group_that_fired_counts_again_from_zero() -> None:
    e = engine(PROBING)
    first = [denied(NOON + i, gate) for i, gate in enumerate(("G1", "G2", "G3"))]
    assert ids(e.process(first)) == ["probing"]
    assert ids(e.process([denied(NOON + 10, "G1"), denied(NOON + 11, "G2")])) == []
    [again] = e.process([denied(NOON + 12, "G3")])
    assert again.count == 2  # folded into the alert the first burst opened


def test_plain_count_of_events() -> None:
    circling = {
        "id": "circling",
        "kind": "count",
        "match": {"kinds": ["anpr.read"]},
        "within_s": 60,
        "threshold": 4,
        "group_by": "payload.plate",
    }
    e = engine(circling)
    reads = [event("anpr.read", NOON + i * 10, "A1", plate="1ABC123") for i in range(4)]
    assert e.process(reads[:3]) == []
    assert ids(e.process(reads[3:])) == ["circling"]
    assert e.process([event("anpr.read", NOON + 50, "A1")]) == []  # no plate: ignored


def test_group_by_an_event_attribute() -> None:
    crowd = {
        "id": "crowd",
        "kind": "count",
        "match": {"kinds": ["camera.detection"]},
        "within_s": 60,
        "threshold": 5,
        "group_by": "zone_id",
    }
    e = engine(crowd)
    stream = [
        event("camera.detection", NOON + i, c)
        for i, c in enumerate(["C1", "C2", "C1", "C1", "C1", "C1"])
    ]
    [match] = e.process(stream)
    assert match.details == {"group": "Z1", "count": 5}
    assert [ev.source_id for ev in match.events] == ["C1"] * 5


def test_kept_events_are_bounded_and_expire() -> None:
    e = engine(PROBING, max_pending=50)
    e.process([denied(NOON + i * 0.01, "G1") for i in range(500)])
    assert e.state_size()["probing"] == 50
    e.advance(NOON + 700)
    assert e.state_size()["probing"] == 0
