"""The correlation engine's data: events, the map it reads, rules and matches.

Everything a caller builds is a frozen dataclass. Times are Unix seconds
(``float``, UTC): the engine compares and subtracts them on every event, which
a float does several times faster than a ``datetime``; :func:`to_time` and
:func:`from_time` convert at the edge. Identifiers of ports, zones, sources and
areas are strings, so that a rule written as YAML names them the way people do
(a UN/LOCODE, a zone code); an adapter that keys them by database id passes
``str(pk)``.

Positions are ``(longitude, latitude)`` in WGS84 degrees, the GeoJSON order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

Position = tuple[float, float]
#: A polygon: the outer ring, then any holes; each ring a tuple of positions.
Rings = tuple[tuple[Position, ...], ...]

EMPTY_PAYLOAD: Mapping[str, object] = MappingProxyType({})


def _empty_payload() -> Mapping[str, object]:
    return EMPTY_PAYLOAD


MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY


def to_time(at: dt.datetime) -> float:
    """Return an aware datetime as Unix seconds."""
    if at.utcoffset() is None:
        raise ValueError("the datetime must be timezone-aware")
    return at.timestamp()


def from_time(seconds: float) -> dt.datetime:
    """Return Unix seconds as an aware datetime in UTC."""
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


# ----------------------------------------------------------------- events


@dataclass(frozen=True, slots=True)
class Event:
    """Something a source saw, as the engine reads it.

    ``id`` is unique per event (the adapter's source event id or row id).
    ``time`` is when it happened, as Unix seconds; the engine's clock is the
    latest event time it has seen, never the wall clock. ``payload`` is
    read-only by contract: the engine keeps events of open windows. Exercise
    events only ever correlate with other exercise events, and their matches
    are marked as exercise.
    """

    id: str
    time: float
    source_id: str
    port_id: str
    kind: str
    zone_id: str | None = None
    position: Position | None = None
    payload: Mapping[str, object] = field(default_factory=_empty_payload)
    exercise: bool = False

    @property
    def at(self) -> dt.datetime:
        """Return ``time`` as an aware datetime in UTC."""
        return from_time(self.time)


# ----------------------------------------------------------------- the map


@dataclass(frozen=True, slots=True)
class Port:
    """A port: its time zone (for time-of-day windows) and security level."""

    id: str
    timezone: str = "UTC"
    security_level: int = 1


@dataclass(frozen=True, slots=True)
class Source:
    """A sensor, camera, reader or receiver that emits events.

    ``covers`` names the sources this one watches over (a camera's field of view
    covers fence segments); the relation is read both ways by correlation rules.
    ``heartbeat_s`` is how long it may stay silent before it counts as offline
    (None: no heartbeat expected).
    """

    id: str
    port_id: str
    kind: str = ""
    zone_id: str | None = None
    heartbeat_s: float | None = None
    covers: frozenset[str] = frozenset()
    position: Position | None = None


@dataclass(frozen=True, slots=True)
class Area:
    """A named polygon that geofence rules refer to (a berth, a restricted area).

    ``kind`` lets a rule name every area of a kind in the event's port
    (``area_kinds: [berth]``) instead of listing them. ``port_id`` None means
    the area belongs to no port in particular.
    """

    id: str
    rings: Rings
    kind: str = ""
    port_id: str | None = None

    def __post_init__(self) -> None:
        if not self.rings or len(self.rings[0]) < 3:
            raise ValueError(f"area {self.id!r} needs a ring of at least 3 positions")


@dataclass(frozen=True, slots=True)
class Topology:
    """The ports, sources and areas the rules refer to, built by the adapter."""

    ports: Mapping[str, Port] = field(default_factory=dict)
    sources: Mapping[str, Source] = field(default_factory=dict)
    areas: Mapping[str, Area] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        ports: tuple[Port, ...] | list[Port] = (),
        sources: tuple[Source, ...] | list[Source] = (),
        areas: tuple[Area, ...] | list[Area] = (),
    ) -> Topology:
        """Return a topology from lists, keyed by id."""
        return cls(
            ports={p.id: p for p in ports},
            sources={s.id: s for s in sources},
            areas={a.id: a for a in areas},
        )


# ----------------------------------------------------------------- rules


class Severity(StrEnum):
    """How urgent a match is, lowest first."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """Return 0 for info up to 4 for critical."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK: Mapping[Severity, int] = MappingProxyType(
    {severity: rank for rank, severity in enumerate(Severity)}
)

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALL_WEEKDAYS = frozenset(range(7))


