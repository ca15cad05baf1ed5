"""Small builders for rule-engine tests: a port, its sources and areas, events."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import zoneinfo
from collections.abc import Iterable
from typing import Any

from port2port.rules import (
    Area,
    Engine,
    Event,
    Match,
    Port,
    Rule,
    Source,
    Topology,
    rule_from_dict,
)
from port2port.rules.geometry import METRES_PER_DEGREE

BRUSSELS = zoneinfo.ZoneInfo("Europe/Brussels")
PORT = "BEANR"
OTHER_PORT = "BEZEE"
#: The centre of the Antwerp port area.
CENTRE = (4.3367, 51.2993)

_ids = itertools.count(1)


def local(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: float = 0
) -> float:
    """Return a Brussels wall-clock time as Unix seconds."""
    whole = int(second)
    return dt.datetime(
        year,
        month,
        day,
        hour,
        minute,
        whole,
        round((second - whole) * 1e6),
        tzinfo=BRUSSELS,
    ).timestamp()


# Tuesday 22 April 2025, noon in Brussels.
NOON = local(2025, 4, 22, 12)


def offset(
    east_m: float, north_m: float, origin: tuple[float, float] = CENTRE
) -> tuple[float, float]:
    """Return the position ``east_m`` and ``north_m`` metres from ``origin``."""
    lon, lat = origin
    return (
        lon + east_m / (METRES_PER_DEGREE * math.cos(math.radians(lat))),
        lat + north_m / METRES_PER_DEGREE,
    )


def square(
    east_m: float, north_m: float, side_m: float
) -> tuple[tuple[float, float], ...]:
    """Return a square ring of ``side_m`` metres whose south-west corner is given."""
    return (
        offset(east_m, north_m),
        offset(east_m + side_m, north_m),
        offset(east_m + side_m, north_m + side_m),
        offset(east_m, north_m + side_m),
    )


def topology() -> Topology:
    """Return Antwerp (and Zeebrugge) with fences, cameras, gates and areas.

    Camera C1 covers fence segments F1 and F2; C2 covers F3. The restricted
    area R1 is a 200 m square 1 km east of the centre; berth B1 a 300 by 300 m
    square south of the centre.
    """
    return Topology.of(
        ports=[Port(PORT, "Europe/Brussels"), Port(OTHER_PORT, "Europe/Brussels")],
        sources=[
            Source("F1", PORT, "fence", "Z1", heartbeat_s=300),
            Source("F2", PORT, "fence", "Z1", heartbeat_s=300),
            Source("F3", PORT, "fence", "Z2", heartbeat_s=300),
            Source("C1", PORT, "camera", "Z1", covers=frozenset({"F1", "F2"})),
            Source("C2", PORT, "camera", "Z2", covers=frozenset({"F3"})),
            Source("G1", PORT, "gate", "Z1"),
            Source("G2", PORT, "gate", "Z2"),
            Source("G3", PORT, "gate", "Z3"),
            Source("A1", PORT, "anpr", "Z1", heartbeat_s=600),
            Source("ZF1", OTHER_PORT, "fence", "ZZ1", heartbeat_s=300),
        ],
        areas=[
            Area("R1", (square(1000, 0, 200),), "restricted", PORT),
            Area("B1", (square(-150, -450, 300),), "berth", PORT),
            Area("W", (square(-5000, -3000, 10000),), "port_waters", PORT),
        ],
    )


def event(
    kind: str,
    time: float,
    source: str = "C1",
    *,
    port: str = PORT,
    zone: str | None = None,
    position: tuple[float, float] | None = None,
    exercise: bool = False,
    **payload: Any,
) -> Event:
    """Return an event with a fresh id (the zone defaults from the topology)."""
    if zone is None:
        found = topology().sources.get(source)
        zone = found.zone_id if found is not None else None
    return Event(
        f"e{next(_ids)}",
        time,
        source,
        port,
        kind,
        zone,
        position,
        payload,
        exercise,
    )


def vessel(
    time: float,
    mmsi: int,
    position: tuple[float, float],
    *,
    sog: float = 0.0,
    nav_status: int | None = 0,
    length_m: float | None = 200.0,
    ship_type: int | None = 70,
    port: str = PORT,
    exercise: bool = False,
) -> Event:
    """Return an ``ais.position`` event as the AIS tracker makes them."""
    return Event(
        f"v{next(_ids)}",
        time,
        "AIS",
        port,
        "ais.position",
        None,
        position,
        {
            "mmsi": mmsi,
            "imo": None,
            "sog": sog,
            "cog": 0.0,
            "nav_status": nav_status,
            "length_m": length_m,
            "ship_type": ship_type,
        },
        exercise,
    )


def engine(*rules: dict[str, Any] | Rule, **kwargs: Any) -> Engine:
    """Return an engine over the test topology with the given rules."""
    built = [rule_from_dict(r) if isinstance(r, dict) else r for r in rules]
    return Engine(built, kwargs.pop("topology", topology()), **kwargs)


def run(engine: Engine, events: Iterable[Event]) -> list[Match]:
    """Feed events one batch and return the matches."""
    return engine.process(events)


def ids(matches: Iterable[Match]) -> list[str]:
    """Return the rule ids of matches, in order."""
    return [match.rule_id for match in matches]
