"""A Czech mail in ISO-8859-2 with an 8-bit body arrives by SMTP intact."""

from email.header import Header

import pytest

from pomoc.channels.email.models import RawMail
from pomoc.tickets.models import Ticket

from .helpers import make_inbox
from .smtp import receiver

pytestmark = pytest.mark.django_db(transaction=True)

SUBJECT = "Příliš žluťoučký kůň"
BODY = "Dobrý den,\r\npříliš žluťoučký kůň úpěl ďábelské ódy.\r\n\r\nJiří\r\n"


def _czech_mail() -> bytes:
    return (
        f"From: {Header('Jiří Dvořák', 'iso-8859-2').encode()} <jiri@example.cz>\r\n"
        "To: podpora@pomoc.example\r\n"
        f"Subject: {Header(SUBJECT, 'iso-8859-2').encode()}\r\n"
        "Date: Mon, 02 Mar 2026 09:15:00 +0100\r\n"
        "Message-ID: <cz-iso-1@example.cz>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=ISO-8859-2\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        "\r\n"
    ).encode("ascii") + BODY.encode("iso-8859-2")


def test_a_czech_iso_8859_2_mail_arrives_intact():
    make_inbox(address="podpora@pomoc.example")
    raw = _czech_mail()
    assert b"\xb9" in raw  # š in ISO-8859-2: the body really is 8-bit

    with receiver() as client:
        assert client.sendmail("jiri@example.cz", ["podpora@pomoc.example"], raw) == {}

    assert bytes(RawMail.objects.get().raw).endswith(raw)
    ticket = Ticket.objects.get()
    assert ticket.subject == SUBJECT
    assert ticket.requester.name == "Jiří Dvořák"
    text = ticket.messages.get().body_text
    assert "příliš žluťoučký kůň úpěl ďábelské ódy." in text
    assert "Jiří" in text
