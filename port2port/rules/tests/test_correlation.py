"""Two kinds within a time window and a relation (covers, zone, distance, value)."""

from __future__ import annotations

from typing import Any

import pytest

from port2port.rules.tests.builders import (
    NOON,
    OTHER_PORT,
    engine,
    event,
    ids,
    offset,
)

INTRUSION = {
    "id": "intrusion",
    "kind": "correlation",
    "severity": "critical",
    "first": {"kinds": ["fence.alarm"]},
    "then": {"kinds": ["camera.detection"], "where": {"payload.label": "person"}},
    "within_s": 60,
    "relation": "covers",
}


def test_a_fence_alarm_and_a_person_on_the_covering_camera_confirm_an_intrusion() -> (
    None
):
    alarm = event("fence.alarm", NOON, "F2")
    person = event("camera.detection", NOON + 45, "C1", label="person")
    [match] = engine(INTRUSION).process([alarm, person])
    assert match.rule_id == "intrusion"
    assert match.events == (alarm, person)
    assert match.time == NOON + 45
    assert match.zone_id == "Z1"
    assert match.dedup_key == "intrusion|BEANR|F2"
    assert match.details == {"within_s": 45.0}


def test_the_camera_may_see_the_person_first() -> None:
    person = event("camera.detection", NOON, "C1", label="person")
    alarm = event("fence.alarm", NOON + 10, "F1")
    [match] = engine(INTRUSION).process([person, alarm])
    assert match.events == (person, alarm)
    assert match.dedup_key == "intrusion|BEANR|F1"


@pytest.mark.parametrize(
    ("gap", "matches"),
    [
        (0.0, True),
        (59.999, True),
        (60.0, True),
        (60.001, False),
        (-60.0, True),
        (-60.5, False),
    ],
)
def test_the_window_edges(gap: float, matches: bool) -> None:
    alarm = event("fence.alarm", NOON, "F1")
    person = event("camera.detection", NOON + gap, "C1", label="person")
    stream = [alarm, person] if gap >= 0 else [person, alarm]
    assert bool(engine(INTRUSION).process(stream)) is matches


@pytest.mark.parametrize(
    ("alarm_source", "camera", "label", "port"),
    [
        pytest.param("F3", "C1", "person", None, id="camera-does-not-cover-segment"),
        pytest.param("F1", "C1", "car", None, id="not-a-person"),
        pytest.param("F1", "C1", "person", OTHER_PORT, id="other-port"),
    ],
)
def test_no_intrusion(
    alarm_source: str, camera: str, label: str, port: str | None
) -> None:
    alarm = event("fence.alarm", NOON, alarm_source)
    person = event("camera.detection", NOON + 5, camera, label=label, **_port(port))
    assert engine(INTRUSION).process([alarm, person]) == []


def _port(port: str | None) -> dict[str, Any]:
    return {"port": port} if port else {}


def test_live_and_exercise_events_never_pair() -> None:
    alarm = event("fence.alarm", NOON, "F1", exercise=True)
    person = event("camera.detection", NOON + 5, "C1", label="person")
    drill_person = event(
        "camera.detection", NOON + 6, "C1", label="person", exercise=True
    )
    [match] = engine(INTRUSION).process([alarm, person, drill_person])
    assert match.events == (alarm, drill_person)
    assert match.exercise


def test_one_incoming_event_pairs_with_the_most_recent_partner() -> None:
    first = event("fence.alarm", NOON, "F1")
    second = event("fence.alarm", NOON + 20, "F2")
    person = event("camera.detection", NOON + 30, "C1", label="person")
    [match] = engine(INTRUSION).process([first, second, person])
    assert match.events == (second, person)


def test_each_person_detection_confirms_again_and_folds_into_the_alert() -> None:
    alarm = event("fence.alarm", NOON, "F1")
    people = [
        event("camera.detection", NOON + s, "C1", label="person") for s in (5, 10, 15)
    ]
    matches = engine(INTRUSION).process([alarm, *people])
    assert [(m.count, m.first_time) for m in matches] == [
        (1, NOON + 5),
        (2, NOON + 5),
        (3, NOON + 5),
    ]


def _rule(relation: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": relation,
        "kind": "correlation",
        "first": {"kinds": ["a"]},
        "then": {"kinds": ["b"]},
        "within_s": 30,
        "relation": relation,
        **extra,
    }