@dataclass(frozen=True, slots=True)
class TimeOfDay:
    """A daily window in the port's local wall-clock time.

    ``start`` is in 0..1439 and ``end`` in 1..1440 minutes after midnight
    (``end`` exclusive). When ``end`` is before ``start`` the window crosses
    midnight, and the part after midnight belongs to the day after a listed
    weekday (Friday 22:00 to 06:00 includes Saturday 03:00). ``weekdays`` use 0
    for Monday.
    """

    start: int
    end: int
    weekdays: frozenset[int] = ALL_WEEKDAYS
    #: One byte per minute of the week (Monday 00:00 first): 1 inside (derived).
    week: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not 0 <= self.start < MINUTES_PER_DAY:
            raise ValueError(f"start {self.start} is not in 0..1439")
        if not 0 < self.end <= MINUTES_PER_DAY:
            raise ValueError(f"end {self.end} is not in 1..1440")
        if not self.weekdays or not self.weekdays <= ALL_WEEKDAYS:
            raise ValueError(f"weekdays {sorted(self.weekdays)} are not in 0..6")
        if self.start == self.end % MINUTES_PER_DAY and self.end != MINUTES_PER_DAY:
            raise ValueError("the window is empty (start equals end)")
        table = bytearray(MINUTES_PER_WEEK)
        for weekday in self.weekdays:
            base = weekday * MINUTES_PER_DAY
            if self.start < self.end:
                table[base + self.start : base + self.end] = b"\x01" * (
                    self.end - self.start
                )
            else:
                table[base + self.start : base + MINUTES_PER_DAY] = b"\x01" * (
                    MINUTES_PER_DAY - self.start
                )
                after = ((weekday + 1) % 7) * MINUTES_PER_DAY
                table[after : after + self.end] = b"\x01" * self.end
        object.__setattr__(self, "week", bytes(table))


class Op(StrEnum):
    """How a payload field is compared."""

    EQUALS = "equals"
    NOT_EQUALS = "not_equals"
    IN = "in"
    NOT_IN = "not_in"
    GTE = "gte"
    LTE = "lte"
    EXISTS = "exists"


Scalar = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class FieldTest:
    """One test of an event field: ``payload.label equals person``.

    ``path`` is a field path (see :data:`FIELD_ROOTS`). ``value`` is a scalar
    for ``equals``, ``not_equals``, ``gte`` and ``lte``; a tuple of scalars for
    ``in`` and ``not_in``; a bool for ``exists``. A field that is missing fails
    every test except ``not_equals``, ``not_in`` and ``exists: false``.
    """

    path: str
    op: Op
    value: Scalar | tuple[Scalar, ...]


_OP_ORDER: Mapping[Op, int] = MappingProxyType({op: rank for rank, op in enumerate(Op)})


def _test_order(test: FieldTest) -> tuple[str, int]:
    return test.path, _OP_ORDER[test.op]


#: The event attributes a field path can start with; ``payload.a.b`` reads
#: ``event.payload["a"]["b"]``.
FIELD_ROOTS = ("id", "source_id", "port_id", "zone_id", "kind", "payload")


