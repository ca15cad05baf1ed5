"""Single-event conditions: kinds, zones, sources, time of day, level, payload."""

from __future__ import annotations

import pytest

from port2port.rules import Severity, from_time
from port2port.rules.tests.builders import (
    NOON,
    OTHER_PORT,
    PORT,
    engine,
    event,
    ids,
    local,
)

PERSON_IN_Z1 = {
    "id": "person-z1",
    "kind": "condition",
    "severity": "high",
    "when": {
        "kinds": ["camera.detection"],
        "zones": ["Z1"],
        "where": {"payload.label": "person", "payload.score": {"gte": 0.7}},
    },
}


def test_a_person_in_the_zone_matches_with_the_rule_s_severity_and_the_event() -> None:
    e = engine(PERSON_IN_Z1)
    seen = event("camera.detection", NOON, "C1", label="person", score=0.9)
    [match] = e.process([seen])
    assert match.rule_id == "person-z1"
    assert match.severity is Severity.HIGH
    assert match.time == NOON
    assert match.at == from_time(NOON)
    assert match.port_id == PORT
    assert match.zone_id == "Z1"
    assert match.events == (seen,)
    assert match.dedup_key == "person-z1|BEANR|C1"
    assert match.count == 1
    assert match.new


@pytest.mark.parametrize(
    ("kind", "source", "payload"),
    [
        pytest.param(
            "camera.detection", "C2", {"label": "person", "score": 0.9}, id="other-zone"
        ),
        pytest.param(
            "camera.detection", "C1", {"label": "car", "score": 0.9}, id="other-label"
        ),
        pytest.param(
            "camera.detection", "C1", {"label": "person", "score": 0.69}, id="low-score"
        ),
        pytest.param("camera.detection", "C1", {"label": "person"}, id="no-score"),
        pytest.param(
            "camera.detection",
            "C1",
            {"label": "person", "score": "0.9"},
            id="text-score",
        ),
        pytest.param(
            "fence.alarm", "C1", {"label": "person", "score": 0.9}, id="other-kind"
        ),
    ],
)
def test_an_event_that_misses_one_test_does_not_match(
    kind: str, source: str, payload: dict[str, object]
) -> None:
    assert engine(PERSON_IN_Z1).process([event(kind, NOON, source, **payload)]) == []


def test_the_score_bound_is_inclusive() -> None:
    matches = engine(PERSON_IN_Z1).process(
        [event("camera.detection", NOON, "C1", label="person", score=0.7)]
    )
    assert ids(matches) == ["person-z1"]


@pytest.mark.parametrize(
    ("where", "payload", "matches"),
    [
        ({"payload.label": ["person", "boat"]}, {"label": "boat"}, True),
        ({"payload.label": ["person", "boat"]}, {"label": "car"}, False),
        ({"payload.label": {"not_in": ["car"]}}, {"label": "boat"}, True),
        ({"payload.label": {"not_in": ["car"]}}, {}, True),
        ({"payload.label": {"not_in": ["car"]}}, {"label": "car"}, False),
        ({"payload.label": {"not_equals": "car"}}, {"label": "boat"}, True),
        ({"payload.label": {"not_equals": "car"}}, {"label": "car"}, False),
        ({"payload.speed": {"lte": 1}}, {"speed": 1.0}, True),
        ({"payload.speed": {"lte": 1}}, {"speed": 1.1}, False),
        ({"payload.speed": {"gte": 1, "lte": 5}}, {"speed": 6}, False),
        ({"payload.speed": {"gte": 1, "lte": 5}}, {"speed": 3}, True),
        ({"payload.plate": {"exists": True}}, {"plate": None}, True),
        ({"payload.plate": {"exists": True}}, {}, False),
        ({"payload.plate": {"exists": False}}, {}, True),
        ({"payload.after.label": "person"}, {"after": {"label": "person"}}, True),
        ({"payload.after.label": "person"}, {"after": {"label": "car"}}, False),
        ({"payload.after.label": "person"}, {"after": "person"}, False),
        ({"payload.allowed": False}, {"allowed": False}, True),
        ({"payload.allowed": False}, {"allowed": True}, False),
        ({"payload.tags": ["a"]}, {"tags": ["a"]}, False),
        ({"source_id": "C1"}, {}, True),
        ({"zone_id": ["Z2"]}, {}, False),
    ],
)
def test_payload_tests(
    where: dict[str, object], payload: dict[str, object], matches: bool
) -> None:
    rule = {"id": "r", "kind": "condition", "when": {"kinds": ["k"], "where": where}}
    found = engine(rule).process([event("k", NOON, "C1", **payload)])
    assert bool(found) is matches


def test_sources_and_ports_restrict_the_rule() -> None:
    by_source = {
        "id": "s",
        "kind": "condition",
        "when": {"kinds": ["k"], "sources": ["C2"]},
    }
    by_port = {
        "id": "p",
        "kind": "condition",
        "ports": [OTHER_PORT],
        "when": {"kinds": ["k"]},
    }
    e = engine(by_source, by_port)
    assert ids(e.process([event("k", NOON, "C1")])) == []
    assert ids(e.process([event("k", NOON, "C2")])) == ["s"]
    assert ids(e.process([event("k", NOON, "ZF1", port=OTHER_PORT)])) == ["p"]


def test_a_disabled_rule_never_matches() -> None:
    rule = {
        "id": "off",
        "kind": "condition",
        "enabled": False,
        "when": {"kinds": ["k"]},
    }
    assert engine(rule).process([event("k", NOON)]) == []


NIGHT = {
    "id": "night",
    "kind": "condition",
    "when": {"kinds": ["k"], "time_of_day": {"from": "22:00", "to": "06:00"}},
}


