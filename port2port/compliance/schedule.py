"""When ISPS duties fall due: drills, exercises, reviews, inspections, pre-arrival.

Framework-free (standard library only) so that the rules can be read and tested on
their own; the services and selectors give them the dates from the database and
the day to judge by, never the clock.

- A drill is due at least every 3 months (ISPS B/18.5): three calendar months
  after the last one, on the same day of the month or the month's last day.
- An exercise is due at least once each calendar year with no more than 18 months
  between two (ISPS B/18.6): after an exercise in year Y the next is due by the
  earlier of 31 December of Y + 1 and 18 months after it.
- A facility's assessment and plan are reviewed at least every 5 years, and
  sooner after a major change.
- The interval between two inspections follows the facility's risk, and is
  halved after an inspection with major or critical findings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

DRILL_MONTHS = 3
EXERCISE_MAX_MONTHS = 18
REVIEW_YEARS = 5
CERTIFICATE_YEARS = 5
PRE_ARRIVAL_HOURS = 24
# Months between two inspections of a facility, by risk.
INSPECTION_MONTHS = {"low": 24, "medium": 12, "high": 6}


class Status(StrEnum):
    """Where a recurring duty stands on a given day."""

    OK = "ok"
    DUE_SOON = "due_soon"
    LATE = "late"


def add_months(day: dt.date, months: int) -> dt.date:
    """Return the same day ``months`` later, or that month's last day."""
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def add_years(day: dt.date, years: int) -> dt.date:
    """Return the same day ``years`` later (28 February for 29 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def next_drill_due(last: dt.date | None, *, today: dt.date) -> dt.date:
    """Return the day by which the next drill must be held.

    Without any drill on record, one is due today.
    """
    if last is None:
        return today
    return add_months(last, DRILL_MONTHS)


def next_exercise_due(last: dt.date | None, *, today: dt.date) -> dt.date:
    """Return the day by which the next exercise must be held.

    After an exercise in year Y the next one is due in year Y + 1 (one each calendar
    year) and within 18 months, whichever comes first. Without any exercise on
    record, one is due by the end of the current year.
    """
    if last is None:
        return dt.date(today.year, 12, 31)
    return min(dt.date(last.year + 1, 12, 31), add_months(last, EXERCISE_MAX_MONTHS))


def next_review_due(
    last_approved: dt.date | None,
    *,
    major_change: dt.date | None,
    major_change_days: int,
    today: dt.date,
) -> dt.date:
    """Return the day by which an assessment or plan must next be reviewed.

    Five years after its last approval, or ``major_change_days`` after a major
    change flagged since, whichever is first. A document never approved is due
    today.
    """
    candidates = []
    if last_approved is not None:
        candidates.append(add_years(last_approved, REVIEW_YEARS))
    if major_change is not None:
        candidates.append(major_change + dt.timedelta(days=major_change_days))
    return min(candidates) if candidates else today


def certificate_expiry(issued: dt.date) -> dt.date:
    """Return the last day a facility's certificate (statement of compliance) holds."""
    return add_years(issued, CERTIFICATE_YEARS) - dt.timedelta(days=1)


def next_inspection_due(
    last: dt.date | None,
    *,
    risk: str,
    last_had_major_findings: bool,
    today: dt.date,
) -> dt.date:
    """Return the day by which a facility's next inspection is due.

    The interval follows the risk (low 24, medium 12, high 6 months) and is halved
    after an inspection that found major or critical shortcomings. A facility
    never inspected is due today.
    """
    if last is None:
        return today
    months = INSPECTION_MONTHS.get(risk, INSPECTION_MONTHS["medium"])
    if last_had_major_findings:
        months = max(1, months // 2)
    return add_months(last, months)


def status_of(due: dt.date, *, today: dt.date, soon_days: int) -> Status:
    """Return whether a duty due on ``due`` is in order, due soon or late on ``today``.

    The due day itself still counts as in time.
    """
    if today > due:
        return Status.LATE
    if (due - today).days <= soon_days:
        return Status.DUE_SOON
    return Status.OK


@dataclass(frozen=True)
class PreArrival:
    """How a ship call's pre-arrival security information stands."""

    due_at: dt.datetime
    state: str  # "awaited", "on_time", "late" or "missing"


def pre_arrival_state(
    *, eta: dt.datetime, received_at: dt.datetime | None, now: dt.datetime
) -> PreArrival:
    """Judge a ship call's pre-arrival information against its deadline.

    It is due 24 hours before the estimated arrival. Received by then it is on
    time, after it late; not received once the deadline has passed it is missing.
    """
    due_at = eta - dt.timedelta(hours=PRE_ARRIVAL_HOURS)
    if received_at is not None:
        return PreArrival(due_at, "on_time" if received_at <= due_at else "late")
    return PreArrival(due_at, "missing" if now > due_at else "awaited")


def mmsi_check(value: str) -> str | None:
    """Return why ``value`` is not a ship station's MMSI, or None when it is.

    A ship's MMSI is nine digits whose first three are a Maritime Identification
    Digit (MID) allocated to a country: 201 to 775.
    """
    if len(value) != 9 or not value.isdigit():
        return "An MMSI is 9 digits, e.g. 205123000."
    mid = int(value[:3])
    if not 201 <= mid <= 775:
        return "A ship's MMSI starts with a country's MID (201 to 775), e.g. 205 for Belgium."
    return None
