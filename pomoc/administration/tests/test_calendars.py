import datetime as dt

import pytest
from django.urls import reverse

from pomoc.accounts.models import Role
from pomoc.calendars.models import Calendar
from pomoc.testing.factories import UserFactory

pytestmark = pytest.mark.django_db
WEEK = {f"day_{day}": "09:00-12:00, 13:00-17:00" for day in range(5)}


@pytest.fixture
def admin(client):
    user = UserFactory(role=Role.ADMINISTRATOR)
    client.force_login(user)
    return user


def test_a_calendar_is_set_up_with_its_week_and_czech_holidays_in_one_click(client, admin):
    response = client.post(reverse("administration:calendar_create"),
                           {"name": "Brno office", "time_zone": "Europe/Prague", "countries": "", **WEEK,
                            "add_country": "CZ"})
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    calendar = Calendar.objects.get(name="Brno office")
    assert calendar.countries == ["CZ"]
    assert calendar.hours["0"] == ["09:00-12:00", "13:00-17:00"] and calendar.hours["5"] == []

    page = client.get(reverse("administration:calendar", args=[calendar.pk])).content.decode()
    assert "public holiday (CZ)" in page and 'value="09:00-12:00, 13:00-17:00"' in page

    client.post(reverse("administration:calendar_day_add", args=[calendar.pk]),
                {"date": "2026-12-31", "name": "Inventory", "hours": ""})
    client.post(reverse("administration:calendar_day_add", args=[calendar.pk]),
                {"date": "2026-12-24", "name": "Open for the rush", "hours": "10:00-12:00"})
    days = {day.date: day.hours for day in calendar.days.all()}
    assert days == {dt.date(2026, 12, 31): [], dt.date(2026, 12, 24): ["10:00-12:00"]}
    client.post(reverse("administration:calendar_day_remove", args=[calendar.pk, "2026-12-31"]))
    assert list(calendar.days.values_list("date", flat=True)) == [dt.date(2026, 12, 24)]


def test_bad_hours_are_shown_on_the_day_they_belong_to_and_nothing_is_saved(client, admin):
    response = client.post(reverse("administration:calendar_create"),
                           {"name": "Night shift", "time_zone": "Europe/Tallinn", "countries": "EE, XX",
                            **WEEK, "day_2": "22:00-06:00"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "countries" in errors or "day_2" in errors
    response = client.post(reverse("administration:calendar_create"),
                           {"name": "Night shift", "time_zone": "Europe/Tallinn", "countries": "EE",
                            **WEEK, "day_2": "22:00-06:00"})
    assert "day_2" in response.context["form"].errors
    assert not Calendar.objects.exists()


def test_supervisors_read_agents_do_not(client):
    calendar = Calendar.objects.create(name="Support", time_zone="UTC", hours={})
    client.force_login(UserFactory(role=Role.SUPERVISOR))
    page = client.get(reverse("administration:calendar", args=[calendar.pk]))
    assert page.status_code == 200 and b'type="submit" class="primary"' not in page.content
    assert client.post(reverse("administration:calendar", args=[calendar.pk]),
                       {"name": "Taken over", "time_zone": "UTC"}).status_code == 403
    client.force_login(UserFactory(role=Role.AGENT))
    assert client.get(reverse("administration:calendars")).status_code == 403
