"""A mail sent by SMTP to a support address is stored, then opens a ticket; 250 only after the commit."""

import pytest

from pomoc.channels.email.models import RawMail, RawMailStatus
from pomoc.tickets.models import Channel, Ticket

from .helpers import PNG, mail, make_inbox
from .smtp import receiver

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_opens_a_ticket_and_answers_250():
    inbox = make_inbox()
    raw = mail(message_id="<smtp-1@example.cz>").replace(b"\n", b"\r\n")  # on the wire, lines end in CRLF

    with receiver() as client:
        code, _banner = client.ehlo()
        assert code == 250
        refused = client.sendmail("jana@example.cz", ["SUPPORT@pomoc.example"], raw)

    assert refused == {}
    raw_mail = RawMail.objects.get()
    assert raw_mail.inbox == inbox
    assert raw_mail.status == RawMailStatus.STORED
    stored = bytes(raw_mail.raw)
    # the envelope sender as final delivery (and an MTA's pipe) records it, then our trace line
    assert stored.startswith(b"Return-Path: <jana@example.cz>\r\n"
                             b"Received: from client.test ([127.0.0.1])\r\n\tby pomoc.test (Pomoc) with ESMTP id ")
    assert b"\r\n\tfor <SUPPORT@pomoc.example>; " in stored.split(b"\r\n\r\n")[0]
    assert stored.endswith(raw)  # the mail itself, byte for byte
    ticket = Ticket.objects.get()
    assert ticket.subject == "Tiskárna nefunguje"
    assert ticket.requester.name == "Jana Nováková"
    message = ticket.messages.get()
    assert message.channel == Channel.EMAIL and message.inbox == inbox
    assert "tiskne prázdné" in message.body_text


def test_an_alias_reaches_its_inbox_and_one_mail_to_two_inboxes_is_kept_in_each():
    support = make_inbox(config={"extra_addresses": ["help@pomoc.example"]})
    sales = make_inbox(name="Sales", address="sales@pomoc.example")

    with receiver() as client:
        client.sendmail("jana@example.cz", ["help@pomoc.example"], mail(message_id="<alias@example.cz>"))
        client.sendmail("jana@example.cz", ["support@pomoc.example", "help@pomoc.example", "sales@pomoc.example"],
                        mail(message_id="<both@example.cz>", subject="Nabídka"))

    assert RawMail.objects.filter(inbox=support).count() == 2  # the alias and the support address: once
    assert RawMail.objects.filter(inbox=sales).count() == 1
    assert set(RawMail.objects.values_list("status", flat=True)) == {RawMailStatus.STORED}
    assert Ticket.objects.count() == 3


def test_unprocessable_mail_is_kept_and_still_answered_250(settings):
    settings.MAX_ATTACHMENTS_PER_MESSAGE = 1
    inbox = make_inbox()
    raw = mail(attachments=[(f"scan-{n}.png", PNG, "image", "png") for n in range(2)])

    with receiver() as client:
        refused = client.sendmail("jana@example.cz", ["support@pomoc.example"], raw)

    assert refused == {}
    raw_mail = RawMail.objects.get(inbox=inbox)
    assert raw_mail.status == RawMailStatus.UNPROCESSABLE
    assert raw_mail.error
    assert not Ticket.objects.exists()
