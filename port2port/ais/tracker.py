"""Follow vessels by MMSI and turn their reports into rule-engine events.

A :class:`Vessel` holds the latest static data (IMO, name, call sign, ship
type, dimensions from types 5, 19 and 24) and the latest position, plus a
bounded history of positions (at most one every ``history_every_s`` seconds,
the last ``history_size`` of them) for the tracks on the map.

Each position becomes an ``ais.position`` :class:`~port2port.rules.Event`
whose payload carries what the geofence rules read: ``mmsi``, ``imo``,
``name``, ``callsign``, ``ship_type``, ``length_m``, ``beam_m``, ``sog``,
``cog``, ``heading``, ``nav_status`` and ``msg_type``. A change of a vessel's
identity (IMO, name, call sign, type) becomes an ``ais.static`` event, so that
watch lists on IMO numbers and names also see vessels that are not moving.
The port of an event is the first port whose bounding box holds the position
(else ``default_port``); a vessel outside every port yields no event but is
still tracked.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping

from port2port.ais.model import AisMessage, PositionReport, StaticReport
from port2port.ais.nmea import NmeaDecoder
from port2port.rules.model import Event

__all__ = ["AIS_POSITION", "AIS_STATIC", "AisFeed", "Vessel", "VesselTracker"]

AIS_POSITION = "ais.position"
AIS_STATIC = "ais.static"

#: (west, south, east, north) in degrees.
Bounds = tuple[float, float, float, float]


class Vessel:
    """What is known about one vessel (mutable: the tracker updates it)."""

    __slots__ = (
        "beam",
        "callsign",
        "cog",
        "destination",
        "draught",
        "heading",
        "history",
        "imo",
        "lat",
        "length",
        "lon",
        "mmsi",
        "msg_type",
        "name",
        "nav_status",
        "position_time",
        "seen",
        "ship_type",
        "sog",
        "to_bow",
        "to_port",
        "to_starboard",
        "to_stern",
    )

    def __init__(self, mmsi: int, history_size: int) -> None:
        self.mmsi = mmsi
        self.imo: int | None = None
        self.name: str | None = None
        self.callsign: str | None = None
        self.ship_type: int | None = None
        self.to_bow: int | None = None
        self.to_stern: int | None = None
        self.to_port: int | None = None
        self.to_starboard: int | None = None
        self.destination: str | None = None
        self.draught: float | None = None
        self.lon: float | None = None
        self.lat: float | None = None
        self.sog: float | None = None
        self.cog: float | None = None
        self.heading: int | None = None
        self.nav_status: int | None = None
        self.msg_type = 0
        self.position_time: float | None = None
        self.seen = 0.0
        #: Derived from the dimensions when they change.
        self.length: float | None = None
        self.beam: float | None = None
        #: (time, longitude, latitude), oldest first.
        self.history: deque[tuple[float, float, float]] = deque(maxlen=history_size)

    @property
    def length_m(self) -> float | None:
        """Return the length from the dimensions, None when not reported."""
        return self.length

    @property
    def beam_m(self) -> float | None:
        """Return the beam from the dimensions, None when not reported."""
        return self.beam

    def measure(self) -> None:
        """Derive the length and beam from the dimensions."""
        if self.to_bow is not None and self.to_stern is not None:
            self.length = float(self.to_bow + self.to_stern) or None
        if self.to_port is not None and self.to_starboard is not None:
            self.beam = float(self.to_port + self.to_starboard) or None

    def identity(self) -> tuple[object, ...]:
        """Return the fields whose change makes an ``ais.static`` event."""
        return (self.imo, self.name, self.callsign, self.ship_type, self.length)


class VesselTracker:
    """Vessels by MMSI, fed with decoded reports, producing events.

    ``source_id`` is the source of the events (the AIS receiver or feed).
    Vessels not heard for ``forget_after_s`` are dropped by :meth:`expire`,
    which :meth:`update` runs once every ten minutes of report time.
    """

    def __init__(
        self,
        *,
        source_id: str = "ais",
        ports: Mapping[str, Bounds] | None = None,
        default_port: str | None = None,
        history_size: int = 120,
        history_every_s: float = 30.0,
        forget_after_s: float = 6 * 3600.0,
    ) -> None:
        self.source_id = source_id
        self.ports = tuple((ports or {}).items())
        self.default_port = default_port
        self.history_size = history_size
        self.history_every_s = history_every_s
        self.forget_after_s = forget_after_s
        self._vessels: dict[int, Vessel] = {}
        self._next_expiry = 0.0

    def get(self, mmsi: int) -> Vessel | None:
        """Return the vessel with this MMSI, if it is tracked."""
        return self._vessels.get(mmsi)

    def vessels(self) -> list[Vessel]:
        """Return every tracked vessel."""
        return list(self._vessels.values())

    def __len__(self) -> int:
        return len(self._vessels)

    def port_of(self, lon: float, lat: float) -> str | None:
        """Return the port whose bounds hold the position, else the default."""
        for port_id, (west, south, east, north) in self.ports:
            if west <= lon <= east and south <= lat <= north:
                return port_id
        return self.default_port

    def expire(self, now: float) -> int:
        """Forget the vessels not heard since ``now - forget_after_s``; return how many."""
        horizon = now - self.forget_after_s
        silent = [mmsi for mmsi, v in self._vessels.items() if v.seen < horizon]
        for mmsi in silent:
            del self._vessels[mmsi]
        return len(silent)

    def update(self, report: AisMessage) -> Event | None:
        """Apply a report; return the event it makes, if any."""
        if report.time >= self._next_expiry:
            self.expire(report.time)
            self._next_expiry = report.time + 600.0
        vessel = self._vessels.get(report.mmsi)
        if vessel is None:
            vessel = self._vessels[report.mmsi] = Vessel(report.mmsi, self.history_size)
        if report.time > vessel.seen:
            vessel.seen = report.time
        if isinstance(report, PositionReport):
            if report.static is not None:
                self._static(vessel, report.static)
            return self._position(vessel, report)
        return self._static(vessel, report)

    def _position(self, vessel: Vessel, report: PositionReport) -> Event | None:
        lon, lat = report.lon, report.lat
        if lon is None or lat is None:
            vessel.sog = report.sog
            vessel.nav_status = report.nav_status
            return None
        if (
            lon == vessel.lon
            and lat == vessel.lat
            and report.sog == vessel.sog
            and report.cog == vessel.cog
            and report.time - (vessel.position_time or 0.0) < 2.0
        ):
            return None  # The same report heard by two stations.
        vessel.lon, vessel.lat = lon, lat
        vessel.sog, vessel.cog, vessel.heading = report.sog, report.cog, report.heading
        if report.nav_status is not None or report.msg_type in (18, 19):
            vessel.nav_status = report.nav_status
        vessel.msg_type = report.msg_type
        vessel.position_time = report.time
        history = vessel.history
        if not history or report.time - history[-1][0] >= self.history_every_s:
            history.append((report.time, lon, lat))
        port_id = self.port_of(lon, lat)
        if port_id is None:
            return None
        return Event(
            f"ais:{vessel.mmsi}:{int(report.time * 1000)}",
            report.time,
            report.station or self.source_id,
            port_id,
            AIS_POSITION,
            None,
            (lon, lat),
            self._payload(vessel),
        )

    def _static(self, vessel: Vessel, report: StaticReport) -> Event | None:
        before = vessel.identity()
        for name in (
            "imo",
            "name",
            "callsign",
            "ship_type",
            "to_bow",
            "to_stern",
            "to_port",
            "to_starboard",
            "destination",
            "draught",
        ):
            value = getattr(report, name)
            if value is not None:
                setattr(vessel, name, value)
        vessel.measure()
        if vessel.identity() == before or vessel.lon is None or vessel.lat is None:
            return None
        port_id = self.port_of(vessel.lon, vessel.lat)
        if port_id is None:
            return None
        return Event(
            f"ais:{vessel.mmsi}:{int(report.time * 1000)}:static",
            report.time,
            report.station or self.source_id,
            port_id,
            AIS_STATIC,
            None,
            (vessel.lon, vessel.lat),
            self._payload(vessel),
        )

    @staticmethod
    def _payload(vessel: Vessel) -> dict[str, object]:
        return {
            "mmsi": vessel.mmsi,
            "imo": vessel.imo,
            "name": vessel.name,
            "callsign": vessel.callsign,
            "ship_type": vessel.ship_type,
            "length_m": vessel.length,
            "beam_m": vessel.beam,
            "sog": vessel.sog,
            "cog": vessel.cog,
            "heading": vessel.heading,
            "nav_status": vessel.nav_status,
            "msg_type": vessel.msg_type,
        }


class AisFeed:
    """A decoder and a tracker together: NMEA lines in, events out."""

    def __init__(
        self, decoder: NmeaDecoder | None = None, tracker: VesselTracker | None = None
    ) -> None:
        self.decoder = decoder if decoder is not None else NmeaDecoder()
        self.tracker = tracker if tracker is not None else VesselTracker()

    def feed(self, line: str | bytes, received_at: float) -> Event | None:
        """Decode one line and track it; return the event it makes, if any."""
        report = self.decoder.decode(line, received_at)
        if report is None:
            return None
        return self.tracker.update(report)

    def feed_lines(
        self, lines: Iterable[str | bytes], received_at: float
    ) -> list[Event]:
        """Feed lines received together; return their events in order."""
        decode = self.decoder.decode
        update = self.tracker.update
        events = []
        for line in lines:
            report = decode(line, received_at)
            if report is not None:
                event = update(report)
                if event is not None:
                    events.append(event)
        return events
