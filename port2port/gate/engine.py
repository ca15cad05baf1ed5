"""Decide one read at an access point from a snapshot.

:func:`decide` evaluates every check and collects every deny reason, so that a
gate operator sees all that is wrong at once. It never reads the clock: the
instant is an argument. The common path (a pass holder with a grant) is a
handful of dict look-ups.

Rules that the contract leaves open, as decided here:

- Credential. A pass that is ``active`` but not yet valid (``at`` before
  ``valid_from``) is ``PASS_NOT_ACTIVE``. A day pass whose visit is no longer in
  the snapshot is ``UNKNOWN_CREDENTIAL``. ``PASS_NOT_ACTIVATED_HERE`` is checked
  whatever the pass state (every check is evaluated), never for port-level zones.
- Grants. When several grants of the person cover the zone now, the most
  permissive one is used: one without extra requirements if there is one,
  otherwise the first whose merged requirements are all met, otherwise the
  first. A grant whose schedule id is not in the snapshot never matches.
- Visits. A pass holder without a usable grant is let in by an approved visit
  for the zone (or its facility) whose window covers ``at`` (``via="visit"``,
  note ``VISITOR``). Without such a visit, a holder with grants for the zone gets
  ``OUTSIDE_SCHEDULE`` (a grant is valid by date) or ``GRANT_EXPIRED``; a holder
  with no grant but a visit for the zone at another time gets
  ``VISIT_OUTSIDE_WINDOW``; otherwise ``NO_GRANT``. Zone requirements apply to
  visitors too. A visitor needs an escort at security level 2 and above, or
  when every covering visit asks for one.
- Security level 3: the person must be essential for the zone's facility; for a
  port-level zone, for at least one facility of that port (a facility of
  another port does not count).
- Exits are never blocked for a ban, a grant, a schedule or a requirement.
  An exit is denied only for a credential or plate that is not known at all,
  an entry-only point, or hard anti-passback. An allowed exit has
  ``via="exit"``.
- Plates. A plate is known when it is a registered vehicle or the plate of an
  approved visit. A plate read alone authorises a vehicle, not a person: the
  person checks (trainings, biometrics, escort) need a credential, and at
  security level 3 a plate alone is refused (``SECURITY_LEVEL``). A visit with
  that plate does not let the vehicle in while the visitor is banned
  (``PORT_BAN``). With a credential, ``via`` names what let the person in.
  Vehicle grants' extra requirements are ignored.
"""

from __future__ import annotations

import datetime as dt

from port2port.gate.model import (
    MINUTES_PER_DAY,
    NEVER,
    NOTES,
    REASON_ORDER,
    AntiPassback,
    Biometric,
    Decision,
    Direction,
    PassState,
    PersonInfo,
    PointContext,
    PointDirection,
    Reason,
    Request,
    Requirements,
    Schedule,
    Snapshot,
    Visit,
    normalise_plate,
)

_STATE_REASON: dict[PassState, Reason] = {
    PassState.ISSUED: Reason.PASS_NOT_ACTIVE,
    PassState.SUSPENDED: Reason.PASS_SUSPENDED,
    PassState.LOST: Reason.PASS_LOST,
    PassState.REVOKED: Reason.PASS_REVOKED,
    PassState.EXPIRED: Reason.PASS_EXPIRED,
}

_RANK = REASON_ORDER.__getitem__


def _schedule_allows(
    schedule: Schedule, today: dt.date, minute_of_week: int, ctx: PointContext
) -> bool:
    if schedule.closed_on_holidays and today in ctx.holidays:
        return False
    return schedule.week[minute_of_week] == 1


def _visit_now(visit: Visit, ctx: PointContext, at: dt.datetime) -> bool:
    return visit.start <= at < visit.end and visit.covers_zone(ctx.zone)


