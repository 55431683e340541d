"""Calendars as administrators set them up: weekly hours, public holidays in one click, days by hand."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from pomoc.calendars.hours import closed_days, schedule_of
from pomoc.calendars.services import calendar_create, calendar_day_remove, calendar_day_set, calendar_update

pytestmark = pytest.mark.django_db
PRAGUE = ZoneInfo("Europe/Prague")
WORKING_WEEK = {str(day): ["09:00-17:00"] for day in range(5)}


def _at(*args, zone=PRAGUE):
    return dt.datetime(*args, tzinfo=zone)


def test_czech_public_holidays_close_the_office_and_a_day_by_hand_wins():
    calendar = calendar_create(name="Prague office", time_zone="Europe/Prague", hours=WORKING_WEEK, countries=["cz"])
    assert calendar.countries == ["CZ"]
    schedule = schedule_of(calendar)
    # 24 and 25 December 2026 (Thursday, Friday) are public holidays in Czechia.
    assert not schedule.is_open(_at(2026, 12, 24, 10))
    assert schedule.is_open(_at(2026, 12, 23, 10))
    # Two working hours from Wednesday 23 December 16:00: one that day, one on Monday 28th.
    assert schedule.add(_at(2026, 12, 23, 16), dt.timedelta(hours=2)) == _at(2026, 12, 28, 10).astimezone(dt.UTC)

    calendar_day_set(calendar=calendar, date=dt.date(2026, 12, 24), name="Open for the rush", hours=["10:00-12:00"])
    calendar_day_set(calendar=calendar, date=dt.date(2026, 12, 28), name="Team day")
    schedule = schedule_of(calendar)
    assert schedule.is_open(_at(2026, 12, 24, 11)) and not schedule.is_open(_at(2026, 12, 24, 13))
    assert not schedule.is_open(_at(2026, 12, 28, 10))
    days = {date: (name, source) for date, name, source, _hours in closed_days(calendar, 2026)}
    assert days[dt.date(2026, 12, 28)] == ("Team day", "")
    assert days[dt.date(2026, 12, 25)][1] == "CZ"

    calendar_day_remove(calendar=calendar, date=dt.date(2026, 12, 28))
    assert schedule_of(calendar).is_open(_at(2026, 12, 28, 10))


def test_holiday_names_come_in_the_reader_s_language():
    calendar = calendar_create(name="Tallinn", time_zone="Europe/Tallinn", hours=WORKING_WEEK, countries=["EE"])
    names = {date: name for date, name, _source, _hours in closed_days(calendar, 2026, language="et")}
    assert names[dt.date(2026, 2, 24)] == "iseseisvuspäev"
    names = {date: name for date, name, _source, _hours in closed_days(calendar, 2026, language="en_US")}
    assert names[dt.date(2026, 2, 24)] == "Independence Day"


def test_subdivisions_and_several_countries():
    calendar = calendar_create(name="Two sites", time_zone="Europe/Warsaw", hours=WORKING_WEEK,
                               countries=["PL", "DE-BY", "PL"])
    assert calendar.countries == ["PL", "DE-BY"]
    schedule = schedule_of(calendar)
    warsaw = ZoneInfo("Europe/Warsaw")
    assert not schedule.is_open(_at(2026, 11, 11, 10, zone=warsaw))  # Polish Independence Day
    assert not schedule.is_open(_at(2026, 1, 6, 10, zone=warsaw))  # Epiphany in both


@pytest.mark.parametrize(("changes", "field"), [
    ({"hours": {"0": ["17:00-09:00"]}}, "hours.0"),
    ({"hours": {"0": ["9-5"]}}, "hours.0"),
    ({"hours": {"7": ["09:00-17:00"]}}, "hours"),
    ({"hours": ["09:00-17:00"]}, "hours"),
    ({"countries": ["XX"]}, "countries"),
    ({"countries": ["CZ-ZZ"]}, "countries"),
    ({"time_zone": "Mars/Base"}, "time_zone"),
    ({"time_zone": ""}, "time_zone"),
    ({"name": " "}, "name"),
    ({"name": "Line\nbreak"}, "name"),
])
def test_bad_values_are_refused_with_the_field_named(changes, field):
    calendar = calendar_create(name="Support", time_zone="UTC", hours=WORKING_WEEK)
    with pytest.raises(ValidationError) as refused:
        calendar_update(calendar=calendar, changes=changes)
    assert field in refused.value.message_dict
    calendar.refresh_from_db()
    assert calendar.hours["0"] == ["09:00-17:00"] and calendar.time_zone == "UTC"


def test_periods_are_tidied_and_names_are_unique():
    calendar = calendar_create(name="Support", time_zone="UTC",
                               hours={"0": ["13:00-17:00", "09:00-12:00", "11:30-13:00"], "6": ["00:00-24:00"]})
    assert calendar.hours["0"] == ["09:00-17:00"] and calendar.hours["6"] == ["00:00-24:00"]
    assert calendar.hours["3"] == []
    with pytest.raises(ValidationError) as refused:
        calendar_create(name="support", time_zone="UTC")
    assert refused.value.error_dict["name"][0].code == "conflict"
