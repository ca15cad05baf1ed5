"""The gate engine's decision table, and its edge cases."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import pytest

from port2port.gate import (
    NOTES,
    REASON_TEXT,
    AntiPassback,
    Biometric,
    Decision,
    Direction,
    Grant,
    PassState,
    PointDirection,
    Reason,
    Request,
    Snapshot,
    ZoneKind,
    decide,
)
from port2port.gate.engine import _new_decision
from port2port.gate.tests.builders import (
    BRUSSELS,
    DAY,
    FACILITY,
    HOUR,
    NOW,
    REGION,
    World,
    hm,
    local,
    requirements,
    window,
)

OTHER_FACILITY = 11
FOREIGN_FACILITY = 20

ZONE = 100
RESTRICTED = 101
PORT_ZONE = 102
OTHER_ZONE = 110
FOREIGN_ZONE = 200

GATE = 1000
ENTRY_ONLY = 1001
EXIT_ONLY = 1002
LANE = 1003
RESTRICTED_GATE = 1010
PORT_GATE = 1020
OTHER_GATE = 1100

DAY_SHIFT = 1  # Monday to Friday, 06:00 to 18:00, closed on holidays
NIGHT_SHIFT = 2  # Monday to Friday, 22:00 to 06:00

ANN = 1  # an employee with grants, driver of 1ABC123
BRAM = 2  # a visitor with a port pass, a visit today and a day pass
CAS = 3  # a visitor announced with a car

WEEKDAYS = range(5)


def world() -> World:
    """Return the port every case starts from (Tuesday 22 April 2025, noon)."""
    w = World()
    w.zone(ZONE)
    w.zone(RESTRICTED, kind=ZoneKind.RESTRICTED)
    w.zone(PORT_ZONE, facility_id=None)
    w.zone(OTHER_ZONE, facility_id=OTHER_FACILITY)
    w.zone(FOREIGN_ZONE, facility_id=FOREIGN_FACILITY, port_id=2)
    w.point(GATE, ZONE)
    w.point(ENTRY_ONLY, ZONE, direction=PointDirection.IN)
    w.point(EXIT_ONLY, ZONE, direction=PointDirection.OUT)
    w.point(LANE, ZONE, vehicle_lane=True)
    w.point(RESTRICTED_GATE, RESTRICTED)
    w.point(PORT_GATE, PORT_ZONE)
    w.point(OTHER_GATE, OTHER_ZONE)
    w.schedule(DAY_SHIFT, window(WEEKDAYS, hm(6), hm(18)), closed_on_holidays=True)
    w.schedule(NIGHT_SHIFT, window(WEEKDAYS, hm(22), hm(6)))

    w.person(ANN, "Ann Peeters", driver_of={"1ABC123"})
    w.pass_("P-ANN", ANN, activated={FACILITY, OTHER_FACILITY})
    for zone in (ZONE, RESTRICTED, PORT_ZONE):
        w.grant(ANN, zone)

    w.person(BRAM, "Bram Visser")
    w.pass_("P-BRAM", BRAM, activated={FACILITY, OTHER_FACILITY})
    w.visit(20, BRAM)
    w.day_pass("tok-bram", 20, BRAM)

    w.person(CAS, "Cas Jansen")
    w.pass_("P-CAS", CAS)
    w.visit(30, CAS, plate="4JKL012")

    w.vehicle("1ABC123", ANN, grants=[Grant(ZONE, 0, NOW - 30 * DAY, NOW + 30 * DAY)])
    w.vehicle("2DEF456", BRAM, appointments=[(FACILITY, NOW - HOUR, NOW + HOUR)])
    w.vehicle("3GHI789", CAS)
    return w


Setup = Callable[[World], object] | None

R = Reason


def case(
    name: str,
    setup: Setup,
    request: Request,
    reasons: tuple[Reason, ...],
    via: str = "",
    at: dt.datetime = NOW,
) -> object:
    return pytest.param(setup, request, at, reasons, via, id=name)


def ann_lost(w: World) -> None:
    w.update_pass("P-ANN", state=PassState.LOST)


def ann_banned(w: World) -> None:
    w.update_person(ANN, bans=((NOW - DAY, NOW + DAY),))


def cas_visits_the_restricted_zone_only(w: World) -> None:
    visit = w.visits[CAS][0]
    w.visits[CAS] = [
        dataclasses.replace(visit, facility_id=None, zone_ids=frozenset({RESTRICTED}))
    ]


def zone_requires(**kwargs: object) -> Callable[[World], None]:
    def setup(w: World) -> None:
        w.update_zone(ZONE, requirements=requirements(**kwargs))

    return setup


def zone_with(zone_id: int = ZONE, **changes: object) -> Callable[[World], None]:
    def setup(w: World) -> None:
        w.update_zone(zone_id, **changes)

    return setup


def other_zone_grant(**kwargs: object) -> Callable[[World], None]:
    def setup(w: World) -> None:
        w.grant(ANN, OTHER_ZONE, **kwargs)  # type: ignore[arg-type]

    return setup


def both(*setups: Callable[[World], object]) -> Callable[[World], None]:
    def setup(w: World) -> None:
        for each in setups:
            each(w)

    return setup


ANN_AT = Request(GATE, "P-ANN")
SATURDAY_NOON = local(2025, 4, 26, 12)

DECISIONS = [
    # Allowed.
    case("grant_always", None, ANN_AT, (), "grant"),
    case(
        "grant_in_day_schedule",
        other_zone_grant(schedule_id=DAY_SHIFT),
        Request(OTHER_GATE, "P-ANN"),
        (),
        "grant",
    ),
    case("visit", None, Request(GATE, "P-BRAM"), (R.VISITOR,), "visit"),
    case("day_pass", None, Request(GATE, "DP:tok-bram"), (R.VISITOR,), "day_pass"),
    case(
        "vehicle_grant",
        None,
        Request(LANE, plate="1-abc-123"),
        (),
        "vehicle_grant",
    ),
    case("appointment", None, Request(LANE, plate="2DEF456"), (), "appointment"),
    case("plate_of_a_visit", None, Request(LANE, plate="4JKL012"), (), "visit"),
    case(
        "plate_and_driver",
        None,
        Request(LANE, "P-ANN", plate="1ABC123"),
        (),
        "grant",
    ),
    case(
        "plate_and_visitor_with_that_plate",
        None,
        Request(LANE, "P-CAS", plate="4JKL012"),
        (R.VISITOR,),
        "visit",
    ),
    case(
        "plate_ignored_off_a_vehicle_lane",
        None,
        Request(GATE, "P-ANN", plate="9ZZZ999"),
        (),
        "grant",
    ),
    # One deny reason each.
    case(
        "access_point_unknown", None, Request(9999, "P-ANN"), (R.ACCESS_POINT_UNKNOWN,)
    ),
    case("no_credential", None, Request(GATE), (R.NO_CREDENTIAL,)),
    case(
        "plate_alone_off_a_vehicle_lane",
        None,
        Request(GATE, plate="1ABC123"),
        (R.NO_CREDENTIAL,),
    ),
    case(
        "unknown_credential", None, Request(GATE, "P-NOBODY"), (R.UNKNOWN_CREDENTIAL,)
    ),
    case(
        "unknown_day_pass",
        None,
        Request(GATE, "DP:forged"),
        (R.UNKNOWN_CREDENTIAL,),
    ),
    case(
        "pass_not_active_issued",
        lambda w: w.update_pass("P-ANN", state=PassState.ISSUED),
        ANN_AT,
        (R.PASS_NOT_ACTIVE,),
    ),
    case(
        "pass_not_active_yet",
        lambda w: w.update_pass("P-ANN", valid_from=NOW + DAY),
        ANN_AT,
        (R.PASS_NOT_ACTIVE,),
    ),
    case(
        "pass_suspended",
        lambda w: w.update_pass("P-ANN", state=PassState.SUSPENDED),
        ANN_AT,
        (R.PASS_SUSPENDED,),
    ),
    case("pass_lost", ann_lost, ANN_AT, (R.PASS_LOST,)),
    case(
        "pass_revoked",
        lambda w: w.update_pass("P-ANN", state=PassState.REVOKED),
        ANN_AT,
        (R.PASS_REVOKED,),
    ),
    case(
        "pass_expired_state",
        lambda w: w.update_pass("P-ANN", state=PassState.EXPIRED),
        ANN_AT,
        (R.PASS_EXPIRED,),
    ),
    case(
        "pass_expired_date",
        lambda w: w.update_pass("P-ANN", valid_until=NOW),
        ANN_AT,
        (R.PASS_EXPIRED,),
    ),
    case(
        "pass_expired_state_and_date_once",
        lambda w: w.update_pass(
            "P-ANN", state=PassState.EXPIRED, valid_until=NOW - DAY
        ),
        ANN_AT,
        (R.PASS_EXPIRED,),
    ),
    case(
        "pass_not_activated_here",
        lambda w: w.update_pass("P-ANN", activated_facilities=frozenset({11})),
        ANN_AT,
        (R.PASS_NOT_ACTIVATED_HERE,),
    ),
    case(
        "activation_not_needed_in_a_port_level_zone",
        lambda w: w.update_pass("P-ANN", activated_facilities=frozenset()),
        Request(PORT_GATE, "P-ANN"),
        (),
        "grant",
    ),
    case("port_ban", ann_banned, ANN_AT, (R.PORT_BAN,)),
    case(
        "ban_over",
        lambda w: w.update_person(ANN, bans=((NOW - 2 * DAY, NOW),)),
        ANN_AT,
        (),
        "grant",
    ),
    case(
        "port_ban_even_with_a_day_pass",
        lambda w: w.update_person(BRAM, bans=((NOW - DAY, NOW + DAY),)),
        Request(GATE, "DP:tok-bram"),
        (R.PORT_BAN, R.VISITOR),
    ),
    case("no_grant", None, Request(OTHER_GATE, "P-ANN"), (R.NO_GRANT,)),
    case(
        "outside_schedule",
        other_zone_grant(schedule_id=DAY_SHIFT),
        Request(OTHER_GATE, "P-ANN"),
        (R.OUTSIDE_SCHEDULE,),
        at=SATURDAY_NOON,
    ),
    case(
        "grant_expired",
        other_zone_grant(valid_until=NOW - DAY),
        Request(OTHER_GATE, "P-ANN"),
        (R.GRANT_EXPIRED,),
    ),
    case(
        "grant_not_started",
        other_zone_grant(valid_from=NOW + HOUR),
        Request(OTHER_GATE, "P-ANN"),
        (R.GRANT_EXPIRED,),
    ),
    case(
        "grant_open_ended",
        other_zone_grant(valid_until=None),
        Request(OTHER_GATE, "P-ANN"),
        (),
        "grant",
    ),
    case(
        "grant_with_unknown_schedule",
        other_zone_grant(schedule_id=99),
        Request(OTHER_GATE, "P-ANN"),
        (R.OUTSIDE_SCHEDULE,),
    ),
    case(
        "verification_missing",
        zone_requires(verification_categories={"critical"}),
        ANN_AT,
        (R.VERIFICATION_MISSING,),
    ),
    case(
        "verification_expired",
        both(
            zone_requires(verification_categories={"critical"}),
            lambda w: w.update_person(
                ANN,
                verifications={"critical": (dt.date(2020, 1, 1), dt.date(2025, 4, 21))},
            ),
        ),
        ANN_AT,
        (R.VERIFICATION_MISSING,),
    ),
    case(
        "verification_valid_through_today",
        both(
            zone_requires(verification_categories={"critical"}),
            lambda w: w.update_person(
                ANN,
                verifications={"critical": (dt.date(2020, 1, 1), dt.date(2025, 4, 22))},
            ),
        ),
        ANN_AT,
        (),
        "grant",
    ),
    case(
        "training_missing",
        zone_requires(courses={"ISPS-1"}),
        ANN_AT,
        (R.TRAINING_MISSING,),
    ),
    case(
        "training_expired",
        both(
            zone_requires(courses={"ISPS-1"}),
            lambda w: w.update_person(ANN, courses={"ISPS-1": dt.date(2025, 4, 21)}),
        ),
        ANN_AT,
        (R.TRAINING_EXPIRED,),
    ),
    case(
        "training_missing_and_expired",
        both(
            zone_requires(courses={"ISPS-1", "ISPS-2"}),
            lambda w: w.update_person(ANN, courses={"ISPS-1": dt.date(2025, 4, 21)}),
        ),
        ANN_AT,
        (R.TRAINING_MISSING, R.TRAINING_EXPIRED),
    ),
    case(
        "training_held",
        both(
            zone_requires(courses={"ISPS-1"}),
            lambda w: w.update_person(ANN, courses={"ISPS-1": dt.date(2025, 4, 22)}),
        ),
        ANN_AT,
        (),
        "grant",
    ),
    case("extract_missing", zone_requires(extract=True), ANN_AT, (R.EXTRACT_MISSING,)),
    case(
        "extract_valid",
        both(
            zone_requires(extract=True),
            lambda w: w.update_person(ANN, extract_valid_until=dt.date(2026, 1, 1)),
        ),
        ANN_AT,
        (),
        "grant",
    ),
    case(
        "biometric_required",
        zone_requires(biometric=True),
        ANN_AT,
        (R.BIOMETRIC_REQUIRED,),
    ),
    case(
        "biometric_matched",
        zone_requires(biometric=True),
        Request(GATE, "P-ANN", biometric=Biometric.MATCH),
        (),
        "grant",
    ),
    case(
        "biometric_mismatch",
        None,
        Request(GATE, "P-ANN", biometric=Biometric.NO_MATCH),
        (R.BIOMETRIC_MISMATCH,),
    ),
    case("escort_required", zone_requires(escort=True), ANN_AT, (R.ESCORT_REQUIRED,)),
    case(
        "escorted",
        zone_requires(escort=True),
        Request(GATE, "P-ANN", escorted=True),
        (R.ESCORTED,),
        "grant",
    ),
    case("security_level", zone_with(security_level=3), ANN_AT, (R.SECURITY_LEVEL,)),
    case(
        "anti_passback_hard_entering_twice",
        zone_with(anti_passback=AntiPassback.HARD),
        Request(GATE, "P-ANN", inside=True),
        (R.ANTI_PASSBACK,),
    ),
    case(
        "visit_outside_window",
        None,
        Request(GATE, "DP:tok-bram"),
        (R.VISIT_OUTSIDE_WINDOW, R.VISITOR),
        at=NOW + 10 * HOUR,
    ),
    case(
        "visit_outside_window_with_a_pass",
        None,
        Request(GATE, "P-BRAM"),
        (R.VISIT_OUTSIDE_WINDOW,),
        at=NOW - 2 * HOUR,
    ),
    case(
        "visit_wrong_location",
        None,
        Request(OTHER_GATE, "DP:tok-bram"),
        (R.VISIT_WRONG_LOCATION, R.VISITOR),
    ),
    case(
        "visit_for_one_zone",
        cas_visits_the_restricted_zone_only,
        Request(RESTRICTED_GATE, "P-CAS"),
        (R.VISITOR,),
        "visit",
    ),
    case(
        "visit_for_another_zone",
        cas_visits_the_restricted_zone_only,
        Request(GATE, "P-CAS"),
        (R.NO_GRANT,),
    ),
    case(
        "direction_not_allowed_in",
        None,
        Request(EXIT_ONLY, "P-ANN"),
        (R.DIRECTION_NOT_ALLOWED,),
    ),
    case("plate_unknown", None, Request(LANE, plate="9-ZZZ-999"), (R.PLATE_UNKNOWN,)),
    case(
        "plate_not_authorised",
        None,
        Request(LANE, plate="3GHI789"),
        (R.PLATE_NOT_AUTHORISED,),
    ),
    case(
        "appointment_over",
        None,
        Request(LANE, plate="2DEF456"),
        (R.PLATE_NOT_AUTHORISED,),
        at=NOW + 2 * HOUR,
    ),
    case(
        "plate_driver_mismatch",
        None,
        Request(LANE, "P-ANN", plate="2DEF456"),
        (R.PLATE_DRIVER_MISMATCH,),
    ),
    case(
        "plate_of_a_banned_visitor",
        lambda w: w.update_person(CAS, bans=((NOW - DAY, NOW + DAY),)),
        Request(LANE, plate="4JKL012"),
        (R.PORT_BAN,),
    ),
    case(
        "banned_visitors_plate_with_a_driver_credential",
        lambda w: w.update_person(CAS, bans=((NOW - DAY, NOW + DAY),)),
        Request(LANE, "P-ANN", plate="4JKL012"),
        (R.PLATE_DRIVER_MISMATCH,),
    ),
    case(
        "one_of_two_visits_asks_for_an_escort",
        lambda w: w.visit(21, BRAM, escort=True),
        Request(GATE, "P-BRAM"),
        (R.VISITOR,),
        "visit",
    ),
    # Schedules that cross midnight (22:00 to 06:00, Monday to Friday).
    case(
        "night_before_midnight",
        other_zone_grant(schedule_id=NIGHT_SHIFT),
        Request(OTHER_GATE, "P-ANN"),
        (),
        "grant",
        at=local(2025, 4, 22, 23, 30),
    ),
    case(
        "night_after_midnight_of_a_friday",
        other_zone_grant(schedule_id=NIGHT_SHIFT),
        Request(OTHER_GATE, "P-ANN"),
        (),
        "grant",
        at=local(2025, 4, 26, 3),
    ),
    case(
        "night_after_midnight_of_a_saturday",
        other_zone_grant(schedule_id=NIGHT_SHIFT),
        Request(OTHER_GATE, "P-ANN"),
        (R.OUTSIDE_SCHEDULE,),
        at=local(2025, 4, 27, 3),
    ),
    case(
        "night_after_midnight_of_a_sunday",
        other_zone_grant(schedule_id=NIGHT_SHIFT),
        Request(OTHER_GATE, "P-ANN"),
        (R.OUTSIDE_SCHEDULE,),
        at=local(2025, 4, 28, 3),
    ),
    case(
        "night_ends_at_six",
        other_zone_grant(schedule_id=NIGHT_SHIFT),
        Request(OTHER_GATE, "P-ANN"),
        (R.OUTSIDE_SCHEDULE,),
        at=local(2025, 4, 23, 6),
    ),
    case(
        "night_last_minute",
        other_zone_grant(schedule_id=NIGHT_SHIFT),
        Request(OTHER_GATE, "P-ANN"),
        (),
        "grant",
        at=local(2025, 4, 23, 5, 59),
    ),
    # Holidays close schedules that say so, in the zone's region only.
    case(
        "holiday",
        both(
            other_zone_grant(schedule_id=DAY_SHIFT),
            lambda w: w.holiday(REGION, dt.date(2025, 4, 22)),
        ),
        Request(OTHER_GATE, "P-ANN"),
        (R.OUTSIDE_SCHEDULE,),
    ),
    case(
        "holiday_elsewhere",
        both(
            other_zone_grant(schedule_id=DAY_SHIFT),
            lambda w: w.holiday("BE-WAL", dt.date(2025, 4, 22)),
        ),
        Request(OTHER_GATE, "P-ANN"),
        (),
        "grant",
    ),
    case(
        "holiday_does_not_close_a_24x7_grant",
        lambda w: w.holiday(REGION, dt.date(2025, 4, 22)),
        ANN_AT,
        (),
        "grant",
    ),
    # Security levels.
    case(
        "level_2_restricted_needs_biometrics",
        zone_with(RESTRICTED, security_level=2),
        Request(RESTRICTED_GATE, "P-ANN"),
        (R.BIOMETRIC_REQUIRED,),
    ),
    case(
        "level_2_restricted_with_biometrics",
        zone_with(RESTRICTED, security_level=2),
        Request(RESTRICTED_GATE, "P-ANN", biometric=Biometric.MATCH),
        (),
        "grant",
    ),
    case(
        "level_2_controlled_needs_no_biometrics",
        zone_with(security_level=2),
        ANN_AT,
        (),
        "grant",
    ),
    case(
        "level_2_visitor_needs_an_escort",
        zone_with(security_level=2),
        Request(GATE, "P-BRAM"),
        (R.ESCORT_REQUIRED, R.VISITOR),
    ),
    case(
        "level_2_visitor_escorted",
        zone_with(security_level=2),
        Request(GATE, "DP:tok-bram", escorted=True),
        (R.ESCORTED, R.VISITOR),
        "day_pass",
    ),
    case(
        "visit_that_asks_for_an_escort",
        lambda w: w.visits.__setitem__(
            BRAM, [dataclasses.replace(w.visits[BRAM][0], escort=True)]
        ),
        Request(GATE, "DP:tok-bram"),
        (R.ESCORT_REQUIRED, R.VISITOR),
    ),
    case(
        "level_3_essential",
        both(
            zone_with(security_level=3),
            lambda w: w.update_person(ANN, essential_facilities=frozenset({FACILITY})),
        ),
        ANN_AT,
        (),
        "grant",
    ),
    case(
        "level_3_essential_elsewhere",
        both(
            zone_with(security_level=3),
            lambda w: w.update_person(
                ANN, essential_facilities=frozenset({OTHER_FACILITY})
            ),
        ),
        ANN_AT,
        (R.SECURITY_LEVEL,),
    ),
    case(
        "level_3_port_zone_essential_at_a_facility_of_the_port",
        both(
            zone_with(PORT_ZONE, security_level=3),
            lambda w: w.update_person(
                ANN, essential_facilities=frozenset({OTHER_FACILITY})
            ),
        ),
        Request(PORT_GATE, "P-ANN"),
        (),
        "grant",
    ),
    case(
        "level_3_port_zone_essential_in_another_port",
        both(
            zone_with(PORT_ZONE, security_level=3),
            lambda w: w.update_person(
                ANN, essential_facilities=frozenset({FOREIGN_FACILITY})
            ),
        ),
        Request(PORT_GATE, "P-ANN"),
        (R.SECURITY_LEVEL,),
    ),
    case(
        "level_3_plate_alone",
        zone_with(security_level=3),
        Request(LANE, plate="1ABC123"),
        (R.SECURITY_LEVEL,),
    ),
    # Anti-passback.
    case(
        "anti_passback_soft",
        zone_with(anti_passback=AntiPassback.SOFT),
        Request(GATE, "P-ANN", inside=True),
        (R.ANTI_PASSBACK_SOFT,),
        "grant",
    ),
    case(
        "anti_passback_hard_leaving_without_entering",
        zone_with(anti_passback=AntiPassback.HARD),
        Request(GATE, "P-ANN", direction=Direction.OUT, inside=False),
        (R.ANTI_PASSBACK,),
    ),
    case(
        "anti_passback_hard_entering",
        zone_with(anti_passback=AntiPassback.HARD),
        Request(GATE, "P-ANN", inside=False),
        (),
        "grant",
    ),
    case(
        "anti_passback_position_unknown",
        zone_with(anti_passback=AntiPassback.HARD),
        Request(GATE, "P-ANN", inside=None),
        (),
        "grant",
    ),
    # Exits.
    case("exit", None, Request(GATE, "P-ANN", direction=Direction.OUT), (), "exit"),
    case(
        "exit_while_banned",
        ann_banned,
        Request(GATE, "P-ANN", direction=Direction.OUT),
        (),
        "exit",
    ),
    case(
        "exit_with_a_lost_pass",
        ann_lost,
        Request(EXIT_ONLY, "P-ANN", direction=Direction.OUT),
        (),
        "exit",
    ),
    case(
        "exit_without_a_grant",
        None,
        Request(OTHER_GATE, "P-BRAM", direction=Direction.OUT),
        (),
        "exit",
    ),
    case(
        "exit_with_an_unknown_credential",
        None,
        Request(GATE, "P-NOBODY", direction=Direction.OUT),
        (R.UNKNOWN_CREDENTIAL,),
    ),
    case(
        "exit_with_an_unknown_plate",
        None,
        Request(LANE, plate="9ZZZ999", direction=Direction.OUT),
        (R.PLATE_UNKNOWN,),
    ),
    case(
        "direction_not_allowed_out",
        None,
        Request(ENTRY_ONLY, "P-ANN", direction=Direction.OUT),
        (R.DIRECTION_NOT_ALLOWED,),
    ),
    case(
        "exit_without_credential",
        None,
        Request(GATE, direction=Direction.OUT),
        (R.NO_CREDENTIAL,),
    ),
    # Every reason is collected, in Reason order.
    case(
        "every_reason_at_once",
        both(ann_lost, ann_banned, zone_with(OTHER_ZONE, security_level=3)),
        Request(OTHER_GATE, "P-ANN", biometric=Biometric.NO_MATCH, inside=True),
        (
            R.PASS_LOST,
            R.PORT_BAN,
            R.NO_GRANT,
            R.BIOMETRIC_MISMATCH,
            R.SECURITY_LEVEL,
        ),
    ),
    case(
        "unknown_credential_and_plate",
        None,
        Request(LANE, "P-NOBODY", plate="9ZZZ999"),
        (R.UNKNOWN_CREDENTIAL, R.PLATE_UNKNOWN),
    ),
    # Grants with requirements of their own.
    case(
        "grant_requirements",
        other_zone_grant(requirements=requirements(courses={"CRANE"})),
        Request(OTHER_GATE, "P-ANN"),
        (R.TRAINING_MISSING,),
    ),
    case(
        "most_permissive_grant",
        both(
            other_zone_grant(requirements=requirements(courses={"CRANE"})),
            other_zone_grant(schedule_id=DAY_SHIFT),
        ),
        Request(OTHER_GATE, "P-ANN"),
        (),
        "grant",
    ),
    case(
        "grant_whose_requirements_are_met",
        both(
            other_zone_grant(requirements=requirements(courses={"CRANE"})),
            other_zone_grant(requirements=requirements(biometric=True)),
        ),
        Request(OTHER_GATE, "P-ANN", biometric=Biometric.MATCH),
        (),
        "grant",
    ),
    case(
        "second_grant_in_schedule",
        both(
            other_zone_grant(valid_until=NOW - DAY),
            other_zone_grant(schedule_id=DAY_SHIFT),
        ),
        Request(OTHER_GATE, "P-ANN"),
        (),
        "grant",
    ),
]


@pytest.mark.parametrize(("setup", "request_", "at", "reasons", "via"), DECISIONS)
def test_decision_table(
    setup: Setup,
    request_: Request,
    at: dt.datetime,
    reasons: tuple[Reason, ...],
    via: str,
) -> None:
    w = world()
    if setup is not None:
        setup(w)
    decision = decide(w.snapshot(), request_, at=at)
    assert decision.reasons == reasons
    assert decision.allowed == all(r in NOTES for r in reasons)
    assert decision.via == via


def test_every_deny_reason_is_the_only_one_in_some_case() -> None:
    alone = set()
    for param in DECISIONS:
        reasons = param.values[3]  # type: ignore[attr-defined]
        denying = [r for r in reasons if r not in NOTES]
        if len(denying) == 1:
            alone.add(denying[0])
    assert alone == set(Reason) - NOTES


def test_decision_names_the_person_zone_and_credential() -> None:
    decision = decide(world().snapshot(), Request(GATE, "P-ANN"), at=NOW)
    assert decision == Decision(
        allowed=True,
        reasons=(),
        person_id=ANN,
        person_name="Ann Peeters",
        photo_ref=f"photo/{ANN}.jpg",
        zone_id=ZONE,
        credential="P-ANN",
        plate=None,
        via="grant",
    )


def test_a_denied_decision_still_names_the_person() -> None:
    w = world()
    ann_lost(w)
    decision = decide(w.snapshot(), Request(GATE, "P-ANN"), at=NOW)
    assert (decision.allowed, decision.person_id, decision.person_name) == (
        False,
        ANN,
        "Ann Peeters",
    )
    assert decision.via == ""


def test_a_plate_is_normalised_in_the_decision() -> None:
    decision = decide(world().snapshot(), Request(LANE, plate="1-abc 123"), at=NOW)
    assert (decision.plate, decision.person_id, decision.zone_id) == (
        "1ABC123",
        None,
        ZONE,
    )


def test_an_unknown_access_point_names_no_zone() -> None:
    decision = decide(world().snapshot(), Request(9999, "P-ANN"), at=NOW)
    assert (decision.zone_id, decision.person_id, decision.credential) == (
        None,
        None,
        "P-ANN",
    )


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        decide(world().snapshot(), Request(GATE, "P-ANN"), at=NOW.replace(tzinfo=None))


@pytest.mark.parametrize(
    "at",
    [
        NOW.astimezone(BRUSSELS),
        NOW.astimezone(dt.timezone(dt.timedelta(hours=-5))),
        local(2025, 3, 30, 3, 30).astimezone(dt.timezone(dt.timedelta(hours=9))),
    ],
)
def test_the_instant_may_be_in_any_timezone(at: dt.datetime) -> None:
    w = world()
    other_zone_grant(schedule_id=DAY_SHIFT)(w)
    snapshot = w.snapshot()
    request = Request(OTHER_GATE, "P-ANN")
    assert decide(snapshot, request, at=at) == decide(
        snapshot, request, at=at.astimezone(dt.UTC)
    )


@pytest.mark.parametrize(
    ("at", "allowed"),
    [
        # 30 March 2025: clocks go from 02:00 to 03:00 in Brussels (UTC+2 after).
        (dt.datetime(2025, 3, 30, 3, 59, tzinfo=dt.UTC), False),  # 05:59 CEST
        (dt.datetime(2025, 3, 30, 4, 0, tzinfo=dt.UTC), True),  # 06:00 CEST
        # 26 October 2025: clocks go from 03:00 back to 02:00 (UTC+1 after).
        (dt.datetime(2025, 10, 26, 4, 59, tzinfo=dt.UTC), False),  # 05:59 CET
        (dt.datetime(2025, 10, 26, 5, 0, tzinfo=dt.UTC), True),  # 06:00 CET
    ],
)
def test_schedules_follow_summer_time(at: dt.datetime, allowed: bool) -> None:
    w = world()
    w.schedule(3, window(range(7), hm(6), hm(18)))
    w.grant(
        ANN, OTHER_ZONE, schedule_id=3, valid_from=NOW - 365 * DAY, valid_until=None
    )
    decision = decide(w.snapshot(), Request(OTHER_GATE, "P-ANN"), at=at)
    assert decision.allowed is allowed
    assert (
        decide(w.snapshot(), Request(OTHER_GATE, "P-ANN"), at=at.astimezone(BRUSSELS))
        == decision
    )


def test_the_empty_snapshot_denies() -> None:
    decision = decide(Snapshot.empty(), Request(GATE, "P-ANN"), at=NOW)
    assert decision.reasons == (Reason.ACCESS_POINT_UNKNOWN,)


def test_the_fast_decision_constructor_builds_an_equal_decision() -> None:
    fields = (False, (Reason.NO_GRANT,), 7, "Name", "ref", 3, "P-7", "1ABC123", "")
    fast = _new_decision(*fields)
    assert fast == Decision(*fields)
    assert repr(fast) == repr(Decision(*fields))
    assert hash(fast) == hash(Decision(*fields))
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.allowed = True  # type: ignore[misc]


def test_every_reason_has_a_text_and_the_notes_come_last() -> None:
    assert set(REASON_TEXT) == set(Reason)
    assert list(Reason)[-len(NOTES) :] == sorted(NOTES, key=list(Reason).index)
