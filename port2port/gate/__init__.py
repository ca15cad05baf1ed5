"""The gate-decision engine: framework-free, standard library only.

It decides from an immutable snapshot that ``port2port.access.gate`` builds from
the database. Nothing here may import Django or a domain app (an import-linter
contract checks it).

``decide(snapshot, request, at=...)`` answers one read at an access point;
``offline_lists(...)`` computes what a gate controller needs to decide alone.
"""

from port2port.gate.engine import decide
from port2port.gate.model import (
    ALWAYS,
    NO_REQUIREMENTS,
    NOTES,
    REASON_ORDER,
    REASON_TEXT,
    AccessPointInfo,
    AntiPassback,
    Biometric,
    DayPass,
    Decision,
    Direction,
    Grant,
    PassInfo,
    PassState,
    PersonInfo,
    PointDirection,
    Reason,
    Request,
    Requirements,
    Schedule,
    Snapshot,
    VehicleInfo,
    Visit,
    Window,
    ZoneInfo,
    ZoneKind,
    normalise_plate,
)
from port2port.gate.offline import offline_lists
from port2port.gate.schedule import schedule_allows

__all__ = [
    "ALWAYS",
    "NOTES",
    "NO_REQUIREMENTS",
    "REASON_ORDER",
    "REASON_TEXT",
    "AccessPointInfo",
    "AntiPassback",
    "Biometric",
    "DayPass",
    "Decision",
    "Direction",
    "Grant",
    "PassInfo",
    "PassState",
    "PersonInfo",
    "PointDirection",
    "Reason",
    "Request",
    "Requirements",
    "Schedule",
    "Snapshot",
    "VehicleInfo",
    "Visit",
    "Window",
    "ZoneInfo",
    "ZoneKind",
    "decide",
    "normalise_plate",
    "offline_lists",
    "schedule_allows",
]