def test_same_zone() -> None:
    e = engine(_rule("same_zone"))
    assert e.process([event("a", NOON, "C1"), event("b", NOON + 1, "G2")]) == []
    assert ids(e.process([event("b", NOON + 2, "G1")])) == ["same_zone"]
    assert e.process([event("a", NOON + 3, "X", zone=None)]) == []


def test_same_source() -> None:
    e = engine(_rule("same_source"))
    assert e.process([event("a", NOON, "G1"), event("b", NOON + 1, "G2")]) == []
    assert ids(e.process([event("b", NOON + 2, "G1")])) == ["same_source"]


def test_same_port() -> None:
    e = engine(_rule("same_port"))
    assert (
        e.process(
            [event("a", NOON, "G1"), event("b", NOON + 1, "ZF1", port=OTHER_PORT)]
        )
        == []
    )
    assert ids(e.process([event("b", NOON + 2, "G3")])) == ["same_port"]


@pytest.mark.parametrize(
    ("metres", "matches"), [(0, True), (99, True), (101, False), (-99, True)]
)
def test_distance(metres: float, matches: bool) -> None:
    e = engine(_rule("distance", distance_m=100))
    drone = event("a", NOON, "D1", position=offset(0, 0))
    seen = event("b", NOON + 10, "C1", position=offset(metres * 0.6, metres * 0.8))
    found = e.process([drone, seen])
    assert bool(found) is matches
    if matches:
        assert found[0].details["distance_m"] == pytest.approx(abs(metres), abs=0.2)


def test_distance_ignores_events_without_a_position() -> None:
    e = engine(_rule("distance", distance_m=100))
    assert (
        e.process(
            [event("a", NOON, "D1"), event("b", NOON + 1, "C1", position=offset(0, 0))]
        )
        == []
    )


def test_distance_finds_partners_in_neighbouring_cells_far_from_the_equator() -> None:
    e = engine(_rule("distance", distance_m=100))
    north = (4.3367, 69.65)  # Tromsø: a degree of longitude is short.
    assert ids(
        e.process(
            [
                event("a", NOON, "D1", position=offset(0, 0, north)),
                event("b", NOON + 1, "C1", position=offset(95, 0, north)),
                event("b", NOON + 2, "C1", position=offset(-95, 0, north)),
            ]
        )
    ) == ["distance", "distance"]


def test_same_value() -> None:
    e = engine(_rule("same_value", field="payload.plate"))
    read = event("a", NOON, "A1", plate="1ABC123")
    assert e.process([read, event("b", NOON + 5, "G1", plate="2DEF456")]) == []
    assert ids(e.process([event("b", NOON + 6, "G1", plate="1ABC123")])) == [
        "same_value"
    ]
    assert e.process([event("b", NOON + 7, "G1")]) == []
    assert e.process([event("b", NOON + 8, "G1", plate=["1ABC123"])]) == []


def test_ordered_needs_the_then_event_after_the_first() -> None:
    e = engine(_rule("same_port", ordered=True))
    assert e.process([event("b", NOON, "G1"), event("a", NOON + 1, "G1")]) == []
    assert ids(e.process([event("b", NOON + 2, "G1")])) == ["same_port"]


def test_ordered_pairs_a_late_first_event_with_a_later_then_event() -> None:
    e = engine(_rule("same_port", ordered=True))
    then = event("b", NOON + 10, "G1")
    late_first = event("a", NOON + 5, "G1")
    assert ids(e.process([then, late_first])) == ["same_port"]


def test_an_event_of_both_sides_never_pairs_with_itself() -> None:
    twice = {
        "id": "twice",
        "kind": "correlation",
        "first": {"kinds": ["fence.alarm"]},
        "then": {"kinds": ["fence.alarm"]},
        "within_s": 30,
        "relation": "same_zone",
    }
    e = engine(twice)
    assert e.process([event("fence.alarm", NOON, "F1")]) == []
    [match] = e.process([event("fence.alarm", NOON + 10, "F2")])
    assert [ev.source_id for ev in match.events] == ["F1", "F2"]


def test_kept_events_are_bounded_and_expire() -> None:
    e = engine(_rule("same_port"), max_pending=5)
    e.process([event("a", NOON + i, "G1") for i in range(20)])
    assert e.state_size()["same_port"] == 5
    e.advance(NOON + 200)
    assert e.state_size()["same_port"] == 0
