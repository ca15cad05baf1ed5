"""The engine, fed by the adapter, agrees with a plain reading of the database.

Hypothesis draws random passes, activations, grants with schedules and date
ranges, bans, zone requirements and trainings, writes them as rows, and asks
both the engine (through ``snapshot_build`` and ``gate_decide``'s engine) and a
deliberately simple reference that answers each question with ORM queries.
They must give the same answer and the same reasons.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from port2port.access import gate
from port2port.access.models import (
    AccessGrant,
    PassActivation,
    PortBan,
    PortPass,
    Schedule,
    SecurityVerification,
    ZonePolicy,
)
from port2port.compliance.models import Course, TrainingRecord
from port2port.core.models import (
    AccessPoint,
    Facility,
    Organisation,
    Person,
    Port,
    Zone,
)
from port2port.gate import NOTES, Biometric, Request, decide

TZ = dt.timezone(dt.timedelta(hours=1))
BASE = dt.datetime(2026, 3, 2, tzinfo=TZ)  # a Monday, in winter time (UTC+1)
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[4.2, 51.2], [4.3, 51.2], [4.3, 51.3], [4.2, 51.2]]],
}
WINDOWS = {
    "always": None,
    "day": [{"days": [0, 1, 2, 3, 4], "from": "06:00", "to": "18:00"}],
    "night": [{"days": [0, 1, 2, 3, 4, 5, 6], "from": "22:00", "to": "06:00"}],
}

people_st = st.lists(
    st.fixed_dictionaries(
        {
            "state": st.sampled_from(
                ["active", "active", "active", "suspended", "lost", "issued"]
            ),
            "activated": st.lists(st.integers(0, 1), max_size=2, unique=True),
            "grants": st.lists(
                st.tuples(
                    st.integers(0, 2),  # zone
                    st.sampled_from(list(WINDOWS)),
                    st.integers(-10, 2),  # first day, relative to BASE
                    st.integers(-3, 10),  # last day
                ),
                max_size=3,
            ),
            "banned": st.booleans(),
            "course_days": st.one_of(st.none(), st.integers(-5, 30)),
            "verified": st.booleans(),
        }
    ),
    min_size=1,
    max_size=4,
)
policy_st = st.lists(
    st.fixed_dictionaries(
        {
            "course": st.booleans(),
            "verification": st.booleans(),
            "biometric": st.booleans(),
        }
    ),
    min_size=3,
    max_size=3,
)
requests_st = st.lists(
    st.tuples(
        st.integers(0, 4),  # person (an index past the end: an unknown card)
        st.integers(0, 2),  # zone, hence access point
        st.integers(0, 7 * 24 * 4 - 1),  # quarter-hours after BASE
        st.sampled_from(["match", "not_checked", "no_match"]),
    ),
    min_size=1,
    max_size=8,
)


def _world(
    people: list[dict[str, Any]], policies: list[dict[str, Any]]
) -> dict[str, Any]:
    port = Port.objects.create(
        locode="BEANR",
        name_en="Antwerp",
        name_nl="Antwerpen",
        name_fr="Anvers",
        kind="seaport",
        centre={"type": "Point", "coordinates": [4.3, 51.2]},
    )
    org = Organisation.objects.create(name="Terminal", roles=["terminal_operator"])
    facilities = [
        Facility.objects.create(
            port=port,
            code=f"F{i}",
            name=f"F{i}",
            operator=org,
            kind="container",
            boundary=SQUARE,
        )
        for i in range(2)
    ]
    course = Course.objects.create(code="awareness", name="Awareness")
    zones, points = [], []
    for i, policy in enumerate(policies):
        zone = Zone.objects.create(
            port=port,
            facility=facilities[i % 2],
            name=f"Z{i}",
            kind="controlled",
            boundary=SQUARE,
        )
        ZonePolicy.objects.create(
            zone=zone,
            courses=["awareness"] if policy["course"] else [],
            verification_categories=["cargo"] if policy["verification"] else [],
            biometric=policy["biometric"],
        )
        zones.append(zone)
        points.append(
            AccessPoint.objects.create(
                zone=zone,
                code=f"G{i}",
                name=f"G{i}",
                kind="turnstile",
                location={"type": "Point", "coordinates": [4.25, 51.25]},
            )
        )
    schedules = {
        name: Schedule.objects.create(name=name, windows=w) if w else None
        for name, w in WINDOWS.items()
    }
    numbers = []
    for i, spec in enumerate(people):
        person = Person.objects.create(
            first_name="P",
            last_name=str(i),
            date_of_birth=dt.date(1980, 1, 1),
            nationality="BE",
            employer=org,
            document_type="id_card",
            document_number=f"D{i}",
        )
        number = f"P2P{i:012d}"
        port_pass = PortPass.objects.create(
            number=number,
            person=person,
            state=spec["state"],
            issued_by=org,
            issued_at=BASE - dt.timedelta(days=100),
            collect_by=BASE.date(),
            activated_at=BASE - dt.timedelta(days=99),
            valid_until=BASE + dt.timedelta(days=400),
        )
        for f in spec["activated"]:
            PassActivation.objects.create(
                port_pass=port_pass, facility=facilities[f], activated_at=BASE
            )
        for zone_index, schedule, first, last in spec["grants"]:
            start = BASE + dt.timedelta(days=first)
            AccessGrant.objects.create(
                zone=zones[zone_index],
                person=person,
                schedule=schedules[schedule],
                valid_from=start,
                valid_until=start + dt.timedelta(days=max(last - first, 0) + 1),
            )
        if spec["banned"]:
            PortBan.objects.create(
                person=person,
                issued_by=org,
                starts_on=BASE.date() - dt.timedelta(days=30),
                ends_on=BASE.date() + dt.timedelta(days=3),
                legal_reference="X",
            )
        if spec["course_days"] is not None:
            TrainingRecord.objects.create(
                person=person,
                course=course,
                completed_on=BASE.date() - dt.timedelta(days=300),
                expires_on=BASE.date() + dt.timedelta(days=spec["course_days"]),
            )
        if spec["verified"]:
            SecurityVerification.objects.create(
                person=person,
                category="cargo",
                status="positive",
                requested_by=org,
                decided_on=BASE.date() - dt.timedelta(days=10),
                valid_until=BASE.date() + dt.timedelta(days=365),
            )
        numbers.append(number)
    return {"zones": zones, "points": points, "numbers": numbers}


def _in_schedule(grant: AccessGrant, local: dt.datetime) -> bool:
    if grant.schedule is None:
        return True
    minute = local.hour * 60 + local.minute
    for window in grant.schedule.windows:
        start = int(window["from"][:2]) * 60
        end = int(window["to"][:2]) * 60 or 1440
        if start < end:
            if local.weekday() in window["days"] and start <= minute < end:
                return True
        elif (local.weekday() in window["days"] and minute >= start) or (
            (local.weekday() - 1) % 7 in window["days"] and minute < end
        ):
            return True
    return False


def _reference(
    number: str, point: AccessPoint, at: dt.datetime, biometric: str
) -> set[str]:
    """Answer with plain queries: the reasons to deny (empty when allowed)."""
    port_pass = PortPass.objects.filter(number=number).select_related("person").first()
    if port_pass is None:
        return {"UNKNOWN_CREDENTIAL"}
    reasons = set()
    states = {
        "suspended": "PASS_SUSPENDED",
        "lost": "PASS_LOST",
        "issued": "PASS_NOT_ACTIVE",
    }
    if port_pass.state in states:
        reasons.add(states[port_pass.state])
    zone = point.zone
    if not PassActivation.objects.filter(
        port_pass=port_pass, facility=zone.facility
    ).exists():
        reasons.add("PASS_NOT_ACTIVATED_HERE")
    person = port_pass.person
    local = at.astimezone(dt.timezone(dt.timedelta(hours=1)))
    if PortBan.objects.filter(
        person=person,
        status="active",
        starts_on__lte=local.date(),
        ends_on__gte=local.date(),
    ).exists():
        reasons.add("PORT_BAN")
    # The snapshot keeps grants that ended at most a day before it was built (on
    # BASE): older ones no longer count as the person's grants at all.
    grants = list(
        AccessGrant.objects.filter(
            person=person, zone=zone, valid_until__gte=BASE - dt.timedelta(days=1)
        ).select_related("schedule")
    )
    if not grants:
        reasons.add("NO_GRANT")
    else:
        dated = [g for g in grants if g.valid_from <= at < g.valid_until]
        if not dated:
            reasons.add("GRANT_EXPIRED")
        elif not any(_in_schedule(g, local) for g in dated):
            reasons.add("OUTSIDE_SCHEDULE")
    policy = zone.policy
    if policy.courses:
        record = TrainingRecord.objects.filter(
            person=person, course__code="awareness"
        ).first()
        if record is None:
            reasons.add("TRAINING_MISSING")
        elif record.expires_on < local.date():
            reasons.add("TRAINING_EXPIRED")
    if (
        policy.verification_categories
        and not SecurityVerification.objects.filter(
            person=person,
            category="cargo",
            status="positive",
            decided_on__lte=local.date(),
            valid_until__gte=local.date(),
        ).exists()
    ):
        reasons.add("VERIFICATION_MISSING")
    if biometric == "no_match":
        reasons.add("BIOMETRIC_MISMATCH")
    elif policy.biometric and biometric == "not_checked":
        reasons.add("BIOMETRIC_REQUIRED")
    return reasons


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(people=people_st, policies=policy_st, requests=requests_st)
def test_engine_over_the_adapter_agrees_with_plain_queries(
    people: list[dict[str, Any]], policies: list[dict[str, Any]], requests: list[Any]
) -> None:
    # Each example writes its own rows and rolls them back afterwards.
    sid = transaction.savepoint()
    try:
        world = _world(people, policies)
        # The snapshot leaves out what ended before the day it is built: build it
        # on the test's Monday.
        with time_machine.travel(BASE, tick=False):
            snapshot = gate.snapshot_build().snapshot
        for person_index, zone_index, quarter, biometric in requests:
            number = (
                world["numbers"][person_index]
                if person_index < len(world["numbers"])
                else "P2P999999999999"
            )
            point = world["points"][zone_index]
            at = BASE + dt.timedelta(minutes=15 * quarter)
            decision = decide(
                snapshot,
                Request(
                    access_point_id=point.pk,
                    credential=number,
                    biometric=Biometric(biometric),
                ),
                at=at,
            )
            expected = _reference(number, point, at, biometric)
            got = {str(r).upper() for r in decision.reasons if r not in NOTES}
            assert got == expected, (number, zone_index, at.isoformat(), biometric)
            assert decision.allowed is (not expected)
    finally:
        transaction.savepoint_rollback(sid)
