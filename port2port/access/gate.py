"""The only module that knows both worlds: database rows in, engine snapshots out.

Each process keeps one immutable ``Snapshot`` of everything the gate engine
needs. ``snapshot_current()`` looks for ``PolicyChange`` rows at most every
``P2P_GATE_POLL_SECONDS`` (0.5 s): a change about one person or vehicle patches
only that person's or vehicle's entries; a structural change (a zone policy, a
new access point, an organisation-wide grant) rebuilds the snapshot. So a ban,
a revoked pass or a new grant reaches the decisions of every web and worker
process within a second, without rebuilding everything on each change.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import functools
import gc
import json
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Max, Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from port2port.access.models import (
    AccessEvent,
    AccessGrant,
    CriminalRecordExtract,
    EssentialPerson,
    PassActivation,
    PolicyChange,
    PortBan,
    PortPass,
    PublicHoliday,
    Schedule,
    SecurityVerification,
    TruckAppointment,
    Visit,
    Visitor,
    ZonePolicy,
)
from port2port.compliance.models import TrainingRecord
from port2port.core.db import insert_instance, prepared_cursor, writer_turn
from port2port.core.models import AccessPoint, Facility, Person, Port, Vehicle, Zone
from port2port.gate import (
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
    Snapshot,
    VehicleInfo,
    Window,
    ZoneInfo,
    ZoneKind,
    decide,
)
from port2port.gate import Schedule as EngineSchedule
from port2port.gate import Visit as EngineVisit

logger = logging.getLogger(__name__)

DAY_PASS_SALT = "port2port.access.day-pass"  # noqa: S105 - a salt, not a secret


# Building ---------------------------------------------------------------------------


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _end_of(day: dt.date) -> dt.datetime:
    return _start_of(day) + dt.timedelta(days=1)


def _requirements(raw: dict[str, Any] | None) -> Requirements:
    raw = raw or {}
    return Requirements(
        verification_categories=frozenset(raw.get("verification_categories") or ()),
        courses=frozenset(raw.get("courses") or ()),
        biometric=bool(raw.get("biometric")),
        escort=bool(raw.get("escort")),
        extract=bool(raw.get("extract")),
    )


def _windows(raw: list[dict[str, Any]]) -> tuple[Window, ...]:
    windows = []
    for w in raw:
        start = dt.time.fromisoformat(w["from"])
        end = dt.time.fromisoformat(w["to"])
        windows.append(
            Window(
                weekdays=frozenset(w["days"]),
                start_minute=start.hour * 60 + start.minute,
                # "to 00:00" means until midnight at the end of the day.
                end_minute=(end.hour * 60 + end.minute) or 24 * 60,
            )
        )
    return tuple(windows)


def _structure() -> dict[str, Any]:
    """Load the parts of the snapshot that change rarely: points, zones, schedules."""
    policies = {p.zone_id: p for p in ZonePolicy.objects.all()}
    zones = {}
    for z in Zone.objects.select_related("port", "facility"):
        policy = policies.get(z.pk)
        level = z.port.security_level
        if z.facility is not None and z.facility.security_level:
            level = max(level, z.facility.security_level)
        zones[z.pk] = ZoneInfo(
            id=z.pk,
            facility_id=z.facility_id,
            port_id=z.port_id,
            kind=ZoneKind(z.kind),
            requirements=_requirements(
                {
                    "verification_categories": policy.verification_categories,
                    "courses": policy.courses,
                    "biometric": policy.biometric,
                    "escort": policy.escort,
                    "extract": policy.extract,
                }
                if policy
                else None
            ),
            anti_passback=AntiPassback(policy.anti_passback if policy else "none"),
            security_level=level,
            holiday_region=z.port.region,
        )
    points = {
        row["id"]: AccessPointInfo(
            id=row["id"],
            zone_id=row["zone_id"],
            facility_id=row["zone__facility_id"],
            port_id=row["zone__port_id"],
            direction=PointDirection(row["direction"]),
            vehicle_lane=row["kind"] == AccessPoint.Kind.VEHICLE_LANE,
        )
        for row in AccessPoint.objects.values(
            "id", "zone_id", "zone__facility_id", "zone__port_id", "direction", "kind"
        )
    }
    schedules = {
        s.pk: EngineSchedule(
            id=s.pk,
            windows=_windows(s.windows),
            closed_on_holidays=s.closed_on_holidays,
        )
        for s in Schedule.objects.all()
    }
    national: set[dt.date] = set()
    regional: dict[str, set[dt.date]] = defaultdict(set)
    for region, day in PublicHoliday.objects.values_list("region", "date"):
        (national if region == "BE" else regional[region]).add(day)
    holidays = {
        region: frozenset(national | regional.get(region, set()))
        for region in ("BE", "BE-VLG", "BE-WAL", "BE-BRU")
    }
    return {
        "zones": zones,
        "access_points": points,
        "schedules": schedules,
        "holidays": holidays,
    }


class _Reader:
    """Read the snapshot's largest tables fast: grants (250,000 rows at a big port)
    and passes (50,000).

    The date-times and the requirements are fetched as text and converted once
    per distinct value: rows share a few thousand instants and a handful of
    requirement sets, and the ORM's per-row conversions would dominate the build.
    """

    def __init__(self) -> None:
        self.instants: dict[str | None, dt.datetime | None] = {None: None}
        self.days: dict[str | None, dt.date | None] = {None: None}
        self.requirements: dict[str, Requirements] = {}

    def instant(self, text: str | None) -> dt.datetime | None:
        value = self.instants.get(text, _MISSING)
        if value is _MISSING:
            assert text is not None  # noqa: S101 - None is in the cache from the start
            parsed = dt.datetime.fromisoformat(text.replace(" ", "T", 1))
            if parsed.tzinfo is None:  # SQLite stores UTC without an offset
                parsed = parsed.replace(tzinfo=dt.UTC)
            self.instants[text] = value = parsed
        return value  # type: ignore[return-value]

    def day(self, text: str | None) -> dt.date | None:
        value = self.days.get(text, _MISSING)
        if value is _MISSING:
            assert text is not None  # noqa: S101 - None is in the cache from the start
            self.days[text] = value = dt.date.fromisoformat(text)
        return value  # type: ignore[return-value]

    def requirement(self, text: str | None) -> Requirements:
        text = text or "{}"
        value = self.requirements.get(text)
        if value is None:
            self.requirements[text] = value = _requirements(json.loads(text))
        return value

    def rows(self, queryset: Any, holder: str) -> Iterator[tuple[Grant, int]]:
        """Yield (grant, holder id) for each row; ``holder`` names the holder column."""
        rows = queryset.annotate(
            _from=Cast("valid_from", TextField()),
            _until=Cast("valid_until", TextField()),
            _req=Cast("requirements", TextField()),
        ).values_list("zone_id", "schedule_id", "_from", "_until", "_req", holder)
        for zone_id, schedule_id, start, until, req, holder_id in rows.iterator(
            chunk_size=10_000
        ):
            valid_from = self.instant(start)
            assert valid_from is not None  # noqa: S101 - the column is not nullable
            grant = Grant(
                zone_id=zone_id,
                schedule_id=schedule_id or 0,
                valid_from=valid_from,
                valid_until=self.instant(until),
                requirements=self.requirement(req),
            )
            yield grant, holder_id


_MISSING: Any = object()


class _PeopleData:
    """The per-person parts of a snapshot for a set of people (or everyone)."""

    def __init__(self, person_ids: set[int] | None) -> None:
        self.person_ids = person_ids
        now = timezone.now()
        today = timezone.localdate()

        def only(queryset: Any, field: str = "person_id") -> Any:
            if person_ids is None:
                return queryset
            return queryset.filter(**{f"{field}__in": person_ids})

        # Passes of every state but long-expired ones: a lost or revoked card must
        # still be recognised (and refused) at the gate.
        self.passes: dict[str, PassInfo] = {}
        self.photos: dict[int, str] = {}
        activations: dict[int, set[int]] = defaultdict(set)
        for pass_id, facility_id in only(
            PassActivation.objects.all(), "port_pass__person_id"
        ).values_list("port_pass_id", "facility_id"):
            activations[pass_id].add(facility_id)
        reader = _Reader()
        passes = (
            only(PortPass.objects.all())
            .annotate(
                _issued=Cast("issued_at", TextField()),
                _activated=Cast("activated_at", TextField()),
                _until=Cast("valid_until", TextField()),
            )
            .values_list(
                "id",
                "number",
                "person_id",
                "state",
                "_issued",
                "_activated",
                "_until",
                "photo_ref",
            )
        )
        states = {state.value: PassState(state.value) for state in PassState}
        active = PortPass.State.ACTIVE.value
        instant = reader.instant
        for (
            pk,
            number,
            person_id,
            state,
            issued,
            activated,
            until,
            photo,
        ) in passes.iterator(chunk_size=10_000):
            self.passes[number] = PassInfo(
                number=number,
                person_id=person_id,
                state=states[state],
                valid_from=instant(activated or issued),  # type: ignore[arg-type] # not null
                valid_until=instant(until),  # type: ignore[arg-type] # not null
                activated_facilities=frozenset(activations.get(pk, ())),
            )
            if state == active:
                self.photos[person_id] = photo

        # Bans that apply everywhere go to the engine; bans limited to some ports are
        # checked by this adapter after the engine (see ``_limited_ban``).
        self.bans: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
        self.limited_bans: dict[int, list[tuple[dt.date, dt.date, frozenset[int]]]] = (
            defaultdict(list)
        )
        bans = only(
            PortBan.objects.filter(status=PortBan.Status.ACTIVE, ends_on__gte=today)
        )
        for ban in bans.prefetch_related("ports"):
            if ban.all_ports:
                self.bans[ban.person_id].append(
                    (_start_of(ban.starts_on), _end_of(ban.ends_on))
                )
            else:
                self.limited_bans[ban.person_id].append(
                    (
                        ban.starts_on,
                        ban.ends_on,
                        frozenset(p.pk for p in ban.ports.all()),
                    )
                )

        self.verifications: dict[int, dict[str, tuple[dt.date, dt.date]]] = defaultdict(
            dict
        )
        day = reader.day
        for person_id, category, decided, until in (
            only(
                SecurityVerification.objects.filter(
                    status=SecurityVerification.Status.POSITIVE
                )
            )
            .annotate(
                _decided=Cast("decided_on", TextField()),
                _until=Cast("valid_until", TextField()),
            )
            .values_list("person_id", "category", "_decided", "_until")
            .iterator(chunk_size=10_000)
        ):
            self.verifications[person_id][category] = (
                day(decided) or dt.date.min,
                day(until) or dt.date.max,
            )

        self.courses: dict[int, dict[str, dt.date]] = defaultdict(dict)
        for person_id, code, expires in (
            only(TrainingRecord.objects.all())
            .annotate(_expires=Cast("expires_on", TextField()))
            .values_list("person_id", "course__code", "_expires")
            .iterator(chunk_size=10_000)
        ):
            expiry = day(expires) or dt.date.max
            courses = self.courses[person_id]
            current = courses.get(code)
            if current is None or expiry > current:
                courses[code] = expiry

        self.extracts: dict[int, dt.date] = {}
        for extract in only(
            CriminalRecordExtract.objects.filter(relevant_conviction=False)
        ).only("person_id", "issued_on"):
            until = extract.valid_until
            if until > self.extracts.get(extract.person_id, dt.date.min):
                self.extracts[extract.person_id] = until

        self.essential: dict[int, set[int]] = defaultdict(set)
        for person_id, facility_id in only(EssentialPerson.objects.all()).values_list(
            "person_id", "facility_id"
        ):
            self.essential[person_id].add(facility_id)

        # Visits: approved ones that have not ended.
        self.visits: dict[int, list[EngineVisit]] = defaultdict(list)
        self.day_passes: dict[str, DayPass] = {}
        visitors = only(
            # Visits that ended in the last day stay, so that a late day pass
            # is refused as outside its window rather than as unknown.
            Visitor.objects.filter(
                visit__status=Visit.Status.APPROVED,
                visit__ends_at__gte=now - dt.timedelta(days=1),
            )
        ).values(
            "person_id",
            "day_pass_id",
            "visit_id",
            "visit__facility_id",
            "visit__zone_id",
            "visit__starts_at",
            "visit__ends_at",
            "visit__plate",
            "visit__escort",
        )
        for v in visitors:
            self.visits[v["person_id"]].append(
                EngineVisit(
                    id=v["visit_id"],
                    person_id=v["person_id"],
                    facility_id=v["visit__facility_id"],
                    zone_ids=frozenset([v["visit__zone_id"]])
                    if v["visit__zone_id"]
                    else frozenset(),
                    start=v["visit__starts_at"],
                    end=v["visit__ends_at"],
                    plate=v["visit__plate"] or None,
                    escort=v["visit__escort"],
                )
            )
            if v["day_pass_id"]:
                self.day_passes[v["day_pass_id"]] = DayPass(
                    token_id=v["day_pass_id"],
                    visit_id=v["visit_id"],
                    person_id=v["person_id"],
                )

        # People: everyone who holds a pass or is on a visit (or the ones asked for).
        # A full build reads every person and keeps the wanted ones: an IN list of
        # 50,000 ids would exceed SQLite's limit on query parameters.
        fields = ("id", "first_name", "last_name", "employer_id")
        if person_ids is not None:
            rows = Person.objects.filter(pk__in=person_ids).values(*fields)
            self.people = {row["id"]: row for row in rows}
        else:
            wanted = {p.person_id for p in self.passes.values()} | set(self.visits)
            rows = Person.objects.values(*fields)
            self.people = {row["id"]: row for row in rows if row["id"] in wanted}

        # Grants: each person's own, plus every organisation-wide grant of the employer.
        live = AccessGrant.objects.filter(revoked_at__isnull=True).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=now - dt.timedelta(days=1))
        )
        self.grants: dict[tuple[int, int], list[Grant]] = defaultdict(list)
        reader = _Reader()
        for grant, person_id in reader.rows(
            only(live.filter(person__isnull=False)), "person_id"
        ):
            self.grants[(person_id, grant.zone_id)].append(grant)
        employers = {
            row["employer_id"] for row in self.people.values() if row["employer_id"]
        }
        org_grants: dict[int, list[Grant]] = defaultdict(list)
        for grant, organisation_id in reader.rows(
            live.filter(organisation_id__in=employers), "organisation_id"
        ):
            org_grants[organisation_id].append(grant)
        for person in self.people.values():
            for grant in org_grants.get(person["employer_id"], ()):
                self.grants[(person["id"], grant.zone_id)].append(grant)

        # The plates each person may drive: the vehicles of their employer.
        plates_by_owner: dict[int, set[str]] = defaultdict(set)
        for owner_id, plate in Vehicle.objects.filter(
            owner_id__in=employers
        ).values_list("owner_id", "plate"):
            plates_by_owner[owner_id].add(plate)
        self.driver_of = {
            owner: frozenset(plates) for owner, plates in plates_by_owner.items()
        }

    def person_infos(self) -> dict[int, PersonInfo]:
        empty: frozenset[str] = frozenset()
        return {
            pid: PersonInfo(
                id=pid,
                name=f"{row['first_name']} {row['last_name']}",
                photo_ref=self.photos.get(pid, ""),
                employer_id=row["employer_id"],
                bans=tuple(self.bans.get(pid, ())),
                verifications=dict(self.verifications.get(pid, {})),
                courses=dict(self.courses.get(pid, {})),
                extract_valid_until=self.extracts.get(pid),
                essential_facilities=frozenset(self.essential.get(pid, ())),
                driver_of=self.driver_of.get(row["employer_id"], empty),
            )
            for pid, row in self.people.items()
        }


def _vehicles(plates: set[str] | None) -> dict[str, VehicleInfo]:
    now = timezone.now()
    queryset = Vehicle.objects.all()
    if plates is not None:
        queryset = queryset.filter(plate__in=plates)
    vehicles = {row["id"]: row for row in queryset.values("id", "plate", "owner_id")}
    grants: dict[int, list[Grant]] = defaultdict(list)
    for grant, vehicle_id in _Reader().rows(
        AccessGrant.objects.filter(revoked_at__isnull=True, vehicle_id__in=vehicles),
        "vehicle_id",
    ):
        grants[vehicle_id].append(grant)
    appointments: dict[str, list[tuple[int, dt.datetime, dt.datetime]]] = defaultdict(
        list
    )
    booked = TruckAppointment.objects.filter(
        cancelled_at__isnull=True, ends_at__gte=now
    )
    if plates is not None:
        booked = booked.filter(plate__in=plates)
    for plate, facility_id, start, end in booked.values_list(
        "plate", "facility_id", "starts_at", "ends_at"
    ):
        appointments[plate].append((facility_id, start, end))
    result = {
        v["plate"]: VehicleInfo(
            plate=v["plate"],
            owner_id=v["owner_id"],
            grants=tuple(grants.get(vid, ())),
            appointments=tuple(appointments.pop(v["plate"], ())),
        )
        for vid, v in vehicles.items()
    }
    # A booked plate that is not registered is still known by its appointment.
    for plate, slots in appointments.items():
        result[plate] = VehicleInfo(
            plate=plate, owner_id=0, grants=(), appointments=tuple(slots)
        )
    return result


@dataclasses.dataclass(frozen=True)
class State:
    """A process's snapshot with what the adapter keeps beside it."""

    snapshot: Snapshot
    last_change: int
    limited_bans: dict[int, list[tuple[dt.date, dt.date, frozenset[int]]]]
    structure: tuple[Any, ...] = ()


