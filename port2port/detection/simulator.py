"""Live simulated traffic for the demo port, and scenarios as data files.

Each :meth:`Simulator.tick` sends what the sensors of the demo port would have
sent since the last tick: heartbeats, nuisance fence alarms (wind, animals)
at a normal false-alarm rate, camera detections, ANPR reads at the truck gates
(now and then a plate of the security bulletin), and the AIS sentences of a
few vessels moving along the Scheldt. Everything goes through the same
services as real traffic (``events_ingest`` and ``ais_ingest``).

A scenario (``scenarios/<name>.yaml``) is a list of steps at offsets in
seconds: an ``event`` of a source, or an ``ais`` report of a vessel. It is run
alone (``simulate --scenario NAME [--exercise]``) or injected every few
minutes by the live loop.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pyais.encode import encode_dict

from port2port.ais import AisFeed
from port2port.core.models import Vehicle
from port2port.detection import demo, services
from port2port.detection.models import Source

SCENARIOS_DIR = Path(__file__).resolve().parent / "scenarios"
# What the live loop injects every few minutes.
LIVE_SCENARIO = "night-intrusion"

HEARTBEAT_EVERY_S = 60.0
# The whole fence raises about 12 nuisance alarms an hour (wind, birds, foxes),
# of which the cameras see a person now and then (a worker on the other side).
FENCE_NUISANCE_PER_HOUR = 12.0
CAMERA_PERSON_PER_HOUR = 3.0
TRUCKS_PER_GATE_PER_HOUR = 90.0
UNREADABLE_PLATE = 0.04
BULLETIN_PLATE_PER_HOUR = 2.0
AIS_EVERY_S = 10.0
AIS_STATIC_EVERY_S = 360.0
KNOT_M_S = 1852.0 / 3600.0

# The fairway from Vlissingen up the Western Scheldt to the Deurganck dock.
SCHELDT: tuple[tuple[float, float], ...] = (
    (3.580, 51.440),
    (3.720, 51.415),
    (3.850, 51.375),
    (3.950, 51.400),
    (4.020, 51.430),
    (4.120, 51.410),
    (4.210, 51.385),
    (4.255, 51.355),
    (4.275, 51.325),
    (4.268, 51.305),
    (4.256, 51.292),
    (4.254, 51.280),
)


def imo_number(base: int) -> int:
    """Return the IMO number whose first six digits are ``base`` (with its check)."""
    digits = [int(d) for d in f"{base:06d}"]
    check = sum(d * w for d, w in zip(digits, range(7, 1, -1), strict=True)) % 10
    return base * 10 + check


@dataclass(frozen=True)
class ShipDef:
    mmsi: int
    imo: int
    name: str
    callsign: str
    ship_type: int
    length: int
    beam: int
    knots: float
    start: float  # Where along the route (0..1) it is at the epoch.
    moored_at: tuple[float, float] | None = None


SHIPS = (
    ShipDef(
        205731000, imo_number(945412), "SCALDIS PIONEER", "ORSP", 71, 366, 51, 12.0, 0.1
    ),
    ShipDef(
        205732000,
        imo_number(948031),
        "NORTH SEA TRADER",
        "ORNT",
        70,
        199,
        30,
        10.5,
        0.55,
    ),
    ShipDef(
        205733000,
        imo_number(962217),
        "ZANDVLIET EXPRESS",
        "ORZE",
        79,
        260,
        40,
        13.0,
        0.85,
    ),
    ShipDef(
        205734000, imo_number(931102), "VLAANDEREN 21", "ORVL", 52, 32, 10, 8.0, 0.35
    ),
    ShipDef(
        205735000,
        imo_number(955730),
        "DEURGANCK STAR",
        "ORDS",
        71,
        334,
        48,
        0.0,
        0.0,
        moored_at=(4.2512, 51.2842),
    ),
)


class Route:
    """A polyline walked back and forth at a speed, in metres."""

    def __init__(self, points: Iterable[tuple[float, float]]) -> None:
        self.points = list(points)
        self.lengths = [_metres(a, b) for a, b in itertools.pairwise(self.points)]
        self.total = sum(self.lengths)

    def at(self, distance: float) -> tuple[float, float, float]:
        """Return (lon, lat, course) at a distance along the route and back."""
        lap = distance % (2 * self.total)
        forward = lap <= self.total
        along = lap if forward else 2 * self.total - lap
        for (a, b), length in zip(
            itertools.pairwise(self.points), self.lengths, strict=True
        ):
            if along <= length or length == self.lengths[-1]:
                t = min(along / length, 1.0) if length else 0.0
                lon = a[0] + (b[0] - a[0]) * t
                lat = a[1] + (b[1] - a[1]) * t
                course = _bearing(a, b) if forward else _bearing(b, a)
                return round(lon, 6), round(lat, 6), round(course, 1)
            along -= length
        raise AssertionError("unreachable")  # pragma: no cover


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    x = (b[0] - a[0]) * 111_320 * math.cos(math.radians((a[1] + b[1]) / 2))
    y = (b[1] - a[1]) * 110_540
    return math.hypot(x, y)


def _bearing(a: tuple[float, float], b: tuple[float, float]) -> float:
    x = (b[0] - a[0]) * math.cos(math.radians((a[1] + b[1]) / 2))
    y = b[1] - a[1]
    return math.degrees(math.atan2(x, y)) % 360


def ais_sentences(report: dict[str, Any]) -> list[str]:
    """Return the NMEA sentences of one simulated report (position and identity).

    ``report`` has ``mmsi``, ``lon``, ``lat``, ``sog``, ``cog`` and optionally
    ``nav_status``, ``heading``, ``class`` ("A" or "B") and, to send the
    identity too, ``name``, ``ship_type``, ``length``, ``beam``, ``imo`` and
    ``callsign``.
    """
    mmsi = int(report["mmsi"])
    class_b = report.get("class") == "B"
    length, beam = int(report.get("length") or 0), int(report.get("beam") or 0)
    dims = {
        "to_bow": length // 2,
        "to_stern": length - length // 2,
        "to_port": beam // 2,
        "to_starboard": beam - beam // 2,
    }
    sentences: list[str] = []
    if report.get("name"):
        if class_b:
            sentences += encode_dict(
                {"type": 24, "mmsi": mmsi, "partno": 0, "shipname": report["name"]},
                talker_id="AI",
            )
            sentences += encode_dict(
                {
                    "type": 24,
                    "mmsi": mmsi,
                    "partno": 1,
                    "ship_type": int(report.get("ship_type") or 0),
                    "callsign": report.get("callsign", ""),
                    **dims,
                },
                talker_id="AI",
            )
        else:
            sentences += encode_dict(
                {
                    "type": 5,
                    "mmsi": mmsi,
                    "ais_version": 2,
                    "imo": int(report.get("imo") or 0),
                    "callsign": report.get("callsign", ""),
                    "shipname": report["name"],
                    "ship_type": int(report.get("ship_type") or 0),
                    "destination": "BEANR",
                    "draught": 9.5,
                    **dims,
                },
                talker_id="AI",
            )
    heading = report.get("heading", round(float(report["cog"])))
    if class_b:
        position = {"type": 18, "mmsi": mmsi, "heading": heading, "cs": True}
    else:
        position = {
            "type": 1,
            "mmsi": mmsi,
            "status": int(report.get("nav_status", 0)),
            "heading": heading,
        }
    position.update(
        lon=float(report["lon"]),
        lat=float(report["lat"]),
        speed=float(report["sog"]),
        course=float(report["cog"]),
    )
    sentences += encode_dict(position, talker_id="AI")
    return sentences


# Scenarios ------------------------------------------------------------------------


class ScenarioError(ValueError):
    """A scenario file that cannot be read."""


@dataclass
class Scenario:
    name: str
    title: str
    steps: list[dict[str, Any]]
    description: str = ""

    @property
    def duration_s(self) -> float:
        return max((float(step["at"]) for step in self.steps), default=0.0)


def scenario_names() -> list[str]:
    """Return the names of the scenario files."""
    return sorted(path.stem for path in SCENARIOS_DIR.glob("*.yaml"))


def scenario_load(name: str) -> Scenario:
    """Read ``scenarios/<name>.yaml``."""
    if name not in scenario_names():
        raise ScenarioError(
            f"No scenario {name!r}; there are: {', '.join(scenario_names())}"
        )
    data = yaml.safe_load((SCENARIOS_DIR / f"{name}.yaml").read_text())
    steps = data.get("steps") if isinstance(data, dict) else None
    if not isinstance(steps, list) or not steps:
        raise ScenarioError(f"{name}: a scenario lists its steps")
    for index, step in enumerate(steps):
        if not isinstance(step, dict) or not isinstance(step.get("at"), int | float):
            raise ScenarioError(f"{name}: step {index} needs 'at' (seconds)")
        if ("event" in step) == ("ais" in step):
            raise ScenarioError(f"{name}: step {index} is an event or an ais report")
    return Scenario(
        name=name,
        title=str(data.get("title", name)),
        description=str(data.get("description", "")),
        steps=sorted(steps, key=lambda s: float(s["at"])),
    )


# The simulator --------------------------------------------------------------------


@dataclass
class Pending:
    due: float
    step: dict[str, Any]
    exercise: bool


@dataclass
class Counts:
    events: int = 0
    sentences: int = 0
    scenarios: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


class Simulator:
    """The sensors of the demo port, sending through the services."""

    def __init__(self, *, rng: random.Random | None = None) -> None:
        self.rng = rng or random.Random()  # noqa: S311 - simulated traffic
        sources = list(Source.objects.filter(port__locode=demo.PORT, active=True))
        self.fences = [s for s in sources if s.kind == Source.Kind.FENCE_SEGMENT]
        self.cameras = [s for s in sources if s.kind == Source.Kind.CAMERA]
        self.anpr = [s for s in sources if s.kind == Source.Kind.ANPR_CAMERA]
        self.receiver = next((s for s in sources if s.code == demo.AIS_RECEIVER), None)
        self.covered_by: dict[int, list[Source]] = {}
        for camera in Source.objects.filter(pk__in=[c.pk for c in self.cameras]):
            for fence in camera.covers.all():
                self.covered_by.setdefault(fence.pk, []).append(camera)
        self.plates = list(
            Vehicle.objects.order_by("pk").values_list("plate", flat=True)[:500]
        ) or ["1ABC123"]
        self.feed = (
            services.ais_feed_for(source=self.receiver) if self.receiver else AisFeed()
        )
        self.route = Route(SCHELDT)
        self.pending: list[Pending] = []
        self.counter = itertools.count(1)
        self.last_heartbeat = 0.0
        self.last_ais = 0.0
        self.last_static = 0.0
        self.counts = Counts()

    @property
    def ready(self) -> bool:
        """Whether the demo port has its sensors (the detection demo data)."""
        return bool(self.fences and self.cameras)

    # What the sensors send -------------------------------------------------------

    def _id(self, now: float) -> str:
        return f"sim-{int(now * 1000)}-{next(self.counter)}"

    def _event(
        self,
        source: Source,
        kind: str,
        at: float,
        payload: dict[str, Any] | None = None,
        exercise: bool = False,
        position: list[float] | None = None,
    ) -> dict[str, Any]:
        event: dict[str, Any] = {
            "source": source.code,
            "id": self._id(at),
            "time": dt.datetime.fromtimestamp(at, dt.UTC).isoformat(),
            "kind": kind,
            "payload": payload or {},
            "exercise": exercise,
        }
        if position is not None:
            event["position"] = position
        return event

    def _chance(self, per_hour: float, seconds: float) -> bool:
        return self.rng.random() < per_hour * seconds / 3600.0

    def traffic(self, now: float, seconds: float) -> list[dict[str, Any]]:
        """Return the ordinary events of the last ``seconds``."""
        events: list[dict[str, Any]] = []
        if now - self.last_heartbeat >= HEARTBEAT_EVERY_S:
            self.last_heartbeat = now
            for source in [*self.fences, *self.cameras, *self.anpr]:
                events.append(self._event(source, "heartbeat", now))
        if self.fences and self._chance(FENCE_NUISANCE_PER_HOUR, seconds):
            fence = self.rng.choice(self.fences)
            events.append(
                self._event(
                    fence,
                    "fence.alarm",
                    now,
                    {
                        "sensor": self.rng.choice(fence.sensor_ids or ["s1"]),
                        "alarm": self.rng.choice(["vibration", "vibration", "wind"]),
                        "strength": round(self.rng.uniform(0.2, 0.6), 2),
                    },
                )
            )
            for camera in self.covered_by.get(fence.pk, []):
                if self.rng.random() < 0.5:
                    label = self.rng.choice(["bird", "fox", "cat"])
                    events.append(
                        self._event(
                            camera,
                            "camera.object",
                            now + 3,
                            {"label": label, "score": 0.71},
                        )
                    )
        if self.cameras and self._chance(CAMERA_PERSON_PER_HOUR, seconds):
            camera = self.rng.choice(self.cameras)
            events.append(
                self._event(
                    camera,
                    "camera.object",
                    now,
                    {"label": "person", "score": 0.83, "zones": ["yard"]},
                )
            )
        for gate in self.anpr:
            if self._chance(TRUCKS_PER_GATE_PER_HOUR, seconds):
                unreadable = self.rng.random() < UNREADABLE_PLATE
                plate = "" if unreadable else self.rng.choice(self.plates)
                events.append(
                    self._event(
                        gate,
                        "anpr.read",
                        now,
                        {
                            "plate": plate,
                            "country": "BE",
                            "confidence": 0.42
                            if unreadable
                            else round(self.rng.uniform(0.86, 0.99), 2),
                            "direction": self.rng.choice(["in", "out"]),
                        },
                    )
                )
        if self.anpr and self._chance(BULLETIN_PLATE_PER_HOUR, seconds):
            events.append(
                self._event(
                    self.rng.choice(self.anpr),
                    "anpr.read",
                    now,
                    {
                        "plate": self.rng.choice(demo.WATCHED_PLATES),
                        "country": "BE",
                        "confidence": 0.93,
                        "direction": "in",
                    },
                )
            )
        return events

    def ship_reports(self, now: float) -> list[dict[str, Any]]:
        """Return the reports of the demo ships at ``now``."""
        static = now - self.last_static >= AIS_STATIC_EVERY_S
        if static:
            self.last_static = now
        reports = []
        for ship in SHIPS:
            if ship.moored_at is not None:
                lon, lat = ship.moored_at
                report: dict[str, Any] = {
                    "lon": lon,
                    "lat": lat,
                    "sog": 0.0,
                    "cog": 15.0,
                    "heading": 15,
                    "nav_status": 5,
                }
            else:
                distance = (
                    ship.start * 2 * self.route.total + now * ship.knots * KNOT_M_S
                )
                lon, lat, course = self.route.at(distance)
                report = {"lon": lon, "lat": lat, "sog": ship.knots, "cog": course}
            report["mmsi"] = ship.mmsi
            if static:
                report.update(
                    name=ship.name,
                    imo=ship.imo,
                    callsign=ship.callsign,
                    ship_type=ship.ship_type,
                    length=ship.length,
                    beam=ship.beam,
                )
            reports.append(report)
        return reports

    # Sending ---------------------------------------------------------------------

    def send(self, events: list[dict[str, Any]]) -> None:
        if not events:
            return
        results = services.events_ingest(actor=None, events=events)
        for event, result in zip(events, results, strict=True):
            if result.status == "accepted":
                self.counts.events += 1
                kind = event["kind"]
                self.counts.by_kind[kind] = self.counts.by_kind.get(kind, 0) + 1

    def send_ais(
        self, reports: list[dict[str, Any]], now: float, exercise: bool = False
    ) -> None:
        if self.receiver is None or not reports:
            return
        lines = [line for report in reports for line in ais_sentences(report)]
        self.counts.sentences += len(lines)
        results = services.ais_ingest(
            source=self.receiver,
            feed=self.feed,
            lines=lines,
            received_at=now,
            exercise=exercise,
        )
        accepted = sum(1 for r in results if r.status == "accepted")
        self.counts.events += accepted
        self.counts.by_kind["ais.position"] = (
            self.counts.by_kind.get("ais.position", 0) + accepted
        )

    def schedule(
        self, scenario: Scenario, *, start: float, exercise: bool = False
    ) -> None:
        """Queue a scenario's steps from ``start`` (Unix seconds)."""
        self.counts.scenarios += 1
        for step in scenario.steps:
            self.pending.append(Pending(start + float(step["at"]), step, exercise))
        self.pending.sort(key=lambda p: p.due)

    def _due(self, now: float) -> None:
        events: list[dict[str, Any]] = []
        reports: list[tuple[dict[str, Any], float, bool]] = []
        while self.pending and self.pending[0].due <= now:
            item = self.pending.pop(0)
            if "ais" in item.step:
                reports.append((dict(item.step["ais"]), item.due, item.exercise))
                continue
            spec = item.step["event"]
            source = Source.objects.filter(code=spec["source"]).first()
            if source is None:
                continue
            events.append(
                self._event(
                    source,
                    str(spec["kind"]),
                    item.due,
                    dict(spec.get("payload") or {}),
                    exercise=item.exercise,
                    position=spec.get("position"),
                )
            )
        self.send(events)
        # Each report is received at its own time, as the receiver heard it.
        for report, due, exercise in reports:
            self.send_ais([report], due, exercise=exercise)

    def tick(self, now: float, seconds: float) -> None:
        """Send what happened in the ``seconds`` before ``now``."""
        self.send(self.traffic(now, seconds))
        if now - self.last_ais >= AIS_EVERY_S:
            self.last_ais = now
            self.send_ais(self.ship_reports(now), now)
        self._due(now)

    def run_scenario(
        self, scenario: Scenario, *, now: float, exercise: bool, wait: bool
    ) -> float:
        """Send a scenario; return the time of its first step.

        Without ``wait`` the steps are sent at once, with their times spread over
        the scenario's duration up to ``now`` (events are never in the future).
        """
        start = now if wait else now - scenario.duration_s
        self.schedule(scenario, start=start, exercise=exercise)
        if not wait:
            self._due(now)
        return start
