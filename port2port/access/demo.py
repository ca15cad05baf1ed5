"""Access-control demo data on top of the Belgian registry.

Passes for most people, their activations, schedules, zone policies,
organisation-wide grants, trainings, verifications, a few judicial bans, truck
appointments for today and the Belgian public holidays. Deterministic: one
``random.Random`` drawn in a fixed order over rows in primary-key order.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from port2port.access.models import (
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
    ZonePolicy,
)
from port2port.compliance.models import Course, TrainingRecord
from port2port.core.audit import audit_record
from port2port.core.models import (
    Facility,
    Organisation,
    Person,
    Role,
    User,
    Vehicle,
    Zone,
)
from port2port.core.services import membership_create

SEED = 20251122
DEMO_PASSWORD = "demo"
# Accounts this module adds to the registry's demo accounts.
ACCOUNTS = (("judge", "Judicial authority", "port bans in every port (prosecutor)"),)

COURSES = (
    ("awareness", "Port security awareness", 36),
    ("recruitment-proof", "Criminal-recruitment-proof training", 36),
    ("isps-basic", "ISPS basic course", 60),
    ("exe14", "EXE14 port security for guards", 60),
    ("pfso", "PFSO course", 60),
)

# Belgian public holidays (national: BE; community days by region).
HOLIDAYS = (
    ("BE", "2026-01-01", "New Year's Day"),
    ("BE", "2026-04-06", "Easter Monday"),
    ("BE", "2026-05-01", "Labour Day"),
    ("BE", "2026-05-14", "Ascension Day"),
    ("BE", "2026-05-25", "Whit Monday"),
    ("BE", "2026-07-21", "National Day"),
    ("BE", "2026-08-15", "Assumption"),
    ("BE", "2026-11-01", "All Saints' Day"),
    ("BE", "2026-11-11", "Armistice Day"),
    ("BE", "2026-12-25", "Christmas Day"),
    ("BE", "2027-01-01", "New Year's Day"),
    ("BE", "2027-03-29", "Easter Monday"),
    ("BE", "2027-05-01", "Labour Day"),
    ("BE", "2027-05-06", "Ascension Day"),
    ("BE", "2027-05-17", "Whit Monday"),
    ("BE", "2027-07-21", "National Day"),
    ("BE", "2027-08-15", "Assumption"),
    ("BE", "2027-11-01", "All Saints' Day"),
    ("BE", "2027-11-11", "Armistice Day"),
    ("BE", "2027-12-25", "Christmas Day"),
    ("BE-VLG", "2026-07-11", "Day of the Flemish Community"),
    ("BE-VLG", "2027-07-11", "Day of the Flemish Community"),
    ("BE-WAL", "2026-09-27", "Day of the French Community"),
    ("BE-WAL", "2027-09-27", "Day of the French Community"),
    ("BE-BRU", "2026-05-08", "Iris Day"),
    ("BE-BRU", "2027-05-08", "Iris Day"),
)

WEEKDAYS = [0, 1, 2, 3, 4]
SCHEDULES = (
    (
        "Day shift 06-18 Mon-Fri",
        [{"days": WEEKDAYS, "from": "06:00", "to": "18:00"}],
        True,
    ),
    (
        "Late shift 14-22 Mon-Sat",
        [{"days": [*WEEKDAYS, 5], "from": "14:00", "to": "22:00"}],
        False,
    ),
    (
        "Night shift 22-06",
        [{"days": [0, 1, 2, 3, 4, 5, 6], "from": "22:00", "to": "06:00"}],
        False,
    ),
    (
        "Truck hours 05-23 Mon-Sat",
        [{"days": [*WEEKDAYS, 5], "from": "05:00", "to": "23:00"}],
        False,
    ),
)


def _pass_number(rng: random.Random) -> str:
    return "P2P" + "".join(rng.choice("0123456789") for _ in range(12))


def seed(*, stdout: Any = None) -> dict[str, int]:
    """Load the access-control demo data; return the counts."""
    rng = random.Random(SEED)
    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic():
        PublicHoliday.objects.bulk_create(
            PublicHoliday(region=r, date=dt.date.fromisoformat(d), name=n)
            for r, d, n in HOLIDAYS
        )
        courses = {
            code: Course.objects.create(code=code, name=name, validity_months=months)
            for code, name, months in COURSES
        }
        schedules = [
            Schedule.objects.create(
                name=name, windows=windows, closed_on_holidays=closed
            )
            for name, windows, closed in SCHEDULES
        ]
        truck_hours = schedules[-1]

        facilities = list(
            Facility.objects.select_related("port", "operator").order_by("pk")
        )
        zones = list(Zone.objects.order_by("pk"))
        zones_by_facility: dict[int, dict[str, Zone]] = defaultdict(dict)
        for zone in zones:
            if zone.facility_id:
                zones_by_facility[zone.facility_id][zone.kind] = zone

        # Zone policies: restricted zones demand a biometric match and the awareness
        # course; container terminals' restricted zones also a cargo verification.
        # (Anti-passback is left off: the simulated traffic does not keep track of
        # who is inside.)
        policies = []
        for facility in facilities:
            by_kind = zones_by_facility[facility.pk]
            restricted = by_kind.get(Zone.Kind.RESTRICTED)
            if restricted:
                policies.append(
                    ZonePolicy(
                        zone=restricted,
                        biometric=True,
                        courses=["awareness"],
                        verification_categories=(
                            ["cargo"]
                            if facility.kind == Facility.Kind.CONTAINER
                            else []
                        ),
                    )
                )
        ZonePolicy.objects.bulk_create(policies)

        # Organisation-wide grants: terminal staff to their own facility (every
        # zone, always); hauliers to the controlled zones of the container and
        # ro-ro terminals of their ports in truck hours.
        start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        grants = []
        for facility in facilities:
            for zone in zones_by_facility[facility.pk].values():
                grants.append(
                    AccessGrant(
                        zone=zone, organisation=facility.operator, valid_from=start
                    )
                )
        hauliers = list(
            Organisation.objects.filter(roles__icontains='"transport_operator"')
            .prefetch_related("ports")
            .order_by("pk")
        )
        for haulier in hauliers:
            port_ids = {p.pk for p in haulier.ports.all()}
            for facility in facilities:
                if facility.port_id in port_ids and facility.kind in (
                    Facility.Kind.CONTAINER,
                    Facility.Kind.RORO,
                    Facility.Kind.INLAND,
                ):
                    lane_zone = zones_by_facility[facility.pk].get(Zone.Kind.CONTROLLED)
                    if lane_zone:
                        grants.append(
                            AccessGrant(
                                zone=lane_zone,
                                organisation=haulier,
                                schedule=truck_hours,
                                valid_from=start,
                            )
                        )
        AccessGrant.objects.bulk_create(grants)

        # Passes: nine in ten people hold an active pass; a few are still to be
        # collected, some suspended, a few lost.
        people = list(Person.objects.select_related("employer").order_by("pk"))
        facilities_by_operator: dict[int, list[Facility]] = defaultdict(list)
        facilities_by_port: dict[int, list[Facility]] = defaultdict(list)
        for facility in facilities:
            facilities_by_operator[facility.operator_id].append(facility)
            facilities_by_port[facility.port_id].append(facility)
        employer_ports: dict[int, list[int]] = defaultdict(list)
        for org_id, port_id in Organisation.ports.through.objects.values_list(
            "organisation_id", "port_id"
        ):
            employer_ports[org_id].append(port_id)
        passes = []
        taken: set[str] = set()
        for person in people:
            roll = rng.random()
            if roll > 0.92:
                continue
            state = PortPass.State.ACTIVE
            if roll > 0.90:
                state = PortPass.State.ISSUED
            elif roll > 0.885:
                state = PortPass.State.SUSPENDED
            elif roll > 0.88:
                state = PortPass.State.LOST
            number = _pass_number(rng)
            while number in taken:
                number = _pass_number(rng)
            taken.add(number)
            issued = now - dt.timedelta(days=rng.randint(10, 1500))
            passes.append(
                PortPass(
                    number=number,
                    person=person,
                    state=state,
                    issued_by_id=person.employer_id or facilities[0].operator_id,
                    issued_at=issued,
                    collect_by=(issued + dt.timedelta(days=182)).date(),
                    activated_at=None
                    if state == PortPass.State.ISSUED
                    else issued + dt.timedelta(days=3),
                    valid_until=issued + dt.timedelta(days=5 * 365),
                    state_reason={
                        "suspended": "employer request",
                        "lost": "reported lost",
                    }.get(state, ""),
                    photo_ref=f"photo/{number}.jpg",
                )
            )
        PortPass.objects.bulk_create(passes)

        # Activations: at the employer's own facilities, and for hauliers at the
        # truck terminals of their ports.
        activations = []
        for port_pass in passes:
            person = port_pass.person
            places = list(facilities_by_operator.get(person.employer_id or 0, ()))
            if not places and person.employer_id:
                for port_id in employer_ports.get(person.employer_id, ()):
                    places.extend(
                        f
                        for f in facilities_by_port[port_id]
                        if f.kind in (Facility.Kind.CONTAINER, Facility.Kind.RORO)
                    )
                places = rng.sample(places, min(len(places), 3))
            for facility in places:
                activations.append(
                    PassActivation(
                        port_pass=port_pass,
                        facility=facility,
                        activated_at=port_pass.issued_at + dt.timedelta(days=4),
                    )
                )
        PassActivation.objects.bulk_create(activations)

        # Trainings, verifications and extracts.
        records = []
        verifications = []
        extracts = []
        for person in people:
            completed = today - dt.timedelta(days=rng.randint(30, 1200))
            if rng.random() < 0.93:
                records.append(
                    TrainingRecord(
                        person=person,
                        course=courses["awareness"],
                        completed_on=completed,
                        expires_on=completed + dt.timedelta(days=3 * 365),
                    )
                )
            if rng.random() < 0.4:
                records.append(
                    TrainingRecord(
                        person=person,
                        course=courses["recruitment-proof"],
                        completed_on=completed,
                        expires_on=completed + dt.timedelta(days=3 * 365),
                    )
                )
            if person.employer_id in facilities_by_operator:
                if rng.random() < 0.95:
                    decided = today - dt.timedelta(days=rng.randint(30, 900))
                    verifications.append(
                        SecurityVerification(
                            person=person,
                            category="cargo",
                            status=SecurityVerification.Status.POSITIVE,
                            requested_by_id=person.employer_id,
                            decided_on=decided,
                            valid_until=decided + dt.timedelta(days=5 * 365),
                            authority="National Security Authority",
                        )
                    )
                extracts.append(
                    CriminalRecordExtract(
                        person=person,
                        checked_by_id=person.employer_id,
                        issued_on=today - dt.timedelta(days=rng.randint(30, 1000)),
                        relevant_conviction=False,
                    )
                )
        TrainingRecord.objects.bulk_create(records)
        SecurityVerification.objects.bulk_create(verifications)
        CriminalRecordExtract.objects.bulk_create(extracts)

        # Essential people: each facility's PFSO.
        EssentialPerson.objects.bulk_create(
            EssentialPerson(facility=f, person=f.pfso, designated_at=now)
            for f in facilities
            if f.pfso_id
        )

        # The judicial authority and its account.
        prosecutor = Organisation.objects.create(
            name="Public Prosecutor's Office Antwerp", roles=["other_authority"]
        )
        judge = User.objects.create(
            username="judge",
            first_name="Hilde",
            last_name="Verstraeten",
            password=make_password(DEMO_PASSWORD),
        )
        membership_create(
            actor=None,
            user=judge,
            organisation=prosecutor,
            role=Role.JUDICIAL_AUTHORITY,
        )

        # A few people under a port ban; their passes are suspended.
        banned = rng.sample(people, 24)
        bans = []
        for person in banned:
            starts = today - dt.timedelta(days=rng.randint(10, 700))
            bans.append(
                PortBan(
                    person=person,
                    issued_by=prosecutor,
                    starts_on=starts,
                    ends_on=starts
                    + dt.timedelta(days=365 * rng.choice([1, 3, 5, 10, 20]) - 1),
                    legal_reference=f"AN.{rng.randint(10, 99)}.L{rng.randint(1, 9)}.{starts.year}/{rng.randint(100, 9999)}",
                    entered_by=judge,
                    # Enforced below; the worker's job must not enforce it again.
                    enforced_at=timezone.now(),
                )
            )
        PortBan.objects.bulk_create(bans)
        PortPass.objects.filter(person__in=banned, state=PortPass.State.ACTIVE).update(
            state=PortPass.State.SUSPENDED, state_reason="port ban"
        )

        # Truck appointments for today at the container terminals.
        trucks = list(
            Vehicle.objects.filter(kind=Vehicle.Kind.TRUCK, country="BE")
            .select_related("owner")
            .order_by("pk")[:400]
        )
        container_terminals = [
            f for f in facilities if f.kind == Facility.Kind.CONTAINER
        ]
        appointments = []
        midnight = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
        for truck in trucks[:200]:
            facility = rng.choice(container_terminals)
            slot = midnight + dt.timedelta(hours=rng.randint(5, 21))
            appointments.append(
                TruckAppointment(
                    facility=facility,
                    plate=truck.plate,
                    haulier=truck.owner,
                    reference=f"TAR{rng.randint(100000, 999999)}",
                    starts_at=slot,
                    ends_at=slot + dt.timedelta(hours=2),
                )
            )
        TruckAppointment.objects.bulk_create(appointments)

        counts = {
            "public_holidays": len(HOLIDAYS),
            "courses": len(courses),
            "schedules": len(schedules),
            "zone_policies": len(policies),
            "grants": len(grants),
            "passes": len(passes),
            "pass_activations": len(activations),
            "training_records": len(records),
            "verifications": len(verifications),
            "extract_checks": len(extracts),
            "bans": len(bans),
            "truck_appointments": len(appointments),
        }
        PolicyChange.objects.create(scope=PolicyChange.Scope.ALL, ref="demo")
        audit_record(
            actor=None,
            action="seed.load",
            object_type="demo",
            object_id="access",
            object_repr="Access-control demo data",
            details=counts,
        )
    return counts
