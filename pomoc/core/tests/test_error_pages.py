"""Error pages: styled, translated, with a way back; never Django's bare defaults."""

import datetime as dt

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import formats, translation
from django.views.defaults import server_error

from pomoc.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "heading", "back"), [
    ("en", "Page not found", "Go to the inbox"), ("cs", "Stránka nenalezena", "Přejít do schránky"),
    ("pl", "Nie znaleziono strony", "Przejdź do skrzynki"), ("et", "Lehte ei leitud", "Mine postkasti"),
])
def test_a_missing_page_says_so_in_the_users_language_with_a_way_back(client, language, heading, back):
    client.force_login(UserFactory(language=language))
    response = client.get("/tickets/987654/")
    assert response.status_code == 404
    content = response.content.decode()
    assert heading in content and back in content and f'href="{reverse("tickets:inbox")}"' in content
    assert 'class="topbar"' in content  # the agent keeps the navigation
    assert "favicon.svg" in content


def test_a_forbidden_page_is_styled_and_explains(client):
    client.force_login(UserFactory(role="agent"))
    response = client.get("/manage/")
    assert response.status_code == 403
    assert "Not allowed" in response.content.decode() and "ask an administrator" in response.content.decode()


def test_a_form_sent_without_its_csrf_token_says_what_to_do(client):
    csrf_client = Client(enforce_csrf_checks=True, headers={"Accept-Language": "pl"})
    csrf_client.force_login(UserFactory(language="pl"))
    response = csrf_client.post(reverse("tickets:bulk"), {"ticket": "1", "status": "open"})
    assert response.status_code == 403
    content = response.content.decode()
    assert "Formularz wygasł" in content and "odśwież stronę" in content


def test_the_server_error_page_renders_without_a_database_or_a_user():
    request = RequestFactory().get("/inbox/")
    with translation.override("et"):
        response = server_error(request)
    assert response.status_code == 500
    assert "Midagi läks valesti" in response.content.decode() and "Logi sisse" in response.content.decode()


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "6 Dec 2026, 14:05"), ("et", "06.12.2026 14:05"), ("cs", "06.12.2026 14:05"), ("pl", "06-12-2026  14:05"),
])
def test_dates_and_times_follow_each_languages_own_format(language, expected):
    moment = dt.datetime(2026, 12, 6, 14, 5)  # noqa: DTZ001 - a wall-clock time, formatted as is
    with translation.override(language):
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == expected
