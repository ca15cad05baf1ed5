"""What the AIS decoder produces: position reports and static (voyage) reports.

Values that AIS marks as "not available" (longitude 181°, latitude 91°, speed
102.3 knots, course 360°, heading 511) are None here, so that no one mistakes
them for data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


@dataclass(frozen=True, slots=True)
class StaticReport:
    """A vessel's identity and dimensions (types 5, 19 and 24).

    ``part`` is ``"A"`` (the name) or ``"B"`` (type, call sign, dimensions) for
    a type 24 report, None otherwise; fields a report does not carry are None.
    Dimensions are metres from the position reference to the bow, stern, port
    and starboard sides.
    """

    mmsi: int
    msg_type: int
    time: float
    imo: int | None = None
    name: str | None = None
    callsign: str | None = None
    ship_type: int | None = None
    to_bow: int | None = None
    to_stern: int | None = None
    to_port: int | None = None
    to_starboard: int | None = None
    destination: str | None = None
    draught: float | None = None
    part: str | None = None
    station: str | None = None


class PositionReport(NamedTuple):
    """A position report (types 1, 2, 3, 18, 19 and 27).

    ``time`` is when it was received (the tag block's receiver time when there
    is one). ``sog`` is in knots, ``cog`` and ``heading`` in degrees;
    ``nav_status`` is the navigational status of class A reports (5 is
    moored), None for class B. A type 19 report also carries ``static``.

    A named tuple rather than a frozen dataclass: one is built for nearly
    every sentence, and a named tuple is built in a fifth of the time.
    """

    mmsi: int
    msg_type: int
    time: float
    lon: float | None
    lat: float | None
    sog: float | None
    cog: float | None
    heading: int | None
    nav_status: int | None
    accuracy: bool = False
    second: int | None = None
    static: StaticReport | None = None
    station: str | None = None


AisMessage = PositionReport | StaticReport
