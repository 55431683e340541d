import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from pomoc.testing.factories import ContactFactory, UserFactory, make_ticket
from pomoc.tickets import services
from pomoc.tickets.attachments import NewAttachment
from pomoc.tickets.intake import Incoming, customer_messages_add
from pomoc.tickets.models import EventType, MessageKind, Status, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def test_it_opens_a_ticket_with_a_sequential_number_and_events():
    first = make_ticket()
    second = make_ticket()
    assert second.number == first.number + 1
    assert first.status == Status.NEW
    types = list(first.events.values_list("type", flat=True))
    assert types == [EventType.CREATED, EventType.MESSAGE_ADDED]


def test_first_reply_stamps_first_response_and_opens_the_ticket():
    agent = UserFactory()
    ticket = make_ticket()
    services.message_add(ticket=ticket, kind=MessageKind.REPLY, actor=agent, body_text="On it.")
    ticket.refresh_from_db()
    assert ticket.first_response_at is not None
    assert ticket.status == Status.OPEN


def test_customer_message_reopens_a_resolved_ticket():
    agent = UserFactory()
    ticket = make_ticket()
    services.ticket_update(ticket=ticket, actor=agent, changes={"status": Status.RESOLVED})
    services.message_add(ticket=ticket, kind=MessageKind.CUSTOMER, body_text="Still broken")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.reopen_count == 1
    assert ticket.resolved_at is None
    # the reopening is dated with the change it makes: the ticket's last update is its last event
    reopened = ticket.events.filter(type=EventType.STATUS_CHANGED).latest("at")
    assert reopened.at == ticket.updated_at == max(ticket.events.values_list("at", flat=True))


def test_a_customer_writing_into_a_pending_ticket_through_intake_reopens_it_at_the_same_moment():
    agent = UserFactory()
    ticket = make_ticket()
    services.ticket_update(ticket=ticket, actor=agent, changes={"status": Status.PENDING})
    customer_messages_add([Incoming(contact=ticket.requester, channel="email", body_text="Any news?", ticket=ticket)])
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.events.filter(type=EventType.STATUS_CHANGED).latest("at").at == ticket.updated_at


def test_customer_html_is_sanitized():
    ticket = make_ticket(body="", body_html='<p onclick="x()">Hi<script>alert(1)</script></p>')
    message = ticket.messages.get()
    assert "script" not in message.body_html
    assert "onclick" not in message.body_html
    assert "Hi" in message.body_text


def test_a_customer_message_for_a_ticket_merged_meanwhile_lands_in_the_merge_target():
    """Threading found the ticket; an agent (or the mail threading) merged it before the message
    was stored: the message goes where the ticket's messages went, never into the merged ticket."""
    merged, target = make_ticket(), make_ticket()
    found = Ticket.objects.get(pk=merged.pk)  # as threading read it, before the merge
    services.ticket_merge(source=merged, target=target, actor=UserFactory())

    [stored] = customer_messages_add([Incoming(contact=found.requester, channel="email", body_text="Any news?",
                                               ticket=found)])

    assert stored.ticket.pk == target.pk and stored.message.ticket_id == target.pk
    assert not merged.messages.exists()
    assert target.messages.filter(body_text="Any news?").exists()


def test_merge_moves_messages_and_closes_the_source():
    agent = UserFactory()
    contact = ContactFactory()
    a = make_ticket(requester=contact)
    b = make_ticket(requester=contact)
    services.ticket_merge(source=b, target=a, actor=agent)
    b.refresh_from_db()
    assert b.merged_into_id == a.pk and b.status == Status.CLOSED
    assert a.messages.count() == 2
    with pytest.raises(ValidationError):
        services.message_add(ticket=b, kind=MessageKind.CUSTOMER, body_text="x")


def test_split_moves_one_message_to_a_new_ticket():
    agent = UserFactory()
    ticket = make_ticket()
    second = services.message_add(ticket=ticket, kind=MessageKind.CUSTOMER, body_text="Another question")
    new = services.message_split(message=second, actor=agent, subject="Another question")
    assert list(new.messages.values_list("pk", flat=True)) == [second.pk]
    assert ticket.messages.count() == 1


def test_oversized_attachment_is_refused_and_nothing_is_stored(settings):
    settings.MAX_ATTACHMENT_BYTES = 10
    ticket = make_ticket()
    with pytest.raises(ValidationError):
        services.message_add(
            ticket=ticket, kind=MessageKind.CUSTOMER, body_text="see file",
            attachments=[NewAttachment("big.bin", SimpleUploadedFile("big.bin", b"x" * 11))],
        )
    assert ticket.messages.count() == 1


def test_events_are_append_only():
    ticket = make_ticket()
    event = TicketEvent.objects.filter(ticket=ticket).first()
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
