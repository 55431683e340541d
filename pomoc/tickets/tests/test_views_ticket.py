"""The ticket page: reply, note, property changes, merge, split, and the concurrent-reply guard."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pomoc.testing.factories import DepartmentFactory, UserFactory, make_ticket
from pomoc.testing.pages import ticket_page
from pomoc.tickets import services
from pomoc.tickets.models import EventType, Message, MessageKind, Priority, Status, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    user = UserFactory(username="ticket-agent", first_name="Tia", last_name="Agent")
    DepartmentFactory(name="Support").members.add(user)
    client.force_login(user)
    return user


@pytest.fixture
def ticket(agent):
    return make_ticket(subject="Printer on fire", department=agent.departments.get())


def newest_id(ticket) -> int:
    return ticket.messages.order_by("-id").values_list("id", flat=True).first()


def test_page_shows_the_conversation_sidebar_and_live_hooks(client, ticket, agent):
    services.message_add(ticket=ticket, kind=MessageKind.NOTE, actor=agent, body_text="Check the toner")
    other = make_ticket(subject="Earlier problem", requester=ticket.requester, department=ticket.department)
    content = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    # the sidebar follows the page at once (and after every change)
    assert 'aria-busy="true"' in content and reverse("tickets:detail-sidebar", args=[ticket.number]) in content
    assert 'hx-trigger="load, pomoc:ticket-changed from:body"' in content
    content = ticket_page(client, ticket.number)
    assert "It is on fire." in content and "Check the toner" in content
    assert "message-note" in content and "message-customer" in content
    assert f'data-live-ticket="{ticket.pk}"' in content
    assert content.count('hx-trigger="pomoc:ticket-changed from:body') == 4  # header, conversation, route, sidebar
    # the conversation also follows the agent's own changes (their lines in the history)
    assert content.count('hx-trigger="pomoc:ticket-changed from:body, pomoc:history-changed from:body"') == 1
    assert 'id="collision-warning"' in content and 'id="presence"' in content
    assert 'id="reply-body"' in content and 'id="note-body"' in content
    assert f'name="seen_message_id" value="{newest_id(ticket)}"' in content
    assert f"#{other.number} Earlier problem" in content
    assert reverse("customers:contact", args=[ticket.requester_id]) in content


def test_reply_with_attachments_is_stored_queued_and_mailed(client, ticket, agent, django_capture_on_commit_callbacks):
    files = [SimpleUploadedFile("a.txt", b"one"), SimpleUploadedFile("b.pdf", b"%PDF-1.4 two")]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("tickets:reply", args=[ticket.number]),
                               {"body": "We are on it.", "seen_message_id": newest_id(ticket), "attachments": files})
    assert response.status_code == 302
    reply = Message.objects.get(kind=MessageKind.REPLY)
    assert response["Location"].endswith(f"#message-{reply.pk}")
    assert reply.author_user == agent and reply.body_text == "We are on it."
    assert sorted(reply.attachments.values_list("file_name", flat=True)) == ["a.txt", "b.pdf"]
    assert len(mail.outbox) == 1  # the immediate task backend delivered it
    page = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    assert "delivery-sent" in page and "a.txt" in page
    assert reverse("tickets:attachment", args=[reply.attachments.first().public_id]) in page


def test_note_is_internal_and_never_mailed(client, ticket):
    client.post(reverse("tickets:note", args=[ticket.number]), {"body": "Customer is a VIP"})
    note = Message.objects.get(kind=MessageKind.NOTE)
    assert note.body_text == "Customer is a VIP" and not mail.outbox


def test_empty_reply_is_an_error_and_nothing_is_sent(client, ticket):
    response = client.post(reverse("tickets:reply", args=[ticket.number]),
                           {"body": "  ", "seen_message_id": newest_id(ticket)})
    assert response.status_code == 400
    assert b"A message needs text or an attachment." in response.content
    assert not Message.objects.filter(kind=MessageKind.REPLY).exists()


def test_a_newer_customer_message_stops_the_reply_and_keeps_the_text(client, ticket):
    seen = newest_id(ticket)
    services.message_add(ticket=ticket, kind=MessageKind.CUSTOMER, body_text="Actually it is the scanner")
    response = client.post(reverse("tickets:reply", args=[ticket.number]),
                           {"body": "Replace the printer", "seen_message_id": seen})
    assert response.status_code == 409
    content = response.content.decode()
    assert "Another message arrived while you were writing" in content
    assert "Actually it is the scanner" in content
    assert "Replace the printer</textarea>" in content
    assert 'name="force" value="1"' in content
    assert not Message.objects.filter(kind=MessageKind.REPLY).exists()

    response = client.post(reverse("tickets:reply", args=[ticket.number]),
                           {"body": "Replace the printer", "seen_message_id": seen, "force": "1"})
    assert response.status_code == 302
    assert Message.objects.filter(kind=MessageKind.REPLY, body_text="Replace the printer").exists()


def test_after_the_warning_the_form_counts_the_new_message_as_seen(client, ticket):
    seen = newest_id(ticket)
    services.message_add(ticket=ticket, kind=MessageKind.CUSTOMER, body_text="One more thing")
    response = client.post(reverse("tickets:reply", args=[ticket.number]), {"body": "Noted", "seen_message_id": seen})
    assert response.status_code == 409
    assert f'name="seen_message_id" value="{newest_id(ticket)}"' in response.content.decode()
    response = client.post(reverse("tickets:reply", args=[ticket.number]),
                           {"body": "Noted", "seen_message_id": newest_id(ticket)})
    assert response.status_code == 302


def test_a_newer_internal_note_does_not_stop_a_reply(client, ticket, agent):
    seen = newest_id(ticket)
    services.message_add(ticket=ticket, kind=MessageKind.NOTE, actor=agent, body_text="fyi")
    response = client.post(reverse("tickets:reply", args=[ticket.number]), {"body": "Hello", "seen_message_id": seen})
    assert response.status_code == 302


def test_assign_status_priority_department_tags_and_subject(client, ticket, agent):
    url = reverse("tickets:update", args=[ticket.number])
    assert client.post(url, {"assignee": agent.pk}).status_code == 302
    client.post(url, {"priority": Priority.URGENT})
    client.post(url, {"tags": "printer, Fire"})
    client.post(url, {"subject": "Printer on fire (3rd floor)"})
    response = client.post(url, {"status": Status.PENDING}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and b'id="ticket-header"' in response.content
    assert b"<html" not in response.content
    ticket.refresh_from_db()
    assert ticket.assignee == agent and ticket.priority == Priority.URGENT and ticket.status == Status.PENDING
    assert ticket.subject == "Printer on fire (3rd floor)"
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["fire", "printer"]
    types = set(ticket.events.values_list("type", flat=True))
    assert {EventType.ASSIGNED, EventType.PRIORITY_CHANGED, EventType.TAGS_CHANGED, EventType.SUBJECT_CHANGED,
            EventType.STATUS_CHANGED} <= types


def test_resolve_button_and_bad_values(client, ticket):
    url = reverse("tickets:update", args=[ticket.number])
    client.post(url, {"status": "resolved"})
    assert Ticket.objects.get(pk=ticket.pk).status == Status.RESOLVED
    response = client.post(url, {"subject": "   "})
    assert response.status_code == 400 and b"A ticket needs a subject." in response.content
    response = client.post(url, {"assignee": "999999"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and b"No such agent." in response.content


def test_moving_the_ticket_out_of_sight_goes_back_to_the_inbox(client, ticket):
    elsewhere = DepartmentFactory(name="Elsewhere")
    response = client.post(reverse("tickets:update", args=[ticket.number]), {"department": elsewhere.pk},
                           HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == reverse("tickets:inbox")


def test_merge_into_another_ticket(client, ticket, agent):
    target = make_ticket(subject="Same fire", department=ticket.department)
    response = client.post(reverse("tickets:merge", args=[ticket.number]), {"target": f"#{target.number}"})
    assert response["Location"] == reverse("tickets:detail", args=[target.number])
    ticket.refresh_from_db()
    assert ticket.merged_into == target and ticket.status == Status.CLOSED
    assert target.messages.count() == 2
    page = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    assert "This ticket was merged into" in page and 'id="reply-body"' not in page


def test_merge_errors_are_shown_on_the_form(client, ticket):
    hidden = make_ticket(subject="Billing", department=DepartmentFactory(name="Billing"))
    cases = [(ticket.number, b"cannot be merged into itself"), (hidden.number, b"no ticket with this number"),
             ("abc", b"Enter a ticket number.")]
    for target, text in cases:
        response = client.post(reverse("tickets:merge", args=[ticket.number]), {"target": target})
        assert response.status_code == 400 and text in response.content
    assert Ticket.objects.get(pk=hidden.pk).merged_into is None


def test_split_a_customer_message_into_a_new_ticket(client, ticket):
    second = services.message_add(ticket=ticket, kind=MessageKind.CUSTOMER, body_text="Also my scanner")
    content = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    split_url = reverse("tickets:split", args=[ticket.number, second.pk])
    assert split_url in content
    response = client.post(split_url)
    second.refresh_from_db()
    assert second.ticket != ticket
    assert response["Location"] == reverse("tickets:detail", args=[second.ticket.number])


def test_split_of_the_only_message_is_refused_with_a_message(client, ticket):
    only = ticket.messages.get()
    response = client.post(reverse("tickets:split", args=[ticket.number, only.pk]), follow=True)
    assert b"only message cannot be split off" in response.content
    other = make_ticket(department=ticket.department)
    # A message of another ticket cannot be split through this ticket's URL.
    assert client.post(reverse("tickets:split", args=[ticket.number, other.messages.get().pk])).status_code == 404
