"""``decide`` agrees with a deliberately naive reference on random snapshots.

The reference below is written from the rules in the engine's docstring, not
from its code: it walks the snapshot's plain mappings with loops (every grant,
every visit, every schedule window), uses none of the indexes the snapshot
derives (holders, access records, minute tables, the local-hour memo) and
converts the instant with ``astimezone`` every time.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from port2port.gate import (
    ALWAYS,
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
    decide,
)

R = Reason
TIMEZONE = "Europe/Brussels"
# Two days before clocks go forward in Brussels, so that random instants cross it.
BASE = dt.datetime(2025, 3, 28, 12, tzinfo=dt.UTC)
FACILITY_PORT = {10: 1, 11: 1, 20: 2}
PLATES = ["1ABC123", "2DEF456", "3GHI789"]


# ----------------------------------------------------------------- reference


def _norm(plate: str) -> str:
    return plate.replace("-", "").replace(" ", "").replace(".", "").upper()


def _in_window(window: Window, local: dt.datetime) -> bool:
    minute = local.hour * 60 + local.minute
    weekday = local.weekday()
    yesterday = (weekday - 1) % 7
    if window.start_minute < window.end_minute:
        return (
            weekday in window.weekdays
            and window.start_minute <= minute < window.end_minute
        )
    if window.start_minute > window.end_minute:
        if weekday in window.weekdays and minute >= window.start_minute:
            return True
        return yesterday in window.weekdays and minute < window.end_minute
    return False


def _schedule_ok(
    snap: Snapshot, schedule_id: int, zone: ZoneInfo, at: dt.datetime
) -> bool:
    schedule = None
    for sid, each in snap.schedules.items():
        if sid == schedule_id:
            schedule = each
    if schedule is None and schedule_id == 0:
        schedule = ALWAYS
    if schedule is None:
        return False
    local = at.astimezone(zoneinfo.ZoneInfo(snap.timezone))
    holidays: Iterable[dt.date] = ()
    for region, days in snap.holidays.items():
        if region == zone.holiday_region:
            holidays = days
    if schedule.closed_on_holidays and local.date() in list(holidays):
        return False
    return any(_in_window(w, local) for w in schedule.windows)


def _dates_ok(grant: Grant, at: dt.datetime) -> bool:
    return grant.valid_from <= at and (
        grant.valid_until is None or at < grant.valid_until
    )


def _all_visits(snap: Snapshot) -> list[Visit]:
    return [v for visits in snap.visits.values() for v in visits]


def _covers(visit: Visit, zone: ZoneInfo) -> bool:
    if visit.zone_ids:
        return zone.id in visit.zone_ids
    return visit.facility_id is not None and visit.facility_id == zone.facility_id


def _visit_now(visit: Visit, zone: ZoneInfo, at: dt.datetime) -> bool:
    return _covers(visit, zone) and visit.start <= at < visit.end


def _banned(person: PersonInfo, at: dt.datetime) -> bool:
    return any(start <= at < end for start, end in person.bans)


def _requirement_reasons(
    reqs: Requirements, person: PersonInfo, today: dt.date
) -> set[Reason]:
    out = set()
    for category in reqs.verification_categories:
        span = person.verifications.get(category)
        if span is None or not (span[0] <= today <= span[1]):
            out.add(R.VERIFICATION_MISSING)
    for code in reqs.courses:
        if code not in person.courses:
            out.add(R.TRAINING_MISSING)
        elif person.courses[code] < today:
            out.add(R.TRAINING_EXPIRED)
    if reqs.extract and (
        person.extract_valid_until is None or person.extract_valid_until < today
    ):
        out.add(R.EXTRACT_MISSING)
    return out


def _biometric_needed(reqs: Requirements, zone: ZoneInfo) -> bool:
    return (
        reqs.biometric
        or zone.requirements.biometric
        or (zone.kind == ZoneKind.RESTRICTED and zone.security_level >= 2)
    )


def _resolve(snap: Snapshot, credential: str) -> PersonInfo | None:
    if credential.startswith("DP:"):
        day_pass = snap.day_passes.get(credential[3:])
        return None if day_pass is None else snap.persons.get(day_pass.person_id)
    pass_info = snap.passes.get(credential)
    return None if pass_info is None else snap.persons.get(pass_info.person_id)


def reference(
    snap: Snapshot, request: Request, at: dt.datetime
) -> tuple[set[Reason], str, int | None]:
    """Return the reasons, ``via`` and the person's id, the slow way."""
    point = None
    for each in snap.access_points.values():
        if each.id == request.access_point_id:
            point = each
    zone = None
    if point is not None:
        for each_zone in snap.zones.values():
            if each_zone.id == point.zone_id:
                zone = each_zone
    if point is None or zone is None:
        return {R.ACCESS_POINT_UNKNOWN}, "", None

    reasons: set[Reason] = set()
    credential = request.credential or None
    plate = _norm(request.plate) if request.plate and point.vehicle_lane else None
    entering = request.direction == Direction.IN
    if (point.direction == PointDirection.IN and not entering) or (
        point.direction == PointDirection.OUT and entering
    ):
        reasons.add(R.DIRECTION_NOT_ALLOWED)
    if zone.anti_passback != AntiPassback.NONE and request.inside is not None:
        wrong = request.inside if entering else not request.inside
        if wrong:
            reasons.add(
                R.ANTI_PASSBACK
                if zone.anti_passback == AntiPassback.HARD
                else R.ANTI_PASSBACK_SOFT
            )
    if credential is None and plate is None:
        reasons.add(R.NO_CREDENTIAL)
        return reasons, "", None

    known_plate = plate is not None and (
        plate in snap.vehicles
        or any(v.plate and _norm(v.plate) == plate for v in _all_visits(snap))
    )
    if not entering:
        person = _resolve(snap, credential) if credential else None
        if credential and person is None:
            reasons.add(R.UNKNOWN_CREDENTIAL)
        if plate is not None and not known_plate:
            reasons.add(R.PLATE_UNKNOWN)
        return (
            reasons,
            "" if _denies(reasons) else "exit",
            person.id if person else None,
        )

    today = at.astimezone(zoneinfo.ZoneInfo(snap.timezone)).date()
    person = None
    via = ""
    if credential is not None:
        person = _resolve(snap, credential)
        if person is None:
            reasons.add(R.UNKNOWN_CREDENTIAL)
    if person is not None and credential is not None:
        reqs = zone.requirements
        visitor = False
        escort_visit = False
        if credential.startswith("DP:"):
            visitor = True
            day_pass = snap.day_passes[credential[3:]]
            visit = None
            for v in _all_visits(snap):
                if v.id == day_pass.visit_id and v.person_id == person.id:
                    visit = v
            if visit is None:
                reasons.add(R.UNKNOWN_CREDENTIAL)
            else:
                via = "day_pass"
                escort_visit = visit.escort
                if not _covers(visit, zone):
                    reasons.add(R.VISIT_WRONG_LOCATION)
                if not visit.start <= at < visit.end:
                    reasons.add(R.VISIT_OUTSIDE_WINDOW)
        else:
            pass_info = snap.passes[credential]
            state_reason = {
                PassState.ISSUED: R.PASS_NOT_ACTIVE,
                PassState.SUSPENDED: R.PASS_SUSPENDED,
                PassState.LOST: R.PASS_LOST,
                PassState.REVOKED: R.PASS_REVOKED,
                PassState.EXPIRED: R.PASS_EXPIRED,
            }
            if pass_info.state in state_reason:
                reasons.add(state_reason[pass_info.state])
            if at < pass_info.valid_from:
                reasons.add(R.PASS_NOT_ACTIVE)
            if at >= pass_info.valid_until:
                reasons.add(R.PASS_EXPIRED)
            if (
                zone.facility_id is not None
                and zone.facility_id not in pass_info.activated_facilities
            ):
                reasons.add(R.PASS_NOT_ACTIVATED_HERE)
            grants = [
                g
                for (pid, zid), each_grants in snap.grants.items()
                if pid == person.id and zid == zone.id
                for g in each_grants
            ]
            usable = [
                g
                for g in grants
                if _dates_ok(g, at) and _schedule_ok(snap, g.schedule_id, zone, at)
            ]
            mine = [v for v in _all_visits(snap) if v.person_id == person.id]
            if usable:
                via = "grant"
                if not any(g.requirements == Requirements() for g in usable):
                    merged = [zone.requirements.merge(g.requirements) for g in usable]
                    reqs = merged[0]
                    for m in merged:
                        if (
                            not _requirement_reasons(m, person, today)
                            and not (
                                _biometric_needed(m, zone)
                                and request.biometric == Biometric.NOT_CHECKED
                            )
                            and not (m.escort and not request.escorted)
                        ):
                            reqs = m
                            break
            else:
                covering = [v for v in mine if _visit_now(v, zone, at)]
                if covering:
                    via = "visit"
                    visitor = True
                    escort_visit = all(v.escort for v in covering)
                elif grants:
                    reasons.add(
                        R.OUTSIDE_SCHEDULE
                        if any(_dates_ok(g, at) for g in grants)
                        else R.GRANT_EXPIRED
                    )
                elif any(_covers(v, zone) for v in mine):
                    reasons.add(R.VISIT_OUTSIDE_WINDOW)
                else:
                    reasons.add(R.NO_GRANT)
        if _banned(person, at):
            reasons.add(R.PORT_BAN)
        reasons |= _requirement_reasons(reqs, person, today)
        if request.biometric == Biometric.NO_MATCH:
            reasons.add(R.BIOMETRIC_MISMATCH)
        elif (
            _biometric_needed(reqs, zone) and request.biometric == Biometric.NOT_CHECKED
        ):
            reasons.add(R.BIOMETRIC_REQUIRED)
        if request.escorted:
            reasons.add(R.ESCORTED)
        elif reqs.escort or (visitor and (zone.security_level >= 2 or escort_visit)):
            reasons.add(R.ESCORT_REQUIRED)
        if zone.security_level >= 3:
            if zone.facility_id is not None:
                essential = zone.facility_id in person.essential_facilities
            else:
                port_facilities = {
                    z.facility_id
                    for z in snap.zones.values()
                    if z.port_id == zone.port_id and z.facility_id is not None
                }
                essential = bool(port_facilities & person.essential_facilities)
            if not essential:
                reasons.add(R.SECURITY_LEVEL)
        if visitor:
            reasons.add(R.VISITOR)

    if plate is not None:
        if person is not None and plate not in person.driver_of:
            linked = any(
                v.person_id == person.id
                and v.plate
                and _norm(v.plate) == plate
                and _visit_now(v, zone, at)
                for v in _all_visits(snap)
            )
            if not linked:
                reasons.add(R.PLATE_DRIVER_MISMATCH)
        plate_via = ""
        if not known_plate:
            reasons.add(R.PLATE_UNKNOWN)
        else:
            vehicle = snap.vehicles.get(plate)
            banned_visitor = False
            if vehicle is not None and any(
                g.zone_id == zone.id
                and _dates_ok(g, at)
                and _schedule_ok(snap, g.schedule_id, zone, at)
                for g in vehicle.grants
            ):
                plate_via = "vehicle_grant"
            elif vehicle is not None and any(
                zone.facility_id is not None and f == zone.facility_id and s <= at < e
                for f, s, e in vehicle.appointments
            ):
                plate_via = "appointment"
            else:
                for v in _all_visits(snap):
                    if v.plate and _norm(v.plate) == plate and _visit_now(v, zone, at):
                        visitor_person = snap.persons.get(v.person_id)
                        if (
                            person is None
                            and visitor_person is not None
                            and _banned(visitor_person, at)
                        ):
                            banned_visitor = True
                        else:
                            plate_via = "visit"
                if not plate_via:
                    reasons.add(
                        R.PORT_BAN if banned_visitor else R.PLATE_NOT_AUTHORISED
                    )
        if person is None:
            via = plate_via
            if credential is None and zone.security_level >= 3:
                reasons.add(R.SECURITY_LEVEL)

    return reasons, "" if _denies(reasons) else via, person.id if person else None


