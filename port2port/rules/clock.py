"""The local wall-clock minute of the week of an instant, in a port's time zone.

Converting a Unix time to local time through ``zoneinfo`` costs about a
microsecond. The UTC offset is constant within almost every UTC hour, so it is
looked up once per hour and memoised; in an hour that holds a change of offset
(checked at both ends), every instant is converted on its own.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from port2port.rules.model import MINUTES_PER_DAY

_MEMO_LIMIT = 4096


class LocalClock:
    """Minutes of the week (Monday 00:00 is 0) of Unix times in one time zone."""

    __slots__ = ("_offsets", "tz")

    def __init__(self, timezone: str) -> None:
        self.tz = zoneinfo.ZoneInfo(timezone)
        #: UTC hour number -> offset in seconds, or None when it changes inside.
        self._offsets: dict[int, float | None] = {}

    def _offset_at(self, seconds: float) -> float:
        offset = dt.datetime.fromtimestamp(seconds, self.tz).utcoffset()
        return offset.total_seconds() if offset is not None else 0.0

    def offset(self, seconds: float) -> float:
        """Return the UTC offset in seconds at ``seconds``."""
        hour = int(seconds // 3600)
        try:
            offset = self._offsets[hour]
        except KeyError:
            start = self._offset_at(hour * 3600.0)
            end = self._offset_at(hour * 3600.0 + 3599.999)
            offset = start if start == end else None
            if len(self._offsets) >= _MEMO_LIMIT:
                self._offsets.clear()
            self._offsets[hour] = offset
        if offset is None:
            return self._offset_at(seconds)
        return offset

    def minute_of_week(self, seconds: float) -> int:
        """Return the local minute of the week (0 .. 10079) of ``seconds``."""
        local = seconds + self.offset(seconds)
        days = int(local // 86400)
        # 1 January 1970 was a Thursday (weekday 3).
        return ((days + 3) % 7) * MINUTES_PER_DAY + int(local % 86400) // 60
