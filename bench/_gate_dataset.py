"""The gate-decision workload of research/performance.md §3.2, built without a database.

``build_dataset()`` draws the data deterministically (``random.Random(seed)``,
never iterating a set) in a neutral form, lists of tuples with days as
``datetime.date``, so that Cedar and casbin are loaded from exactly the data
that ``dataset_snapshot()`` turns into an engine ``Snapshot``.

The policy that all three engines apply: a read is granted iff the holder is not
port-banned, the pass is valid on the local day, some grant of the holder for
the gate's zone is valid on the local day and its schedule covers the local
time, the holder's security verification is valid that day when the zone asks
for one, and every course the zone requires is held and not expired. Pass
activation is never the deciding factor (holders have their passes activated
at the facilities of their grants, and a read elsewhere has no grant either).
The pre-notification rule of §3.2 for visitors is not part of the engine's
contract; visitors here hold grants like everyone else.
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from dataclasses import dataclass

from port2port.gate import (
    AccessPointInfo,
    AntiPassback,
    Grant,
    PassInfo,
    PassState,
    PersonInfo,
    PointDirection,
    Request,
    Requirements,
    Schedule,
    Snapshot,
    Window,
    ZoneInfo,
    ZoneKind,
)

SEED = 42
N_PERSONS = 50_000
N_FACILITIES = 200
N_ZONES = 500
POINTS_PER_ZONE = 4
N_COURSES = 20
GRANTS_PER_PERSON = 5
N_BANS = 300
N_REQUESTS = 20_000
TODAY = dt.date(2025, 4, 22)  # a Tuesday
TIMEZONE = "Europe/Brussels"
PORT_ID = 1
VERIFICATION = "critical_function"
ALL_DAYS = (0, 1, 2, 3, 4, 5, 6)

#: (schedule id, name, hour from, hour to, weekdays with 0 = Monday); id 0 is 24x7.
SCHEDULES: list[tuple[int, str, int, int, tuple[int, ...]]] = [
    (0, "24x7", 0, 24, ALL_DAYS),
    (1, "day", 6, 18, (0, 1, 2, 3, 4)),
    (2, "late", 14, 22, (0, 1, 2, 3, 4, 5)),
    (3, "night", 22, 6, ALL_DAYS),  # crosses midnight
]


@dataclass(frozen=True)
class GateDataset:
    """The workload in neutral form. Day ranges are inclusive on both ends."""

    today: dt.date
    timezone: str
    #: (zone id, facility id, requires verification, required course codes)
    zones: list[tuple[int, int, bool, tuple[str, ...]]]
    #: (access point id, zone id)
    access_points: list[tuple[int, int]]
    #: (person id, kind: employee | driver | visitor)
    persons: list[tuple[int, str]]
    #: (pass number, person id, first valid day, last valid day, activated facilities)
    passes: list[tuple[str, int, dt.date, dt.date, tuple[int, ...]]]
    #: (person id, zone id, schedule id, first valid day, last valid day)
    grants: list[tuple[int, int, int, dt.date, dt.date]]
    #: (person id, first day, last day)
    bans: list[tuple[int, dt.date, dt.date]]
    #: (person id, category, first valid day, last valid day)
    verifications: list[tuple[int, str, dt.date, dt.date]]
    #: (person id, course code, last valid day)
    courses: list[tuple[int, str, dt.date]]
    #: (pass number, access point id, instant in UTC)
    requests: list[tuple[str, int, dt.datetime]]


def _days(base: dt.date, n: int) -> dt.date:
    return base + dt.timedelta(days=n)


def build_dataset(seed: int = SEED, n_requests: int = N_REQUESTS) -> GateDataset:
    """Draw the §3.2 workload: 50,000 people, 500 zones, 250,000 grants."""
    rnd = random.Random(seed)
    tz = zoneinfo.ZoneInfo(TIMEZONE)
    course_codes = [f"C{c:02d}" for c in range(N_COURSES)]

    zones: list[tuple[int, int, bool, tuple[str, ...]]] = []
    for z in range(N_ZONES):
        requires_verification = rnd.random() < 0.30
        k = rnd.choice([0, 0, 1, 1, 2])
        zones.append(
            (
                z + 1,
                z % N_FACILITIES + 1,
                requires_verification,
                tuple(sorted(rnd.sample(course_codes, k))),
            )
        )
    zone_by_id = {zone[0]: zone for zone in zones}
    zones_of_facility: dict[int, list[int]] = {}
    for zone_id, facility_id, _, _ in zones:
        zones_of_facility.setdefault(facility_id, []).append(zone_id)
    access_points = [
        (i * POINTS_PER_ZONE + g + 1, zone_id)
        for i, (zone_id, _, _, _) in enumerate(zones)
        for g in range(POINTS_PER_ZONE)
    ]
    points_of_zone: dict[int, list[int]] = {}
    for point_id, zone_id in access_points:
        points_of_zone.setdefault(zone_id, []).append(point_id)

    persons: list[tuple[int, str]] = []
    passes: list[tuple[str, int, dt.date, dt.date, tuple[int, ...]]] = []
    grants: list[tuple[int, int, int, dt.date, dt.date]] = []
    verifications: list[tuple[int, str, dt.date, dt.date]] = []
    courses: list[tuple[int, str, dt.date]] = []
    grants_of_person: dict[int, list[tuple[int, int]]] = {}
    for p in range(N_PERSONS):
        person_id = p + 1
        r = rnd.random()
        kind = "employee" if r < 0.70 else ("driver" if r < 0.95 else "visitor")
        persons.append((person_id, kind))
        home = rnd.randint(1, N_FACILITIES)
        held: dict[tuple[int, int], tuple[dt.date, dt.date]] = {}
        while len(held) < GRANTS_PER_PERSON:
            facility_id = home if rnd.random() < 0.6 else rnd.randint(1, N_FACILITIES)
            zone_id = rnd.choice(zones_of_facility[facility_id])
            schedule_id = rnd.choice([0, 1, 1, 2, 3])
            valid_from = _days(TODAY, -rnd.randint(0, 700))
            if rnd.random() > 0.05:
                valid_until = _days(TODAY, rnd.randint(1, 700))
            else:
                valid_until = _days(TODAY, -rnd.randint(1, 30))
            held[(zone_id, schedule_id)] = (valid_from, valid_until)
        grants_of_person[person_id] = list(held)
        for (zone_id, schedule_id), (valid_from, valid_until) in held.items():
            grants.append((person_id, zone_id, schedule_id, valid_from, valid_until))
        granted_zones = [zone_by_id[zone_id] for zone_id, _ in held]

        # People mostly hold what their zones require (95 %), plus a few extras.
        required = sorted({c for zone in granted_zones for c in zone[3]})
        expiries: dict[str, dt.date] = {}
        for code in required:
            if rnd.random() < 0.95:
                expiries[code] = _days(TODAY, rnd.randint(30, 1000))
            elif rnd.random() < 0.5:
                expiries[code] = _days(TODAY, -rnd.randint(1, 90))
        for c in rnd.sample(range(N_COURSES), rnd.randint(0, 3)):
            expiries.setdefault(course_codes[c], _days(TODAY, rnd.randint(-90, 1000)))
        courses.extend((person_id, code, day) for code, day in sorted(expiries.items()))

        if any(zone[2] for zone in granted_zones):
            if rnd.random() < 0.95:
                until = _days(TODAY, rnd.randint(30, 1800))
            else:
                until = _days(TODAY, -rnd.randint(1, 60))
            verifications.append((person_id, VERIFICATION, _days(TODAY, -1500), until))
        elif rnd.random() < 0.5:
            until = _days(TODAY, rnd.randint(30, 1800))
            verifications.append((person_id, VERIFICATION, _days(TODAY, -1500), until))

        if rnd.random() > 0.02:
            pass_until = _days(TODAY, rnd.randint(1, 1800))
        else:
            pass_until = _days(TODAY, -rnd.randint(1, 100))
        activated = tuple(sorted({zone[1] for zone in granted_zones}))
        passes.append(
            (
                f"BE{person_id:07d}",
                person_id,
                _days(pass_until, -1825),
                pass_until,
                activated,
            )
        )

    bans = [
        (
            person_id,
            _days(TODAY, -rnd.randint(1, 1000)),
            _days(TODAY, rnd.randint(30, 3650)),
        )
        for person_id in sorted(rnd.sample(range(1, N_PERSONS + 1), N_BANS))
    ]

    schedule_hours = {s[0]: (s[2], s[3]) for s in SCHEDULES}
    all_points = [point_id for point_id, _ in access_points]
    requests: list[tuple[str, int, dt.datetime]] = []
    for _ in range(n_requests):
        person_id = rnd.randint(1, N_PERSONS)
        day = _days(TODAY, rnd.choice([0, 0, 0, 1, 2]))
        if rnd.random() < 0.80:
            # A holder badging at a gate of a zone they hold a grant for, in schedule.
            zone_id, schedule_id = rnd.choice(grants_of_person[person_id])
            point_id = rnd.choice(points_of_zone[zone_id])
            hour_from, hour_to = schedule_hours[schedule_id]
            hour = (hour_from + rnd.randrange((hour_to - hour_from) % 24 or 24)) % 24
            second = rnd.randint(0, 3599)
        else:
            # Anyone, at any gate, at any time.
            point_id = rnd.choice(all_points)
            second_of_day = rnd.randint(0, 86399)
            hour, second = divmod(second_of_day, 3600)
        local = dt.datetime.combine(
            day, dt.time(hour, second // 60, second % 60), tzinfo=tz
        )
        requests.append((f"BE{person_id:07d}", point_id, local.astimezone(dt.UTC)))

    return GateDataset(
        today=TODAY,
        timezone=TIMEZONE,
        zones=zones,
        access_points=access_points,
        persons=persons,
        passes=passes,
        grants=grants,
        bans=bans,
        verifications=verifications,
        courses=courses,
        requests=requests,
    )


def _window(hour_from: int, hour_to: int, weekdays: tuple[int, ...]) -> Window:
    return Window(
        frozenset(weekdays), hour_from * 60, hour_to * 60 if hour_to else 1440
    )


def dataset_snapshot(data: GateDataset) -> Snapshot:
    """Return ``data`` as an engine snapshot (days become local-midnight instants)."""
    tz = zoneinfo.ZoneInfo(data.timezone)
    midnights: dict[dt.date, dt.datetime] = {}

    def start_of(day: dt.date) -> dt.datetime:
        instant = midnights.get(day)
        if instant is None:
            instant = dt.datetime.combine(day, dt.time(), tzinfo=tz).astimezone(dt.UTC)
            midnights[day] = instant
        return instant

    def end_of(day: dt.date) -> dt.datetime:
        return start_of(day + dt.timedelta(days=1))

    # One object per distinct day (and one instant per midnight, above), as a
    # snapshot builder should do: the checks then compare against a few thousand
    # objects that stay in the CPU cache.
    days: dict[dt.date, dt.date] = {}

    def day_of(day: dt.date) -> dt.date:
        return days.setdefault(day, day)

    schedules = {
        schedule_id: Schedule(schedule_id, (_window(hour_from, hour_to, days),))
        for schedule_id, _, hour_from, hour_to, days in SCHEDULES
    }
    zones = {
        zone_id: ZoneInfo(
            zone_id,
            facility_id,
            PORT_ID,
            ZoneKind.CONTROLLED,
            Requirements(
                verification_categories=frozenset({VERIFICATION})
                if requires_verification
                else frozenset(),
                courses=frozenset(required),
            ),
            AntiPassback.NONE,
            1,
            "BE-VLG",
        )
        for zone_id, facility_id, requires_verification, required in data.zones
    }
    access_points = {
        point_id: AccessPointInfo(
            point_id,
            zone_id,
            zones[zone_id].facility_id,
            PORT_ID,
            PointDirection.BOTH,
            False,
        )
        for point_id, zone_id in data.access_points
    }
    bans: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
    for person_id, first, last in data.bans:
        bans.setdefault(person_id, []).append((start_of(first), end_of(last)))
    verifications: dict[int, dict[str, tuple[dt.date, dt.date]]] = {}
    for person_id, category, first, last in data.verifications:
        verifications.setdefault(person_id, {})[category] = (
            day_of(first),
            day_of(last),
        )
    courses: dict[int, dict[str, dt.date]] = {}
    for person_id, code, last in data.courses:
        courses.setdefault(person_id, {})[code] = day_of(last)
    persons = {
        person_id: PersonInfo(
            person_id,
            f"Person {person_id}",
            "",
            None,
            tuple(bans.get(person_id, ())),
            verifications.get(person_id, {}),
            courses.get(person_id, {}),
        )
        for person_id, _ in data.persons
    }
    passes = {
        number: PassInfo(
            number,
            person_id,
            PassState.ACTIVE,
            start_of(first),
            end_of(last),
            frozenset(activated),
        )
        for number, person_id, first, last, activated in data.passes
    }
    grants: dict[tuple[int, int], list[Grant]] = {}
    for person_id, zone_id, schedule_id, first, last in data.grants:
        grants.setdefault((person_id, zone_id), []).append(
            Grant(zone_id, schedule_id, start_of(first), end_of(last))
        )
    return Snapshot(
        version=1,
        built_at=start_of(data.today),
        timezone=data.timezone,
        access_points=access_points,
        zones=zones,
        schedules=schedules,
        holidays={},
        passes=passes,
        persons=persons,
        grants={key: tuple(value) for key, value in grants.items()},
        visits={},
        day_passes={},
        vehicles={},
    )


def dataset_requests(data: GateDataset) -> list[tuple[Request, dt.datetime]]:
    """Return the engine requests with their instants."""
    return [
        (Request(point_id, credential), at)
        for credential, point_id, at in data.requests
    ]
