"""Business-hours arithmetic against a reference that is slow and obviously right: it looks at every
minute's wall time in the calendar's zone. Hypothesis picks zones with daylight-saving changes,
weekly hours, closed dates and spans around the changes."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pomoc.calendars.schedule import NeverOpen, Schedule, merged

ZONES = ["Europe/Prague", "Europe/Tallinn", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC",
         "America/Santiago", "Pacific/Chatham"]
MINUTE = dt.timedelta(minutes=1)
# Spans that hold daylight-saving changes in both hemispheres (and a leap day).
STARTS = [dt.datetime(2026, 3, 27, tzinfo=dt.UTC), dt.datetime(2026, 10, 23, tzinfo=dt.UTC),
          dt.datetime(2026, 4, 3, tzinfo=dt.UTC), dt.datetime(2026, 9, 4, tzinfo=dt.UTC),
          dt.datetime(2028, 2, 27, tzinfo=dt.UTC), dt.datetime(2026, 12, 30, tzinfo=dt.UTC)]

periods = st.lists(st.tuples(st.integers(0, 1439), st.integers(1, 1440)).filter(lambda p: p[0] < p[1]),
                   max_size=3).map(merged)
weeks = st.lists(periods, min_size=7, max_size=7)
closed = st.sets(st.integers(0, 13), max_size=4)


def _schedule(zone: str, week, closed_offsets, first_day: dt.date) -> Schedule:
    closed_dates = {first_day + dt.timedelta(days=n) for n in closed_offsets}

    def periods_on(day: dt.date):
        return () if day in closed_dates else week[day.weekday()]

    return Schedule(ZoneInfo(zone), periods_on)


def _reference_open(schedule: Schedule, minute: dt.datetime) -> bool:
    local = minute.astimezone(schedule.time_zone)
    of_day = local.hour * 60 + local.minute
    return any(start <= of_day < end for start, end in schedule.periods_on(local.date()))


def _reference_minutes(schedule, start, end) -> list[dt.datetime]:
    out, minute = [], start
    while minute < end:
        if _reference_open(schedule, minute):
            out.append(minute)
        minute += MINUTE
    return out


@settings(max_examples=60, deadline=None)
@given(zone=st.sampled_from(ZONES), week=weeks, closed_offsets=closed, origin=st.sampled_from(STARTS),
       start_minutes=st.integers(0, 3 * 1440), length_minutes=st.integers(0, 4 * 1440))
def test_open_time_between_matches_minute_by_minute(zone, week, closed_offsets, origin, start_minutes,
                                                      length_minutes):
    schedule = _schedule(zone, week, closed_offsets, origin.date() - dt.timedelta(days=2))
    start = origin + dt.timedelta(minutes=start_minutes)
    end = start + dt.timedelta(minutes=length_minutes)
    expected = len(_reference_minutes(schedule, start, end))
    assert schedule.open_time_between(start, end) == expected * MINUTE
    for minute in (start, end, start + (end - start) / 2):
        minute = minute.replace(second=0, microsecond=0)
        assert schedule.is_open(minute) == _reference_open(schedule, minute)


@settings(max_examples=60, deadline=None)
@given(zone=st.sampled_from(ZONES), week=weeks, closed_offsets=closed, origin=st.sampled_from(STARTS),
       start_minutes=st.integers(0, 3 * 1440), duration_minutes=st.integers(0, 2 * 1440))
def test_add_lands_where_the_minutes_run_out(zone, week, closed_offsets, origin, start_minutes, duration_minutes):
    schedule = _schedule(zone, week, closed_offsets, origin.date() - dt.timedelta(days=2))
    start = origin + dt.timedelta(minutes=start_minutes)
    duration = dt.timedelta(minutes=duration_minutes)
    open_minutes = _reference_minutes(schedule, start, start + dt.timedelta(days=30))
    if duration_minutes == 0:
        assert schedule.add(start, duration) == start
    elif len(open_minutes) >= duration_minutes:
        # The last open minute used starts at open_minutes[n - 1]; the duration ends a minute later.
        assert schedule.add(start, duration) == open_minutes[duration_minutes - 1] + MINUTE
    if open_minutes:
        assert schedule.next_open(start) == open_minutes[0]
    if duration_minutes and len(open_minutes) >= duration_minutes:
        due = schedule.add(start, duration)
        assert schedule.open_time_between(start, due) == duration


def test_a_calendar_that_is_never_open_says_so():
    schedule = Schedule(ZoneInfo("Europe/Prague"), lambda day: ())
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert schedule.open_time_between(start, start + dt.timedelta(days=30)) == dt.timedelta()
    with pytest.raises(NeverOpen):
        schedule.add(start, dt.timedelta(hours=1))
    with pytest.raises(NeverOpen):
        schedule.next_open(start)


def test_the_hour_that_does_not_exist_is_not_open_and_the_hour_that_happens_twice_is_open_twice():
    around_the_clock = Schedule(ZoneInfo("Europe/Prague"), lambda day: ((0, 1440),))
    spring = dt.datetime(2026, 3, 29, tzinfo=ZoneInfo("Europe/Prague"))
    autumn = dt.datetime(2026, 10, 25, tzinfo=ZoneInfo("Europe/Prague"))
    day = dt.timedelta(days=1)
    assert around_the_clock.open_time_between(spring, spring + day) == dt.timedelta(hours=23)
    assert around_the_clock.open_time_between(autumn, autumn + day) == dt.timedelta(hours=25)
    two_to_three = Schedule(ZoneInfo("Europe/Prague"), lambda day: ((120, 180),))
    assert two_to_three.open_time_between(spring, spring + day) == dt.timedelta()
    assert two_to_three.open_time_between(autumn, autumn + day) == dt.timedelta(hours=2)


def test_a_working_week_worked_example():
    """Friday 16:00 in Prague plus 2 working hours (9–17, Monday to Friday) is Monday 10:00."""
    nine_to_five = ((9 * 60, 17 * 60),)
    schedule = Schedule(ZoneInfo("Europe/Prague"), lambda day: nine_to_five if day.weekday() < 5 else ())
    prague = ZoneInfo("Europe/Prague")
    friday = dt.datetime(2026, 12, 4, 16, 0, tzinfo=prague)
    due = schedule.add(friday, dt.timedelta(hours=2))
    assert due.astimezone(prague) == dt.datetime(2026, 12, 7, 10, 0, tzinfo=prague)
    assert schedule.open_time_between(friday, due) == dt.timedelta(hours=2)
    assert not schedule.is_open(dt.datetime(2026, 12, 5, 12, 0, tzinfo=ZoneInfo("Europe/Prague")))


def test_naive_datetimes_are_refused():
    schedule = Schedule(ZoneInfo("UTC"), lambda day: ((0, 1440),))
    with pytest.raises(ValueError):
        schedule.is_open(dt.datetime(2026, 1, 1))
