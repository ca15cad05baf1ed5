"""The framework-free half of the detection benchmark: the rules engine and AIS.

``bench/detection.py`` imports this module for two of its figures:

- :func:`rules_figures`: 100 rules of every kind over three Belgian ports and a
  synthetic stream of 500,000 events (AIS positions, camera detections, ANPR
  reads, gate decisions, fence alarms, heartbeats, drone detections) fed to
  one ``port2port.rules.Engine`` on one core;
- :func:`ais_figures`: 200,000 NMEA sentences (positions of types 1, 2, 3, 18,
  19 and 27, static data of types 5 in two parts and 24 A/B) decoded, tracked
  and turned into events that the geofence rules judge.

Both print what they measure and return a dict; the keys
``rules_events_per_s`` and ``ais_sentences_per_s`` are the headline figures.
Each figure is the best of a few passes (as ``timeit`` does), because the
2-core machine is shared. :func:`polygon_figures` compares the engine's
point-in-polygon test with shapely's prepared geometry when shapely is
installed. Running this file runs all three.
"""

from __future__ import annotations

import gc
import itertools
import math
import random
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyais
from pyais.encode import encode_dict

_HERE = Path(__file__).resolve().parent
if str(_HERE.parent) not in sys.path:
    sys.path.insert(0, str(_HERE.parent))

from port2port.ais import AisFeed, NmeaDecoder, VesselTracker  # noqa: E402
from port2port.rules import (  # noqa: E402
    Area,
    Engine,
    Event,
    Polygon,
    Port,
    Rule,
    Source,
    Topology,
    rule_from_dict,
)
from port2port.rules.geometry import METRES_PER_DEGREE  # noqa: E402

SEED = 7
#: UN/LOCODE -> the centre of its port area (research/domain.md §17.2).
PORTS: dict[str, tuple[float, float]] = {
    "BEANR": (4.3367, 51.2993),
    "BEZEE": (3.2097, 51.3343),
    "BEGNE": (3.7400, 51.1058),
}
TIMEZONE = "Europe/Brussels"
N_ZONES = 8
N_FENCES = 40
N_CAMERAS = 30
N_ANPR = 10
N_GATES = 15
N_DRONE_DETECTORS = 2
N_BERTHS = 12
VESSELS_PER_PORT = 150
#: 2025-04-22 16:00 UTC (18:00 in Brussels): the stream runs into the night.
START = 1745337600.0
EVENTS_PER_SECOND = 25.0
N_EVENTS = 500_000
CHUNK = 50_000

#: Event kind -> share of the stream.
MIX = (
    ("ais.position", 0.45),
    ("camera.detection", 0.25),
    ("anpr.read", 0.10),
    ("gate.decision", 0.12),
    ("fence.alarm", 0.005),
    ("sensor.heartbeat", 0.065),
    ("drone.detection", 0.01),
)


def _metres(lon: float, lat: float, east: float, north: float) -> tuple[float, float]:
    """Return the point ``east`` and ``north`` metres away from (lon, lat)."""
    return (
        lon + east / (METRES_PER_DEGREE * math.cos(math.radians(lat))),
        lat + north / METRES_PER_DEGREE,
    )


def _box(
    lon: float, lat: float, width: float, height: float, corners: int = 10
) -> tuple[tuple[float, float], ...]:
    """Return a closed-looking polygon (an ellipse) of the size given in metres."""
    return tuple(
        _metres(
            lon,
            lat,
            width / 2 * math.cos(2 * math.pi * k / corners),
            height / 2 * math.sin(2 * math.pi * k / corners),
        )
        for k in range(corners)
    )


# ----------------------------------------------------------------- the ports


