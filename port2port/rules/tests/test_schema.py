"""Rules as dicts: validation with clear errors, and round trips through YAML."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from port2port.rules import (
    AbsenceRule,
    ApproachRule,
    ConditionRule,
    CorrelationRule,
    CountRule,
    EventFilter,
    FieldTest,
    GeofenceRule,
    LoiterRule,
    Op,
    Relation,
    Rule,
    RuleError,
    Severity,
    TimeOfDay,
    VesselFilter,
    WatchlistRule,
    rule_from_dict,
    rule_to_dict,
    rule_validate,
)

DOC = Path(__file__).resolve().parents[3] / "docs" / "modules" / "detection-engine.md"


def doc_examples() -> list[dict[str, Any]]:
    """Return the rules written as YAML in the module's documentation."""
    yaml = pytest.importorskip("yaml")
    blocks = re.findall(r"```yaml\n(.*?)```", DOC.read_text(), flags=re.S)
    return [yaml.safe_load(block) for block in blocks]


def test_the_documented_examples_are_valid_and_cover_every_kind() -> None:
    examples = doc_examples()
    rules = [rule_from_dict(example) for example in examples]
    kinds = {type(rule) for rule in rules}
    assert kinds == {
        ConditionRule,
        CorrelationRule,
        CountRule,
        WatchlistRule,
        GeofenceRule,
        LoiterRule,
        ApproachRule,
        AbsenceRule,
    }
    for example, rule in zip(examples, rules, strict=True):
        assert rule_from_dict(rule_to_dict(rule)) == rule
        assert rule_to_dict(rule) == _normal(example), example["id"]


def _normal(example: dict[str, Any]) -> dict[str, Any]:
    """Return a documented example as ``rule_to_dict`` writes it."""
    return rule_to_dict(rule_from_dict(example))


def test_a_rule_goes_through_yaml_and_json_unchanged() -> None:
    yaml = pytest.importorskip("yaml")
    data = {
        "id": "night-intrusion",
        "kind": "correlation",
        "name": "Confirmed intrusion at night",
        "severity": "critical",
        "ports": ["BEANR"],
        "first": {
            "kinds": ["fence.alarm"],
            "time_of_day": {"from": "22:00", "to": "06:00", "weekdays": ["mon", "fri"]},
        },
        "then": {
            "kinds": ["camera.detection"],
            "where": {"payload.label": "person", "payload.score": {"gte": 0.7}},
        },
        "within_s": 60,
        "relation": "covers",
    }
    rule = rule_from_dict(data)
    assert rule_to_dict(rule) == data
    assert rule_from_dict(yaml.safe_load(yaml.safe_dump(rule_to_dict(rule)))) == rule
    assert rule_from_dict(json.loads(json.dumps(rule_to_dict(rule)))) == rule


def test_yaml_reads_an_unquoted_time_as_minutes_which_is_accepted() -> None:
    yaml = pytest.importorskip("yaml")
    data = yaml.safe_load(
        "id: r\nkind: condition\nwhen:\n  kinds: [k]\n  time_of_day: {from: 22:00, to: 6:30}\n"
    )
    assert data["when"]["time_of_day"] == {"from": 1320, "to": 390}
    rule = rule_from_dict(data)
    assert isinstance(rule, ConditionRule)
    assert rule.when.time_of_day == TimeOfDay(1320, 390)


def test_defaults_are_left_out_and_filled_in() -> None:
    rule = rule_from_dict({"id": "r", "kind": "condition", "when": {"kinds": "k"}})
    assert rule == ConditionRule(id="r", when=EventFilter(kinds=frozenset({"k"})))
    assert rule.severity is Severity.MEDIUM
    assert rule.aggregate_s == 600
    assert rule_to_dict(rule) == {
        "id": "r",
        "kind": "condition",
        "when": {"kinds": ["k"]},
    }


