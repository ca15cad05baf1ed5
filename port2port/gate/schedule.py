"""Whether a schedule allows a local wall-clock time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Container

from port2port.gate.model import MINUTES_PER_DAY, Schedule


def schedule_allows(
    schedule: Schedule, local_dt: dt.datetime, holidays: Container[dt.date]
) -> bool:
    """Return whether ``local_dt`` (local wall-clock time) is inside ``schedule``.

    The part of a window that crosses midnight belongs to the day after a listed
    weekday. A schedule closed on holidays allows nothing on a holiday's local
    calendar date, including the early hours of a night window that started the
    evening before.
    """
    if schedule.closed_on_holidays and local_dt.date() in holidays:
        return False
    minute = local_dt.weekday() * MINUTES_PER_DAY + local_dt.hour * 60 + local_dt.minute
    return schedule.week[minute] == 1