class World:
    """Three ports: sources, zones, berths, restricted areas and vessels."""

    def __init__(self, seed: int = SEED) -> None:
        self.rnd = random.Random(seed)
        ports, sources, areas = [], [], []
        self.sources: dict[str, list[Source]] = {}
        self.berths: dict[str, list[tuple[float, float]]] = {}
        for code, (lon, lat) in PORTS.items():
            ports.append(Port(code, TIMEZONE, 1))
            own: list[Source] = []
            for i in range(N_FENCES):
                own.append(
                    Source(
                        f"{code}-F{i}",
                        code,
                        "fence",
                        f"{code}-Z{i % N_ZONES}",
                        heartbeat_s=300.0,
                        position=_metres(
                            lon, lat, 3000 * math.cos(i), 2000 * math.sin(i)
                        ),
                    )
                )
            for i in range(N_CAMERAS):
                covers = frozenset(
                    {
                        f"{code}-F{(2 * i) % N_FENCES}",
                        f"{code}-F{(2 * i + 1) % N_FENCES}",
                    }
                )
                own.append(
                    Source(
                        f"{code}-C{i}",
                        code,
                        "camera",
                        f"{code}-Z{i % N_ZONES}",
                        heartbeat_s=300.0,
                        covers=covers,
                        position=_metres(
                            lon, lat, 2500 * math.cos(i * 1.3), 1800 * math.sin(i * 1.3)
                        ),
                    )
                )
            for i in range(N_ANPR):
                own.append(
                    Source(
                        f"{code}-A{i}",
                        code,
                        "anpr",
                        f"{code}-Z{i % N_ZONES}",
                        heartbeat_s=600.0,
                    )
                )
            for i in range(N_GATES):
                own.append(
                    Source(f"{code}-G{i}", code, "gate", f"{code}-Z{i % N_ZONES}")
                )
            for i in range(N_DRONE_DETECTORS):
                own.append(
                    Source(
                        f"{code}-D{i}",
                        code,
                        "drone_detector",
                        None,
                        heartbeat_s=120.0,
                        position=_metres(lon, lat, 1000 * (i - 0.5), 0),
                    )
                )
            self.sources[code] = own
            sources.extend(own)
            quay = []
            for i in range(N_BERTHS):
                centre = _metres(lon, lat, -1800 + 330 * i, -300)
                quay.append(centre)
                areas.append(
                    Area(f"{code}-B{i}", (_box(*centre, 300, 60),), "berth", code)
                )
            self.berths[code] = quay
            for i in range(3):
                areas.append(
                    Area(
                        f"{code}-R{i}",
                        (
                            _box(
                                *_metres(lon, lat, -1500 + 1500 * i, 600), 500, 300, 16
                            ),
                        ),
                        "restricted",
                        code,
                    )
                )
            areas.append(
                Area(
                    f"{code}-W", (_box(lon, lat, 9000, 3000, 24),), "port_waters", code
                )
            )
        self.topology = Topology.of(ports, sources, areas)
        self.vessels = {code: self._vessels(code) for code in PORTS}
        #: Vessels report as often as AIS makes them (research/performance.md
        #: §1.6), so the stream picks them in proportion.
        self.report_weights = {
            code: list(itertools.accumulate(report_rate(v) for v in vessels))
            for code, vessels in self.vessels.items()
        }
        self.plates = [
            f"{self.rnd.randint(1, 2)}-{''.join(self.rnd.choices('ABCDEFGHJKLMNPRSTVWXYZ', k=3))}-{self.rnd.randint(0, 999):03d}"
            for _ in range(5000)
        ]
        self.credentials = [f"P{n:06d}" for n in range(20_000)]
        self.containers = [f"MSKU{n:06d}{n % 10}" for n in range(5000)]
        self.watched_plates = self.plates[::500]
        self.watched_containers = self.containers[::400]
        self.watched_persons = self.credentials[::2000]
        self.probers = self.credentials[-30:]

    def _vessels(self, code: str) -> list[dict[str, Any]]:
        rnd = self.rnd
        lon, lat = PORTS[code]
        vessels = []
        for i in range(VESSELS_PER_PORT):
            mmsi = 205_000_000 + len(PORTS) * 1000 * i + list(PORTS).index(code)
            if i < 40:  # moored at a berth
                berth = self.berths[code][i % N_BERTHS]
                position = _metres(*berth, rnd.uniform(-100, 100), rnd.uniform(-15, 15))
                state = {
                    "sog": 0.0,
                    "nav_status": 5,
                    "length_m": rnd.uniform(120, 360),
                    "ship_type": 70,
                }
            elif i < 120:  # under way in the port's waters
                position = _metres(
                    lon, lat, rnd.uniform(-4000, 4000), rnd.uniform(-1200, 1200)
                )
                state = {
                    "sog": rnd.uniform(3, 12),
                    "nav_status": 0,
                    "length_m": rnd.uniform(60, 300),
                    "ship_type": rnd.choice((70, 80, 60, 52)),
                }
            elif i < 135:  # slow, off the berths
                position = _metres(
                    lon, lat, rnd.uniform(-4000, 4000), rnd.uniform(600, 1200)
                )
                state = {
                    "sog": rnd.uniform(0.1, 0.8),
                    "nav_status": 0,
                    "length_m": rnd.uniform(80, 200),
                    "ship_type": 70,
                }
            else:  # small craft, some heading for the berths
                berth = self.berths[code][i % N_BERTHS]
                position = _metres(
                    *berth, rnd.uniform(-400, 400), rnd.uniform(-200, -40)
                )
                state = {
                    "sog": rnd.uniform(2, 6),
                    "nav_status": 15,
                    "length_m": rnd.uniform(6, 15),
                    "ship_type": 37,
                }
            state.update(
                mmsi=mmsi,
                imo=9_000_000 + i if i < 135 else None,
                name=f"VESSEL {code} {i}",
                position=position,
                cog=rnd.uniform(0, 360),
                last=START,
            )
            vessels.append(state)
        return vessels


