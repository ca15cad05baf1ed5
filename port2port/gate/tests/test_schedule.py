"""Weekly schedules: windows, midnight crossings and holidays."""

from __future__ import annotations

import datetime as dt

import pytest

from port2port.gate import ALWAYS, Schedule, Window, schedule_allows
from port2port.gate.tests.builders import hm, window

# A Monday.
MONDAY = dt.date(2025, 4, 21)
NO_HOLIDAYS: frozenset[dt.date] = frozenset()


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """Return a local wall-clock time, ``day`` days after Monday 21 April 2025."""
    return dt.datetime.combine(MONDAY + dt.timedelta(days=day), dt.time(hour, minute))


DAY_SHIFT = Schedule(1, (window(range(5), hm(6), hm(18)),))
NIGHT_SHIFT = Schedule(2, (window({4, 6}, hm(22), hm(6)),))  # Friday and Sunday
SPLIT = Schedule(3, (window({0}, hm(8), hm(12)), window({0}, hm(13), hm(17))))


@pytest.mark.parametrize(
    ("schedule", "local", "expected"),
    [
        (DAY_SHIFT, at(0, 6), True),
        (DAY_SHIFT, at(0, 5, 59), False),
        (DAY_SHIFT, at(4, 17, 59), True),
        (DAY_SHIFT, at(4, 18), False),
        (DAY_SHIFT, at(5, 12), False),  # Saturday
        (NIGHT_SHIFT, at(4, 22), True),  # Friday evening
        (NIGHT_SHIFT, at(4, 21, 59), False),
        (NIGHT_SHIFT, at(5, 5, 59), True),  # Saturday morning belongs to Friday
        (NIGHT_SHIFT, at(5, 6), False),
        (NIGHT_SHIFT, at(5, 23), False),  # Saturday is not listed
        (NIGHT_SHIFT, at(6, 3), False),  # Sunday morning belongs to Saturday
        (NIGHT_SHIFT, at(6, 23, 59), True),  # Sunday evening
        (NIGHT_SHIFT, at(7, 0), True),  # Monday morning belongs to Sunday: wraps
        (NIGHT_SHIFT, at(7, 6), False),
        (SPLIT, at(0, 12, 30), False),
        (SPLIT, at(0, 16, 59), True),
        (ALWAYS, at(6, 23, 59), True),
        (ALWAYS, at(0, 0), True),
        (Schedule(4, ()), at(0, 12), False),
        (Schedule(5, (window(range(7), hm(9), hm(9)),)), at(0, 9), False),
        (Schedule(6, (window({2}, 0, 1440),)), at(2, 23, 59), True),
    ],
)
def test_schedule_allows(
    schedule: Schedule, local: dt.datetime, expected: bool
) -> None:
    assert schedule_allows(schedule, local, NO_HOLIDAYS) is expected


def test_a_schedule_closed_on_holidays_allows_nothing_that_day() -> None:
    closed = Schedule(7, DAY_SHIFT.windows, closed_on_holidays=True)
    holidays = frozenset({MONDAY})
    assert schedule_allows(closed, at(0, 12), holidays) is False
    assert schedule_allows(closed, at(1, 12), holidays) is True
    assert schedule_allows(DAY_SHIFT, at(0, 12), holidays) is True


def test_a_holiday_closes_the_early_hours_of_a_night_window() -> None:
    night = Schedule(8, (window({6}, hm(22), hm(6)),), closed_on_holidays=True)
    # Sunday 22:00 to Monday 06:00; Monday is a holiday.
    holidays = frozenset({MONDAY + dt.timedelta(days=7)})
    assert schedule_allows(night, at(6, 23), holidays) is True
    assert schedule_allows(night, at(7, 1), holidays) is False


def test_always_is_schedule_zero() -> None:
    assert Schedule.ALWAYS is ALWAYS
    assert ALWAYS.id == 0


@pytest.mark.parametrize(
    ("weekdays", "start", "end"),
    [({0}, -1, 60), ({0}, 1440, 60), ({0}, 0, 0), ({0}, 0, 1441), ({7}, 0, 60)],
)
def test_a_window_out_of_range_is_refused(
    weekdays: set[int], start: int, end: int
) -> None:
    with pytest.raises(ValueError, match="not in"):
        Window(frozenset(weekdays), start, end)
