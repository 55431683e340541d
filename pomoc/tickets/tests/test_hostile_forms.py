"""Hostile input through every form page and every filter of the HTML pages, as an administrator:
never a 5xx, and a refused post (anything but a redirect) writes nothing.

Each field of a page's forms (the ones its HTML shows, plus the ones its view reads) gets NUL
characters, lone surrogates and overlong UTF-8 as raw bytes, CR/LF, ids beyond 64 bits, negative
numbers and Unicode digits, one field at a time on top of a post that would otherwise be accepted.
"""

import re

import pytest
from django.test import Client

from pomoc.accounts.models import Role
from pomoc.channels import services as channel_services
from pomoc.contacts.models import Contact
from pomoc.testing.factories import ContactFactory, DepartmentFactory, TagFactory, UserFactory, make_ticket
from pomoc.testing.hostile import HOSTILE_BYTES, HOSTILE_TEXT, HUGE, all_rows, form_encode
from pomoc.tickets.models import Message, MessageKind, SavedView, Ticket
from pomoc.tickets.selectors import FILTER_PARAMETERS

pytestmark = pytest.mark.django_db

PASSWORD = "Hostile-input-test-1"
VALUES = [*HOSTILE_TEXT.values(), *HOSTILE_BYTES.values()]
FIELD_NAME = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')
REDIRECTS = (301, 302, 303)


