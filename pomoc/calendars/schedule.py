"""Business-hours arithmetic: when is a calendar open, how much open time lies between two moments,
and when is a duration of open time used up.

The meaning is the wall clock's, in the calendar's time zone: a moment is open when its local date
is not closed and its local time of day lies in one of that date's periods (``[start, end)`` in
minutes after midnight; ``end`` may be 1440, midnight at the end of the day). So on the night clocks
go forward an hour that does not exist is not open, and on the night they go back an hour that
happens twice is open twice if its wall time is inside a period. ``tests/test_schedule_properties.py``
checks this module against a reference that walks minute by minute.

Days are found lazily: ``periods_on(date)`` is asked for each local date that is needed (weekly
hours, public holidays and hand-made exceptions are the calendar model's business, not this one's).
Everything is computed on UTC instants; results are aware datetimes in UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

UTC = dt.UTC
MINUTES_PER_DAY = 24 * 60
Period = tuple[int, int]
"""Open from ``start`` to ``end`` minutes after local midnight (0 ≤ start < end ≤ 1440)."""
SEARCH_DAYS = 3 * 366
"""How far ahead ``add`` looks for open time before it decides the calendar is never open."""


class NeverOpen(ValueError):
    """The calendar has no open time within ``SEARCH_DAYS`` (every day closed, or no hours at all)."""


@dataclass(frozen=True)
class Schedule:
    time_zone: ZoneInfo
    periods_on: Callable[[dt.date], tuple[Period, ...]]

    # --- questions ------------------------------------------------------------------------------
    def is_open(self, at: dt.datetime) -> bool:
        local = _aware(at).astimezone(self.time_zone)
        minute = local.hour * 60 + local.minute + (local.second + local.microsecond / 1e6) / 60
        return any(start <= minute < end for start, end in self.periods_on(local.date()))

    def open_time_between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Open time in ``[start, end)``; zero when ``end`` is not after ``start``."""
        start, end = _aware(start), _aware(end)
        total = dt.timedelta()
        if end <= start:
            return total
        for low, high in self.open_intervals(start, end):
            total += high - low
        return total

    def add(self, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        """The moment at which ``duration`` of open time after ``start`` has passed (``start`` itself
        when the duration is zero or less). Raises ``NeverOpen`` when that does not happen soon."""
        start = _aware(start).astimezone(UTC)
        left = duration
        if left <= dt.timedelta():
            return start
        for low, high in self.open_intervals(start, start + dt.timedelta(days=SEARCH_DAYS)):
            if high - low >= left:
                return low + left
            left -= high - low
        raise NeverOpen("no open time found")

    def next_open(self, at: dt.datetime) -> dt.datetime:
        """``at`` when it is open, else the next moment that is. Raises ``NeverOpen``."""
        at = _aware(at).astimezone(UTC)
        for low, _high in self.open_intervals(at, at + dt.timedelta(days=SEARCH_DAYS)):
            return low
        raise NeverOpen("no open time found")

    # --- the open intervals ---------------------------------------------------------------------
    def open_intervals(self, start: dt.datetime, end: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        """The open time in ``[start, end)`` as UTC intervals, in order, touching ones joined."""
        start, end = _aware(start).astimezone(UTC), _aware(end).astimezone(UTC)
        pending: list[dt.datetime] | None = None
        # A local date begins up to a day before or after the UTC date (offsets are within ±26 h).
        day = start.astimezone(self.time_zone).date() - dt.timedelta(days=1)
        last_day = end.astimezone(self.time_zone).date() + dt.timedelta(days=1)
        while day <= last_day:
            for low, high in self._day_intervals(day):
                low, high = max(low, start), min(high, end)
                if low >= high:
                    continue
                if pending is not None and low <= pending[1]:
                    pending[1] = max(pending[1], high)
                    continue
                if pending is not None:
                    yield pending[0], pending[1]
                pending = [low, high]
            day += dt.timedelta(days=1)
        if pending is not None:
            yield pending[0], pending[1]

    def _day_intervals(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The UTC instants whose wall time is on ``day`` and inside one of its periods."""
        periods = self.periods_on(day)
        if not periods:
            return []
        midnight = dt.datetime.combine(day, dt.time())
        before = self._offset_at(midnight)
        after = self._offset_at(midnight + dt.timedelta(days=1))
        change = None if before == after else self._transition(midnight, before, after)
        pieces: list[tuple[dt.datetime, dt.datetime]] = []
        for start_minute, end_minute in sorted(periods):
            wall_start = midnight + dt.timedelta(minutes=start_minute)
            wall_end = midnight + dt.timedelta(minutes=end_minute)
            for offset, low_bound, high_bound in self._offset_spans(before, after, change):
                low = (wall_start - offset).replace(tzinfo=UTC)
                high = (wall_end - offset).replace(tzinfo=UTC)
                low = max(low, low_bound) if low_bound else low
                high = min(high, high_bound) if high_bound else high
                if low < high:
                    pieces.append((low, high))
        pieces.sort()
        return pieces

    @staticmethod
    def _offset_spans(before, after, change):
        if change is None:
            return [(before, None, None)]
        return [(before, None, change), (after, change, None)]

    def _offset_at(self, wall: dt.datetime) -> dt.timedelta:
        """The UTC offset in force at the instant whose wall time (first occurrence) is ``wall``."""
        return wall.replace(tzinfo=self.time_zone, fold=0).utcoffset()

    def _offset_of_instant(self, instant: dt.datetime) -> dt.timedelta:
        return instant.astimezone(self.time_zone).utcoffset()

    def _transition(self, midnight: dt.datetime, before: dt.timedelta, after: dt.timedelta) -> dt.datetime:
        """The instant, during this local day, at which the offset changes from ``before`` to ``after``
        (found to the second by bisection: offsets change at most once a day in every real zone)."""
        low = (midnight - before - dt.timedelta(hours=1)).replace(tzinfo=UTC)
        high = (midnight + dt.timedelta(days=1) - after + dt.timedelta(hours=1)).replace(tzinfo=UTC)
        while high - low > dt.timedelta(seconds=1):
            middle = low + (high - low) / 2
            middle = middle.replace(microsecond=0)
            if self._offset_of_instant(middle) == before:
                low = middle
            else:
                high = middle
        return high


def _aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError("business-hours arithmetic needs aware datetimes")
    return value


def parse_period(text: str) -> Period:
    """``"09:00-17:30"`` → ``(540, 1050)``; ``"24:00"`` ends a day. ValueError when it is not one."""
    try:
        start_text, end_text = (part.strip() for part in text.split("-"))
        start, end = _minutes(start_text), _minutes(end_text)
    except (ValueError, AttributeError):
        raise ValueError(f"not a period: {text!r}") from None
    if not 0 <= start < end <= MINUTES_PER_DAY:
        raise ValueError(f"not a period: {text!r}")
    return start, end


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2 and len(hours) <= 2):
        raise ValueError(text)
    value = int(hours) * 60 + int(minutes)
    if int(minutes) >= 60 or value > MINUTES_PER_DAY:
        raise ValueError(text)
    return value


def format_period(period: Period) -> str:
    return "-".join(f"{minute // 60:02d}:{minute % 60:02d}" for minute in period)


def merged(periods) -> tuple[Period, ...]:
    """Periods sorted with overlapping and touching ones joined."""
    out: list[list[int]] = []
    for start, end in sorted(periods):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return tuple((start, end) for start, end in out)