def _structure_stamp() -> tuple[Any, ...]:
    """Return a fingerprint of the registry rows a snapshot's structure comes from.

    Ports, facilities, zones and access points are the registry's, which knows
    nothing of the gate: a change there (a security level, a new gate, a zone
    removed) is noticed by this fingerprint moving, not by a ``PolicyChange``.
    """
    with prepared_cursor() as cursor:
        cursor.execute(_structure_sql(), ())
        return tuple(cursor.fetchone())


@functools.cache
def _structure_sql() -> str:
    # One statement, polled every GATE_POLL_SECONDS by every process.
    parts = []
    for model in (Port, Facility, Zone, AccessPoint):
        table = model._meta.db_table
        parts.append(
            f'(SELECT MAX("updated_at") FROM "{table}"), '  # noqa: S608 - the models' names
            f'(SELECT COUNT(*) FROM "{table}")'
        )
    return "SELECT " + ", ".join(parts)


def snapshot_build() -> State:
    """Build a complete snapshot from the database.

    The cyclic garbage collector is paused while it builds: the build makes about
    a million objects without reference cycles, and the collector's passes over
    the growing heap cost a third of the build (measured on the benchmark's
    dataset). Reference counting still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _snapshot_build()
    finally:
        if enabled:
            gc.enable()


def _snapshot_build() -> State:
    with transaction.atomic():
        # Changes after this point are polled and applied on top, so none is lost.
        last_change = PolicyChange.objects.aggregate(m=Max("id"))["m"] or 0
        stamp = _structure_stamp()
        structure = _structure()
        people = _PeopleData(None)
        snapshot = Snapshot(
            version=last_change,
            built_at=timezone.now(),
            timezone=settings.TIME_ZONE,
            access_points=structure["access_points"],
            zones=structure["zones"],
            schedules=structure["schedules"],
            holidays=structure["holidays"],
            passes=people.passes,
            persons=people.person_infos(),
            grants={k: tuple(v) for k, v in people.grants.items()},
            visits={k: tuple(v) for k, v in people.visits.items()},
            day_passes=people.day_passes,
            vehicles=_vehicles(None),
        )
    return State(
        snapshot=snapshot,
        last_change=last_change,
        limited_bans=dict(people.limited_bans),
        structure=stamp,
    )


def _patch(
    state: State, *, person_ids: set[int], plates: set[str], last_change: int
) -> State:
    """Return a new state with the given people and vehicles reloaded."""
    old = state.snapshot
    passes = dict(old.passes)
    persons = dict(old.persons)
    grants = dict(old.grants)
    visits = dict(old.visits)
    day_passes = dict(old.day_passes)
    vehicles = dict(old.vehicles)
    limited = dict(state.limited_bans)
    if person_ids:
        for number in [n for n, p in passes.items() if p.person_id in person_ids]:
            del passes[number]
        for key in [k for k in grants if k[0] in person_ids]:
            del grants[key]
        for token in [t for t, d in day_passes.items() if d.person_id in person_ids]:
            del day_passes[token]
        for pid in person_ids:
            persons.pop(pid, None)
            visits.pop(pid, None)
            limited.pop(pid, None)
        data = _PeopleData(person_ids)
        passes.update(data.passes)
        persons.update(data.person_infos())
        grants.update({k: tuple(v) for k, v in data.grants.items()})
        visits.update({k: tuple(v) for k, v in data.visits.items()})
        day_passes.update(data.day_passes)
        limited.update(data.limited_bans)
    if plates:
        for plate in plates:
            vehicles.pop(plate, None)
        vehicles.update(_vehicles(plates))
    snapshot = dataclasses.replace(
        old,
        version=last_change,
        built_at=timezone.now(),
        passes=passes,
        persons=persons,
        grants=grants,
        visits=visits,
        day_passes=day_passes,
        vehicles=vehicles,
    )
    return State(
        snapshot=snapshot,
        last_change=last_change,
        limited_bans=limited,
        structure=state.structure,
    )


class _Holder:
    """This process's current state, guarded for the threads of one process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.state: State | None = None
        self.polled_at = 0.0


