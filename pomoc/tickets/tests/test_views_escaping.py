"""Subjects, names and file names are shown as text everywhere; downloads are never rendered."""

import pytest
from django.urls import reverse

from pomoc.contacts.models import Contact, Identity
from pomoc.testing.factories import UserFactory, make_ticket
from pomoc.tickets import services
from pomoc.tickets.attachments import NewAttachment
from pomoc.tickets.models import MessageKind

pytestmark = pytest.mark.django_db

EVIL = "<script>alert(1)</script>"
ESCAPED = b"&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture
def agent_client(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(UserFactory(role="administrator"))
    return client


@pytest.fixture
def evil_ticket():
    requester = Contact.objects.create(name=EVIL)
    Identity.objects.create(contact=requester, kind="email", value="evil@example.org")
    ticket = make_ticket(requester=requester, subject=EVIL, body="plain " + EVIL)
    evil_file = NewAttachment(EVIL + ".html", b"<script>alert(3)</script>", "text/html")
    services.message_add(ticket=ticket, kind=MessageKind.CUSTOMER,
                         body_html=f"<p>hi</p>{EVIL}<img src=x onerror=alert(2)>", attachments=[evil_file])
    return ticket


def assert_escaped(content: bytes):
    assert b"<script>alert" not in content
    assert b"onerror" not in content
    assert ESCAPED in content


def test_inbox_escapes_subject_and_requester(agent_client, evil_ticket):
    assert_escaped(agent_client.get(reverse("tickets:inbox")).content)


def test_ticket_page_escapes_subject_name_file_name_and_sanitizes_html(agent_client, evil_ticket):
    content = agent_client.get(reverse("tickets:detail", args=[evil_ticket.number])).content
    assert_escaped(content)
    assert b"<p>hi</p>" in content  # sanitized HTML is rendered as HTML


def test_search_escapes_subjects_snippets_and_names(agent_client, evil_ticket):
    content = agent_client.get(reverse("tickets:search"), {"q": "script"}).content
    assert_escaped(content)


def test_contact_page_escapes_the_name(agent_client, evil_ticket):
    assert_escaped(agent_client.get(reverse("customers:contact", args=[evil_ticket.requester_id])).content)


def test_attachment_is_a_download_that_is_never_sniffed(agent_client, evil_ticket):
    attachment = evil_ticket.messages.get(attachments__isnull=False).attachments.get()
    response = agent_client.get(reverse("tickets:attachment", args=[attachment.public_id]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/octet-stream"
    assert b"".join(response.streaming_content) == b"<script>alert(3)</script>"