@pytest.fixture
def site(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    support = DepartmentFactory(name="Support")
    admin = UserFactory(username="boss", role=Role.ADMINISTRATOR)
    admin.set_password(PASSWORD)
    admin.save()
    support.members.add(admin)
    agent = UserFactory(username="helper")
    support.members.add(agent)
    requester = ContactFactory(name="Ada Customer", email="ada@example.org")
    ticket = make_ticket(requester=requester, department=support, subject="Printer on fire")
    other = make_ticket(requester=requester, department=support, subject="Second")
    message = Message.objects.filter(ticket=ticket, kind=MessageKind.CUSTOMER).first()
    tag = TagFactory(name="urgent")
    view = SavedView.objects.create(owner=admin, name="Mine", filters={"status": "open"})
    inbox = channel_services.inbox_create(kind="email", name="Support", address="support@example.org")
    client = Client()
    client.force_login(admin)
    return {"client": client, "admin": admin, "agent": agent, "support": support, "ticket": ticket,
            "other": other, "message": message, "tag": tag, "view": view, "inbox": inbox, "requester": requester}


def form_pages(site) -> list[tuple[str, str | None, dict]]:
    """(url to post to, page whose forms list the fields or None, a post that is otherwise fine)."""
    number, agent = site["ticket"].number, site["agent"]
    return [
        ("/tickets/new/", "/tickets/new/", {"requester_email": "new@example.org", "subject": "S", "body": "B",
                                            "priority": "20", "contact": ""}),
        (f"/tickets/{number}/update/", None, {"subject": "Still on fire"}),
        (f"/tickets/{number}/update/", None, {"assignee": str(agent.pk)}),
        (f"/tickets/{number}/update/", None, {"department": str(site["support"].pk), "priority": "30",
                                              "status": "open", "tags": "a, b"}),
        (f"/tickets/{number}/reply/", None, {"body": "Hello", "seen_message_id": "", "force": ""}),
        (f"/tickets/{number}/note/", None, {"body": "A note", "seen_message_id": ""}),
        (f"/tickets/{number}/reply-route/", None, {"route": "0:1"}),
        (f"/tickets/{number}/merge/", None, {"target": "not yet"}),
        (f"/tickets/{number}/messages/{site['message'].pk}/split/", None, {"subject": "ignored"}),
        (f"/contacts/{site['requester'].pk}/identities/", None, {"kind": "email", "value": "ada2@example.org"}),
        ("/inbox/bulk/", None, {"ticket": [str(number)], "status": "pending", "assignee": "", "department": "",
                                "priority": "", "add_tags": ""}),
        ("/inbox/views/", None, {"name": "Saved", "shared": "", "q": "printer", "status": "open",
                                 "assignee": "", "department": "", "tag": "", "requester": "", "company": ""}),
        ("/manage/users/new/", "/manage/users/new/", {
            "username": "newbie", "role": "agent", "password1": PASSWORD, "password2": PASSWORD,
            "first_name": "New", "last_name": "Bie", "email": "newbie@example.org"}),
        (f"/manage/users/{agent.pk}/", f"/manage/users/{agent.pk}/", {"role": "agent", "first_name": "Helper",
                                                                      "is_active": "on"}),
        (f"/manage/users/{agent.pk}/tokens/", f"/manage/users/{agent.pk}/tokens/", {"name": "CRM"}),
        ("/manage/departments/new/", "/manage/departments/new/", {"name": "Billing"}),
        (f"/manage/departments/{site['support'].pk}/", None, {"name": "Support", "members": [str(agent.pk)]}),
        ("/manage/tags/new/", "/manage/tags/new/", {"name": "fresh", "color": "#ff0000"}),
        (f"/manage/tags/{site['tag'].pk}/", None, {"name": "urgent", "color": "#00ff00"}),
        ("/manage/fields/new/", "/manage/fields/new/", {"key": "plan", "label": "Plan", "type": "text"}),
        ("/manage/organisation/", "/manage/organisation/", {"name": "Acme", "ticket_tag_prefix": "#"}),
        ("/manage/inboxes/new/?kind=email", "/manage/inboxes/new/?kind=email", {
            "name": "Sales", "address": "sales@example.org", "fetch": "pipe", "imap_port": "993",
            "imap_security": "ssl", "pop3_port": "995", "pop3_security": "ssl", "smtp_port": "587",
            "smtp_security": "starttls", "max_message_bytes": "1000000"}),
        (f"/manage/inboxes/{site['inbox'].pk}/", None, {
            "name": "Support", "address": "support@example.org", "fetch": "pipe", "imap_port": "993",
            "imap_security": "ssl", "pop3_port": "995", "pop3_security": "ssl", "smtp_port": "587",
            "smtp_security": "starttls", "max_message_bytes": "1000000"}),
        ("/accounts/preferences/", "/accounts/preferences/", {"first_name": "Big", "last_name": "Boss",
                                                              "email": "boss@example.org"}),
        ("/accounts/password/", None, {"old_password": PASSWORD, "new_password1": "Another-pass-2",
                                       "new_password2": "Another-pass-2"}),
    ]


def post(client: Client, url: str, data: dict):
    return client.generic("POST", url, form_encode(data), content_type="application/x-www-form-urlencoded")


def field_names(client: Client, page: str | None, base: dict) -> list[str]:
    names = list(base)
    if page:
        response = client.get(page)
        assert response.status_code == 200, page
        names += [n for n in FIELD_NAME.findall(response.content.decode()) if n not in names]
    return [n for n in names if n not in ("csrfmiddlewaretoken", "next")]


FORM_PAGE_COUNT = 25


def test_the_list_of_form_pages_is_complete(site):
    assert len(form_pages(site)) == FORM_PAGE_COUNT


@pytest.mark.parametrize("index", range(FORM_PAGE_COUNT))
def test_every_form_field_survives_hostile_values(site, index):
    client = site["client"]
    url, page, base = form_pages(site)[index]
    tried = 0
    for name in field_names(client, page, base):
        for value in VALUES:
            before = all_rows()
            response = post(client, url, {**base, name: value})
            what = f"POST {url} {name}={value!r}"
            assert response.status_code < 500, f"{what}: {response.status_code}"
            if response.status_code not in REDIRECTS:
                assert all_rows() == before, f"{what}: refused ({response.status_code}) but wrote"
            tried += 1
    assert tried >= len(VALUES)


def test_hostile_filters_and_searches_on_html_pages(site):
    client = site["client"]
    pages = {"/inbox/": [*FILTER_PARAMETERS, "view", "cursor", "fragment"],
             "/search/": ["q"], "/manage/users/": ["q", "role", "active", "page"],
             "/manage/mail/": ["status", "page"]}
    for page, names in pages.items():
        for name in names:
            for value in VALUES:
                for extra in ({}, {"filtered": "1"}):
                    response = client.generic("GET", f"{page}?{form_encode({name: value, **extra})}")
                    assert response.status_code < 500, f"GET {page} {name}={value!r}: {response.status_code}"


@pytest.mark.parametrize("path", ["/attachments/{}/", "/attachments/{}/inline/", "/tickets/{}/", "/contacts/{}/",
                                  "/manage/users/{}/"])
@pytest.mark.parametrize("bad", ["a%00b", "%ED%A0%80", str(HUGE), "9" * 40])
def test_hostile_ids_in_page_paths_are_not_found(site, path, bad):
    assert site["client"].get(path.format(bad)).status_code == 404


@pytest.mark.parametrize("key", ["assignee", "department", "requester", "company"])
def test_ids_beyond_64_bits_in_inbox_filters_are_an_error_not_a_crash(site, key):
    response = site["client"].get("/inbox/", {key: str(HUGE), "filtered": "1"})
    assert response.status_code == 400
    assert f"<strong>{key}</strong>" in response.content.decode()


def test_nul_and_line_breaks_in_a_new_ticket_are_refused_with_the_field_named(site):
    client = site["client"]
    before = all_rows()
    for field, value in [("subject", "a\x00b"), ("subject", "a\r\nBcc: x@example.org"), ("body", "a\x00b"),
                         ("requester_name", "Eve\r\nBcc: x@example.org")]:
        data = {"requester_email": "new@example.org", "subject": "S", "body": "B", "priority": "20", field: value}
        response = post(client, "/tickets/new/", data)
        assert response.status_code in (200, 400)
        assert response.context["form"].errors.get(field), (field, response.context["form"].errors)
    assert all_rows() == before


def test_a_bad_subject_on_the_ticket_page_names_the_field(site):
    ticket = site["ticket"]
    response = post(site["client"], f"/tickets/{ticket.number}/update/", {"subject": "x\x00y"})
    assert response.status_code == 400
    assert "Null characters are not allowed." in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).subject == "Printer on fire"


def test_bulk_with_an_id_beyond_64_bits_changes_nothing(site):
    before = all_rows()
    response = post(site["client"], "/inbox/bulk/", {"ticket": [str(HUGE)], "status": "pending"})
    assert response.status_code < 500
    assert all_rows() == before
    assert Contact.objects.count() == 1
