"""The SLA clock, without the database: how much of a target's time a ticket has used and when the
target falls due, counting only the open time of a ``Schedule`` while the clock runs.

The clock runs while the ticket is new, open or snoozed; it pauses while it is pending (waiting on
the customer) and stops while it is resolved or closed. ``running_intervals`` turns a ticket's status
history into the intervals in which it ran; ``elapsed`` and ``due`` count open time within them.
``tests/test_clock_properties.py`` checks both against a reference that walks minute by minute.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from pomoc.calendars.schedule import MINUTES_PER_DAY, NeverOpen, Schedule  # noqa: F401 - NeverOpen for callers

RUNNING_STATUSES = frozenset({"new", "open", "snoozed"})
PAUSED_STATUSES = frozenset({"pending"})
Interval = tuple[dt.datetime, dt.datetime | None]
"""From ``start`` to ``end`` (``None``: still running)."""

class RoundTheClock(Schedule):
    """Every minute open: a policy without a calendar. The same answers as a ``Schedule`` open all day
    every day, without walking the days (``add`` on such a schedule reads three years of days before
    it finds the end of its one endless interval)."""

    def is_open(self, at: dt.datetime) -> bool:
        return True

    def open_time_between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        return max(end - start, dt.timedelta())

    def add(self, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        return start.astimezone(dt.UTC) + max(duration, dt.timedelta())

    def next_open(self, at: dt.datetime) -> dt.datetime:
        return at.astimezone(dt.UTC)


ROUND_THE_CLOCK = RoundTheClock(ZoneInfo("UTC"), lambda _date: ((0, MINUTES_PER_DAY),))
"""A policy without a calendar counts every minute."""


def running_intervals(changes: Iterable[tuple[dt.datetime, str]]) -> list[Interval]:
    """``[(at, status), …]`` in time order (the status the ticket took at that moment, its creation
    first) as the intervals in which the clock ran."""
    intervals: list[Interval] = []
    started: dt.datetime | None = None
    for at, status in changes:
        if status in RUNNING_STATUSES:
            if started is None:
                started = at
        elif started is not None:
            if at > started:
                intervals.append((started, at))
            started = None
    if started is not None:
        intervals.append((started, None))
    return intervals


def elapsed(schedule: Schedule, since: dt.datetime, intervals: list[Interval], at: dt.datetime) -> dt.timedelta:
    """The open time the clock ran in ``[since, at)``."""
    total = dt.timedelta()
    for start, end in intervals:
        low, high = max(start, since), min(end or at, at)
        if low < high:
            total += schedule.open_time_between(low, high)
    return total


def due(schedule: Schedule, since: dt.datetime, target: dt.timedelta, intervals: list[Interval]) -> dt.datetime | None:
    """The moment the clock, started at ``since``, has run ``target`` of open time; ``None`` while it
    is paused or stopped short of that (the moment is not known until it runs again). A due moment
    already passed is returned even when the clock stopped after it."""
    used = dt.timedelta()
    for start, end in intervals:
        low = max(start, since)
        if end is None:
            return schedule.add(low, target - used)
        if end <= low:
            continue
        run = schedule.open_time_between(low, end)
        if used + run >= target:
            return schedule.add(low, target - used)
        used += run
    return None


def is_running(intervals: list[Interval]) -> bool:
    return bool(intervals) and intervals[-1][1] is None
