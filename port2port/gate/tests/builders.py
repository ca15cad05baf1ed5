"""Small builders for gate snapshots: a mutable world that becomes a Snapshot."""

from __future__ import annotations

import dataclasses
import datetime as dt
import zoneinfo
from collections.abc import Iterable
from typing import Any

from port2port.gate.model import (
    NO_REQUIREMENTS,
    AccessPointInfo,
    AntiPassback,
    DayPass,
    Grant,
    PassInfo,
    PassState,
    PersonInfo,
    PointDirection,
    Requirements,
    Schedule,
    Snapshot,
    VehicleInfo,
    Visit,
    Window,
    ZoneInfo,
    ZoneKind,
)

BRUSSELS = zoneinfo.ZoneInfo("Europe/Brussels")
PORT = 1
FACILITY = 10
REGION = "BE-VLG"


def local(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0
) -> dt.datetime:
    """Return a Brussels wall-clock time as an aware datetime in UTC."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=BRUSSELS).astimezone(
        dt.UTC
    )


# Tuesday 22 April 2025, noon in Brussels (10:00 UTC).
NOW = local(2025, 4, 22, 12)
DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)


def hm(hour: int, minute: int = 0) -> int:
    """Return a wall-clock time as minutes after midnight."""
    return hour * 60 + minute


def window(weekdays: Iterable[int], start: int, end: int) -> Window:
    return Window(frozenset(weekdays), start, end)


def requirements(**kwargs: Any) -> Requirements:
    """Return Requirements, accepting plain iterables for the set fields."""
    for name in ("verification_categories", "courses"):
        if name in kwargs:
            kwargs[name] = frozenset(kwargs[name])
    return Requirements(**kwargs)


@dataclasses.dataclass
class World:
    """A mutable collection of snapshot parts, with defaults that let people in."""

    access_points: dict[int, AccessPointInfo] = dataclasses.field(default_factory=dict)
    zones: dict[int, ZoneInfo] = dataclasses.field(default_factory=dict)
    schedules: dict[int, Schedule] = dataclasses.field(default_factory=dict)
    holidays: dict[str, set[dt.date]] = dataclasses.field(default_factory=dict)
    passes: dict[str, PassInfo] = dataclasses.field(default_factory=dict)
    persons: dict[int, PersonInfo] = dataclasses.field(default_factory=dict)
    grants: dict[tuple[int, int], list[Grant]] = dataclasses.field(default_factory=dict)
    visits: dict[int, list[Visit]] = dataclasses.field(default_factory=dict)
    day_passes: dict[str, DayPass] = dataclasses.field(default_factory=dict)
    vehicles: dict[str, VehicleInfo] = dataclasses.field(default_factory=dict)
    timezone: str = "Europe/Brussels"

    def zone(
        self,
        zone_id: int,
        *,
        facility_id: int | None = FACILITY,
        port_id: int = PORT,
        kind: ZoneKind = ZoneKind.CONTROLLED,
        requirements: Requirements = NO_REQUIREMENTS,
        anti_passback: AntiPassback = AntiPassback.NONE,
        security_level: int = 1,
        holiday_region: str = REGION,
    ) -> ZoneInfo:
        zone = ZoneInfo(
            zone_id,
            facility_id,
            port_id,
            kind,
            requirements,
            anti_passback,
            security_level,
            holiday_region,
        )
        self.zones[zone_id] = zone
        return zone

    def point(
        self,
        point_id: int,
        zone_id: int,
        *,
        direction: PointDirection = PointDirection.BOTH,
        vehicle_lane: bool = False,
    ) -> AccessPointInfo:
        zone = self.zones[zone_id]
        point = AccessPointInfo(
            point_id, zone_id, zone.facility_id, zone.port_id, direction, vehicle_lane
        )
        self.access_points[point_id] = point
        return point

    def schedule(
        self, schedule_id: int, *windows: Window, closed_on_holidays: bool = False
    ) -> Schedule:
        schedule = Schedule(schedule_id, tuple(windows), closed_on_holidays)
        self.schedules[schedule_id] = schedule
        return schedule

    def holiday(self, region: str, day: dt.date) -> None:
        self.holidays.setdefault(region, set()).add(day)

    def person(
        self,
        person_id: int,
        name: str | None = None,
        *,
        bans: Iterable[tuple[dt.datetime, dt.datetime]] = (),
        verifications: dict[str, tuple[dt.date, dt.date]] | None = None,
        courses: dict[str, dt.date] | None = None,
        extract_valid_until: dt.date | None = None,
        essential_facilities: Iterable[int] = (),
        driver_of: Iterable[str] = (),
        employer_id: int | None = None,
    ) -> PersonInfo:
        person = PersonInfo(
            person_id,
            name if name is not None else f"Person {person_id}",
            f"photo/{person_id}.jpg",
            employer_id,
            tuple(bans),
            dict(verifications or {}),
            dict(courses or {}),
            extract_valid_until,
            frozenset(essential_facilities),
            frozenset(driver_of),
        )
        self.persons[person_id] = person
        return person

    def pass_(
        self,
        number: str,
        person_id: int,
        *,
        state: PassState = PassState.ACTIVE,
        valid_from: dt.datetime = NOW - 365 * DAY,
        valid_until: dt.datetime = NOW + 365 * DAY,
        activated: Iterable[int] = (FACILITY,),
    ) -> PassInfo:
        info = PassInfo(
            number, person_id, state, valid_from, valid_until, frozenset(activated)
        )
        self.passes[number] = info
        return info

    def grant(
        self,
        person_id: int,
        zone_id: int,
        *,
        schedule_id: int = 0,
        valid_from: dt.datetime = NOW - 30 * DAY,
        valid_until: dt.datetime | None = NOW + 30 * DAY,
        requirements: Requirements = NO_REQUIREMENTS,
    ) -> Grant:
        grant = Grant(zone_id, schedule_id, valid_from, valid_until, requirements)
        self.grants.setdefault((person_id, zone_id), []).append(grant)
        return grant

    def visit(
        self,
        visit_id: int,
        person_id: int,
        *,
        facility_id: int | None = FACILITY,
        zone_ids: Iterable[int] = (),
        start: dt.datetime = NOW - HOUR,
        end: dt.datetime = NOW + 8 * HOUR,
        plate: str | None = None,
        escort: bool = False,
    ) -> Visit:
        visit = Visit(
            visit_id,
            person_id,
            facility_id,
            frozenset(zone_ids),
            start,
            end,
            plate,
            escort,
        )
        self.visits.setdefault(person_id, []).append(visit)
        return visit

    def day_pass(self, token_id: str, visit_id: int, person_id: int) -> DayPass:
        day_pass = DayPass(token_id, visit_id, person_id)
        self.day_passes[token_id] = day_pass
        return day_pass

    def vehicle(
        self,
        plate: str,
        owner_id: int,
        *,
        grants: Iterable[Grant] = (),
        appointments: Iterable[tuple[int, dt.datetime, dt.datetime]] = (),
    ) -> VehicleInfo:
        vehicle = VehicleInfo(plate, owner_id, tuple(grants), tuple(appointments))
        self.vehicles[plate] = vehicle
        return vehicle

    # Changes to what is already there (the dataclasses are frozen).

    def update_zone(self, zone_id: int, **changes: Any) -> None:
        self.zones[zone_id] = dataclasses.replace(self.zones[zone_id], **changes)

    def update_pass(self, number: str, **changes: Any) -> None:
        self.passes[number] = dataclasses.replace(self.passes[number], **changes)

    def update_person(self, person_id: int, **changes: Any) -> None:
        self.persons[person_id] = dataclasses.replace(
            self.persons[person_id], **changes
        )

    def snapshot(self, version: int = 1) -> Snapshot:
        return Snapshot(
            version=version,
            built_at=NOW - HOUR,
            timezone=self.timezone,
            access_points=dict(self.access_points),
            zones=dict(self.zones),
            schedules=dict(self.schedules),
            holidays={k: frozenset(v) for k, v in self.holidays.items()},
            passes=dict(self.passes),
            persons=dict(self.persons),
            grants={k: tuple(v) for k, v in self.grants.items()},
            visits={k: tuple(v) for k, v in self.visits.items()},
            day_passes=dict(self.day_passes),
            vehicles=dict(self.vehicles),
        )