def report_rate(vessel: dict[str, Any]) -> float:
    """Return the reports per second of a vessel, after its class and speed.

    Class A under way: every 10 s (6 s above 14 knots); at anchor or moored:
    every 3 minutes. Class B (the small craft here): every 30 s when moving.
    """
    if vessel["length_m"] < 20:
        return 1 / 30 if vessel["sog"] > 2 else 1 / 180
    if vessel["sog"] < 3 or vessel["nav_status"] == 5:
        return 1 / 180
    return 1 / 6 if vessel["sog"] > 14 else 1 / 10


# ----------------------------------------------------------------- the rules


def rule_dicts(world: World) -> list[dict[str, Any]]:
    """Return the 100 rules of the benchmark, as the dicts an operator writes."""
    out: list[dict[str, Any]] = []
    for code in PORTS:
        z = [f"{code}-Z{i}" for i in range(N_ZONES)]
        port = {"ports": [code]}
        out += [
            {
                "id": f"{code}-night-person",
                "kind": "condition",
                "severity": "high",
                **port,
                "when": {
                    "kinds": ["camera.detection"],
                    "zones": z[:2],
                    "time_of_day": {"from": "22:00", "to": "06:00"},
                    "where": {"payload.label": "person", "payload.score": {"gte": 0.6}},
                },
            },
            {
                "id": f"{code}-fence-level2",
                "kind": "condition",
                **port,
                "when": {"kinds": ["fence.alarm"], "min_security_level": 2},
            },
            {
                "id": f"{code}-drone",
                "kind": "condition",
                "severity": "high",
                **port,
                "when": {
                    "kinds": ["drone.detection"],
                    "where": {"payload.authorised": False},
                },
            },
            {
                "id": f"{code}-banned-at-gate",
                "kind": "condition",
                "severity": "critical",
                **port,
                "when": {
                    "kinds": ["gate.decision"],
                    "where": {
                        "payload.allowed": False,
                        "payload.reason": ["PORT_BAN", "PASS_REVOKED"],
                    },
                },
            },
            {
                "id": f"{code}-poor-plate",
                "kind": "condition",
                "severity": "low",
                **port,
                "when": {
                    "kinds": ["anpr.read"],
                    "zones": z[2:5],
                    "where": {"payload.confidence": {"lte": 0.4}},
                },
            },
            {
                "id": f"{code}-weekend-truck",
                "kind": "condition",
                "severity": "low",
                **port,
                "when": {
                    "kinds": ["camera.detection"],
                    "zones": [z[5]],
                    "time_of_day": {
                        "from": "00:00",
                        "to": "24:00",
                        "weekdays": ["sat", "sun"],
                    },
                    "where": {"payload.label": "truck"},
                },
            },
            {
                "id": f"{code}-sensor-fault",
                "kind": "condition",
                **port,
                "when": {
                    "kinds": ["sensor.heartbeat"],
                    "where": {"payload.status": "fault"},
                },
            },
            {
                "id": f"{code}-boat-seen",
                "kind": "condition",
                **port,
                "when": {
                    "kinds": ["camera.detection"],
                    "where": {"payload.label": ["boat", "kayak"]},
                },
            },
            # Correlations.
            {
                "id": f"{code}-intrusion",
                "kind": "correlation",
                "severity": "critical",
                **port,
                "first": {"kinds": ["fence.alarm"]},
                "then": {
                    "kinds": ["camera.detection"],
                    "where": {"payload.label": "person"},
                },
                "within_s": 60,
                "relation": "covers",
            },
            {
                "id": f"{code}-plate-then-denied",
                "kind": "correlation",
                **port,
                "first": {"kinds": ["anpr.read"]},
                "then": {
                    "kinds": ["gate.decision"],
                    "where": {"payload.allowed": False},
                },
                "within_s": 120,
                "relation": "same_value",
                "field": "payload.plate",
                "ordered": True,
            },
            {
                "id": f"{code}-drone-on-camera",
                "kind": "correlation",
                "severity": "high",
                **port,
                "first": {"kinds": ["drone.detection"]},
                "then": {"kinds": ["camera.detection"]},
                "within_s": 120,
                "relation": "distance",
                "distance_m": 300,
            },
            {
                "id": f"{code}-fence-twice",
                "kind": "correlation",
                **port,
                "first": {"kinds": ["fence.alarm"]},
                "then": {"kinds": ["fence.alarm"]},
                "within_s": 30,
                "relation": "same_zone",
            },
            {
                "id": f"{code}-person-then-denied",
                "kind": "correlation",
                **port,
                "first": {
                    "kinds": ["camera.detection"],
                    "where": {"payload.label": "person"},
                },
                "then": {
                    "kinds": ["gate.decision"],
                    "where": {"payload.allowed": False},
                },
                "within_s": 300,
                "relation": "same_zone",
                "ordered": True,
            },
            # Counts.
            {
                "id": f"{code}-probing",
                "kind": "count",
                "severity": "high",
                **port,
                "match": {
                    "kinds": ["gate.decision"],
                    "where": {"payload.allowed": False},
                },
                "within_s": 600,
                "threshold": 3,
                "group_by": "payload.credential",
                "distinct": "source_id",
            },
            {
                "id": f"{code}-plate-circling",
                "kind": "count",
                **port,
                "match": {"kinds": ["anpr.read"]},
                "within_s": 600,
                "threshold": 6,
                "group_by": "payload.plate",
            },
            {
                "id": f"{code}-crowd",
                "kind": "count",
                "severity": "low",
                **port,
                "match": {
                    "kinds": ["camera.detection"],
                    "where": {"payload.label": "person"},
                },
                "within_s": 60,
                "threshold": 30,
                "group_by": "zone_id",
            },
            {
                "id": f"{code}-fence-storm",
                "kind": "count",
                **port,
                "match": {"kinds": ["fence.alarm"]},
                "within_s": 300,
                "threshold": 3,
                "group_by": "zone_id",
            },
            {
                "id": f"{code}-gate-denials",
                "kind": "count",
                "severity": "low",
                **port,
                "match": {
                    "kinds": ["gate.decision"],
                    "where": {"payload.allowed": False},
                },
                "within_s": 300,
                "threshold": 10,
                "group_by": "source_id",
            },
            # Watch lists.
            {
                "id": f"{code}-watched-plate",
                "kind": "watchlist",
                "severity": "high",
                **port,
                "match": {"kinds": ["anpr.read"]},
                "fields": ["payload.plate"],
                "lists": ["bans", "bulletin"],
            },
            {
                "id": f"{code}-watched-gate-plate",
                "kind": "watchlist",
                **port,
                "match": {"kinds": ["gate.decision"]},
                "fields": ["payload.plate"],
                "lists": ["bans"],
            },
            {
                "id": f"{code}-watched-container",
                "kind": "watchlist",
                "severity": "high",
                **port,
                "match": {"kinds": ["gate.decision"]},
                "fields": ["payload.container"],
                "lists": ["containers"],
            },
            {
                "id": f"{code}-watched-vessel",
                "kind": "watchlist",
                "severity": "high",
                **port,
                "match": {"kinds": ["ais.position"]},
                "fields": ["payload.mmsi", "payload.imo"],
                "lists": ["vessels"],
            },
            {
                "id": f"{code}-watched-person",
                "kind": "watchlist",
                "severity": "critical",
                **port,
                "match": {"kinds": ["gate.decision"]},
                "fields": ["payload.credential"],
                "lists": ["persons"],
            },
            # Geofences.
            {
                "id": f"{code}-restricted",
                "kind": "geofence",
                "trigger": "enter",
                "severity": "high",
                **port,
                "areas": [f"{code}-R0", f"{code}-R1"],
            },
            {
                "id": f"{code}-restricted-small",
                "kind": "geofence",
                "trigger": "enter",
                **port,
                "area_kinds": ["restricted"],
                "vessel": {"max_length_m": 30, "include_unknown": True},
            },
            {
                "id": f"{code}-loiter",
                "kind": "geofence",
                "trigger": "loiter",
                **port,
                "max_speed_kn": 1,
                "duration_s": 1200,
                "area_kinds": ["port_waters"],
                "outside_kinds": ["berth"],
            },
            {
                "id": f"{code}-loiter-long",
                "kind": "geofence",
                "trigger": "loiter",
                "severity": "low",
                **port,
                "max_speed_kn": 0.5,
                "duration_s": 3600,
                "outside_kinds": ["berth"],
            },
            {
                "id": f"{code}-alongside",
                "kind": "geofence",
                "trigger": "approach",
                "severity": "high",
                **port,
                "distance_m": 50,
            },
            {
                "id": f"{code}-alongside-wide",
                "kind": "geofence",
                "trigger": "approach",
                "severity": "low",
                **port,
                "distance_m": 150,
                "craft": {"max_length_m": 25},
            },
            # Absence.
            {
                "id": f"{code}-fence-offline",
                "kind": "absence",
                **port,
                "source_kinds": ["fence"],
            },
            {
                "id": f"{code}-camera-offline",
                "kind": "absence",
                **port,
                "source_kinds": ["camera"],
            },
            {
                "id": f"{code}-anpr-offline",
                "kind": "absence",
                "severity": "low",
                **port,
                "source_kinds": ["anpr"],
                "heartbeat_s": 900,
            },
        ]
    out += [
        {
            "id": "fence-tamper",
            "kind": "condition",
            "severity": "high",
            "when": {"kinds": ["fence.tamper"]},
        },
        {
            "id": "any-restricted",
            "kind": "geofence",
            "trigger": "enter",
            "area_kinds": ["restricted"],
        },
        {
            "id": "any-loiter",
            "kind": "geofence",
            "trigger": "loiter",
            "outside_kinds": ["berth"],
        },
        {
            "id": "drone-detector-offline",
            "kind": "absence",
            "source_kinds": ["drone_detector"],
        },
    ]
    return out