_holder = _Holder()


def snapshot_reset() -> None:
    """Forget this process's snapshot (tests, and after a restore of the database)."""
    with _holder.lock:
        _holder.state = None
        _holder.polled_at = 0.0


def state_current(*, force_poll: bool = False) -> State:
    """Return this process's state, taking in the changes made since the last poll."""
    now = time.monotonic()
    state = _holder.state
    if (
        state is not None
        and not force_poll
        and now - _holder.polled_at < settings.GATE_POLL_SECONDS
    ):
        return state
    # One thread of the process polls; the others go on deciding on the state
    # they have (at most a poll interval old) instead of queueing behind it, and
    # a rebuild after a structural change does not stall every gate.
    if not _holder.lock.acquire(blocking=state is None or force_poll):
        return state  # type: ignore[return-value]
    try:
        state = _holder.state
        if (
            state is not None
            and not force_poll
            and time.monotonic() - _holder.polled_at < settings.GATE_POLL_SECONDS
        ):
            return state  # Polled by another thread meanwhile.
        if state is None:
            started = time.perf_counter()
            state = snapshot_build()
            logger.info(
                "Gate snapshot built",
                extra={
                    "seconds": round(time.perf_counter() - started, 3),
                    "version": state.last_change,
                },
            )
        else:
            changes = list(
                PolicyChange.objects.filter(pk__gt=state.last_change)
                .order_by("pk")
                .values_list("pk", "scope", "ref")
            )
            if _structure_stamp() != state.structure:
                state = snapshot_build()
            elif changes:
                last = changes[-1][0]
                if any(scope == PolicyChange.Scope.ALL for _, scope, _ in changes):
                    state = snapshot_build()
                else:
                    person_ids = {
                        int(ref)
                        for _, scope, ref in changes
                        if scope == PolicyChange.Scope.PERSON
                    }
                    plates = {
                        ref
                        for _, scope, ref in changes
                        if scope == PolicyChange.Scope.VEHICLE
                    }
                    state = _patch(
                        state, person_ids=person_ids, plates=plates, last_change=last
                    )
        if state is not _holder.state:
            # A snapshot is a million long-lived objects without reference cycles:
            # keep the cyclic collector from walking them (a full pass would stall
            # a gate for most of a second). Garbage is still freed by reference
            # counting when a snapshot is replaced.
            gc.freeze()
        _holder.state = state
        _holder.polled_at = time.monotonic()
        return state
    finally:
        _holder.lock.release()


