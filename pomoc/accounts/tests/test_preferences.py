import pytest
from django.urls import reverse

from pomoc.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {"first_name": "Jana", "last_name": "Nováková", "email": "jana@example.com", "language": "",
            "time_zone": ""}
    data.update(overrides)
    return data


def test_it_needs_a_login(client):
    response = client.get(reverse("accounts:preferences"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_chosen_language_and_time_zone_are_used_on_the_next_page(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("accounts:preferences"),
                           form_data(language="cs", time_zone="Europe/Prague"))
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.first_name, user.email, user.language, user.time_zone) == (
        "Jana", "jana@example.com", "cs", "Europe/Prague")

    page = client.get(reverse("accounts:preferences"))
    assert page["Content-Language"] == "cs"
    assert page.wsgi_request.LANGUAGE_CODE == "cs"
    assert page.context["TIME_ZONE"] == "Europe/Prague"
    assert b'<html lang="cs">' in page.content


def test_each_offered_language_can_be_chosen(client, settings):
    user = UserFactory()
    client.force_login(user)
    for code, _name in settings.LANGUAGES:
        client.post(reverse("accounts:preferences"), form_data(language=code))
        assert client.get(reverse("accounts:preferences"))["Content-Language"] == code


def test_it_refuses_an_unknown_time_zone_and_language(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("accounts:preferences"), form_data(time_zone="Mars/Olympus", language="xx"))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"time_zone", "language"}
    user.refresh_from_db()
    assert user.time_zone == "" and user.language == ""


def test_it_refuses_an_e_mail_address_somebody_else_has(client):
    UserFactory(username="other", email="taken@example.com")
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("accounts:preferences"), form_data(email="Taken@example.com"))
    assert response.status_code == 200
    assert "email" in response.context["form"].errors


def test_names_are_escaped(client):
    user = UserFactory()
    client.force_login(user)
    client.post(reverse("accounts:preferences"), form_data(first_name="<script>alert(1)</script>"))
    page = client.get(reverse("accounts:preferences"))
    assert b"<script>alert(1)</script>" not in page.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in page.content


def test_languages_are_named_in_themselves_and_time_zones_are_offered_to_type_into(client):
    client.force_login(UserFactory())
    content = client.get(reverse("accounts:preferences")).content.decode()
    for code, name in (("en", "English"), ("cs", "česky"), ("pl", "polski"), ("et", "eesti")):
        assert f'<option value="{code}">{name}</option>' in content
    assert 'list="time-zone-names"' in content and '<datalist id="time-zone-names">' in content
    assert '<option value="Europe/Tallinn"></option>' in content and '<option value="EST5EDT">' not in content


def test_the_page_costs_a_few_queries_and_does_not_read_the_time_zone_database_each_time(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pomoc.accounts.services import time_zone_names

    client.force_login(UserFactory())
    client.get(reverse("accounts:preferences"))
    read_before = time_zone_names.cache_info().misses
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("accounts:preferences")).status_code == 200
        client.post(reverse("accounts:preferences"), form_data(time_zone="Europe/Tallinn"))
    assert time_zone_names.cache_info().misses == read_before  # the tz database was read once, before
    assert len(queries) <= 12
