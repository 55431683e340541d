import pytest

from pomoc.core.models import OrganisationSettings
from pomoc.testing.factories import ContactFactory, UserFactory, make_ticket
from pomoc.tickets import services
from pomoc.tickets.models import DeliveryState, Message, MessageKind, Ticket

from .helpers import ingest, mail, make_inbox

pytestmark = pytest.mark.django_db


def _sent_reply(ticket, message_id="<reply-1.abc@pomoc.example>"):
    agent = UserFactory()
    reply = services.message_add(ticket=ticket, kind=MessageKind.REPLY, actor=agent, body_text="Try turning it off.")
    Message.objects.filter(pk=reply.pk).update(external_id=message_id, delivery_state=DeliveryState.SENT)
    return reply


def test_reply_by_in_reply_to_our_outgoing_message_joins_the_ticket():
    inbox = make_inbox()
    _raw_mail, first = ingest(inbox, mail(sender="jana@example.cz"))
    ticket = Ticket.objects.get(number=first.ticket_number)
    _sent_reply(ticket)

    _raw_mail, result = ingest(inbox, mail(sender="jana@example.cz", subject="Re: something else",
                                           text="Still broken.", in_reply_to="<reply-1.abc@pomoc.example>"))

    assert result.status == "stored" and not result.created and result.ticket_number == ticket.number
    assert ticket.messages.filter(kind=MessageKind.CUSTOMER).count() == 2
    assert Message.objects.get(pk=result.message_id).body_text.startswith("Still broken.")


def test_reply_by_references_to_a_stored_incoming_message_joins_the_ticket():
    inbox = make_inbox()
    _raw_mail, first = ingest(inbox, mail(message_id="<orig-1@example.cz>"))
    _raw_mail, result = ingest(inbox, mail(sender="colleague@example.cz", subject="Fwd: printer",
                                           references="<unknown@elsewhere> <orig-1@example.cz>"))
    assert result.ticket_number == first.ticket_number and not result.created
    ticket = Ticket.objects.get(number=first.ticket_number)
    # someone new on the thread becomes a participant
    assert ticket.participants.filter(identities__value="colleague@example.cz").exists()


def test_subject_tag_joins_only_for_the_requester_or_a_participant():
    inbox = make_inbox()
    requester = ContactFactory()
    requester.identities.create(kind="email", value="eva@example.ee")
    ticket = make_ticket(requester=requester, subject="VPN")
    participant = ContactFactory()
    participant.identities.create(kind="email", value="mart@example.ee")
    ticket.participants.add(participant)

    _raw_mail, by_requester = ingest(inbox, mail(sender="eva@example.ee", subject=f"Re: [#{ticket.number}] VPN"))
    _raw_mail, by_participant = ingest(inbox, mail(sender="mart@example.ee", subject=f"[#{ticket.number}] VPN"))
    _raw_mail, by_stranger = ingest(inbox, mail(sender="mallory@evil.example", subject=f"Re: [#{ticket.number}] VPN"))

    assert by_requester.ticket_number == ticket.number and not by_requester.created
    assert by_participant.ticket_number == ticket.number and not by_participant.created
    assert by_stranger.created and by_stranger.ticket_number != ticket.number
    assert not ticket.messages.filter(author_contact__identities__value="mallory@evil.example").exists()


def test_subject_tag_uses_the_configured_prefix():
    org = OrganisationSettings.get()
    org.ticket_tag_prefix = "ACME-"
    org.save()
    inbox = make_inbox()
    requester = ContactFactory()
    requester.identities.create(kind="email", value="eva@example.ee")
    ticket = make_ticket(requester=requester)
    _raw_mail, result = ingest(inbox, mail(sender="eva@example.ee", subject=f"Re: [ACME-{ticket.number}] x"))
    assert result.ticket_number == ticket.number


def test_reply_to_a_merged_ticket_lands_in_the_merge_target():
    inbox = make_inbox()
    _raw_mail, first = ingest(inbox, mail(message_id="<m-1@example.cz>"))
    source = Ticket.objects.get(number=first.ticket_number)
    target = make_ticket(requester=source.requester)
    services.ticket_merge(source=source, target=target, actor=UserFactory())
    _raw_mail, result = ingest(inbox, mail(in_reply_to="<m-1@example.cz>"))
    assert result.ticket_number == target.number