def _errors(data: object) -> list[str]:
    return rule_validate(data)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ([], ["must be a mapping, not a list"]),
        (
            {},
            [
                "id: is required",
                "kind: must be one of condition, correlation, count, watchlist, geofence, absence, not nothing",
            ],
        ),
        (
            {"id": "bad id!", "kind": "condition", "when": {"kinds": ["k"]}},
            [
                "id: 'bad id!' must be 1 to 100 letters, digits or . _ : - starting with a letter or digit"
            ],
        ),
        ({"id": "r", "kind": "condition"}, ["when: is required"]),
        (
            {"id": "r", "kind": "condition", "when": {}},
            ["when.kinds: is required (one or more event kinds)"],
        ),
        (
            {"id": "r", "kind": "condition", "when": {"kinds": ["k"], "zone": ["Z1"]}},
            ["when.zone: is not a known field"],
        ),
        (
            {
                "id": "r",
                "kind": "condition",
                "severity": "urgent",
                "when": {"kinds": ["k"]},
            },
            [
                "severity: must be one of info, low, medium, high, critical, not 'urgent'"
            ],
        ),
        (
            {
                "id": "r",
                "kind": "condition",
                "when": {
                    "kinds": ["k"],
                    "time_of_day": {"from": "25:00", "to": "06:00"},
                },
            },
            [
                "when.time_of_day.from: '25:00' is not a time of day between 00:00 and 24:00"
            ],
        ),
        (
            {
                "id": "r",
                "kind": "condition",
                "when": {"kinds": ["k"], "time_of_day": {"from": "ten", "to": "06:00"}},
            },
            ["when.time_of_day.from: 'ten' is not a time of day HH:MM"],
        ),
        (
            {
                "id": "r",
                "kind": "condition",
                "when": {
                    "kinds": ["k"],
                    "time_of_day": {"from": "06:00", "to": "06:00"},
                },
            },
            ["when.time_of_day: the window is empty (start equals end)"],
        ),
        (
            {
                "id": "r",
                "kind": "condition",
                "when": {
                    "kinds": ["k"],
                    "time_of_day": {
                        "from": "06:00",
                        "to": "07:00",
                        "weekdays": ["funday"],
                    },
                },
            },
            [
                "when.time_of_day.weekdays[0]: 'funday' is not a weekday (mon..sun or 0..6)"
            ],
        ),
        (
            {
                "id": "r",
                "kind": "condition",
                "when": {"kinds": ["k"], "min_security_level": 4},
            },
            ["when.min_security_level: must be between 0 and 3, not 4"],
        ),
        (
            {
                "id": "r",
                "kind": "condition",
                "when": {"kinds": ["k"], "where": {"label": "person"}},
            },
            [
                "when.where.label: 'label' must start with one of id, source_id, port_id, zone_id, kind, payload"
            ],
        ),
        (
            {
                "id": "r",
                "kind": "condition",
                "when": {"kinds": ["k"], "where": {"payload.score": {"above": 1}}},
            },
            [
                "when.where.payload.score.above: is not a test; use one of equals, not_equals, in, not_in, gte, lte, exists"
            ],
        ),
        (
            {
                "id": "r",
                "kind": "condition",
                "when": {"kinds": ["k"], "where": {"payload.score": {"gte": "high"}}},
            },
            ["when.where.payload.score.gte: must be a number, not text"],
        ),
        (
            {
                "id": "r",
                "kind": "condition",
                "when": {"kinds": ["k"], "where": {"payload.label": {"in": []}}},
            },
            ["when.where.payload.label.in: must be a non-empty list"],
        ),
        (
            {
                "id": "r",
                "kind": "condition",
                "aggregate_s": -1,
                "when": {"kinds": ["k"]},
            },
            ["aggregate_s: must be at least 0 and at most 604800, not -1"],
        ),
        (
            {
                "id": "r",
                "kind": "condition",
                "trigger": "enter",
                "when": {"kinds": ["k"]},
            },
            ["trigger: is only used by geofence rules"],
        ),
        (
            {
                "id": "r",
                "kind": "correlation",
                "first": {"kinds": ["a"]},
                "then": {"kinds": ["b"]},
                "relation": "distance",
            },
            [
                "distance_m: is required when the relation is distance",
                "within_s: is required",
            ],
        ),
        (
            {
                "id": "r",
                "kind": "correlation",
                "first": {"kinds": ["a"]},
                "then": {"kinds": ["b"]},
                "within_s": 0,
                "relation": "same_value",
            },
            [
                "field: is required when the relation is same_value",
                "within_s: must be more than 0 and at most 604800, not 0",
            ],
        ),
        (
            {
                "id": "r",
                "kind": "correlation",
                "first": {"kinds": ["a"]},
                "then": {"kinds": ["b"]},
                "within_s": 5,
                "distance_m": 10,
            },
            ["distance_m: is only used when the relation is distance"],
        ),
        (
            {
                "id": "r",
                "kind": "count",
                "match": {"kinds": ["a"]},
                "within_s": 60,
                "group_by": "credential",
            },
            [
                "threshold: is required",
                "group_by: 'credential' must start with one of id, source_id, port_id, zone_id, kind, payload",
            ],
        ),
        (
            {
                "id": "r",
                "kind": "count",
                "match": {"kinds": ["a"]},
                "within_s": 60,
                "threshold": 0,
                "group_by": "payload.x",
            },
            ["threshold: must be between 1 and 100000, not 0"],
        ),
        (
            {
                "id": "r",
                "kind": "watchlist",
                "match": {"kinds": ["a"]},
                "fields": [],
                "lists": [],
            },
            [
                "fields: must be a non-empty list of field paths",
                "lists: must not be empty",
            ],
        ),
        (
            {"id": "r", "kind": "geofence", "trigger": "enter"},
            ["areas: name at least one area (areas or area_kinds)"],
        ),
        (
            {"id": "r", "kind": "geofence", "trigger": "drift", "areas": ["A"]},
            ["trigger: must be one of enter, loiter, approach, not 'drift'"],
        ),
        (
            {
                "id": "r",
                "kind": "geofence",
                "trigger": "approach",
                "distance_m": 50,
                "craft": {"ship_types": [300]},
            },
            ["craft.ship_types[0]: 300 is not an AIS ship type 0..255"],
        ),
        (
            {
                "id": "r",
                "kind": "geofence",
                "trigger": "loiter",
                "max_speed_kn": "slow",
            },
            ["max_speed_kn: must be a number, not text"],
        ),
        (
            {"id": "r", "kind": "absence", "heartbeat_s": 0},
            ["heartbeat_s: must be more than 0 and at most 604800, not 0"],
        ),
        (
            {"id": "r", "kind": "absence", "sources": [True]},
            ["sources[0]: must be text, not true/false"],
        ),
    ],
)
def test_validation_lists_every_problem_with_its_path(
    data: object, expected: list[str]
) -> None:
    assert _errors(data) == expected


