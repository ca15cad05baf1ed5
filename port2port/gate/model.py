"""The gate engine's data: an immutable snapshot, a request and a decision.

Everything here is a frozen dataclass or an enum, built once by the adapter
(``port2port.access.gate``) from the database. The mappings inside a
:class:`Snapshot` (and the ``verifications`` and ``courses`` dicts of a
:class:`PersonInfo`) are read-only by contract: the snapshot derives indexes
from them when it is built, so mutating them afterwards would leave those
indexes stale. Build a new snapshot instead; that is what the version is for.

All datetimes must be timezone-aware. They compare fastest when they share one
``tzinfo`` object (``datetime.UTC`` is what the adapter uses).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import ClassVar

MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY


class Reason(StrEnum):
    """Why a request was denied, or a note that does not deny.

    The definition order is the order in which a decision lists its reasons.
    The values are stable codes: they are logged and shown translated.
    """

    ACCESS_POINT_UNKNOWN = "ACCESS_POINT_UNKNOWN"
    NO_CREDENTIAL = "NO_CREDENTIAL"
    UNKNOWN_CREDENTIAL = "UNKNOWN_CREDENTIAL"
    PASS_NOT_ACTIVE = "PASS_NOT_ACTIVE"  # noqa: S105 (a reason code)
    PASS_SUSPENDED = "PASS_SUSPENDED"  # noqa: S105 (a reason code)
    PASS_LOST = "PASS_LOST"  # noqa: S105 (a reason code)
    PASS_REVOKED = "PASS_REVOKED"  # noqa: S105 (a reason code)
    PASS_EXPIRED = "PASS_EXPIRED"  # noqa: S105 (a reason code)
    PASS_NOT_ACTIVATED_HERE = "PASS_NOT_ACTIVATED_HERE"  # noqa: S105 (a reason code)
    PORT_BAN = "PORT_BAN"
    NO_GRANT = "NO_GRANT"
    OUTSIDE_SCHEDULE = "OUTSIDE_SCHEDULE"
    GRANT_EXPIRED = "GRANT_EXPIRED"
    VERIFICATION_MISSING = "VERIFICATION_MISSING"
    TRAINING_MISSING = "TRAINING_MISSING"
    TRAINING_EXPIRED = "TRAINING_EXPIRED"
    EXTRACT_MISSING = "EXTRACT_MISSING"
    BIOMETRIC_REQUIRED = "BIOMETRIC_REQUIRED"
    BIOMETRIC_MISMATCH = "BIOMETRIC_MISMATCH"
    ESCORT_REQUIRED = "ESCORT_REQUIRED"
    SECURITY_LEVEL = "SECURITY_LEVEL"
    ANTI_PASSBACK = "ANTI_PASSBACK"
    VISIT_OUTSIDE_WINDOW = "VISIT_OUTSIDE_WINDOW"
    VISIT_WRONG_LOCATION = "VISIT_WRONG_LOCATION"
    DIRECTION_NOT_ALLOWED = "DIRECTION_NOT_ALLOWED"
    PLATE_UNKNOWN = "PLATE_UNKNOWN"
    PLATE_NOT_AUTHORISED = "PLATE_NOT_AUTHORISED"
    PLATE_DRIVER_MISMATCH = "PLATE_DRIVER_MISMATCH"
    # Notes: shown to the operator, never a reason to deny.
    ANTI_PASSBACK_SOFT = "ANTI_PASSBACK_SOFT"
    ESCORTED = "ESCORTED"
    VISITOR = "VISITOR"


NOTES: frozenset[Reason] = frozenset(
    {Reason.ANTI_PASSBACK_SOFT, Reason.ESCORTED, Reason.VISITOR}
)

#: The rank of each reason in a decision's ``reasons`` (its definition order).
REASON_ORDER: Mapping[Reason, int] = MappingProxyType(
    {reason: rank for rank, reason in enumerate(Reason)}
)

REASON_TEXT: dict[Reason, str] = {
    Reason.ACCESS_POINT_UNKNOWN: "This access point is not known to the system.",
    Reason.DIRECTION_NOT_ALLOWED: "This access point may not be used in this direction.",
    Reason.NO_CREDENTIAL: "No pass, day pass or number plate was presented.",
    Reason.UNKNOWN_CREDENTIAL: "The pass or day pass presented is not known.",
    Reason.PASS_NOT_ACTIVE: "The pass has not been collected or activated yet.",
    Reason.PASS_SUSPENDED: "The pass is suspended.",
    Reason.PASS_LOST: "The pass was reported lost or stolen.",
    Reason.PASS_REVOKED: "The pass has been revoked.",
    Reason.PASS_EXPIRED: "The pass has expired.",
    Reason.PASS_NOT_ACTIVATED_HERE: "The pass is valid but this facility has not activated it.",
    Reason.PORT_BAN: "The holder is under a port ban.",
    Reason.NO_GRANT: "The holder has no access right for this zone.",
    Reason.GRANT_EXPIRED: "The holder's access right for this zone is not valid on this date.",
    Reason.OUTSIDE_SCHEDULE: "The holder's access right for this zone does not cover this time.",
    Reason.VISIT_OUTSIDE_WINDOW: "The announced visit does not cover this time.",
    Reason.VISIT_WRONG_LOCATION: "The announced visit is for another location.",
    Reason.VERIFICATION_MISSING: "The zone requires a valid security verification.",
    Reason.TRAINING_MISSING: "The zone requires a training the holder has not followed.",
    Reason.TRAINING_EXPIRED: "A training the zone requires has expired.",
    Reason.EXTRACT_MISSING: "The zone requires a valid criminal-record extract.",
    Reason.BIOMETRIC_REQUIRED: "A biometric check is required and was not done.",
    Reason.BIOMETRIC_MISMATCH: "The biometric check did not match the pass holder.",
    Reason.ESCORT_REQUIRED: "The holder may only enter with an escort.",
    Reason.SECURITY_LEVEL: "At the current security level only essential staff may enter.",
    Reason.ANTI_PASSBACK: "Anti-passback: the holder is already inside, or never entered.",
    Reason.PLATE_UNKNOWN: "The number plate is not known.",
    Reason.PLATE_NOT_AUTHORISED: "Nothing authorises this vehicle here at this time.",
    Reason.PLATE_DRIVER_MISMATCH: "The pass holder is not a registered driver of this vehicle.",
    Reason.ANTI_PASSBACK_SOFT: "Anti-passback warning: the holder's recorded position was wrong.",
    Reason.ESCORTED: "The holder entered with an escort.",
    Reason.VISITOR: "The holder is a visitor.",
}


class Biometric(StrEnum):
    """What the reader reports about the biometric check."""

    MATCH = "match"
    NO_MATCH = "no_match"
    NOT_CHECKED = "not_checked"


class Direction(StrEnum):
    """The direction of a passage."""

    IN = "in"
    OUT = "out"


class PassState(StrEnum):
    """The life cycle of a port pass."""

    ISSUED = "issued"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    LOST = "lost"
    REVOKED = "revoked"
    EXPIRED = "expired"


class ZoneKind(StrEnum):
    """How sensitive a zone is."""

    PUBLIC = "public"
    CONTROLLED = "controlled"
    RESTRICTED = "restricted"


class AntiPassback(StrEnum):
    """Whether entering twice (or leaving without entering) is refused or noted."""

    NONE = "none"
    SOFT = "soft"
    HARD = "hard"


class PointDirection(StrEnum):
    """Which directions an access point may be passed in."""

    IN = "in"
    OUT = "out"
    BOTH = "both"


def normalise_plate(plate: str) -> str:
    """Return ``plate`` as ANPR compares it: no dashes, dots or spaces, upper case."""
    return plate.replace("-", "").replace(" ", "").replace(".", "").upper()


@dataclass(frozen=True, slots=True)
class Requirements:
    """What a person must satisfy to enter a zone (or to use a grant)."""

    verification_categories: frozenset[str] = frozenset()
    courses: frozenset[str] = frozenset()
    biometric: bool = False
    escort: bool = False
    extract: bool = False
    #: True when nothing is required (derived, so that the engine tests one flag).
    empty: bool = field(init=False, repr=False, compare=False)
    #: True when a requirement depends on the day (verification, course, extract).
    dated: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        dated = bool(self.verification_categories or self.courses or self.extract)
        object.__setattr__(self, "dated", dated)
        object.__setattr__(self, "empty", not (dated or self.biometric or self.escort))

    def merge(self, other: Requirements) -> Requirements:
        """Return the union of both sets of requirements."""
        if other.empty:
            return self
        if self.empty:
            return other
        return Requirements(
            verification_categories=self.verification_categories
            | other.verification_categories,
            courses=self.courses | other.courses,
            biometric=self.biometric or other.biometric,
            escort=self.escort or other.escort,
            extract=self.extract or other.extract,
        )


NO_REQUIREMENTS = Requirements()


@dataclass(frozen=True, slots=True)
class Window:
    """A weekly time window, in local wall-clock minutes.

    ``weekdays`` use 0 for Monday. ``start_minute`` is in 0..1439 and
    ``end_minute`` in 1..1440 (exclusive). When ``end_minute`` is smaller than
    ``start_minute`` the window crosses midnight: for 22:00 to 06:00 listed on a
    Friday, Friday 22:00 to 24:00 and Saturday 00:00 to 06:00 are inside. A window
    whose start equals its end is empty.
    """

    weekdays: frozenset[int]
    start_minute: int
    end_minute: int

    def __post_init__(self) -> None:
        if not 0 <= self.start_minute < MINUTES_PER_DAY:
            raise ValueError(f"start_minute {self.start_minute} is not in 0..1439")
        if not 0 < self.end_minute <= MINUTES_PER_DAY:
            raise ValueError(f"end_minute {self.end_minute} is not in 1..1440")
        if not self.weekdays <= frozenset(range(7)):
            raise ValueError(f"weekdays {sorted(self.weekdays)} are not in 0..6")


def _week_table(windows: tuple[Window, ...]) -> bytes:
    """Return one byte per minute of the week (Monday 00:00 first): 1 = inside."""
    table = bytearray(MINUTES_PER_WEEK)
    for window in windows:
        start, end = window.start_minute, window.end_minute
        for weekday in window.weekdays:
            base = weekday * MINUTES_PER_DAY
            if start < end:
                table[base + start : base + end] = b"\x01" * (end - start)
            elif end < start:
                table[base + start : base + MINUTES_PER_DAY] = b"\x01" * (
                    MINUTES_PER_DAY - start
                )
                # The part after midnight belongs to the next day (Sunday wraps to Monday).
                nxt = ((weekday + 1) % 7) * MINUTES_PER_DAY
                table[nxt : nxt + end] = b"\x01" * end
    return bytes(table)


@dataclass(frozen=True, slots=True)
class Schedule:
    """When a grant may be used: a set of weekly windows.

    A schedule without windows never matches. Schedule id ``0`` is always the
    24x7 schedule :data:`ALWAYS`, whether or not the snapshot lists it.
    """

    id: int
    windows: tuple[Window, ...]
    closed_on_holidays: bool = False
    #: 10,080 bytes, one per minute of the week (derived).
    week: bytes = field(init=False, repr=False, compare=False)

    ALWAYS: ClassVar[Schedule]

    def __post_init__(self) -> None:
        object.__setattr__(self, "week", _week_table(self.windows))


ALWAYS = Schedule(0, (Window(frozenset(range(7)), 0, MINUTES_PER_DAY),))
Schedule.ALWAYS = ALWAYS

#: Used for a grant whose schedule id is not in the snapshot: it never matches.
NEVER = Schedule(-1, ())


@dataclass(frozen=True, slots=True)
class AccessPointInfo:
    """A gate, door, turnstile or vehicle lane, and the zone it leads into."""

    id: int
    zone_id: int
    facility_id: int | None
    port_id: int
    direction: PointDirection
    vehicle_lane: bool


@dataclass(frozen=True, slots=True)
class ZoneInfo:
    """A zone and what entering it requires.

    ``security_level`` is the effective ISPS level (the higher of the port's and
    the facility's), computed by the adapter. ``facility_id`` is None for a
    port-level zone.
    """

    id: int
    facility_id: int | None
    port_id: int
    kind: ZoneKind
    requirements: Requirements
    anti_passback: AntiPassback
    security_level: int
    holiday_region: str


@dataclass(frozen=True, slots=True)
class Grant:
    """An access right to a zone, on a schedule, between two instants.

    ``valid_until`` is exclusive; None means open-ended. ``requirements`` come on
    top of the zone's.
    """

    zone_id: int
    schedule_id: int
    valid_from: dt.datetime
    valid_until: dt.datetime | None
    requirements: Requirements = NO_REQUIREMENTS


@dataclass(frozen=True, slots=True)
class PassInfo:
    """A port pass (badge). ``valid_until`` is exclusive."""

    number: str
    person_id: int
    state: PassState
    valid_from: dt.datetime
    valid_until: dt.datetime
    activated_facilities: frozenset[int]


@dataclass(frozen=True, slots=True)
class PersonInfo:
    """What the gate needs to know about a person.

    ``bans`` are ``[start, end)`` intervals. ``verifications`` maps a category to
    its first and last valid day, both inclusive. ``courses`` maps a course code
    to its last valid day. ``driver_of`` holds normalised plates. The dicts are
    read-only by contract.
    """

    id: int
    name: str
    photo_ref: str
    employer_id: int | None
    bans: tuple[tuple[dt.datetime, dt.datetime], ...] = ()
    verifications: Mapping[str, tuple[dt.date, dt.date]] = field(default_factory=dict)
    courses: Mapping[str, dt.date] = field(default_factory=dict)
    extract_valid_until: dt.date | None = None
    essential_facilities: frozenset[int] = frozenset()
    driver_of: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Visit:
    """An approved visit, ``[start, end)``.

    ``zone_ids`` empty means every zone of ``facility_id``; a visit with neither
    zones nor a facility covers nothing.
    """

    id: int
    person_id: int
    facility_id: int | None
    zone_ids: frozenset[int]
    start: dt.datetime
    end: dt.datetime
    plate: str | None = None
    escort: bool = False

    def covers_zone(self, zone: ZoneInfo) -> bool:
        """Return whether the visit is for ``zone``."""
        if self.zone_ids:
            return zone.id in self.zone_ids
        return self.facility_id is not None and self.facility_id == zone.facility_id


@dataclass(frozen=True, slots=True)
class VehicleInfo:
    """A registered vehicle, its zone grants and its appointments.

    ``appointments`` are ``(facility_id, start, end)`` with ``end`` exclusive.
    """

    plate: str
    owner_id: int
    grants: tuple[Grant, ...] = ()
    appointments: tuple[tuple[int, dt.datetime, dt.datetime], ...] = ()


@dataclass(frozen=True, slots=True)
class DayPass:
    """A day pass (signed QR code), resolved to an approved visit."""

    token_id: str
    visit_id: int
    person_id: int


@dataclass(frozen=True, slots=True)
class ZoneAccess:
    """What a pass gives access to in one zone where its holder has grants.

    Derived by the snapshot, one per pass and zone, so that the common read
    touches as few objects as possible: the first grant is copied in with its
    schedule resolved, and the decision that lets the holder in is built ahead.
    ``activated`` says whether the pass is activated at the zone's facility
    (always true for a port-level zone). ``met_from`` to ``met_until``
    (inclusive) are the days on which the holder has every verification, course
    and extract that the zone itself requires; ``met_from > met_until`` when
    there is no such day.
    """

    grants: tuple[Grant, ...]
    #: True when there is more than one grant (saves reading the tuple).
    several: bool
    activated: bool
    met_from: dt.date
    met_until: dt.date
    first_from: dt.datetime
    first_until: dt.datetime | None
    first_schedule: Schedule
    #: The zone's requirements merged with the first grant's.
    first_requirements: Requirements
    #: The answer when a grant lets the holder in with nothing to note and no
    #: plate: the most common decision of all, built once instead of per read.
    granted: Decision


def requirements_met(
    requirements: Requirements,
    person: PersonInfo,
    intern: dict[dt.date, dt.date] | None = None,
) -> tuple[dt.date, dt.date]:
    """Return the first and last day on which ``person`` meets ``requirements``.

    Biometrics and escorts depend on the read, not on the day, and are left out.
    ``intern`` shares one object per distinct date.
    """
    first, last = dt.date.min, dt.date.max
    if not requirements.dated:
        return first, last
    for category in requirements.verification_categories:
        span = person.verifications.get(category)
        if span is None:
            return dt.date.max, dt.date.min
        first, last = max(first, span[0]), min(last, span[1])
    for code in requirements.courses:
        expiry = person.courses.get(code)
        if expiry is None:
            return dt.date.max, dt.date.min
        last = min(last, expiry)
    if requirements.extract:
        if person.extract_valid_until is None:
            return dt.date.max, dt.date.min
        last = min(last, person.extract_valid_until)
    if intern is not None:
        first = intern.setdefault(first, first)
        last = intern.setdefault(last, last)
    return first, last


@dataclass(frozen=True, slots=True)
class Holder:
    """A pass, its holder and what it gives access to, found in one look-up.

    Derived by the snapshot: going from a pass number to the person and then to
    the ``(person, zone)`` grants would cost three look-ups in large dicts, and at
    50,000 people each one is mostly a cache miss. The fields of the pass and of
    the person that every read needs are copied in for the same reason.
    """

    pass_info: PassInfo
    person: PersonInfo
    zones: Mapping[int, ZoneAccess]
    state: PassState
    valid_from: dt.datetime
    valid_until: dt.datetime
    activated_facilities: frozenset[int]
    person_id: int
    name: str
    photo_ref: str
    bans: tuple[tuple[dt.datetime, dt.datetime], ...]
    visits: tuple[Visit, ...]


@dataclass(frozen=True, slots=True)
class PointContext:
    """Everything about an access point that does not depend on the request."""

    point: AccessPointInfo
    zone: ZoneInfo
    holidays: frozenset[dt.date]
    #: True when a biometric match is needed whatever the grant says.
    zone_biometric: bool
    #: The facilities whose essential staff may enter at security level 3.
    essential_for: frozenset[int]
    #: Whether the point may be passed to enter, and to leave.
    allows_in: bool
    allows_out: bool


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything the engine decides from, frozen at ``built_at``.

    ``grants`` maps ``(person_id, zone_id)`` to the person's grants for that
    zone, role grants already expanded by the adapter. ``visits`` maps a person
    to their approved visits. ``vehicles`` is keyed by normalised plate. The
    mappings are read-only by contract: building the snapshot derives indexes
    from them (``points``, ``holders`` with their ``ZoneAccess`` records,
    ``visits_by_id``, ``visits_by_plate``), which a later change would not
    reach. Build a new snapshot instead.

    The derived records trade memory and build time for fewer memory fetches
    per decision. The only state that changes after building is
    ``local_hours``, a memo of local dates and minutes per UTC hour that any
    thread may fill (each entry is computed from the snapshot's time zone alone,
    so a race writes the same value twice).
    """

    version: int
    built_at: dt.datetime
    timezone: str
    access_points: Mapping[int, AccessPointInfo]
    zones: Mapping[int, ZoneInfo]
    schedules: Mapping[int, Schedule]
    holidays: Mapping[str, frozenset[dt.date]]
    passes: Mapping[str, PassInfo]
    persons: Mapping[int, PersonInfo]
    grants: Mapping[tuple[int, int], tuple[Grant, ...]]
    visits: Mapping[int, tuple[Visit, ...]]
    day_passes: Mapping[str, DayPass]
    vehicles: Mapping[str, VehicleInfo]

    # Derived when the snapshot is built (not part of equality or repr). Plain
    # dicts rather than read-only proxies, because a proxy look-up costs more.
    tz: zoneinfo.ZoneInfo = field(init=False, repr=False, compare=False)
    points: Mapping[int, PointContext] = field(init=False, repr=False, compare=False)
    visits_by_id: Mapping[int, Visit] = field(init=False, repr=False, compare=False)
    visits_by_plate: Mapping[str, tuple[Visit, ...]] = field(
        init=False, repr=False, compare=False
    )
    schedule_table: Mapping[int, Schedule] = field(
        init=False, repr=False, compare=False
    )
    holders: Mapping[str, Holder] = field(init=False, repr=False, compare=False)
    #: A memo, filled as decisions ask: (year, month, day, hour) of a UTC instant
    #: -> its local date and the minute of the week at the start of that hour.
    #: Only hours whose UTC offset is a whole number of hours are stored.
    local_hours: dict[tuple[int, int, int, int], tuple[dt.date, int]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if self.built_at.utcoffset() is None:
            raise ValueError("built_at must be timezone-aware")
        object.__setattr__(self, "tz", zoneinfo.ZoneInfo(self.timezone))
        schedules = dict(self.schedules)
        schedules.setdefault(0, ALWAYS)
        object.__setattr__(self, "schedule_table", schedules)

        facilities_of_port: dict[int, set[int]] = {}
        for zone_info in self.zones.values():
            if zone_info.facility_id is not None:
                facilities_of_port.setdefault(zone_info.port_id, set()).add(
                    zone_info.facility_id
                )
        points: dict[int, PointContext] = {}
        for point in self.access_points.values():
            zone = self.zones.get(point.zone_id)
            if zone is None:
                continue  # A point into an unknown zone is treated as unknown.
            if zone.facility_id is not None:
                essential_for = frozenset({zone.facility_id})
            else:
                essential_for = frozenset(facilities_of_port.get(zone.port_id, ()))
            points[point.id] = PointContext(
                point=point,
                zone=zone,
                holidays=self.holidays.get(zone.holiday_region, frozenset()),
                zone_biometric=zone.requirements.biometric
                or (zone.kind == ZoneKind.RESTRICTED and zone.security_level >= 2),
                essential_for=essential_for,
                allows_in=point.direction != PointDirection.OUT,
                allows_out=point.direction != PointDirection.IN,
            )
        object.__setattr__(self, "points", points)

        by_id: dict[int, Visit] = {}
        by_plate: dict[str, list[Visit]] = {}
        for person_visits in self.visits.values():
            for visit in person_visits:
                by_id[visit.id] = visit
                if visit.plate:
                    by_plate.setdefault(normalise_plate(visit.plate), []).append(visit)
        object.__setattr__(self, "visits_by_id", by_id)
        object.__setattr__(
            self,
            "visits_by_plate",
            {k: tuple(v) for k, v in by_plate.items()},
        )

        intern: dict[dt.date, dt.date] = {}
        zones_of: dict[int, list[tuple[ZoneInfo, tuple[Grant, ...]]]] = {}
        for (person_id, zone_id), grants in self.grants.items():
            zone = self.zones.get(zone_id)
            if zone is not None and grants:
                zones_of.setdefault(person_id, []).append((zone, grants))
        holders: dict[str, Holder] = {}
        for number, pass_info in self.passes.items():
            person = self.persons.get(pass_info.person_id)
            if person is None:
                continue
            access: dict[int, ZoneAccess] = {}
            for zone, grants in zones_of.get(person.id, ()):
                met_from, met_until = requirements_met(
                    zone.requirements, person, intern
                )
                first = grants[0]
                access[zone.id] = ZoneAccess(
                    grants=grants,
                    several=len(grants) > 1,
                    activated=zone.facility_id is None
                    or zone.facility_id in pass_info.activated_facilities,
                    met_from=met_from,
                    met_until=met_until,
                    first_from=first.valid_from,
                    first_until=first.valid_until,
                    first_schedule=schedules.get(first.schedule_id, NEVER),
                    first_requirements=zone.requirements.merge(first.requirements),
                    granted=Decision(
                        allowed=True,
                        reasons=(),
                        person_id=person.id,
                        person_name=person.name,
                        photo_ref=person.photo_ref,
                        zone_id=zone.id,
                        credential=number,
                        plate=None,
                        via="grant",
                    ),
                )
            holders[number] = Holder(
                pass_info=pass_info,
                person=person,
                zones=access,
                state=pass_info.state,
                valid_from=pass_info.valid_from,
                valid_until=pass_info.valid_until,
                activated_facilities=pass_info.activated_facilities,
                person_id=person.id,
                name=person.name,
                photo_ref=person.photo_ref,
                bans=person.bans,
                visits=tuple(self.visits.get(person.id, ())),
            )
        object.__setattr__(self, "holders", holders)
        object.__setattr__(self, "local_hours", {})

    def local_hour(self, at: dt.datetime) -> tuple[dt.date, int] | None:
        """Return the local date and minute of the week of the UTC hour of ``at``.

        None when the offset is not a whole number of hours (then the caller
        converts ``at`` itself). The answer is memoised in ``local_hours``.
        """
        hour = at.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
        local = hour.astimezone(self.tz)
        offset = local.utcoffset()
        if offset is None or offset % dt.timedelta(hours=1):
            return None
        value = (local.date(), local.weekday() * MINUTES_PER_DAY + local.hour * 60)
        self.local_hours[(hour.year, hour.month, hour.day, hour.hour)] = value
        return value

    @classmethod
    def empty(
        cls,
        version: int = 0,
        at: dt.datetime | None = None,
        timezone: str = "Europe/Brussels",
    ) -> Snapshot:
        """Return a snapshot that knows nothing: every request is denied.

        ``at`` defaults to the Unix epoch, so that the engine never reads the clock.
        """
        return cls(
            version=version,
            built_at=at if at is not None else dt.datetime(1970, 1, 1, tzinfo=dt.UTC),
            timezone=timezone,
            access_points={},
            zones={},
            schedules={},
            holidays={},
            passes={},
            persons={},
            grants={},
            visits={},
            day_passes={},
            vehicles={},
        )


@dataclass(frozen=True, slots=True)
class Request:
    """A read at an access point.

    ``credential`` is a pass number or ``"DP:<token id>"`` for a day pass whose
    signature the adapter has verified. ``inside`` is whether the person is
    currently inside the zone, for anti-passback (None: unknown, not applied).
    """

    access_point_id: int
    credential: str | None = None
    plate: str | None = None
    biometric: Biometric = Biometric.NOT_CHECKED
    direction: Direction = Direction.IN
    escorted: bool = False
    inside: bool | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """The engine's answer.

    ``reasons`` lists every deny reason, then the notes, in :class:`Reason`
    order. ``via`` names what let the person in: ``"grant"``, ``"visit"``,
    ``"day_pass"``, ``"vehicle_grant"``, ``"appointment"`` or ``"exit"`` for an
    allowed exit; it is ``""`` when denied.
    """

    allowed: bool
    reasons: tuple[Reason, ...]
    person_id: int | None
    person_name: str
    photo_ref: str
    zone_id: int | None
    credential: str | None
    plate: str | None
    via: str