@dataclass(frozen=True, slots=True, kw_only=True)
class EventFilter:
    """Which events a rule (or one side of a correlation) looks at.

    Empty sets mean "any". ``min_security_level`` compares with the effective
    level: the higher of the port's and the event zone's.
    """

    kinds: frozenset[str]
    zones: frozenset[str] = frozenset()
    sources: frozenset[str] = frozenset()
    time_of_day: TimeOfDay | None = None
    min_security_level: int = 0
    tests: tuple[FieldTest, ...] = ()

    def __post_init__(self) -> None:
        if not self.kinds:
            raise ValueError("a filter needs at least one event kind")
        # One order for the tests (by path, then operator), so that two filters
        # that test the same things are equal, however they were written.
        ordered = tuple(sorted(self.tests, key=_test_order))
        if ordered != self.tests:
            object.__setattr__(self, "tests", ordered)


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleBase:
    """What every rule has.

    ``ports`` restricts the rule to events of those ports (empty: every port).
    Matches with the same dedup key less than ``aggregate_s`` apart fold into
    one alert (0: never fold). ``dedup_by`` lists field paths of the rule's
    main event that make up the dedup key, replacing the kind's default.
    """

    id: str
    name: str = ""
    description: str = ""
    severity: Severity = Severity.MEDIUM
    enabled: bool = True
    ports: frozenset[str] = frozenset()
    aggregate_s: float = 600.0
    dedup_by: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        """Return the name, or the id when the rule has no name."""
        return self.name or self.id


@dataclass(frozen=True, slots=True, kw_only=True)
class ConditionRule(RuleBase):
    """One event that meets a filter."""

    when: EventFilter


class Relation(StrEnum):
    """How the two events of a correlation must relate."""

    SAME_PORT = "same_port"
    SAME_ZONE = "same_zone"
    SAME_SOURCE = "same_source"
    COVERS = "covers"
    DISTANCE = "distance"
    SAME_VALUE = "same_value"


@dataclass(frozen=True, slots=True, kw_only=True)
class CorrelationRule(RuleBase):
    """An event of ``first`` and one of ``then`` within ``within_s`` seconds.

    ``relation`` (always within one port) is: ``covers`` (one source covers the
    other), ``same_zone``, ``same_source``, ``distance`` (positions at most
    ``distance_m`` metres apart), ``same_value`` (``field`` equal on both) or
    ``same_port``. With ``ordered`` the ``then`` event must not be earlier than
    the ``first`` one.
    """

    first: EventFilter
    then: EventFilter
    within_s: float
    relation: Relation = Relation.SAME_PORT
    distance_m: float | None = None
    field: str | None = None
    ordered: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class CountRule(RuleBase):
    """At least ``threshold`` events of one group within ``within_s`` seconds.

    ``group_by`` is a field path (``payload.credential``); events without it
    are not counted. With ``distinct`` the threshold counts distinct values of
    that field instead of events (three different gates). A group that fires
    starts counting again from zero.
    """

    match: EventFilter
    within_s: float
    threshold: int
    group_by: str
    distinct: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class WatchlistRule(RuleBase):
    """A field value (a plate, container, MMSI, IMO, person) on a named list.

    The caller keeps the lists up to date (``Engine.set_watchlist``). Values are
    compared after :func:`canonical`: upper case, letters and digits only.
    """

    match: EventFilter
    fields: tuple[str, ...]
    lists: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class VesselFilter:
    """Which vessels count, from the static data in a position's payload.

    Every bound that is set must hold. A vessel whose ship type or length is
    unknown passes the corresponding test only with ``include_unknown``.
    """

    ship_types: frozenset[int] = frozenset()
    min_length_m: float | None = None
    max_length_m: float | None = None
    include_unknown: bool = False

    @property
    def empty(self) -> bool:
        """Return whether every vessel passes."""
        return (
            not self.ship_types
            and self.min_length_m is None
            and self.max_length_m is None
        )


ANY_VESSEL = VesselFilter()
AIS_POSITION = "ais.position"


@dataclass(frozen=True, slots=True, kw_only=True)
class GeofenceRule(RuleBase):
    """A tracked object (a vessel by default) enters an area.

    ``areas`` names areas of the topology; ``area_kinds`` adds every area of
    those kinds in the event's port. A match is raised when the object is seen
    inside an area after being seen outside it, or when it is first seen inside.
    """

    match: EventFilter
    key: str = "payload.mmsi"
    areas: frozenset[str] = frozenset()
    area_kinds: frozenset[str] = frozenset()
    vessel: VesselFilter = ANY_VESSEL