def test_rule_from_dict_raises_one_error_with_every_problem() -> None:
    with pytest.raises(RuleError) as caught:
        rule_from_dict({"id": "r", "kind": "count", "match": {"kinds": ["a"]}})
    assert caught.value.rule_id == "r"
    assert caught.value.errors == [
        "within_s: is required",
        "threshold: is required",
        "group_by: is required",
    ]
    assert str(caught.value) == (
        "rule 'r': within_s: is required; threshold: is required; group_by: is required"
    )


def test_numbers_in_identifier_lists_become_text() -> None:
    rule = rule_from_dict({"id": "r", "kind": "absence", "sources": [12, "F1"]})
    assert isinstance(rule, AbsenceRule)
    assert rule.sources == frozenset({"12", "F1"})


# ----------------------------------------------------------------- round trips

names = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,8}", fullmatch=True)
name_sets = st.frozensets(names, max_size=3)
paths = st.sampled_from(
    [
        "payload.label",
        "payload.after.label",
        "payload.score",
        "source_id",
        "zone_id",
        "kind",
    ]
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1000, 1000),
    st.floats(-1e6, 1e6, allow_nan=False),
    st.text(max_size=8),
)
numbers = st.one_of(st.integers(-1000, 1000), st.floats(-1e6, 1e6, allow_nan=False))
seconds = st.one_of(st.integers(1, 604_800), st.floats(0.001, 604_800)).map(float)


@st.composite
def field_tests(draw: st.DrawFn, path: str) -> FieldTest:
    op = draw(st.sampled_from(list(Op)))
    if op in (Op.IN, Op.NOT_IN):
        value: Any = tuple(draw(st.lists(scalars, min_size=1, max_size=3)))
    elif op in (Op.GTE, Op.LTE):
        value = draw(numbers)
    elif op is Op.EXISTS:
        value = draw(st.booleans())
    else:
        value = draw(scalars)
    return FieldTest(path, op, value)


@st.composite
def times_of_day(draw: st.DrawFn) -> TimeOfDay:
    start = draw(st.integers(0, 1439))
    end = draw(st.integers(1, 1440).filter(lambda e: e % 1440 != start or e == 1440))
    return TimeOfDay(start, end, draw(st.frozensets(st.integers(0, 6), min_size=1)))


