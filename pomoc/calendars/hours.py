"""Weekly hours and public holidays as stored on a calendar, read into a ``Schedule``."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from zoneinfo import ZoneInfo

import holidays

from pomoc.calendars.schedule import Period, Schedule, merged, parse_period

WEEKDAYS = range(7)  # Monday = 0, as date.weekday()


def week_periods(hours: Mapping) -> dict[int, tuple[Period, ...]]:
    """``{"0": ["09:00-17:00"], …}`` as periods per weekday (stored values are checked on the way in;
    a value that does not read is taken as closed)."""
    week: dict[int, tuple[Period, ...]] = {}
    for day in WEEKDAYS:
        texts = hours.get(str(day), []) if isinstance(hours, Mapping) else []
        week[day] = day_periods(texts)
    return week


def day_periods(texts) -> tuple[Period, ...]:
    periods = []
    for text in texts if isinstance(texts, list) else []:
        try:
            periods.append(parse_period(text))
        except ValueError:
            continue
    return merged(periods)


def split_country(code: str) -> tuple[str, str | None]:
    country, _dash, subdivision = code.partition("-")
    return country, subdivision or None


@functools.lru_cache(maxsize=512)
def public_holidays(code: str, year: int, language: str | None = None) -> dict[dt.date, str]:
    """The public holidays of a country (``"CZ"``) or subdivision (``"DE-BY"``) in one year, named in
    ``language`` when the holidays package has names in it."""
    country, subdivision = split_country(code)
    calendar = holidays.country_holidays(country, subdiv=subdivision, years=year)
    if language and language in getattr(calendar, "supported_languages", ()):
        calendar = holidays.country_holidays(country, subdiv=subdivision, years=year, language=language)
    return dict(calendar.items())


def schedule_of(calendar, *, language: str | None = None) -> Schedule:
    """The calendar's ``Schedule``: days set by hand first, then public holidays, then the week.
    Reads the calendar's days once (prefetch ``days`` to share them)."""
    week = week_periods(calendar.hours)
    by_hand = {day.date: day_periods(day.hours) for day in calendar.days.all()}
    countries = tuple(calendar.countries or ())

    def periods_on(date: dt.date) -> tuple[Period, ...]:
        if date in by_hand:
            return by_hand[date]
        if any(date in public_holidays(code, date.year, language) for code in countries):
            return ()
        return week[date.weekday()]

    return Schedule(ZoneInfo(calendar.time_zone), periods_on)


def closed_days(calendar, year: int, *, language: str | None = None) -> list[tuple[dt.date, str, str, list[str]]]:
    """The public holidays of ``year`` and the days set by hand: (date, name, where it comes from: a
    country code, or "" for a day set by hand, and the hours open that day: none on a holiday)."""
    out: dict[dt.date, tuple[dt.date, str, str, list[str]]] = {}
    for code in calendar.countries or ():
        for date, name in public_holidays(code, year, language).items():
            out.setdefault(date, (date, name, code, []))
    for day in calendar.days.all():
        if day.date.year == year:
            out[day.date] = (day.date, day.name, "", list(day.hours))
    return [out[date] for date in sorted(out)]
