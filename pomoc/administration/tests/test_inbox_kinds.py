"""The administration's inbox pages work for every registered kind: with the test kind
(``pomoc/channels/tests/testkind``) beside e-mail, an administrator lists both, chooses the kind and
sets up, edits and deactivates an inbox through the kind's own form."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pomoc.accounts.models import Role
from pomoc.channels import registry
from pomoc.channels.models import Inbox
from pomoc.channels.services import inbox_create
from pomoc.channels.tests.conftest import testhook  # noqa: F401 - fixture: the test kind, registered
from pomoc.channels.tests.testkind.kind import KIND
from pomoc.testing.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "Hook-Token-5ecret-991"


@pytest.fixture
def admin(client):
    user = UserFactory(role=Role.ADMINISTRATOR)
    client.force_login(user)
    return user


def hook_data(**overrides) -> dict:
    data = {"name": "Social", "address": "@support", "department": "", "active": "on",
            "url": "https://provider.example/v1/replies", "timeout": "5", "window_hours": "2", "token": TOKEN}
    return data | overrides


def create_url(kind: str = "") -> str:
    return reverse("administration:inbox_create") + (f"?kind={kind}" if kind else "")


@pytest.mark.usefixtures("testhook")
def test_the_list_shows_inboxes_of_both_kinds_with_their_summaries(client, admin):
    inbox_create(kind="email", name="Support", address="support@example.org",
                 config={"smtp_host": "smtp.example.org"})
    inbox_create(kind="testhook", name="Social", address="@support",
                 config={"url": "https://provider.example/v1/replies"})
    html = client.get(reverse("administration:inboxes")).content.decode()
    assert "<h1>Inboxes</h1>" in html
    assert "E-mail" in html and "Test hook" in html
    assert "Mail gets in by" in html and "smtp.example.org" in html  # e-mail's summary
    assert "Replies are posted to" in html and "https://provider.example/v1/replies" in html  # the test kind's
    # only e-mail has a connection test
    assert html.count(">Test connection</button>") == 1


@pytest.mark.usefixtures("testhook")
def test_new_inbox_asks_for_the_kind_when_there_are_several(client, admin):
    page = client.get(create_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert 'href="/manage/inboxes/new/?kind=email"' in html and 'href="/manage/inboxes/new/?kind=testhook"' in html
    assert "form" not in page.context

    form = client.get(create_url("testhook")).context["form"]
    assert {"url", "timeout", "window_hours", "token"} <= set(form.fields)
    assert "token_clear" not in form.fields  # nothing stored, nothing to remove


def test_new_inbox_goes_straight_to_the_form_of_the_only_kind(client, admin):
    from pomoc.channels.web import kind as web_kind  # the web form kind is installed too: set it aside

    registry.unregister(web_kind.KEY)
    try:
        page = client.get(create_url())
    finally:
        registry.register(web_kind.KIND)
    assert page.status_code == 200 and "smtp_host" in page.context["form"].fields


def test_with_several_kinds_new_inbox_offers_the_choice(client, admin):
    page = client.get(create_url())
    assert page.status_code == 200 and create_url("web") in page.content.decode().replace("&amp;", "&")


@pytest.mark.parametrize("kind", ["sms", "nonsense<script>", "testhook"])  # testhook: not registered here
def test_an_unknown_kind_is_404(client, admin, kind):
    assert client.get(create_url(kind)).status_code == 404
    assert client.post(create_url(kind), hook_data()).status_code == 404
    assert not Inbox.objects.exists()


def test_a_kind_without_an_admin_form_is_404(client, admin):
    import dataclasses

    formless = dataclasses.replace(KIND, key="formless", admin_form="")
    registry.register(formless)
    try:
        assert client.get(create_url("formless")).status_code == 404
        inbox = inbox_create(kind="formless", name="Quiet")
        assert client.get(reverse("administration:inbox", args=[inbox.pk])).status_code == 404
        html = client.get(reverse("administration:inboxes")).content.decode()
        assert "Quiet" in html and reverse("administration:inbox", args=[inbox.pk]) not in html
    finally:
        registry.unregister("formless")


@pytest.mark.usefixtures("testhook")
def test_an_inbox_of_the_test_kind_is_created_edited_and_deactivated(client, admin):
    department = DepartmentFactory(name="Social team")
    response = client.post(create_url("testhook"), hook_data(department=department.pk))
    assert response.status_code == 302
    inbox = Inbox.objects.get(name="Social")
    assert inbox.kind == "testhook" and inbox.address == "@support" and inbox.department == department
    assert inbox.config == {"url": "https://provider.example/v1/replies", "timeout": 5.0, "window_hours": 2}
    assert inbox.get_secret("token") == TOKEN and TOKEN not in str(inbox.secrets)

    url = reverse("administration:inbox", args=[inbox.pk])
    assert response.url == url
    page = client.get(url)
    html = page.content.decode()
    assert TOKEN not in html  # write-only: never rendered back
    assert 'placeholder="unchanged"' in html and "token_clear" in html
    assert "Test connection" not in html  # the kind has no connection test
    assert "no-store" in page.headers.get("Cache-Control", "")

    # an empty token keeps the stored one
    assert client.post(url, hook_data(token="", timeout="12.5")).status_code == 302
    inbox.refresh_from_db()
    assert inbox.config["timeout"] == 12.5 and inbox.get_secret("token") == TOKEN
    # "remove" removes it
    client.post(url, hook_data(token="", token_clear="on"))
    inbox.refresh_from_db()
    assert "token" not in inbox.secrets

    assert client.post(reverse("administration:inbox_deactivate", args=[inbox.pk])).status_code == 302
    inbox.refresh_from_db()
    assert not inbox.active
    assert "Deactivated" in client.get(reverse("administration:inboxes")).content.decode()


@pytest.mark.usefixtures("testhook")
def test_wrong_values_are_shown_on_the_kinds_fields_and_the_token_is_not_echoed(client, admin):
    inbox_create(kind="email", name="Support", address="support@example.org")
    response = client.post(create_url("testhook"), hook_data(
        name="support", url="ftp://provider.example", timeout="500", window_hours="-1",
    ))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"window_hours"}  # the form's own check first
    response = client.post(create_url("testhook"), hook_data(name="support", url="ftp://provider.example",
                                                             timeout="500"))
    errors = response.context["form"].errors
    # the services' and the kind's checks, each on its field
    assert {"name", "url", "timeout"} <= set(errors), errors
    html = response.content.decode()
    assert "Enter an http:// or https:// address." in html and "Another inbox already has this name." in html
    assert TOKEN not in html
    assert Inbox.objects.count() == 1


@pytest.mark.usefixtures("testhook")
def test_the_connection_test_is_404_for_a_kind_without_one(client, admin):
    inbox = inbox_create(kind="testhook", name="Social")
    assert client.post(reverse("administration:inbox_test", args=[inbox.pk])).status_code == 404


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.AGENT])
@pytest.mark.usefixtures("testhook")
def test_only_administrators_manage_inboxes_of_any_kind(client, role):
    inbox = inbox_create(kind="testhook", name="Social", secrets={"token": TOKEN})
    client.force_login(UserFactory(role=role))
    for url in (reverse("administration:inboxes"), create_url(), create_url("testhook"),
                reverse("administration:inbox", args=[inbox.pk])):
        assert client.get(url).status_code == 403, url
    for url in (create_url("testhook"), reverse("administration:inbox", args=[inbox.pk]),
                reverse("administration:inbox_deactivate", args=[inbox.pk])):
        assert client.post(url, hook_data(name="Taken")).status_code == 403, url
    inbox.refresh_from_db()
    assert inbox.active and inbox.name == "Social" and Inbox.objects.count() == 1


@pytest.mark.usefixtures("testhook")
def test_visitors_are_sent_to_the_login_page(client):
    response = client.get(create_url("testhook"))
    assert response.status_code == 302 and "login" in response.url


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("administration:inboxes")).status_code == 200
    return len(captured.captured_queries)


def _add_inboxes(count: int, start: int) -> None:
    department = DepartmentFactory()
    for i in range(start, start + count):
        inbox_create(kind="email", name=f"Mail {i}", address=f"mail{i}@example.org", department=department,
                     config={"fetch": "imap", "imap_host": "imap.example.org", "imap_username": "u"})
        inbox_create(kind="testhook", name=f"Hook {i}", department=department,
                     config={"url": "https://provider.example/"})


@pytest.mark.usefixtures("testhook")
def test_the_list_costs_the_same_for_2_or_20_inboxes(client, admin):
    _add_inboxes(1, 0)
    few = _list_queries(client)
    _add_inboxes(9, 1)
    assert Inbox.objects.count() == 20
    assert _list_queries(client) == few
