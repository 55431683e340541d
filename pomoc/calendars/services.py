"""Creating and changing calendars, with every value checked where it enters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import holidays
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from pomoc.accounts.services import validate_time_zone
from pomoc.calendars.hours import WEEKDAYS, split_country
from pomoc.calendars.models import Calendar, CalendarDay
from pomoc.calendars.schedule import format_period, merged, parse_period
from pomoc.core import refusals
from pomoc.core.text import text_problem

CALENDAR_FIELDS = ("name", "time_zone", "hours", "countries")


def clean_periods(texts: Any, field: str) -> list[str]:
    """``["09:00-12:00", "13:00-17:00"]`` checked and tidied (sorted, overlapping ones joined)."""
    if not isinstance(texts, list) or not all(isinstance(text, str) for text in texts):
        raise ValidationError({field: _("Give the hours as a list like [\"09:00-17:00\"].")})
    periods = []
    for text in texts:
        try:
            periods.append(parse_period(text))
        except ValueError:
            raise ValidationError({field: _("“%(value)s” is not a period of a day like 09:00-17:00.")
                                   % {"value": text[:50]}}) from None
    return [format_period(period) for period in merged(periods)]


def clean_hours(hours: Any) -> dict[str, list[str]]:
    if not isinstance(hours, Mapping) or not all(str(key) in {str(d) for d in WEEKDAYS} for key in hours):
        raise ValidationError({"hours": _("Give the hours per weekday, 0 (Monday) to 6 (Sunday).")})
    return {str(day): clean_periods(hours.get(str(day), hours.get(day, [])), f"hours.{day}") for day in WEEKDAYS}


def clean_countries(codes: Any) -> list[str]:
    """Country codes (``CZ``) or subdivisions (``DE-BY``) the holidays package knows."""
    if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
        raise ValidationError({"countries": _("Give a list of country codes like CZ or DE-BY.")})
    supported = holidays.list_supported_countries()
    cleaned: list[str] = []
    for code in codes:
        country, subdivision = split_country(code.strip().upper())
        if country not in supported or (subdivision is not None and subdivision not in supported[country]):
            raise ValidationError({"countries": _("No public holidays are known for “%(value)s”.")
                                   % {"value": code[:20]}})
        normalized = f"{country}-{subdivision}" if subdivision else country
        if normalized not in cleaned:
            cleaned.append(normalized)
    return cleaned


def _clean_name(name: Any, *, exclude_pk: int | None = None) -> str:
    name = name.strip() if isinstance(name, str) else ""
    if not name:
        raise ValidationError({"name": _("This field cannot be blank.")})
    if len(name) > 100 or text_problem(name, single_line=True):
        raise ValidationError({"name": _("One line of at most 100 characters.")})
    if Calendar.objects.filter(name__iexact=name).exclude(pk=exclude_pk).exists():
        raise refusals.conflict("name", _("Another calendar already has this name."))
    return name


def _clean_time_zone(value: Any) -> str:
    try:
        zone = validate_time_zone(value if isinstance(value, str) else "")
    except ValidationError as exc:
        raise ValidationError({"time_zone": exc.messages}) from None
    if not zone:
        raise ValidationError({"time_zone": _("Choose the calendar's time zone.")})
    return zone


def calendar_create(*, name: str, time_zone: str, hours: Mapping | None = None,
                    countries: Iterable[str] = ()) -> Calendar:
    calendar = Calendar(name=_clean_name(name), time_zone=_clean_time_zone(time_zone),
                        hours=clean_hours(hours or {}), countries=clean_countries(list(countries)))
    return _save(calendar)


def calendar_update(*, calendar: Calendar, changes: Mapping[str, Any]) -> Calendar:
    """Change only the keys given (of ``CALENDAR_FIELDS``)."""
    unknown = set(changes) - set(CALENDAR_FIELDS)
    if unknown:
        raise ValueError(f"unknown calendar fields: {sorted(unknown)}")
    if "name" in changes:
        calendar.name = _clean_name(changes["name"], exclude_pk=calendar.pk)
    if "time_zone" in changes:
        calendar.time_zone = _clean_time_zone(changes["time_zone"])
    if "hours" in changes:
        calendar.hours = clean_hours(changes["hours"])
    if "countries" in changes:
        calendar.countries = clean_countries(changes["countries"])
    return _save(calendar)


def _save(calendar: Calendar) -> Calendar:
    try:
        with transaction.atomic():
            calendar.save()
    except IntegrityError:  # another calendar took the name since we looked
        raise refusals.conflict("name", _("Another calendar already has this name.")) from None
    return calendar


def calendar_day_set(*, calendar: Calendar, date: dt.date, name: str = "", hours: list[str] | None = None
                     ) -> CalendarDay:
    """Set one date by hand: closed (no hours) or open with these hours; replaces what the date had."""
    if not isinstance(date, dt.date):
        raise ValidationError({"date": _("Enter a valid date.")})
    name = name.strip() if isinstance(name, str) else ""
    if len(name) > 200 or text_problem(name, single_line=True):
        raise ValidationError({"name": _("One line of at most 200 characters.")})
    periods = clean_periods(hours or [], "hours")
    day, _created = CalendarDay.objects.update_or_create(calendar=calendar, date=date,
                                                         defaults={"name": name, "hours": periods})
    return day


def calendar_day_remove(*, calendar: Calendar, date: dt.date) -> None:
    CalendarDay.objects.filter(calendar=calendar, date=date).delete()