@pytest.mark.parametrize(
    ("at", "matches"),
    [
        (local(2025, 4, 22, 21, 59, 59.9), False),
        (local(2025, 4, 22, 22, 0), True),
        (local(2025, 4, 22, 23, 59, 59), True),
        (local(2025, 4, 23, 0, 0), True),
        (local(2025, 4, 23, 5, 59, 59.9), True),
        (local(2025, 4, 23, 6, 0), False),
        (local(2025, 4, 22, 12, 0), False),
    ],
)
def test_a_night_window_crosses_midnight(at: float, matches: bool) -> None:
    assert bool(engine(NIGHT).process([event("k", at)])) is matches


@pytest.mark.parametrize(
    ("utc_hour", "day", "matches"),
    [
        # Winter (UTC+1): 21:30 UTC is 22:30 in Brussels; 20:30 UTC is 21:30.
        (21.5, (2025, 1, 15), True),
        (20.5, (2025, 1, 15), False),
        # Summer (UTC+2): 20:30 UTC is already 22:30 in Brussels.
        (20.5, (2025, 7, 15), True),
        (4.5, (2025, 7, 15), False),  # 06:30 local
        (3.5, (2025, 7, 15), True),  # 05:30 local
    ],
)
def test_the_window_is_in_the_port_s_local_time(
    utc_hour: float, day: tuple[int, int, int], matches: bool
) -> None:
    import datetime as dt

    at = dt.datetime(*day, tzinfo=dt.UTC).timestamp() + utc_hour * 3600
    assert bool(engine(NIGHT).process([event("k", at)])) is matches


def test_the_window_follows_the_change_to_summer_time() -> None:
    # 30 March 2025: at 01:00 UTC the clocks go from 02:00 to 03:00 in Brussels.
    early = {
        "id": "early",
        "kind": "condition",
        "when": {"kinds": ["k"], "time_of_day": {"from": "03:00", "to": "03:30"}},
    }
    change = 1743296400.0  # 2025-03-30 01:00 UTC
    e = engine(early)
    assert ids(e.process([event("k", change - 1)])) == []  # 01:59:59 local
    assert ids(e.process([event("k", change)])) == ["early"]  # 03:00 local
    assert ids(e.process([event("k", change + 1799)])) == ["early"]
    assert ids(e.process([event("k", change + 1800)])) == []


def test_the_window_follows_the_change_to_winter_time() -> None:
    # 26 October 2025: at 01:00 UTC the clocks go from 03:00 back to 02:00.
    twice = {
        "id": "twice",
        "kind": "condition",
        "when": {"kinds": ["k"], "time_of_day": {"from": "02:00", "to": "02:30"}},
    }
    change = 1761440400.0  # 2025-10-26 01:00 UTC
    e = engine(twice)
    # 02:00-02:30 happens twice: 00:00-00:30 UTC and 01:00-01:30 UTC.
    assert ids(e.process([event("k", change - 3600)])) == ["twice"]
    assert ids(e.process([event("k", change - 1800)])) == []  # 02:30 (summer)
    assert ids(e.process([event("k", change)])) == ["twice"]  # 02:00 (winter)
    assert ids(e.process([event("k", change + 1800)])) == []


def test_weekdays_name_the_day_the_window_starts() -> None:
    friday_night = {
        "id": "fri",
        "kind": "condition",
        "when": {
            "kinds": ["k"],
            "time_of_day": {"from": "22:00", "to": "06:00", "weekdays": ["fri"]},
        },
    }
    e = engine(friday_night)
    assert ids(e.process([event("k", local(2025, 4, 25, 23))])) == ["fri"]  # Friday
    assert ids(e.process([event("k", local(2025, 4, 26, 3))])) == ["fri"]  # Sat 03:00
    assert ids(e.process([event("k", local(2025, 4, 26, 23))])) == []  # Saturday
    assert ids(e.process([event("k", local(2025, 4, 25, 3))])) == []  # Fri 03:00


def test_the_minimum_security_level_reads_the_port_and_the_zone() -> None:
    rule = {
        "id": "lvl",
        "kind": "condition",
        "when": {"kinds": ["fence.alarm"], "min_security_level": 2},
    }
    e = engine(rule)
    assert e.process([event("fence.alarm", NOON, "F1")]) == []
    e.set_security_level(PORT, 2)
    assert ids(e.process([event("fence.alarm", NOON, "F1")])) == ["lvl"]
    e.set_security_level(PORT, 1)
    e.set_security_level(PORT, 3, zone_id="Z2")
    assert e.process([event("fence.alarm", NOON, "F1")]) == []
    assert ids(e.process([event("fence.alarm", NOON, "F3")])) == ["lvl"]
    with pytest.raises(ValueError, match="security level 4"):
        e.set_security_level(PORT, 4)


def test_an_exercise_event_gives_an_exercise_match_in_its_own_alert() -> None:
    rule = {"id": "r", "kind": "condition", "when": {"kinds": ["k"]}}
    e = engine(rule)
    [live] = e.process([event("k", NOON)])
    [drill] = e.process([event("k", NOON + 1, exercise=True)])
    assert not live.exercise
    assert drill.exercise
    assert drill.dedup_key == live.dedup_key + "|exercise"
    assert drill.count == 1


def test_an_unknown_port_uses_the_default_time_zone_and_level_one() -> None:
    rule = {
        "id": "r",
        "kind": "condition",
        "when": {"kinds": ["k"], "time_of_day": {"from": "10:00", "to": "11:00"}},
    }
    e = engine(rule, default_timezone="UTC")
    ten_utc = local(2025, 4, 22, 12)  # 10:00 UTC
    assert ids(e.process([event("k", ten_utc, "X", port="NLRTM")])) == ["r"]
    assert e.security_level("NLRTM", None) == 1
