"""Watch lists: plates, containers, vessels and people on named lists."""

from __future__ import annotations

from port2port.rules import canonical
from port2port.rules.tests.builders import NOON, engine, event, ids, vessel

PLATES = {
    "id": "watched-plate",
    "kind": "watchlist",
    "severity": "high",
    "match": {"kinds": ["anpr.read", "gate.decision"]},
    "fields": ["payload.plate"],
    "lists": ["bans", "bulletin-2025-14"],
}


def test_a_read_plate_on_a_list_matches_whatever_its_separators() -> None:
    e = engine(PLATES, watchlists={"bans": ["1-ABC-123"], "bulletin-2025-14": []})
    [match] = e.process([event("anpr.read", NOON, "A1", plate="1abc 123")])
    assert match.details == {
        "list": "bans",
        "field": "payload.plate",
        "value": "1ABC123",
    }
    assert match.dedup_key == "watched-plate|BEANR|bans:1ABC123"
    assert e.process([event("anpr.read", NOON, "A1", plate="1ABC124")]) == []


def test_the_caller_updates_the_lists() -> None:
    e = engine(PLATES)
    read = {"plate": "2-DEF-456"}
    assert e.process([event("gate.decision", NOON, "G1", **read)]) == []
    e.set_watchlist("bulletin-2025-14", ["2DEF456", "3GHI789"])
    [match] = e.process([event("gate.decision", NOON + 1, "G1", **read)])
    assert match.details["list"] == "bulletin-2025-14"
    e.set_watchlist("bans", ["2DEF456"])
    found = e.process([event("gate.decision", NOON + 2, "G1", **read)])
    assert [m.details["list"] for m in found] == ["bans", "bulletin-2025-14"]
    e.remove_watchlist("bulletin-2025-14")
    e.set_watchlist("bans", [])
    assert e.process([event("gate.decision", NOON + 3, "G1", **read)]) == []


def test_a_vessel_by_mmsi_or_imo_and_a_container_number() -> None:
    vessels = {
        "id": "vessel",
        "kind": "watchlist",
        "match": {"kinds": ["ais.position"]},
        "fields": ["payload.mmsi", "payload.imo"],
        "lists": ["vessels"],
    }
    containers = {
        "id": "container",
        "kind": "watchlist",
        "match": {"kinds": ["gate.decision"]},
        "fields": ["payload.container"],
        "lists": ["containers"],
    }
    e = engine(
        vessels,
        containers,
        watchlists={"vessels": [205123000, "9321483"], "containers": ["MSKU 123456-7"]},
    )
    by_mmsi = vessel(NOON, 205123000, (4.3, 51.3))
    assert ids(e.process([by_mmsi])) == ["vessel"]
    by_imo = vessel(NOON, 1, (4.3, 51.3))
    by_imo.payload["imo"] = 9321483  # type: ignore[index]
    assert [m.details["value"] for m in e.process([by_imo])] == ["9321483"]
    box = event("gate.decision", NOON, "G1", container="msku1234567")
    assert ids(e.process([box])) == ["container"]


def test_missing_and_unhashable_values_are_skipped() -> None:
    e = engine(PLATES, watchlists={"bans": ["1ABC123"]})
    assert e.process([event("anpr.read", NOON, "A1")]) == []
    assert e.process([event("anpr.read", NOON, "A1", plate=None)]) == []
    assert e.process([event("anpr.read", NOON, "A1", plate=["1ABC123"])]) == []


def test_canonical() -> None:
    assert canonical("1-abc-123") == "1ABC123"
    assert canonical(" msku 123456-7 ") == "MSKU1234567"
    assert canonical(205123000) == "205123000"
    assert canonical("Ä-1") == "Ä1"
    assert canonical("a+b") == "AB"