def _add_requirement_reasons(
    reasons: list[Reason],
    reqs: Requirements,
    person: PersonInfo,
    today: dt.date,
) -> None:
    """Append what ``person`` lacks of ``reqs`` (biometrics and escort aside)."""
    if reqs.empty:
        return
    if reqs.verification_categories:
        verifications = person.verifications
        for category in reqs.verification_categories:
            span = verifications.get(category)
            if span is None or not span[0] <= today <= span[1]:
                reasons.append(Reason.VERIFICATION_MISSING)
                break
    if reqs.courses:
        courses = person.courses
        for code in reqs.courses:
            expiry = courses.get(code)
            if expiry is None:
                reasons.append(Reason.TRAINING_MISSING)
            elif expiry < today:
                reasons.append(Reason.TRAINING_EXPIRED)
    if reqs.extract and (
        person.extract_valid_until is None or person.extract_valid_until < today
    ):
        reasons.append(Reason.EXTRACT_MISSING)


def _add_presence_reasons(
    reasons: list[Reason],
    reqs: Requirements,
    ctx: PointContext,
    request: Request,
    escort_needed: bool,
) -> None:
    """Append the biometric and escort reasons of ``reqs`` at this point."""
    if (
        reqs.biometric or ctx.zone_biometric
    ) and request.biometric == Biometric.NOT_CHECKED:
        reasons.append(Reason.BIOMETRIC_REQUIRED)
    if (reqs.escort or escort_needed) and not request.escorted:
        reasons.append(Reason.ESCORT_REQUIRED)


def _finish(
    reasons: list[Reason],
    person: PersonInfo | None,
    ctx: PointContext,
    credential: str | None,
    plate: str | None,
    via: str,
) -> Decision:
    if not reasons:
        ordered: tuple[Reason, ...] = ()
        allowed = True
    else:
        ordered = (
            (reasons[0],)
            if len(reasons) == 1
            else tuple(sorted(set(reasons), key=_RANK))
        )
        allowed = True
        for reason in ordered:
            if reason not in NOTES:
                allowed = False
                break
    if person is None:
        return Decision(
            allowed,
            ordered,
            None,
            "",
            "",
            ctx.zone.id,
            credential,
            plate,
            via if allowed else "",
        )
    return Decision(
        allowed,
        ordered,
        person.id,
        person.name,
        person.photo_ref,
        ctx.zone.id,
        credential,
        plate,
        via if allowed else "",
    )


def decide(snapshot: Snapshot, request: Request, *, at: dt.datetime) -> Decision:
    """Decide ``request`` at instant ``at`` (timezone-aware) from ``snapshot``."""
    if at.utcoffset() is None:
        raise ValueError("decide() needs a timezone-aware 'at'")
    credential = request.credential or None
    ctx = snapshot.points.get(request.access_point_id)
    if ctx is None:
        plate = normalise_plate(request.plate) if request.plate else None
        return Decision(
            False,
            (Reason.ACCESS_POINT_UNKNOWN,),
            None,
            "",
            "",
            None,
            credential,
            plate,
            "",
        )
    point = ctx.point
    zone = ctx.zone
    plate = (
        normalise_plate(request.plate)
        if request.plate and point.vehicle_lane
        else None
    )
    entering = request.direction != Direction.OUT
    reasons: list[Reason] = []

    if point.direction != PointDirection.BOTH and point.direction != request.direction:
        reasons.append(Reason.DIRECTION_NOT_ALLOWED)
    if zone.anti_passback != AntiPassback.NONE and request.inside is not None:
        wrong_side = request.inside if entering else not request.inside
        if wrong_side:
            reasons.append(
                Reason.ANTI_PASSBACK
                if zone.anti_passback == AntiPassback.HARD
                else Reason.ANTI_PASSBACK_SOFT
            )
    if credential is None and plate is None:
        reasons.append(Reason.NO_CREDENTIAL)
        return _finish(reasons, None, ctx, None, None, "")

    if not entering:
        return _decide_exit(snapshot, reasons, ctx, credential, plate)

    local = at.astimezone(snapshot.tz)
    today = local.date()
    minute_of_week = local.weekday() * MINUTES_PER_DAY + local.hour * 60 + local.minute
    person: PersonInfo | None = None
    via = ""
    if credential is not None:
        person, via = _check_person(
            snapshot, reasons, ctx, request, credential, at, today, minute_of_week
        )
    if plate is not None:
        plate_via = _check_plate(
            snapshot, reasons, ctx, plate, person, at, today, minute_of_week
        )
        if person is None:
            via = plate_via
            if credential is None and zone.security_level >= 3:
                reasons.append(Reason.SECURITY_LEVEL)
    return _finish(reasons, person, ctx, credential, plate, via)


