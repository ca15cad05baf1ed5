"""Repeats of one dedup key fold into one alert (a count and a last-seen time)."""

from __future__ import annotations

from port2port.rules import fold
from port2port.rules.tests.builders import NOON, engine, event

RULE = {"id": "r", "kind": "condition", "aggregate_s": 300, "when": {"kinds": ["k"]}}


def test_repeats_less_than_the_window_apart_fold_into_one_alert() -> None:
    e = engine(RULE)
    times = [NOON, NOON + 200, NOON + 400, NOON + 700.5, NOON + 701]
    matches = e.process([event("k", t, "C1") for t in times])
    assert [(m.count, m.first_time) for m in matches] == [
        (1, NOON),
        (2, NOON),
        (3, NOON),  # 200 s after the last one: the window slides
        (1, NOON + 700.5),  # 300.5 s of quiet: a new alert
        (2, NOON + 700.5),
    ]
    assert [m.new for m in matches] == [True, False, False, True, False]


def test_other_sources_make_other_alerts() -> None:
    matches = engine(RULE).process([event("k", NOON, "C1"), event("k", NOON + 1, "C2")])
    assert [(m.dedup_key, m.count) for m in matches] == [
        ("r|BEANR|C1", 1),
        ("r|BEANR|C2", 1),
    ]


def test_a_window_of_zero_never_folds() -> None:
    e = engine({**RULE, "aggregate_s": 0})
    matches = e.process([event("k", NOON, "C1"), event("k", NOON, "C1")])
    assert [m.count for m in matches] == [1, 1]
    assert e.state_size()["alerts"] == 0


def test_dedup_by_replaces_the_default_key() -> None:
    e = engine({**RULE, "dedup_by": ["zone_id", "payload.label"]})
    matches = e.process(
        [
            event("k", NOON, "C1", label="person"),
            event("k", NOON + 1, "F1", label="person"),  # same zone Z1
            event("k", NOON + 2, "C2", label="person"),
            event("k", NOON + 3, "C1"),
        ]
    )
    assert [(m.dedup_key, m.count) for m in matches] == [
        ("r|BEANR|Z1|person", 1),
        ("r|BEANR|Z1|person", 2),
        ("r|BEANR|Z2|person", 1),
        ("r|BEANR|Z1|", 1),
    ]


def test_open_alerts_are_forgotten_after_their_window() -> None:
    e = engine(RULE)
    e.process([event("k", NOON, "C1")])
    assert e.state_size()["alerts"] == 1
    e.advance(NOON + 400)
    assert e.state_size()["alerts"] == 0


def test_fold_gives_one_update_per_alert_and_batch() -> None:
    e = engine(RULE)
    first = e.process(
        [event("k", NOON + i, "C1") for i in range(5)] + [event("k", NOON, "C2")]
    )
    updates = fold(first)
    assert [(u.dedup_key, u.new, u.added, u.match.count) for u in updates] == [
        ("r|BEANR|C1", True, 5, 5),
        ("r|BEANR|C2", True, 1, 1),
    ]
    assert [ev.time for ev in updates[0].events] == [NOON + i for i in range(5)]
    second = fold(
        e.process([event("k", NOON + 10, "C1") for _ in range(3)]), max_events=2
    )
    assert [(u.new, u.added, u.match.count, len(u.events)) for u in second] == [
        (False, 3, 8, 2)
    ]
    assert second[0].first_time == NOON
