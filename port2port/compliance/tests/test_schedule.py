"""The ISPS due-date rules at their edges (no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from port2port.compliance import schedule
from port2port.compliance.schedule import Status

D = dt.date


def test_a_drill_held_on_new_years_eve_is_due_on_the_last_day_of_the_quarter() -> None:
    due = schedule.next_drill_due(D(2025, 12, 31), today=D(2026, 1, 1))
    assert due == D(2026, 3, 31)
    assert (
        schedule.status_of(due, today=D(2026, 3, 31), soon_days=30) == Status.DUE_SOON
    )
    assert schedule.status_of(due, today=D(2026, 4, 1), soon_days=30) == Status.LATE


def test_a_drill_due_in_a_short_month_falls_on_its_last_day() -> None:
    assert schedule.next_drill_due(D(2025, 11, 30), today=D(2025, 12, 1)) == D(
        2026, 2, 28
    )
    assert schedule.next_drill_due(D(2023, 11, 30), today=D(2023, 12, 1)) == D(
        2024, 2, 29
    )


def test_without_any_drill_one_is_due_today() -> None:
    assert schedule.next_drill_due(None, today=D(2026, 5, 4)) == D(2026, 5, 4)


@pytest.mark.parametrize(
    ("last", "due"),
    [
        # Early in the year: 18 months comes before the end of next year.
        (D(2025, 2, 1), D(2026, 8, 1)),
        (D(2025, 6, 30), D(2026, 12, 30)),
        # Late in the year: the calendar-year rule comes first.
        (D(2025, 7, 1), D(2026, 12, 31)),
        (D(2025, 11, 15), D(2026, 12, 31)),
        (D(2024, 12, 20), D(2025, 12, 31)),
    ],
)
def test_the_next_exercise_is_due_by_the_earlier_of_next_year_and_18_months(
    last: dt.date, due: dt.date
) -> None:
    assert schedule.next_exercise_due(last, today=last) == due


def test_an_exercise_in_december_after_one_in_january_last_year_is_too_late() -> None:
    # One exercise each calendar year is not enough: January 2025 and December
    # 2026 are 23 months apart.
    due = schedule.next_exercise_due(D(2025, 1, 10), today=D(2026, 12, 1))
    assert due == D(2026, 7, 10)
    assert schedule.status_of(due, today=D(2026, 12, 1), soon_days=30) == Status.LATE


def test_without_any_exercise_one_is_due_by_the_end_of_the_year() -> None:
    assert schedule.next_exercise_due(None, today=D(2026, 3, 3)) == D(2026, 12, 31)


def test_reviews_fall_due_after_five_years_or_soon_after_a_major_change() -> None:
    approved = D(2021, 3, 1)
    assert schedule.next_review_due(
        approved, major_change=None, major_change_days=90, today=D(2024, 1, 1)
    ) == D(2026, 3, 1)
    assert schedule.next_review_due(
        approved, major_change=D(2024, 1, 1), major_change_days=90, today=D(2024, 1, 1)
    ) == D(2024, 3, 31)
    assert schedule.next_review_due(
        None, major_change=None, major_change_days=90, today=D(2024, 1, 1)
    ) == D(2024, 1, 1)


def test_a_certificate_holds_five_years_to_the_day_before() -> None:
    assert schedule.certificate_expiry(D(2024, 2, 29)) == D(2029, 2, 27)
    assert schedule.certificate_expiry(D(2025, 6, 1)) == D(2030, 5, 31)


@pytest.mark.parametrize(
    ("risk", "major", "due"),
    [
        ("low", False, D(2027, 1, 15)),
        ("medium", False, D(2026, 1, 15)),
        ("high", False, D(2025, 7, 15)),
        ("medium", True, D(2025, 7, 15)),
        ("high", True, D(2025, 4, 15)),
    ],
)
def test_inspections_fall_due_by_risk_and_sooner_after_major_findings(
    risk: str, major: bool, due: dt.date
) -> None:
    assert (
        schedule.next_inspection_due(
            D(2025, 1, 15),
            risk=risk,
            last_had_major_findings=major,
            today=D(2025, 2, 1),
        )
        == due
    )


def test_pre_arrival_information_is_due_24_hours_before_arrival() -> None:
    eta = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
    due = eta - dt.timedelta(hours=24)
    on_time = schedule.pre_arrival_state(eta=eta, received_at=due, now=eta)
    assert (on_time.due_at, on_time.state) == (due, "on_time")
    late = schedule.pre_arrival_state(
        eta=eta, received_at=due + dt.timedelta(seconds=1), now=eta
    )
    assert late.state == "late"
    assert schedule.pre_arrival_state(eta=eta, received_at=None, now=due).state == (
        "awaited"
    )
    assert (
        schedule.pre_arrival_state(
            eta=eta, received_at=None, now=due + dt.timedelta(minutes=1)
        ).state
        == "missing"
    )


@pytest.mark.parametrize(
    ("mmsi", "ok"),
    [
        ("205123000", True),
        ("244650000", True),
        ("775999999", True),
        ("200123456", False),  # no country has MID 200
        ("002051234", False),  # a coast station
        ("970123456", False),  # an AIS-SART
        ("20512300", False),
        ("20512300X", False),
    ],
)
def test_a_ships_mmsi_starts_with_a_country_mid(mmsi: str, ok: bool) -> None:
    assert (schedule.mmsi_check(mmsi) is None) is ok