def _decide_exit(
    snapshot: Snapshot,
    reasons: list[Reason],
    ctx: PointContext,
    credential: str | None,
    plate: str | None,
) -> Decision:
    """Let anyone known leave: only an unknown credential or plate is refused."""
    person: PersonInfo | None = None
    if credential is not None:
        if credential.startswith("DP:"):
            day_pass = snapshot.day_passes.get(credential[3:])
            if day_pass is not None:
                person = snapshot.persons.get(day_pass.person_id)
        else:
            pass_info = snapshot.passes.get(credential)
            if pass_info is not None:
                person = snapshot.persons.get(pass_info.person_id)
        if person is None:
            reasons.append(Reason.UNKNOWN_CREDENTIAL)
    if (
        plate is not None
        and plate not in snapshot.vehicles
        and plate not in snapshot.visits_by_plate
    ):
        reasons.append(Reason.PLATE_UNKNOWN)
    return _finish(reasons, person, ctx, credential, plate, "exit")


def _check_person(
    snapshot: Snapshot,
    reasons: list[Reason],
    ctx: PointContext,
    request: Request,
    credential: str,
    at: dt.datetime,
    today: dt.date,
    minute_of_week: int,
) -> tuple[PersonInfo | None, str]:
    """Resolve the credential and append every reason against the person's entry."""
    zone = ctx.zone
    person: PersonInfo | None
    day_pass_visit: Visit | None = None
    is_day_pass = credential.startswith("DP:")
    if is_day_pass:
        day_pass = snapshot.day_passes.get(credential[3:])
        person = (
            snapshot.persons.get(day_pass.person_id) if day_pass is not None else None
        )
        if person is None or day_pass is None:
            reasons.append(Reason.UNKNOWN_CREDENTIAL)
            return None, ""
        day_pass_visit = snapshot.visits_by_id.get(day_pass.visit_id)
        if day_pass_visit is None or day_pass_visit.person_id != person.id:
            day_pass_visit = None
            reasons.append(Reason.UNKNOWN_CREDENTIAL)
    else:
        pass_info = snapshot.passes.get(credential)
        person = (
            snapshot.persons.get(pass_info.person_id) if pass_info is not None else None
        )
        if person is None or pass_info is None:
            reasons.append(Reason.UNKNOWN_CREDENTIAL)
            return None, ""
        if pass_info.state != PassState.ACTIVE:
            reasons.append(_STATE_REASON[pass_info.state])
        if at < pass_info.valid_from:
            reasons.append(Reason.PASS_NOT_ACTIVE)
        if at >= pass_info.valid_until:
            reasons.append(Reason.PASS_EXPIRED)
        if (
            zone.facility_id is not None
            and zone.facility_id not in pass_info.activated_facilities
        ):
            reasons.append(Reason.PASS_NOT_ACTIVATED_HERE)

    for start, end in person.bans:
        if start <= at < end:
            reasons.append(Reason.PORT_BAN)
            break

    # What lets the person in, and which requirements come with it.
    via = ""
    reqs = zone.requirements
    visitor = False
    escort_visits: bool = False
    if is_day_pass:
        visitor = True
        if day_pass_visit is not None:
            via = "day_pass"
            if not day_pass_visit.covers_zone(zone):
                reasons.append(Reason.VISIT_WRONG_LOCATION)
            if not day_pass_visit.start <= at < day_pass_visit.end:
                reasons.append(Reason.VISIT_OUTSIDE_WINDOW)
            escort_visits = day_pass_visit.escort
    else:
        grants = snapshot.grants.get((person.id, zone.id))
        chosen: Requirements | None = None
        date_valid = False
        if grants:
            extras: list[Requirements] | None = None
            schedules = snapshot.schedule_table
            for grant in grants:
                if at < grant.valid_from or (
                    grant.valid_until is not None and at >= grant.valid_until
                ):
                    continue
                date_valid = True
                if not _schedule_allows(
                    schedules.get(grant.schedule_id, NEVER), today, minute_of_week, ctx
                ):
                    continue
                if grant.requirements.empty:
                    chosen = reqs
                    break
                if extras is None:
                    extras = []
                extras.append(reqs.merge(grant.requirements))
            if chosen is None and extras is not None:
                chosen = _most_permissive(extras, ctx, person, request, today)
        if chosen is not None:
            via = "grant"
            reqs = chosen
        else:
            covering = [v for v in snapshot.visits.get(person.id, ()) if _visit_now(v, ctx, at)]
            if covering:
                via = "visit"
                visitor = True
                escort_visits = all(v.escort for v in covering)
            elif grants:
                reasons.append(
                    Reason.OUTSIDE_SCHEDULE if date_valid else Reason.GRANT_EXPIRED
                )
            elif any(v.covers_zone(zone) for v in snapshot.visits.get(person.id, ())):
                reasons.append(Reason.VISIT_OUTSIDE_WINDOW)
            else:
                reasons.append(Reason.NO_GRANT)

    _add_requirement_reasons(reasons, reqs, person, today)
    escort_needed = visitor and (zone.security_level >= 2 or escort_visits)
    _add_presence_reasons(reasons, reqs, ctx, request, escort_needed)
    if request.biometric == Biometric.NO_MATCH:
        reasons.append(Reason.BIOMETRIC_MISMATCH)
    if zone.security_level >= 3 and person.essential_facilities.isdisjoint(
        ctx.essential_for
    ):
        reasons.append(Reason.SECURITY_LEVEL)
    if request.escorted:
        reasons.append(Reason.ESCORTED)
    if visitor:
        reasons.append(Reason.VISITOR)
    return person, via