def snapshot_current() -> Snapshot:
    return state_current().snapshot


# Deciding -------------------------------------------------------------------------------


# A day pass is kept for a day after its visit ends (refused as outside its window,
# see ``_PeopleData``); its token expires with it.
DAY_PASS_GRACE = dt.timedelta(days=1)


def day_pass_token(day_pass_id: str, valid_until: dt.datetime | None = None) -> str:
    """Return the signed token a day pass's QR code carries.

    The token names the day pass and when it expires: the end of its visit plus
    ``DAY_PASS_GRACE``. After that the gates refuse it as an unknown credential
    without looking it up; before, the engine decides it against the visit's
    window and location. ``valid_until`` defaults to the visit's end.
    """
    if valid_until is None:
        valid_until = (
            Visitor.objects.filter(day_pass_id=day_pass_id)
            .values_list("visit__ends_at", flat=True)
            .get()
        )
    expires = int((valid_until + DAY_PASS_GRACE).timestamp())
    return signing.dumps({"id": day_pass_id, "exp": expires}, salt=DAY_PASS_SALT)


def _credential(raw: str | None, at: dt.datetime | None = None) -> str | None:
    """Turn a scanned day-pass token into the engine's ``DP:`` credential."""
    if raw is None or ":" not in raw:
        return raw
    try:
        content = signing.loads(raw, salt=DAY_PASS_SALT)
    except signing.BadSignature:
        return "DP:invalid"
    if not isinstance(content, dict) or not isinstance(content.get("id"), str):
        return "DP:invalid"
    expires = content.get("exp")
    now = (at or timezone.now()).timestamp()
    if not isinstance(expires, int) or now >= expires:
        return "DP:expired"
    return "DP:" + content["id"]


