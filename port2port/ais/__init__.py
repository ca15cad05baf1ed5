"""AIS: decode NMEA 0183 sentences, track vessels, emit events for the rules.

Framework-free: the standard library, pyais for the message types, and the
event type of :mod:`port2port.rules`. The detection app feeds it lines from
UDP, TCP or a file, with the time they were received; the events it returns
go to the rules engine (the geofence rules read their payload).
"""

from port2port.ais.model import AisMessage, PositionReport, StaticReport
from port2port.ais.nmea import NmeaDecoder, nmea_checksum
from port2port.ais.tracker import (
    AIS_POSITION,
    AIS_STATIC,
    AisFeed,
    Bounds,
    Vessel,
    VesselTracker,
)

__all__ = [
    "AIS_POSITION",
    "AIS_STATIC",
    "AisFeed",
    "AisMessage",
    "Bounds",
    "NmeaDecoder",
    "PositionReport",
    "StaticReport",
    "Vessel",
    "VesselTracker",
    "nmea_checksum",
]