def _most_permissive(
    candidates: list[Requirements],
    ctx: PointContext,
    person: PersonInfo,
    request: Request,
    today: dt.date,
) -> Requirements:
    """Return the first requirements that ``person`` meets here, else the first."""
    for reqs in candidates:
        failures: list[Reason] = []
        _add_requirement_reasons(failures, reqs, person, today)
        _add_presence_reasons(failures, reqs, ctx, request, False)
        if not failures:
            return reqs
    return candidates[0]


def _check_plate(
    snapshot: Snapshot,
    reasons: list[Reason],
    ctx: PointContext,
    plate: str,
    person: PersonInfo | None,
    at: dt.datetime,
    today: dt.date,
    minute_of_week: int,
) -> str:
    """Append the vehicle's reasons; return what lets the vehicle in, or ""."""
    zone = ctx.zone
    if person is not None and plate not in person.driver_of:
        linked = False
        for visit in snapshot.visits.get(person.id, ()):
            if (
                visit.plate
                and normalise_plate(visit.plate) == plate
                and _visit_now(visit, ctx, at)
            ):
                linked = True
                break
        if not linked:
            reasons.append(Reason.PLATE_DRIVER_MISMATCH)

    vehicle = snapshot.vehicles.get(plate)
    plate_visits = snapshot.visits_by_plate.get(plate, ())
    if vehicle is None and not plate_visits:
        reasons.append(Reason.PLATE_UNKNOWN)
        return ""
    if vehicle is not None:
        schedules = snapshot.schedule_table
        for grant in vehicle.grants:
            if (
                grant.zone_id == zone.id
                and grant.valid_from <= at
                and (grant.valid_until is None or at < grant.valid_until)
                and _schedule_allows(
                    schedules.get(grant.schedule_id, NEVER), today, minute_of_week, ctx
                )
            ):
                return "vehicle_grant"
        if zone.facility_id is not None:
            for facility_id, start, end in vehicle.appointments:
                if facility_id == zone.facility_id and start <= at < end:
                    return "appointment"
    banned_visitor = False
    for visit in plate_visits:
        if _visit_now(visit, ctx, at):
            if person is None and _banned(snapshot, visit.person_id, at):
                banned_visitor = True
                continue
            return "visit"
    reasons.append(Reason.PORT_BAN if banned_visitor else Reason.PLATE_NOT_AUTHORISED)
    return ""


def _banned(snapshot: Snapshot, person_id: int, at: dt.datetime) -> bool:
    person = snapshot.persons.get(person_id)
    if person is None:
        return False
    return any(start <= at < end for start, end in person.bans)