@dataclass(frozen=True, slots=True, kw_only=True)
class LoiterRule(RuleBase):
    """A vessel stays below ``max_speed_kn`` for ``duration_s`` off a berth.

    Positions inside ``outside`` areas (or areas of ``outside_kinds``, berths
    typically) do not count, and neither do positions outside ``areas`` /
    ``area_kinds`` when those are given. A gap of more than ``max_gap_s``
    between reports starts the clock again. It fires once per stay.
    """

    match: EventFilter
    key: str = "payload.mmsi"
    max_speed_kn: float = 1.0
    duration_s: float = 1200.0
    areas: frozenset[str] = frozenset()
    area_kinds: frozenset[str] = frozenset()
    outside: frozenset[str] = frozenset()
    outside_kinds: frozenset[str] = frozenset()
    max_gap_s: float = 600.0
    vessel: VesselFilter = ANY_VESSEL


SMALL_CRAFT = VesselFilter(max_length_m=20.0, include_unknown=True)
LARGE_SHIP = VesselFilter(min_length_m=50.0)


@dataclass(frozen=True, slots=True, kw_only=True)
class ApproachRule(RuleBase):
    """A small craft comes within ``distance_m`` of a moored ship.

    A ship is moored when its navigational status is 5 (moored) or its speed
    is at most ``moored_max_speed_kn``, and it passes ``target``. Its last
    report counts for ``target_stale_s`` seconds. Each position of a vessel
    that passes ``craft`` (and is not moored itself) is tested.
    """

    match: EventFilter
    key: str = "payload.mmsi"
    distance_m: float = 50.0
    craft: VesselFilter = SMALL_CRAFT
    target: VesselFilter = LARGE_SHIP
    moored_max_speed_kn: float = 0.5
    target_stale_s: float = 600.0
    areas: frozenset[str] = frozenset()
    area_kinds: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True, kw_only=True)
class AbsenceRule(RuleBase):
    """A source silent for longer than its heartbeat.

    The sources are those listed, plus every source of ``source_kinds`` in the
    topology; with neither, every source that has a heartbeat. ``heartbeat_s``
    overrides the sources' own. Only events of ``kinds`` (any kind when empty)
    count as a sign of life, and exercise events never do. It fires once when
    the heartbeat runs out (at that instant), and again only after the source
    has spoken.
    """

    sources: frozenset[str] = frozenset()
    source_kinds: frozenset[str] = frozenset()
    heartbeat_s: float | None = None
    kinds: frozenset[str] = frozenset()


Rule = (
    ConditionRule
    | CorrelationRule
    | CountRule
    | WatchlistRule
    | GeofenceRule
    | LoiterRule
    | ApproachRule
    | AbsenceRule
)


# ----------------------------------------------------------------- matches


@dataclass(frozen=True, slots=True)
class Match:
    """A rule that matched, ready to become (or fold into) an alert.

    ``events`` are the events behind it, oldest first (empty for an absence).
    Matches with the same ``dedup_key`` fold into one alert while they come less
    than the rule's ``aggregate_s`` apart: ``count`` is this match's number in
    its alert (1 opens a new alert) and ``first_time`` the time of the alert's
    first match. ``details`` holds what the rule kind found (the list and value
    of a watch-list hit, the count of a count rule, the area of a geofence).
    """

    rule_id: str
    title: str
    severity: Severity
    time: float
    port_id: str
    zone_id: str | None
    position: Position | None
    events: tuple[Event, ...]
    dedup_key: str
    exercise: bool
    details: Mapping[str, object]
    count: int = 1
    first_time: float = 0.0

    @property
    def new(self) -> bool:
        """Return whether this match opens a new alert."""
        return self.count == 1

    @property
    def at(self) -> dt.datetime:
        """Return ``time`` as an aware datetime in UTC."""
        return from_time(self.time)


def canonical(value: object) -> str:
    """Return a watch-list value as it is compared: upper case, letters and digits.

    ``1-abc-123``, ``1ABC123`` and ``1 ABC 123`` are the same plate;
    ``MSKU 123456-7`` the same container as ``MSKU1234567``.
    """
    if type(value) is int:
        return str(value)
    text = str(value).upper()
    if text.isalnum():
        return text
    text = text.translate(_SEPARATORS)
    if text.isalnum():
        return text
    return "".join(ch for ch in text if ch.isalnum())


#: The separators that plates, container and ship numbers are written with.
_SEPARATORS = str.maketrans("", "", " -./_:")
