"""Absence: a source silent for longer than its heartbeat is offline."""

from __future__ import annotations

from port2port.rules import Source, Topology
from port2port.rules.tests.builders import NOON, PORT, engine, event, ids, topology

FENCES = {
    "id": "fence-offline",
    "kind": "absence",
    "ports": [PORT],
    "source_kinds": ["fence"],
}


def test_a_silent_fence_segment_goes_offline_when_its_heartbeat_runs_out() -> None:
    e = engine(FENCES)
    e.process([event("sensor.heartbeat", NOON, s) for s in ("F1", "F2", "F3")])
    assert e.advance(NOON + 300) == []  # exactly the heartbeat: not yet late
    e.process([event("sensor.heartbeat", NOON + 250, s) for s in ("F1", "F3")])
    [offline] = e.advance(NOON + 300.5)
    assert offline.rule_id == "fence-offline"
    assert offline.time == NOON + 300  # when it became overdue, not when seen
    assert offline.details == {"source": "F2", "last_seen": NOON, "heartbeat_s": 300}
    assert offline.zone_id == "Z1"
    assert offline.events == ()
    assert offline.dedup_key == "fence-offline|BEANR|F2"


def test_it_fires_once_and_again_after_the_source_spoke() -> None:
    e = engine({**FENCES, "sources": ["F1"], "source_kinds": []})
    e.process([event("sensor.heartbeat", NOON, "F1")])
    assert ids(e.advance(NOON + 1000)) == ["fence-offline"]
    assert e.advance(NOON + 5000) == []
    e.process([event("sensor.heartbeat", NOON + 5000, "F1")])
    [again] = e.advance(NOON + 5400)
    assert again.time == NOON + 5300
    assert again.count == 1  # more than aggregate_s after the first: a new alert


def test_event_times_drive_the_clock_too() -> None:
    e = engine({**FENCES, "sources": ["F1"], "source_kinds": []})
    e.process([event("sensor.heartbeat", NOON, "F1")])
    later = event("camera.detection", NOON + 400, "C1")
    assert ids(e.process([later])) == ["fence-offline"]


def test_the_first_event_starts_every_clock() -> None:
    e = engine({**FENCES, "sources": ["F1"], "source_kinds": []})
    e.process([event("camera.detection", NOON, "C1")])
    [offline] = e.advance(NOON + 301)
    assert offline.details["last_seen"] == NOON


def test_a_late_event_from_the_source_itself_is_offline_first() -> None:
    e = engine({**FENCES, "sources": ["F1"], "source_kinds": []})
    e.process([event("sensor.heartbeat", NOON, "F1")])
    assert ids(e.process([event("sensor.heartbeat", NOON + 301, "F1")])) == [
        "fence-offline"
    ]


def test_only_the_named_kinds_and_no_exercise_event_are_signs_of_life() -> None:
    rule = {
        **FENCES,
        "sources": ["F1"],
        "source_kinds": [],
        "kinds": ["sensor.heartbeat"],
    }
    e = engine(rule)
    e.process(
        [
            event("sensor.heartbeat", NOON, "F1"),
            event("fence.alarm", NOON + 200, "F1"),
            event("sensor.heartbeat", NOON + 250, "F1", exercise=True),
        ]
    )
    assert ids(e.advance(NOON + 301)) == ["fence-offline"]


def test_the_rule_can_set_the_heartbeat_and_restrict_the_ports() -> None:
    rule = {**FENCES, "heartbeat_s": 60}
    e = engine(rule)
    e.process([event("sensor.heartbeat", NOON, "F1")])
    found = e.advance(NOON + 61)
    assert sorted(m.details["source"] for m in found) == ["F1", "F2", "F3"]  # not ZF1


def test_without_sources_every_source_with_a_heartbeat_is_watched() -> None:
    e = engine({"id": "all", "kind": "absence"})
    e.process([event("k", NOON, "C1")])
    found = e.advance(NOON + 10_000)
    assert sorted(m.details["source"] for m in found) == ["A1", "F1", "F2", "F3", "ZF1"]


def test_a_new_topology_keeps_the_clocks_and_watches_new_sources() -> None:
    e = engine({**FENCES, "ports": [PORT]})
    e.process([event("sensor.heartbeat", NOON, s) for s in ("F1", "F2", "F3")])
    base = topology()
    sources = dict(base.sources)
    sources["F4"] = Source("F4", PORT, "fence", "Z2", heartbeat_s=300)
    del sources["F3"]
    e.set_topology(Topology(ports=base.ports, sources=sources, areas=base.areas))
    e.process([event("sensor.heartbeat", NOON + 100, "F4")])
    found = e.advance(NOON + 301)
    assert sorted(m.details["source"] for m in found) == ["F1", "F2"]
    assert sorted(m.details["source"] for m in e.advance(NOON + 401)) == ["F4"]