def _inside(snapshot: Snapshot, request: Request) -> bool | None:
    """Return whether the person is inside an anti-passback zone, from the access log."""
    point = snapshot.access_points.get(request.access_point_id)
    if point is None or request.credential is None:
        return None
    zone = snapshot.zones.get(point.zone_id)
    if zone is None or zone.anti_passback == AntiPassback.NONE:
        return None
    holder = snapshot.passes.get(request.credential)
    person_id = holder.person_id if holder else None
    if person_id is None and request.credential.startswith("DP:"):
        day_pass = snapshot.day_passes.get(request.credential[3:])
        person_id = day_pass.person_id if day_pass else None
    if person_id is None:
        return None
    last = (
        AccessEvent.objects.filter(person_id=person_id, zone_id=zone.id, allowed=True)
        .order_by("-at")
        .values_list("direction", flat=True)
        .first()
    )
    return last == Direction.IN


def _limited_ban(state: State, decision: Decision, port_id: int, day: dt.date) -> bool:
    for start, end, ports in state.limited_bans.get(decision.person_id or 0, ()):
        if start <= day <= end and port_id in ports:
            return True
    return False


def access_point_for_actor(*, actor: Any, pk: int) -> AccessPointInfo:
    """Return an access point the caller may decide at, from the snapshot.

    A gate device or operator reaches the points of its facility; a port-wide
    role those of its port. Hidden and unknown points both raise ``NotFound``.
    An access point added since the snapshot was built makes it rebuild.
    """
    from port2port.core.errors import NotFound
    from port2port.core.scopes import scope_for

    state = state_current()
    point = state.snapshot.access_points.get(pk)
    if point is None and AccessPoint.objects.filter(pk=pk).exists():
        policy_rebuild()
        point = state_current().snapshot.access_points.get(pk)
    scope = scope_for(actor)
    if point is None or not (
        scope.is_national
        or point.facility_id in scope.facility_ids
        or point.port_id in scope.port_ids
    ):
        raise NotFound("Access point not found.")
    return point