def _denies(reasons: set[Reason]) -> bool:
    return any(r not in {R.ANTI_PASSBACK_SOFT, R.ESCORTED, R.VISITOR} for r in reasons)


# ----------------------------------------------------------------- strategies

# Values are drawn with sampled_from, which spreads them evenly: integers()
# favours the bounds and zero, and would rarely put an instant mid-window.
minutes = st.sampled_from(range(-10 * 24 * 60, 10 * 24 * 60 + 1))
# Most generated values let people in, so that the allowed paths are explored
# as much as the denied ones; the rest are drawn from everything possible.
usually = st.integers(0, 4).map(bool)


def _instant(offset_minutes: int) -> dt.datetime:
    return BASE + dt.timedelta(minutes=offset_minutes)


@st.composite
def instants(draw: st.DrawFn) -> dt.datetime:
    return _instant(draw(minutes))


@st.composite
def spans(draw: st.DrawFn, wide: bool = False) -> tuple[dt.datetime, dt.datetime]:
    """Return ``[start, end)``; a wide span (usually) covers every instant drawn."""
    if wide and draw(usually):
        return _instant(-30 * 24 * 60), _instant(30 * 24 * 60)
    start = draw(minutes)
    length = draw(st.sampled_from([30, 4 * 60, 24 * 60, 6 * 24 * 60, 20 * 24 * 60]))
    return _instant(start - length // 2), _instant(start + length // 2 + 1)


@st.composite
def days(draw: st.DrawFn) -> dt.date:
    return BASE.date() + dt.timedelta(days=draw(st.sampled_from(range(-10, 11))))


@st.composite
def requirements_(draw: st.DrawFn, rarely: bool = False) -> Requirements:
    if rarely and draw(usually):
        return Requirements()
    return Requirements(
        verification_categories=frozenset(
            draw(st.sets(st.sampled_from("ab"), max_size=2))
        ),
        courses=frozenset(draw(st.sets(st.sampled_from("xy"), max_size=2))),
        biometric=draw(st.booleans()),
        escort=draw(st.booleans()),
        extract=draw(st.booleans()),
    )


@st.composite
def windows(draw: st.DrawFn) -> Window:
    start = draw(st.sampled_from(range(0, 1440, 15)))
    end = draw(st.sampled_from(range(15, 1441, 15)))
    weekdays = draw(
        st.sampled_from([range(7), range(5), range(5, 7), range(7), range(5)])
        | st.sets(st.sampled_from(range(7)))
    )
    return Window(frozenset(weekdays), start, end)


@st.composite
def grants(draw: st.DrawFn, zone_ids: list[int]) -> Grant:
    start, end = draw(spans(wide=True))
    return Grant(
        zone_id=draw(st.sampled_from(zone_ids)),
        schedule_id=draw(st.sampled_from([0, 0, 0, 1, 2, 3, 7])),
        valid_from=start,
        valid_until=draw(st.sampled_from([end, end, None])),
        requirements=draw(requirements_(rarely=True)),
    )


def _maybe(draw: st.DrawFn, default: Any, strategy: st.SearchStrategy[Any]) -> Any:
    return default if draw(usually) else draw(strategy)


@st.composite
def snapshots(draw: st.DrawFn) -> Snapshot:
    zones = {}
    for zone_id in range(1, draw(st.integers(1, 4)) + 1):
        facility = draw(st.sampled_from([None, 10, 10, 11, 20]))
        zones[zone_id] = ZoneInfo(
            id=zone_id,
            facility_id=facility,
            port_id=FACILITY_PORT[facility]
            if facility
            else draw(st.sampled_from([1, 2])),
            kind=draw(st.sampled_from(ZoneKind)),
            requirements=draw(requirements_(rarely=True)),
            anti_passback=_maybe(
                draw, AntiPassback.NONE, st.sampled_from(AntiPassback)
            ),
            security_level=_maybe(draw, 1, st.integers(1, 3)),
            holiday_region=draw(st.sampled_from(["R1", "R2"])),
        )
    zone_ids = sorted(zones)
    points = {}
    # A point into every zone, then a few more (one in ten into a missing zone).
    point_zones = zone_ids + [
        99 if draw(st.integers(0, 9)) == 0 else draw(st.sampled_from(zone_ids))
        for _ in range(draw(st.integers(0, 3)))
    ]
    for point_id, zone_id in enumerate(point_zones, start=100):
        zone = zones.get(zone_id)
        points[point_id] = AccessPointInfo(
            id=point_id,
            zone_id=zone_id,
            facility_id=zone.facility_id if zone else None,
            port_id=zone.port_id if zone else 1,
            direction=_maybe(
                draw, PointDirection.BOTH, st.sampled_from(PointDirection)
            ),
            vehicle_lane=draw(st.booleans()),
        )
    schedules = {
        schedule_id: Schedule(
            schedule_id,
            tuple(draw(st.lists(windows(), max_size=2))),
            draw(st.booleans()),
        )
        for schedule_id in (1, 2, 3)
    }
    holidays = {
        region: frozenset(draw(st.sets(days(), max_size=3))) for region in ("R1", "R2")
    }
    persons = {}
    for person_id in range(1, draw(st.integers(1, 4)) + 1):
        persons[person_id] = PersonInfo(
            id=person_id,
            name=f"Person {person_id}",
            photo_ref="",
            employer_id=None,
            bans=_maybe(draw, (), st.lists(spans(), max_size=1).map(tuple)),
            verifications={
                c: tuple(sorted((draw(days()), draw(days()))))  # type: ignore[misc]
                for c in draw(st.sets(st.sampled_from("ab")))
            },
            courses={c: draw(days()) for c in draw(st.sets(st.sampled_from("xy")))},
            extract_valid_until=draw(st.one_of(st.none(), days())),
            essential_facilities=frozenset(
                draw(st.sets(st.sampled_from([10, 11, 20])))
            ),
            driver_of=frozenset(draw(st.sets(st.sampled_from(PLATES), max_size=2))),
        )
    person_ids = [*persons, *persons, *persons, 9]
    passes = {}
    # A pass for every person, then a few more, some of them orphans.
    holders = list(persons) + [
        draw(st.sampled_from(person_ids)) for _ in range(draw(st.integers(0, 2)))
    ]
    for n, holder in enumerate(holders):
        start, end = draw(spans(wide=True))
        number = f"C{n}"
        passes[number] = PassInfo(
            number=number,
            person_id=holder,
            state=_maybe(draw, PassState.ACTIVE, st.sampled_from(PassState)),
            valid_from=start,
            valid_until=end,
            activated_facilities=_maybe(
                draw,
                frozenset({10, 11, 20}),
                st.sets(st.sampled_from([10, 11, 20])).map(frozenset),
            ),
        )
    grant_map: dict[tuple[int, int], tuple[Grant, ...]] = {}
    for person_id in persons:
        for grant in draw(st.lists(grants(zone_ids), max_size=4)):
            key = (person_id, grant.zone_id)
            grant_map[key] = (*grant_map.get(key, ()), grant)
    visits: dict[int, tuple[Visit, ...]] = {}
    visit_id = 0
    for person_id in persons:
        for _ in range(draw(st.integers(0, 2))):
            visit_id += 1
            start, end = draw(spans(wide=True))
            visit = Visit(
                id=visit_id,
                person_id=person_id,
                facility_id=draw(st.sampled_from([None, 10, 10, 11, 20])),
                zone_ids=frozenset(
                    draw(st.sets(st.sampled_from(zone_ids), max_size=2))
                ),
                start=start,
                end=end,
                plate=draw(st.sampled_from([None, *PLATES, "3-ghi-789"])),
                escort=draw(st.booleans()),
            )
            visits[person_id] = (*visits.get(person_id, ()), visit)
    day_passes = {}
    for n in range(draw(st.integers(0, 3))):
        token = f"T{n}"
        day_passes[token] = DayPass(
            token,
            draw(st.integers(1, visit_id + 1)),
            draw(st.sampled_from(person_ids)),
        )
    vehicles = {}
    for plate in draw(st.sets(st.sampled_from(PLATES[:2]))):
        vehicles[plate] = VehicleInfo(
            plate=plate,
            owner_id=1,
            grants=tuple(draw(st.lists(grants(zone_ids), max_size=2))),
            appointments=tuple(
                (draw(st.sampled_from([10, 11, 20])), *draw(spans(wide=True)))
                for _ in range(draw(st.integers(0, 2)))
            ),
        )
    return Snapshot(
        version=1,
        built_at=BASE,
        timezone=TIMEZONE,
        access_points=points,
        zones=zones,
        schedules=schedules,
        holidays=holidays,
        passes=passes,
        persons=persons,
        grants=grant_map,
        visits=visits,
        day_passes=day_passes,
        vehicles=vehicles,
    )


@st.composite
def reads(draw: st.DrawFn, snapshot: Snapshot) -> tuple[Request, dt.datetime]:
    """Return a read: anything at all, or one that a grant, visit or vehicle may allow."""
    point_ids = list(snapshot.access_points)
    credential = draw(
        st.sampled_from(
            [None, "", "C9", "DP:nope"]
            + list(snapshot.passes) * 4
            + [f"DP:{t}" for t in snapshot.day_passes] * 2
        )
    )
    plate = draw(st.sampled_from([None] * 6 + ["", *PLATES, "1-abc-123", "9ZZZ999"]))
    at = draw(instants())
    mode = draw(st.sampled_from(["any", "grant", "grant", "visit", "vehicle"]))

    def points_into(zone_ids: Iterable[int]) -> list[int]:
        return [p for p in point_ids if snapshot.access_points[p].zone_id in zone_ids]

    def minutes_between(start: dt.datetime, end: dt.datetime) -> dt.datetime:
        length = int((end - start).total_seconds() // 60)
        offset = draw(st.sampled_from(range(max(1, length))))
        return start + dt.timedelta(minutes=offset)

    if mode == "grant" and snapshot.grants:
        person_id, zone_id = draw(st.sampled_from(sorted(snapshot.grants)))
        grant = draw(st.sampled_from(snapshot.grants[(person_id, zone_id)]))
        numbers = [n for n, p in snapshot.passes.items() if p.person_id == person_id]
        if numbers and points_into([zone_id]):
            point_ids = points_into([zone_id])
            credential = draw(st.sampled_from(numbers))
            if grant.valid_until is not None:
                at = minutes_between(grant.valid_from, grant.valid_until)
    elif mode == "visit" and snapshot.visits:
        visit = draw(
            st.sampled_from([v for vs in snapshot.visits.values() for v in vs])
        )
        covered = [z.id for z in snapshot.zones.values() if _covers(visit, z)]
        options = [
            n for n, p in snapshot.passes.items() if p.person_id == visit.person_id
        ]
        options += [
            f"DP:{t}" for t, d in snapshot.day_passes.items() if d.visit_id == visit.id
        ]
        if points_into(covered):
            point_ids = points_into(covered)
            credential = draw(st.sampled_from([None, *options]))
            plate = visit.plate if draw(st.booleans()) else plate
            at = minutes_between(visit.start, visit.end)
    elif mode == "vehicle" and snapshot.vehicles:
        plate = draw(st.sampled_from(sorted(snapshot.vehicles)))
        credential = None if draw(usually) else credential
    if draw(st.booleans()):
        # Move to just before or after a schedule window's edge, or local
        # midnight, on the same local day: where off-by-one errors live.
        edges = [0] + [
            minute
            for schedule in snapshot.schedules.values()
            for window in schedule.windows
            for minute in (window.start_minute, window.end_minute % 1440)
        ]
        tz = zoneinfo.ZoneInfo(snapshot.timezone)
        day = at.astimezone(tz).date()
        edge = draw(st.sampled_from(edges)) + draw(st.sampled_from(range(-90, 91)))
        wall = dt.datetime.combine(day, dt.time(), tzinfo=tz) + dt.timedelta(
            minutes=edge
        )
        at = wall.astimezone(dt.UTC)
    return (
        Request(
            access_point_id=draw(st.sampled_from([*point_ids * 10, 999])),
            credential=credential,
            plate=plate,
            biometric=_maybe(draw, Biometric.MATCH, st.sampled_from(Biometric)),
            direction=draw(st.sampled_from([Direction.IN] * 4 + [Direction.OUT])),
            escorted=_maybe(draw, False, st.booleans()),
            inside=_maybe(draw, None, st.sampled_from([True, False])),
        ),
        at,
    )


@st.composite
def cases(draw: st.DrawFn) -> tuple[Snapshot, list[tuple[Request, dt.datetime]]]:
    snapshot = draw(snapshots())
    return snapshot, draw(st.lists(reads(snapshot), min_size=5, max_size=30))


ZONES: list[Any] = [
    dt.UTC,
    zoneinfo.ZoneInfo(TIMEZONE),
    dt.timezone(dt.timedelta(hours=-7)),
]


@settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(cases(), st.sampled_from(ZONES))
def test_decide_agrees_with_the_reference(
    case: tuple[Snapshot, list[tuple[Request, dt.datetime]]], tz: Any
) -> None:
    snapshot, reads = case
    order = list(Reason)
    for request, at in reads:
        decision = decide(snapshot, request, at=at.astimezone(tz))
        reasons, via, person_id = reference(snapshot, request, at)
        person = snapshot.persons.get(person_id) if person_id is not None else None
        point = snapshot.access_points.get(request.access_point_id)
        known = point is not None and point.zone_id in snapshot.zones
        read_plate = (
            request.plate if (not known or (point and point.vehicle_lane)) else None
        )
        assert decision == Decision(
            allowed=not _denies(reasons),
            reasons=tuple(sorted(reasons, key=order.index)),
            person_id=person_id,
            person_name=person.name if person else "",
            photo_ref=person.photo_ref if person else "",
            zone_id=point.zone_id if known and point else None,
            credential=request.credential or None,
            plate=_norm(read_plate) if read_plate else None,
            via=via,
        ), (request, at)


@settings(max_examples=200, deadline=None, database=None)
@given(
    st.datetimes(
        min_value=dt.datetime(2020, 1, 1),  # noqa: DTZ001 (hypothesis adds the zone)
        max_value=dt.datetime(2035, 12, 31),  # noqa: DTZ001
        timezones=st.just(dt.UTC),
    ),
    st.sampled_from(ZONES),
)
def test_decide_reads_the_local_clock(instant: dt.datetime, tz: Any) -> None:
    """One open minute a week and a course that ends today pin the local time."""
    instant = instant.replace(second=0, microsecond=0)
    wall = instant.astimezone(zoneinfo.ZoneInfo(TIMEZONE))
    minute = wall.hour * 60 + wall.minute
    zone = ZoneInfo(
        1,
        10,
        1,
        ZoneKind.CONTROLLED,
        Requirements(courses=frozenset({"x"})),
        AntiPassback.NONE,
        1,
        "R1",
    )
    snapshot = Snapshot(
        version=1,
        built_at=instant,
        timezone=TIMEZONE,
        access_points={5: AccessPointInfo(5, 1, 10, 1, PointDirection.BOTH, False)},
        zones={1: zone},
        schedules={
            1: Schedule(1, (Window(frozenset({wall.weekday()}), minute, minute + 1),))
        },
        holidays={},
        passes={
            "C": PassInfo(
                "C",
                1,
                PassState.ACTIVE,
                instant - dt.timedelta(days=9),
                instant + dt.timedelta(days=9),
                frozenset({10}),
            )
        },
        persons={1: PersonInfo(1, "P", "", None, courses={"x": wall.date()})},
        grants={(1, 1): (Grant(1, 1, instant - dt.timedelta(days=9), None),)},
        visits={},
        day_passes={},
        vehicles={},
    )
    request = Request(5, "C")
    minute_ = dt.timedelta(minutes=1)
    assert decide(snapshot, request, at=instant.astimezone(tz)).reasons == ()
    assert (
        decide(
            snapshot,
            request,
            at=(instant + 59 * dt.timedelta(seconds=1)).astimezone(tz),
        ).reasons
        == ()
    )
    for other in (instant - minute_, instant + minute_):
        other_wall = other.astimezone(zoneinfo.ZoneInfo(TIMEZONE))
        expected = (
            {R.OUTSIDE_SCHEDULE}
            if other_wall.replace(tzinfo=None) != wall.replace(tzinfo=None)
            else set()
        )
        if other_wall.date() > wall.date():
            expected.add(R.TRAINING_EXPIRED)
        assert (
            set(decide(snapshot, request, at=other.astimezone(tz)).reasons) == expected
        )
