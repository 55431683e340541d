import pytest
from django.urls import reverse

from pomoc.core.models import OrganisationSettings
from pomoc.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_portal_is_the_front_page_for_everyone(client):
    settings = OrganisationSettings.get()
    settings.name = "Acme & Co"
    settings.save()
    page = client.get("/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "How can Acme &amp; Co help?" in content
    assert reverse("tickets:inbox") not in content  # no agent links for visitors


def test_an_agent_on_the_portal_finds_the_way_back_to_the_inbox(client):
    client.force_login(UserFactory(role="agent"))
    content = client.get("/").content.decode()
    assert f'href="{reverse("tickets:inbox")}"' in content
    assert reverse("tickets:inbox") == "/inbox/"


def test_the_portal_speaks_the_visitors_language(client):
    answer = client.post(reverse("set_language"), {"language": "cs", "next": "/"})
    assert answer.status_code == 302 and answer["Location"] == "/"
    content = client.get("/").content.decode()
    assert '<html lang="cs">' in content


def test_the_portal_answers_only_reads(client):
    assert client.post("/").status_code == 405