def policy_rebuild() -> None:
    """Ask every process to rebuild its snapshot (a structural change)."""
    PolicyChange.objects.create(scope=PolicyChange.Scope.ALL, ref="rebuild")
    state_current(force_poll=True)


def gate_decide(
    *,
    access_point_id: int,
    credential: str | None,
    plate: str | None,
    biometric: str = Biometric.NOT_CHECKED,
    direction: str = Direction.IN,
    escorted: bool = False,
    device_time: dt.datetime | None = None,
    request_id: str = "",
    at: dt.datetime | None = None,
) -> tuple[Decision, AccessEvent]:
    """Decide a request at an access point and store the decision durably.

    The decision comes from this process's snapshot; the access log row is
    written before the answer is returned, so that every decision is kept.
    """
    state = state_current()
    snapshot = state.snapshot
    at = at or timezone.now()
    request = Request(
        access_point_id=access_point_id,
        credential=_credential(credential, at),
        plate=plate,
        biometric=Biometric(biometric),
        direction=Direction(direction),
        escorted=escorted,
    )
    inside = _inside(snapshot, request)
    if inside is not None:
        request = dataclasses.replace(request, inside=inside)
    decision = decide(snapshot, request, at=at)
    point = snapshot.access_points.get(access_point_id)
    if point is None:
        raise ValueError(f"access point {access_point_id} is not in the snapshot")
    if (
        decision.person_id is not None
        and request.direction == Direction.IN
        and _limited_ban(state, decision, point.port_id, timezone.localdate(at))
    ):
        reasons = tuple(
            sorted({*decision.reasons, Reason.PORT_BAN}, key=list(Reason).index)
        )
        decision = dataclasses.replace(decision, allowed=False, reasons=reasons, via="")
    event = AccessEvent(
        at=at,
        device_time=device_time,
        access_point_id=access_point_id,
        facility_id=point.facility_id,
        port_id=point.port_id,
        zone_id=point.zone_id,
        person_id=decision.person_id,
        credential=(credential or "")[:64],
        plate=plate or "",
        direction=str(request.direction),
        biometric=str(request.biometric),
        allowed=decision.allowed,
        reasons=",".join(decision.reasons),
        via=decision.via,
        policy_version=snapshot.version,
        request_id=request_id,
    )
    _event_insert(event)
    return decision, event


