"""Lists that let a gate controller decide on its own while the host is away.

IEC 60839-11-1 wants access decisions to keep working when communication
fails. :func:`offline_lists` computes, for one access point and the next few
hours, who would be let in and when (the allow list), and which passes must be
refused on sight (the deny list). The Django adapter signs the result.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from port2port.gate.engine import decide
from port2port.gate.model import (
    MINUTES_PER_DAY,
    REASON_ORDER,
    Biometric,
    Direction,
    PassState,
    PointContext,
    PointDirection,
    Reason,
    Request,
    Snapshot,
)

_DENY_STATES: dict[PassState, Reason] = {
    PassState.SUSPENDED: Reason.PASS_SUSPENDED,
    PassState.LOST: Reason.PASS_LOST,
    PassState.REVOKED: Reason.PASS_REVOKED,
}


def offline_lists(
    snapshot: Snapshot, access_point_id: int, *, start: dt.datetime, hours: int
) -> dict[str, Any]:
    """Return the allow and deny lists of ``access_point_id`` for ``[start, start + hours)``.

    The allow list holds every pass and day pass that :func:`decide` would let
    in at some moment of the period (with a biometric match, without an escort,
    anti-passback not applied), with the exact UTC intervals in which it would.
    The decision only changes at instants the snapshot names (grant, visit, ban
    and pass bounds), at local midnight (date-based checks), at schedule window
    edges and, for daylight-saving changes, at whole UTC hours, so deciding at
    each of those instants gives exact intervals. ``biometric`` is true when the
    controller must demand a biometric match for that credential. Candidates are
    the people with a grant or a visit for the point's zone; at an exit-only
    point they are checked for leaving.

    The deny list holds every pass that is suspended, lost or revoked, or whose
    holder is banned at some moment of the period, with the first reason in
    :class:`Reason` order. Both lists are sorted by credential.
    """
    if start.utcoffset() is None:
        raise ValueError("offline_lists() needs a timezone-aware 'start'")
    if hours <= 0:
        raise ValueError("hours must be positive")
    ctx = snapshot.points.get(access_point_id)
    if ctx is None:
        raise ValueError(f"access point {access_point_id} is not in the snapshot")
    start = start.astimezone(dt.UTC)
    end = start + dt.timedelta(hours=hours)
    direction = (
        Direction.OUT if ctx.point.direction == PointDirection.OUT else Direction.IN
    )
    base_instants = _common_instants(snapshot, start, end)

    allow: list[dict[str, Any]] = []
    for credential, person_id in _candidates(snapshot, ctx, start, end):
        instants = sorted(
            {
                *base_instants,
                *(
                    t
                    for t in _person_instants(snapshot, ctx, credential, person_id)
                    if start < t < end
                ),
            }
        )
        windows: list[list[dt.datetime]] = []
        biometric = False
        for i, instant in enumerate(instants):
            until = instants[i + 1] if i + 1 < len(instants) else end
            request = Request(
                access_point_id,
                credential=credential,
                biometric=Biometric.MATCH,
                direction=direction,
            )
            if not decide(snapshot, request, at=instant).allowed:
                continue
            unchecked = Request(
                access_point_id, credential=credential, direction=direction
            )
            if not decide(snapshot, unchecked, at=instant).allowed:
                biometric = True
            if windows and windows[-1][1] == instant:
                windows[-1][1] = until
            else:
                windows.append([instant, until])
        if windows:
            person = snapshot.persons[person_id]
            allow.append(
                {
                    "credential": credential,
                    "person_id": person_id,
                    "name": person.name,
                    "windows": [[a.isoformat(), b.isoformat()] for a, b in windows],
                    "biometric": biometric,
                }
            )

    deny: list[dict[str, str]] = []
    for number in sorted(snapshot.passes):
        pass_info = snapshot.passes[number]
        reasons = []
        if pass_info.state in _DENY_STATES:
            reasons.append(_DENY_STATES[pass_info.state])
        holder = snapshot.persons.get(pass_info.person_id)
        if holder is not None and any(b < end and e > start for b, e in holder.bans):
            reasons.append(Reason.PORT_BAN)
        if reasons:
            deny.append(
                {
                    "credential": number,
                    "reason": str(min(reasons, key=REASON_ORDER.__getitem__)),
                }
            )
    return {
        "access_point": access_point_id,
        "valid_from": start.isoformat(),
        "valid_until": end.isoformat(),
        "allow": allow,
        "deny": deny,
    }


def _candidates(
    snapshot: Snapshot, ctx: PointContext, start: dt.datetime, end: dt.datetime
) -> list[tuple[str, int]]:
    """Return the credentials that might be let in: holders of grants and visitors."""
    zone = ctx.zone
    people = {person_id for person_id, zone_id in snapshot.grants if zone_id == zone.id}
    for person_id, visits in snapshot.visits.items():
        if any(v.covers_zone(zone) and v.start < end and v.end > start for v in visits):
            people.add(person_id)
    found = [
        (number, pass_info.person_id)
        for number, pass_info in snapshot.passes.items()
        if pass_info.person_id in people and pass_info.person_id in snapshot.persons
    ]
    for token, day_pass in snapshot.day_passes.items():
        visit = snapshot.visits_by_id.get(day_pass.visit_id)
        if (
            visit is not None
            and day_pass.person_id in snapshot.persons
            and visit.covers_zone(zone)
            and visit.start < end
            and visit.end > start
        ):
            found.append((f"DP:{token}", day_pass.person_id))
    return sorted(found)


def _common_instants(
    snapshot: Snapshot, start: dt.datetime, end: dt.datetime
) -> set[dt.datetime]:
    """Return ``start`` and every instant in the period where any schedule may change."""
    tz = snapshot.tz
    instants = {start}
    hour = start.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    while hour < end:
        instants.add(hour)
        hour += dt.timedelta(hours=1)
    minutes = {0}
    for schedule in snapshot.schedule_table.values():
        for window in schedule.windows:
            minutes.add(window.start_minute)
            minutes.add(window.end_minute % MINUTES_PER_DAY)
    day = start.astimezone(tz).date() - dt.timedelta(days=1)
    last = end.astimezone(tz).date()
    while day <= last:
        for minute in minutes:
            for fold in (0, 1):
                local = dt.datetime.combine(
                    day, dt.time(minute // 60, minute % 60, fold=fold), tzinfo=tz
                )
                instant = local.astimezone(dt.UTC)
                if start < instant < end:
                    instants.add(instant)
        day += dt.timedelta(days=1)
    return instants


def _person_instants(
    snapshot: Snapshot, ctx: PointContext, credential: str, person_id: int
) -> list[dt.datetime]:
    """Return the instants at which this person's own data may change the decision."""
    instants: list[dt.datetime] = []
    for grant in snapshot.grants.get((person_id, ctx.zone.id), ()):
        instants.append(grant.valid_from)
        if grant.valid_until is not None:
            instants.append(grant.valid_until)
    for visit in snapshot.visits.get(person_id, ()):
        instants += (visit.start, visit.end)
    person = snapshot.persons.get(person_id)
    if person is not None:
        for ban_start, ban_end in person.bans:
            instants += (ban_start, ban_end)
    pass_info = snapshot.passes.get(credential)
    if pass_info is not None:
        instants += (pass_info.valid_from, pass_info.valid_until)
    return [instant.astimezone(dt.UTC) for instant in instants]
