"""Reports recognised by their structure feed the bounce handling like a standard DSN: a permanent
failure marks the address and fails our reply, a delay warning marks nothing and opens nothing."""

import json

import pytest

from pomoc.testing.factories import ContactFactory, UserFactory, make_ticket
from pomoc.tickets import services
from pomoc.tickets.models import DeliveryState, Message, MessageKind, Ticket

from .helpers import EML, ingest, make_inbox

pytestmark = pytest.mark.django_db

CORPUS = json.loads((EML / "bounce_corpus" / "expected.json").read_text())


def _sample(shape: str) -> tuple[bytes, dict]:
    name = next(name for name, expected in CORPUS.items() if expected["shape"] == shape)
    return (EML / "bounce_corpus" / name).read_bytes(), CORPUS[name]


def _ticket_with_sent_reply(address: str, message_id: str):
    requester = ContactFactory()
    requester.identities.create(kind="email", value=address)
    ticket = make_ticket(requester=requester)
    reply = services.message_add(ticket=ticket, kind=MessageKind.REPLY, actor=UserFactory(), body_text="Try this")
    Message.objects.filter(pk=reply.pk).update(external_id=message_id, delivery_state=DeliveryState.SENT)
    return ticket, reply


@pytest.mark.parametrize("shape", ["mdaemon", "aol", "isp_cs", "domino", "exchange_2003", "qmail"])
def test_a_plain_text_bounce_fails_our_reply_and_marks_the_address(shape):
    raw, expected = _sample(shape)
    address = expected["recipients"][0]
    ticket, reply = _ticket_with_sent_reply(address, expected["original_message_id"])

    _raw_mail, result = ingest(make_inbox(), raw)

    assert (result.classification, result.status, result.created) == ("bounce", "ignored", False)
    assert result.ticket_number == ticket.number
    assert ticket.requester.identities.get(value=address).bounced
    reply.refresh_from_db()
    assert reply.delivery_state == DeliveryState.FAILED
    note = Message.objects.get(pk=result.message_id)
    assert note.kind == MessageKind.SYSTEM and address in note.body_text
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize("shape", ["exim_delay", "isp_pl_delay", "exchange_delay", "mdaemon_warning"])
def test_a_delay_warning_marks_nothing_and_opens_nothing(shape):
    raw, expected = _sample(shape)
    address = expected["recipients"][0]
    ticket, reply = _ticket_with_sent_reply(address, expected["original_message_id"])

    _raw_mail, result = ingest(make_inbox(), raw)

    assert (result.classification, result.status, result.created) == ("auto-reply", "ignored", False)
    assert not ticket.requester.identities.get(value=address).bounced
    reply.refresh_from_db()
    assert reply.delivery_state == DeliveryState.SENT
    assert Ticket.objects.count() == 1
    assert not ticket.events.filter(type="identity_bounced").exists()