def _event_insert(event: AccessEvent) -> None:
    """Insert one access-log row, the write of every gate decision.

    With a statement built once (``insert_instance``): the ORM's generic
    ``save()`` cost about 0.25 ms of CPU per decision. On SQLite the threads of
    the process take turns for it (``writer_turn``).
    """
    with writer_turn(AccessEvent.objects.db):
        insert_instance(event, AccessEvent.objects.db)


# Offline lists ----------------------------------------------------------------------------


def _signing_key() -> Any:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if settings.SIGNING_KEY:
        key = serialization.load_pem_private_key(
            settings.SIGNING_KEY.encode(), password=None
        )
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("P2P_SIGNING_KEY must be an Ed25519 private key")
        return key
    # Demo: a key derived from the secret key, stable across restarts.
    digest = hashes.Hash(hashes.SHA256())
    digest.update(b"port2port offline-list key\n" + settings.SECRET_KEY.encode())
    return Ed25519PrivateKey.from_private_bytes(digest.finalize())


def signing_public_key() -> dict[str, str]:
    """Return the public key gate controllers verify offline lists with."""
    from cryptography.hazmat.primitives import serialization

    public = _signing_key().public_key()
    raw = public.public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    return {
        "algorithm": "Ed25519",
        "public_key": base64.b64encode(raw).decode(),
        "pem": pem,
    }


def offline_list_signed(
    *, access_point_id: int, hours: int | None = None
) -> dict[str, Any]:
    """Return the allow and deny lists of an access point, signed with Ed25519.

    The signature covers the canonical JSON of ``list`` (sorted keys, no spaces,
    UTF-8), so a controller verifies exactly the bytes it re-serialises.
    """
    from port2port.gate import offline_lists
    from port2port.lib.canonical import canonical_json

    snapshot = snapshot_current()
    content = offline_lists(
        snapshot,
        access_point_id,
        start=timezone.now(),
        hours=hours or settings.OFFLINE_LIST_HOURS,
    )
    payload = canonical_json(content).encode("utf-8")
    signature = _signing_key().sign(payload)
    return {
        "list": content,
        "algorithm": "Ed25519",
        "signature": base64.b64encode(signature).decode(),
        "policy_version": snapshot.version,
    }


__all__ = [
    "State",
    "access_point_for_actor",
    "day_pass_token",
    "gate_decide",
    "offline_list_signed",
    "policy_rebuild",
    "signing_public_key",
    "snapshot_build",
    "snapshot_current",
    "snapshot_reset",
    "state_current",
]