def rules(world: World) -> list[Rule]:
    return [rule_from_dict(data) for data in rule_dicts(world)]


def watchlists(world: World) -> dict[str, list[object]]:
    vessels: list[object] = [
        v["mmsi"] for code in PORTS for v in world.vessels[code][::75]
    ]
    return {
        "bans": list(world.watched_plates[: len(world.watched_plates) // 2]),
        "bulletin": list(world.watched_plates[len(world.watched_plates) // 2 :]),
        "containers": list(world.watched_containers),
        "vessels": vessels,
        "persons": list(world.watched_persons),
    }


# ----------------------------------------------------------------- the stream


def events(
    world: World, n: int = N_EVENTS, chunk: int = CHUNK
) -> Iterator[list[Event]]:
    """Yield the stream in chunks (so that it never sits in memory whole)."""
    rnd = random.Random(SEED + 1)
    codes = list(PORTS)
    kinds = [kind for kind, _ in MIX]
    weights = [share for _, share in MIX]
    step = 1.0 / EVENTS_PER_SECOND
    now = START
    made = 0
    while made < n:
        batch: list[Event] = []
        for kind in rnd.choices(kinds, weights, k=min(chunk, n - made)):
            now += rnd.expovariate(1.0) * step
            code = rnd.choice(codes)
            made += 1
            batch.append(_event(world, rnd, kind, code, now, made))
        yield batch


def _event(
    world: World, rnd: random.Random, kind: str, code: str, now: float, n: int
) -> Event:
    own = world.sources[code]
    if kind == "ais.position":
        vessel = rnd.choices(
            world.vessels[code], cum_weights=world.report_weights[code]
        )[0]
        dt = now - vessel["last"]
        vessel["last"] = now
        sog = vessel["sog"]
        if sog > 1.0:
            heading = math.radians(vessel["cog"])
            lon, lat = _metres(
                *vessel["position"],
                math.sin(heading) * sog * 0.514 * dt,
                math.cos(heading) * sog * 0.514 * dt,
            )
            base_lon, base_lat = PORTS[code]
            if abs(lon - base_lon) > 0.06 or abs(lat - base_lat) > 0.015:
                vessel["cog"] = (vessel["cog"] + 180) % 360
            vessel["position"] = (lon, lat)
        payload = {
            "mmsi": vessel["mmsi"],
            "imo": vessel["imo"],
            "name": vessel["name"],
            "sog": round(max(0.0, sog + rnd.uniform(-0.2, 0.2)), 1) if sog else 0.0,
            "cog": round(vessel["cog"], 1),
            "heading": int(vessel["cog"]),
            "nav_status": vessel["nav_status"],
            "ship_type": vessel["ship_type"],
            "length_m": vessel["length_m"],
        }
        return Event(
            f"e{n}", now, f"{code}-AIS", code, kind, None, vessel["position"], payload
        )
    if kind in ("camera.detection", "sensor.heartbeat", "fence.alarm"):
        if kind == "fence.alarm":
            source = own[rnd.randrange(N_FENCES)]
            payload: dict[str, object] = {"confidence": round(rnd.random(), 2)}
        elif kind == "camera.detection":
            source = own[N_FENCES + rnd.randrange(N_CAMERAS)]
            payload = {
                "label": rnd.choices(
                    ("person", "car", "truck", "boat"), (30, 40, 29, 1)
                )[0],
                "score": round(rnd.uniform(0.4, 1.0), 2),
                "type": "new",
            }
        else:
            source = own[rnd.randrange(N_FENCES + N_CAMERAS + N_ANPR)]
            payload = {"status": "fault" if rnd.random() < 0.002 else "ok"}
        return Event(
            f"e{n}",
            now,
            source.id,
            code,
            kind,
            source.zone_id,
            source.position,
            payload,
        )
    if kind == "anpr.read":
        source = own[N_FENCES + N_CAMERAS + rnd.randrange(N_ANPR)]
        plate = (
            rnd.choice(world.plates[:300])
            if rnd.random() < 0.2
            else rnd.choice(world.plates)
        )
        payload = {
            "plate": plate,
            "confidence": round(rnd.uniform(0.3, 1.0), 2),
            "direction": "in",
        }
        return Event(f"e{n}", now, source.id, code, kind, source.zone_id, None, payload)
    if kind == "gate.decision":
        source = own[N_FENCES + N_CAMERAS + N_ANPR + rnd.randrange(N_GATES)]
        prober = rnd.random() < 0.01
        credential = (
            rnd.choice(world.probers) if prober else rnd.choice(world.credentials)
        )
        allowed = not prober and rnd.random() > 0.08
        payload = {
            "allowed": allowed,
            "credential": credential,
            "reason": ""
            if allowed
            else rnd.choice(
                ("NO_GRANT", "OUTSIDE_SCHEDULE", "PASS_EXPIRED", "PORT_BAN")
            ),
            "plate": rnd.choice(world.plates) if rnd.random() < 0.3 else None,
            "container": rnd.choice(world.containers) if rnd.random() < 0.2 else None,
        }
        return Event(f"e{n}", now, source.id, code, kind, source.zone_id, None, payload)
    source = own[
        N_FENCES + N_CAMERAS + N_ANPR + N_GATES + rnd.randrange(N_DRONE_DETECTORS)
    ]
    assert source.position is not None
    position = _metres(*source.position, rnd.uniform(-500, 500), rnd.uniform(-500, 500))
    payload = {"authorised": rnd.random() < 0.7, "remote_id": f"RID{rnd.randrange(50)}"}
    return Event(f"e{n}", now, source.id, code, kind, None, position, payload)


# ----------------------------------------------------------------- figures


def _best_pass(
    run: Callable[[], tuple[float, int, Any]], passes: int
) -> tuple[float, int, Any]:
    best: tuple[float, int, Any] | None = None
    for _ in range(passes):
        gc.collect()
        result = run()
        if best is None or result[0] < best[0]:
            best = result
    assert best is not None
    return best


def rules_figures(n: int = N_EVENTS, passes: int = 2) -> dict[str, Any]:
    """Time one engine with 100 rules over ``n`` events; print and return the figures."""
    world = World()
    rule_set = rules(world)
    assert len(rule_set) == 100, len(rule_set)
    lists = watchlists(world)
    chunks = list(events(world, n))

    def run() -> tuple[float, int, Any]:
        engine = Engine(rule_set, world.topology, watchlists=lists)
        engine.set_security_level("BEZEE", 2)
        elapsed = cpu = 0.0
        matches = []
        for chunk in chunks:
            started, started_cpu = time.perf_counter(), time.process_time()
            matches += engine.process(chunk)
            cpu += time.process_time() - started_cpu
            elapsed += time.perf_counter() - started
        return elapsed, len(matches), (engine, matches, cpu)

    elapsed, found, (engine, matches, cpu) = _best_pass(run, passes)
    per_rule: dict[str, int] = {}
    for match in matches:
        kind = (
            match.rule_id.split("-", 1)[-1]
            if match.rule_id[:2] == "BE"
            else match.rule_id
        )
        per_rule[kind] = per_rule.get(kind, 0) + 1
    alerts = sum(1 for match in matches if match.new)
    kept = sum(engine.state_size().values())
    span_h = (chunks[-1][-1].time - chunks[0][0].time) / 3600
    rate = n / elapsed
    print(
        f"rules engine: {n:,} events ({span_h:.1f} h of traffic in 3 ports), 100 rules: "
        f"{rate:,.0f} events/s on one core ({elapsed / n * 1e6:.2f} µs/event; "
        f"{n / cpu:,.0f}/s by the process's CPU time); "
        f"{found:,} matches folded into {alerts:,} alerts; {kept:,} items of state at the end",
        flush=True,
    )
    print(
        "  matches by rule: "
        + ", ".join(f"{k} {v}" for k, v in sorted(per_rule.items())),
        flush=True,
    )
    return {
        "rules_events_per_s": round(rate),
        "rules_matches": found,
        "rules_alerts": alerts,
        "rules_state_items": kept,
    }


# ----------------------------------------------------------------- AIS

N_SENTENCES = 200_000
SENTENCES_PER_SECOND = 100.0
#: Message type -> share of messages, after the real mix of research/performance.md
#: §1.6 (type 4 is a base station: decoded, not tracked).
AIS_MIX = (
    (1, 0.72),
    (3, 0.11),
    (4, 0.05),
    (5, 0.03),
    (2, 0.02),
    (18, 0.04),
    (24, 0.02),
    (19, 0.005),
    (27, 0.005),
)
PORT_BOUNDS = {
    code: (lon - 0.08, lat - 0.03, lon + 0.08, lat + 0.03)
    for code, (lon, lat) in PORTS.items()
}


def nmea_lines(world: World, n: int = N_SENTENCES) -> list[tuple[float, str]]:
    """Return ``n`` sentences with the time they were received, multi-part included."""
    rnd = random.Random(SEED + 2)
    types = [t for t, _ in AIS_MIX]
    shares = [share for _, share in AIS_MIX]
    vessels = [v for code in PORTS for v in world.vessels[code]]
    weights = list(itertools.accumulate(report_rate(v) for v in vessels))
    lines: list[tuple[float, str]] = []
    now = START
    sequence = 0
    while len(lines) < n:
        now += rnd.expovariate(SENTENCES_PER_SECOND)
        kind = rnd.choices(types, shares)[0]
        vessel = rnd.choices(vessels, cum_weights=weights)[0]
        if kind in (1, 2, 3, 18, 19, 27):
            if vessel["sog"] > 1.0:
                dt = now - vessel["last"]
                heading = math.radians(vessel["cog"])
                distance = vessel["sog"] * 0.514 * dt
                vessel["position"] = _metres(
                    *vessel["position"],
                    math.sin(heading) * distance,
                    math.cos(heading) * distance,
                )
            vessel["last"] = now
            lon, lat = vessel["position"]
            data: dict[str, Any] = {
                "type": kind,
                "mmsi": vessel["mmsi"],
                "lon": lon,
                "lat": lat,
                "speed": vessel["sog"],
                "course": round(vessel["cog"], 1) % 360,
                "heading": int(vessel["cog"]) % 360,
                "status": vessel["nav_status"] if vessel["nav_status"] < 15 else 0,
            }
            if kind == 27:
                data.update(
                    speed=min(int(vessel["sog"]), 62), course=int(vessel["cog"]) % 360
                )
            if kind == 19:
                data.update(
                    shipname=vessel["name"],
                    ship_type=vessel["ship_type"],
                    to_bow=int(vessel["length_m"] * 0.7),
                    to_stern=int(vessel["length_m"] * 0.3),
                )
        elif kind == 4:
            data = {
                "type": 4,
                "mmsi": 2_050_000 + rnd.randrange(20),
                "lon": 3.2,
                "lat": 51.33,
                "year": 2025,
                "month": 4,
                "day": 22,
            }
        elif kind == 5:
            sequence = sequence % 9 + 1
            data = {
                "type": 5,
                "mmsi": vessel["mmsi"],
                "imo": vessel["imo"] or 0,
                "shipname": vessel["name"],
                "callsign": f"OR{vessel['mmsi'] % 10_000:04d}",
                "ship_type": vessel["ship_type"],
                "to_bow": int(vessel["length_m"] * 0.7),
                "to_stern": int(vessel["length_m"] * 0.3),
                "to_port": 10,
                "to_starboard": 10,
                "destination": "BEANR",
                "draught": 9.5,
            }
        else:
            part = rnd.randrange(2)
            data = {"type": 24, "mmsi": vessel["mmsi"], "partno": part}
            if part == 0:
                data["shipname"] = vessel["name"]
            else:
                data.update(
                    ship_type=vessel["ship_type"],
                    callsign="PD1234",
                    to_bow=int(vessel["length_m"]) - 2,
                    to_stern=2,
                    to_port=2,
                    to_starboard=2,
                )
        encoded = encode_dict(
            data,
            talker_id="AI",
            sentence_type="VDM",
            radio_channel=rnd.choice("AB"),
            seq_id=sequence if kind == 5 else None,
        )
        lines += [(now, line) for line in encoded]
    return lines[:n]


def _time_lines(run: Callable[[], None], passes: int) -> float:
    best = math.inf
    for _ in range(passes):
        gc.collect()
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def ais_figures(
    n: int = N_SENTENCES, passes: int = 2, batch: int = 100
) -> dict[str, Any]:
    """Time decoding, tracking and geofencing ``n`` sentences; print and return the figures."""
    world = World()
    stamped = nmea_lines(world, n)
    lines = [line for _, line in stamped]
    single = [line for line in lines if line.startswith("!AIVDM,1,1,")]
    multi = len(lines) - len(single)

    def pyais_only() -> None:
        for line in single:
            try:
                pyais.decode(line)
            except Exception:  # noqa: BLE001, S112 (a benchmark of the decoder alone)
                continue

    def decode(fast: bool) -> Callable[[], None]:
        def run() -> None:
            decoder = NmeaDecoder(fast=fast)
            for received, line in stamped:
                decoder.decode(line, received)

        return run

    batches = [
        (stamped[i][0], [line for _, line in stamped[i : i + batch]])
        for i in range(0, len(stamped), batch)
    ]
    rule_set = [
        r
        for r in rules(world)
        if "ais.position" in getattr(getattr(r, "match", None), "kinds", ())
    ]
    outcome: dict[str, Any] = {}

    def pipeline(fast: bool) -> Callable[[], None]:
        def run() -> None:
            feed = AisFeed(
                NmeaDecoder(fast=fast),
                VesselTracker(source_id="AIS", ports=PORT_BOUNDS),
            )
            engine = Engine(rule_set, world.topology, watchlists=watchlists(world))
            matches = events = 0
            for received, chunk in batches:
                made = feed.feed_lines(chunk, received)
                events += len(made)
                matches += len(engine.process(made))
            outcome.update(
                events=events,
                matches=matches,
                vessels=len(feed.tracker),
                stats=dict(feed.decoder.stats),
            )

        return run

    full = f"decoder + tracker + {len(rule_set)} geofence and watch-list rules"
    rates = {
        "pyais.decode (single-sentence lines)": len(single)
        / _time_lines(pyais_only, passes),
        "decoder, pyais for every type": n / _time_lines(decode(False), passes),
        "decoder, fast path for positions": n / _time_lines(decode(True), passes),
        f"{full}, pyais only": n / _time_lines(pipeline(False), passes),
        f"{full}, fast path": n / _time_lines(pipeline(True), passes),
    }
    print(
        f"AIS: {n:,} sentences ({multi:,} in multi-part messages), {len(rule_set)} rules "
        f"on the positions; {outcome['events']:,} events, {outcome['matches']:,} matches, "
        f"{outcome['vessels']} vessels; decoder counters {outcome['stats']}",
        flush=True,
    )
    for name, rate in rates.items():
        print(f"  {name:<66} {rate:>10,.0f} sentences/s", flush=True)
    return {
        "ais_sentences_per_s": round(rates[f"{full}, fast path"]),
        "ais_sentences_per_s_pyais_only": round(rates[f"{full}, pyais only"]),
        "ais_decode_per_s": round(rates["decoder, fast path for positions"]),
        "pyais_decode_per_s": round(rates["pyais.decode (single-sentence lines)"]),
    }


# ----------------------------------------------------------------- polygons


def polygon_figures(points: int = 100_000) -> dict[str, Any]:
    """Compare the engine's point-in-polygon test with shapely's, if installed."""
    rnd = random.Random(SEED + 3)
    out: dict[str, Any] = {}
    for corners in (10, 40, 400):
        ring = _box(*PORTS["BEANR"], 600, 300, corners)
        polygon = Polygon((ring,))
        lon, lat = PORTS["BEANR"]
        near = [
            _metres(lon, lat, rnd.uniform(-350, 350), rnd.uniform(-200, 200))
            for _ in range(points)
        ]
        far = [
            _metres(lon, lat, rnd.uniform(-5000, 5000), rnd.uniform(-3000, 3000))
            for _ in range(points)
        ]
        for label, sample in (("near", near), ("anywhere", far)):
            started = time.perf_counter()
            for x, y in sample:
                polygon.contains(x, y)
            ours = (time.perf_counter() - started) / points * 1e9
            line = f"  {corners:>3} corners, points {label:<8}: ours {ours:6.0f} ns"
            try:
                import shapely
            except ImportError:
                line += " (shapely not installed)"
            else:
                prepared = shapely.Polygon(ring)
                shapely.prepare(prepared)
                started = time.perf_counter()
                for x, y in sample:
                    shapely.contains_xy(prepared, x, y)
                theirs = (time.perf_counter() - started) / points * 1e9
                line += f", shapely prepared contains_xy {theirs:6.0f} ns"
                out[f"shapely_ns_{corners}_{label}"] = round(theirs)
            out[f"ours_ns_{corners}_{label}"] = round(ours)
            print(line, flush=True)
    return out


def main() -> None:
    print(f"python {sys.version.split()[0]}", flush=True)
    n = int(sys.argv[1]) if len(sys.argv) > 1 else N_EVENTS
    sentences = int(sys.argv[2]) if len(sys.argv) > 2 else N_SENTENCES
    figures = rules_figures(n)
    figures.update(ais_figures(sentences))
    print("point in polygon, per point:", flush=True)
    figures.update(polygon_figures())
    print(figures)


if __name__ == "__main__":
    main()
