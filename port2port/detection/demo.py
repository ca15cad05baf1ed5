"""Detection demo data: the sensors of the Deurganck dock and the Belgian demo rules.

Along the land side of the Deurganck West Container Terminal runs a smart fence
of eight segments, watched by four cameras that each cover two segments; the
truck gates of both Deurganck terminals have ANPR cameras; every access point
of Antwerp is a source (its denied decisions become events); an AIS receiver at
Zandvliet hears the Scheldt. The rules are those of ``DEMO_RULES``; the
``simulate`` command brings it all to life. Deterministic: no randomness.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction

from port2port.core.models import AccessPoint, Facility, Organisation, Port, Role, User
from port2port.core.services import membership_create
from port2port.detection import services
from port2port.detection.models import Source

DEMO_PASSWORD = "demo"
PORT_AUTHORITY = "port_authority"
ACCOUNTS = (
    (
        "ccr.antwerp",
        "Control-room operator",
        "port of Antwerp (BEANR): live map, alerts, incidents",
    ),
)

PORT = "BEANR"
TERMINAL = "BEANR-0001"
GATE_TERMINALS = ("BEANR-0001", "BEANR-0002")
FENCE_SEGMENTS = 8
SEGMENTS_PER_CAMERA = 2
HEARTBEAT_SECONDS = 300
AIS_RECEIVER = "BEANR-AIS1"
DRONE_DETECTOR = "BEANR-DD1"
# Plates named in a (fictitious) shared security bulletin.
WATCHED_PLATES = ("1XKR417", "2BDF220", "GV-417-XB")

DEMO_RULES: tuple[dict[str, Any], ...] = (
    {
        "id": "deurganck-intrusion",
        "port": PORT,
        "kind": "correlation",
        "name": "Confirmed intrusion: fence alarm and a person on camera",
        "description": "A fence segment raises an alarm and a camera covering it "
        "sees a person within 60 seconds.",
        "severity": "high",
        "first": {"kinds": ["fence.alarm"]},
        "then": {"kinds": ["camera.object"], "where": {"payload.label": "person"}},
        "within_s": 60,
        "relation": "covers",
    },
    {
        "id": "badge-probing",
        "kind": "count",
        "name": "Badge probing: one credential refused at three gates",
        "description": "Three denied decisions for the same credential at "
        "different access points within 10 minutes.",
        "severity": "medium",
        "match": {"kinds": ["access.denied"]},
        "within_s": 600,
        "threshold": 3,
        "group_by": "payload.credential",
        "distinct": "payload.access_point",
    },
    {
        "id": "bulletin-plate",
        "kind": "condition",
        "name": "Watch list: a plate named in a security bulletin",
        "description": "An ANPR read or a camera plate on the bulletin's list.",
        "severity": "high",
        "when": {
            "kinds": ["anpr.read"],
            "where": {"payload.plate": list(WATCHED_PLATES)},
        },
        "dedup_by": ["payload.plate"],
    },
    {
        "id": "sensor-offline",
        "kind": "absence",
        "name": "Sensor offline",
        "description": "A fence segment or camera silent for longer than its "
        "heartbeat.",
        "severity": "low",
        "source_kinds": ["fence_segment", "camera", "anpr_camera"],
    },
    {
        "id": "drone-over-terminal",
        "kind": "condition",
        "name": "Drone detected over a terminal",
        "severity": "high",
        "when": {"kinds": ["drone.detected"]},
    },
    {
        "id": "vessel-loitering",
        "port": PORT,
        "kind": "geofence",
        "trigger": "loiter",
        "name": "Vessel loitering off a berth",
        "description": "Below 1 knot for 20 minutes outside the quays.",
        "severity": "medium",
        "max_speed_kn": 1.0,
        "duration_s": 1200,
        "outside_kinds": ["restricted"],
    },
    {
        "id": "small-craft-alongside",
        "port": PORT,
        "kind": "geofence",
        "trigger": "approach",
        "name": "Small craft alongside a moored ship",
        "severity": "high",
        "distance_m": 50,
    },
)


def _lerp(a: list[float], b: list[float], t: float) -> list[float]:
    return [round(a[0] + (b[0] - a[0]) * t, 6), round(a[1] + (b[1] - a[1]) * t, 6)]


def _land_edge(facility: Facility, gate: AccessPoint | None) -> tuple[Any, Any]:
    """Return the boundary edge nearest the truck gate: the land side."""
    ring = facility.boundary["coordinates"][0]
    edges = list(itertools.pairwise(ring))
    if gate is None:
        return edges[0]
    gx, gy = gate.location["coordinates"][:2]

    def distance(edge: tuple[Any, Any]) -> float:
        (x0, y0), (x1, y1) = edge[0][:2], edge[1][:2]
        return math.hypot((x0 + x1) / 2 - gx, (y0 + y1) / 2 - gy)

    return min(edges, key=distance)


def _sources(port: Port) -> list[Source]:
    created: list[Source] = []
    terminal = Facility.objects.get(code=TERMINAL)
    points = list(
        AccessPoint.objects.filter(zone__port=port)
        .select_related("zone")
        .order_by("code")
    )
    gate = next(
        (
            p
            for p in points
            if p.zone.facility_id == terminal.pk and p.kind == "vehicle_lane"
        ),
        None,
    )
    start, end = _land_edge(terminal, gate)
    ring = terminal.boundary["coordinates"][0][:-1]
    centre = [sum(c[0] for c in ring) / len(ring), sum(c[1] for c in ring) / len(ring)]
    segments = []
    lines = []
    for index in range(FENCE_SEGMENTS):
        a = _lerp(start, end, index / FENCE_SEGMENTS)
        b = _lerp(start, end, (index + 1) / FENCE_SEGMENTS)
        lines.append((a, b))
        segment = services.source_create(
            port=port,
            code=f"{TERMINAL}-F{index + 1:02d}",
            name=f"Deurganck West fence segment {index + 1}",
            kind=Source.Kind.FENCE_SEGMENT,
            geometry={"type": "LineString", "coordinates": [a, b]},
            sensor_ids=[f"fz{index + 1:02d}-{n}" for n in range(1, 5)],
            heartbeat_seconds=HEARTBEAT_SECONDS,
        )
        segments.append(segment)
        created.append(segment)
    for index in range(FENCE_SEGMENTS // SEGMENTS_PER_CAMERA):
        first_index = index * SEGMENTS_PER_CAMERA
        covered = segments[first_index : first_index + SEGMENTS_PER_CAMERA]
        first = lines[first_index][0]
        last = lines[first_index + SEGMENTS_PER_CAMERA - 1][1]
        middle = _lerp(first, last, 0.5)
        mast = _lerp(middle, centre, 0.25)
        created.append(
            services.source_create(
                port=port,
                code=f"{TERMINAL}-C{index + 1:02d}",
                name=f"Deurganck West fence camera {index + 1}",
                kind=Source.Kind.CAMERA,
                geometry={
                    "type": "Polygon",
                    "coordinates": [[mast, first, last, mast]],
                },
                heartbeat_seconds=HEARTBEAT_SECONDS,
                covers=covered,
            )
        )
    for point in points:
        location = point.location if isinstance(point.location, dict) else None
        created.append(
            services.source_create(
                port=port,
                code=f"AP-{point.code}"[:60],
                name=point.name,
                kind=Source.Kind.ACCESS_POINT,
                geometry=location,
                access_point=point,
                zone=point.zone,
            )
        )
        facility = point.zone.facility
        if (
            point.kind == "vehicle_lane"
            and facility is not None
            and facility.code in GATE_TERMINALS
        ):
            created.append(
                services.source_create(
                    port=port,
                    code=f"{point.code}-ANPR"[:60],
                    name=f"ANPR {facility.name} {point.name}",
                    kind=Source.Kind.ANPR_CAMERA,
                    geometry=location,
                    zone=point.zone,
                    heartbeat_seconds=HEARTBEAT_SECONDS,
                )
            )
    created.append(
        services.source_create(
            port=port,
            code=AIS_RECEIVER,
            name="Zandvliet AIS receiver",
            kind=Source.Kind.AIS_RECEIVER,
            geometry={"type": "Point", "coordinates": [4.3055, 51.3610]},
        )
    )
    created.append(
        services.source_create(
            port=port,
            code=DRONE_DETECTOR,
            name="Deurganck drone detector",
            kind=Source.Kind.DRONE_DETECTOR,
            geometry={"type": "Point", "coordinates": centre},
        )
    )
    return created


def seed(*, stdout: Any = None) -> dict[str, int]:
    """Load the detection demo data; return the counts."""
    with transaction.atomic():
        port = Port.objects.get(locode=PORT)
        sources = _sources(port)
        rules = []
        for definition in DEMO_RULES:
            item = dict(definition)
            locode = item.pop("port", None)
            rules.append(
                services.rule_save(
                    actor=None,
                    definition=item,
                    port=Port.objects.get(locode=locode) if locode else None,
                )
            )
        authority = next(
            (
                organisation
                for organisation in Organisation.objects.filter(ports=port).order_by(
                    "pk"
                )
                if PORT_AUTHORITY in organisation.roles
            ),
            None,
        )
        operator = User.objects.create(
            username="ccr.antwerp",
            first_name="Sofie",
            last_name="Claes",
            password=make_password(DEMO_PASSWORD),
        )
        if authority is not None:
            membership_create(
                actor=None,
                user=operator,
                organisation=authority,
                role=Role.CONTROL_ROOM_OPERATOR,
                port=port,
            )
    return {"detection sources": len(sources), "detection rules": len(rules)}