@st.composite
def filters(draw: st.DrawFn) -> EventFilter:
    chosen = draw(st.lists(paths, unique=True, max_size=3))
    return EventFilter(
        kinds=draw(st.frozensets(names, min_size=1, max_size=3)),
        zones=draw(name_sets),
        sources=draw(name_sets),
        time_of_day=draw(st.none() | times_of_day()),
        min_security_level=draw(st.integers(0, 3)),
        tests=tuple(draw(field_tests(path)) for path in chosen),
    )


@st.composite
def vessels(draw: st.DrawFn) -> VesselFilter:
    return VesselFilter(
        ship_types=draw(st.frozensets(st.integers(0, 255), max_size=3)),
        min_length_m=draw(st.none() | st.floats(0.5, 1000)),
        max_length_m=draw(st.none() | st.floats(0.5, 1000)),
        include_unknown=draw(st.booleans()),
    )


@st.composite
def rules(draw: st.DrawFn) -> Rule:
    base: dict[str, Any] = {
        "id": draw(names),
        "name": draw(st.text(max_size=10)),
        "description": draw(st.text(max_size=10)),
        "severity": draw(st.sampled_from(list(Severity))),
        "enabled": draw(st.booleans()),
        "ports": draw(name_sets),
        "aggregate_s": draw(st.just(0.0) | seconds),
        "dedup_by": tuple(draw(st.lists(paths, unique=True, max_size=2))),
    }
    kind = draw(
        st.sampled_from(
            [
                "condition",
                "correlation",
                "count",
                "watchlist",
                "enter",
                "loiter",
                "approach",
                "absence",
            ]
        )
    )
    if kind == "condition":
        return ConditionRule(**base, when=draw(filters()))
    if kind == "correlation":
        relation = draw(st.sampled_from(list(Relation)))
        return CorrelationRule(
            **base,
            first=draw(filters()),
            then=draw(filters()),
            within_s=draw(seconds),
            relation=relation,
            distance_m=draw(st.floats(0.5, 50_000))
            if relation is Relation.DISTANCE
            else None,
            field=draw(paths) if relation is Relation.SAME_VALUE else None,
            ordered=draw(st.booleans()),
        )
    if kind == "count":
        return CountRule(
            **base,
            match=draw(filters()),
            within_s=draw(seconds),
            threshold=draw(st.integers(1, 100)),
            group_by=draw(paths),
            distinct=draw(st.none() | paths),
        )
    if kind == "watchlist":
        return WatchlistRule(
            **base,
            match=draw(filters()),
            fields=tuple(draw(st.lists(paths, unique=True, min_size=1, max_size=2))),
            lists=tuple(draw(st.lists(names, unique=True, min_size=1, max_size=2))),
        )
    if kind == "enter":
        return GeofenceRule(
            **base,
            match=draw(filters()),
            key=draw(paths),
            areas=draw(st.frozensets(names, min_size=1, max_size=2)),
            area_kinds=draw(name_sets),
            vessel=draw(vessels()),
        )
    if kind == "loiter":
        return LoiterRule(
            **base,
            match=draw(filters()),
            max_speed_kn=draw(st.floats(0.1, 50)),
            duration_s=draw(seconds),
            areas=draw(name_sets),
            area_kinds=draw(name_sets),
            outside=draw(name_sets),
            outside_kinds=draw(name_sets),
            max_gap_s=draw(seconds),
            vessel=draw(vessels()),
        )
    if kind == "approach":
        return ApproachRule(
            **base,
            match=draw(filters()),
            distance_m=draw(st.floats(0.5, 50_000)),
            craft=draw(vessels()),
            target=draw(vessels()),
            moored_max_speed_kn=draw(st.floats(0, 50)),
            target_stale_s=draw(seconds),
            areas=draw(name_sets),
            area_kinds=draw(name_sets),
        )
    return AbsenceRule(
        **base,
        sources=draw(name_sets),
        source_kinds=draw(name_sets),
        heartbeat_s=draw(st.none() | seconds),
        kinds=draw(name_sets),
    )


@settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(rules())
def test_every_rule_survives_the_dict_form_and_json(rule: Rule) -> None:
    data = rule_to_dict(rule)
    assert rule_validate(data) == []
    assert rule_from_dict(data) == rule
    assert rule_from_dict(json.loads(json.dumps(data))) == rule
    assert rule_to_dict(rule_from_dict(data)) == data


@settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(rules())
def test_every_rule_survives_yaml(rule: Rule) -> None:
    yaml = pytest.importorskip("yaml")
    assert rule_from_dict(yaml.safe_load(yaml.safe_dump(rule_to_dict(rule)))) == rule
