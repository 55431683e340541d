"""Only our inboxes' addresses are accepted: any other recipient gets 550, and we relay nothing."""

import smtplib

import pytest

from pomoc.channels.email.models import RawMail
from pomoc.tickets.models import Ticket

from .helpers import mail, make_inbox
from .smtp import receiver

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_unknown_recipient_gets_550():
    make_inbox()

    with receiver() as client:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            client.sendmail("jana@example.cz", ["nobody@pomoc.example"], mail())

    code, text = refused.value.recipients["nobody@pomoc.example"]
    assert code == 550
    assert b"no such mailbox" in text
    assert not RawMail.objects.exists()


def test_known_recipients_get_the_mail_when_others_are_refused():
    inbox = make_inbox()

    with receiver() as client:
        refused = client.sendmail("jana@example.cz", ["someone@elsewhere.example", "support@pomoc.example"], mail())

    assert list(refused) == ["someone@elsewhere.example"] and refused["someone@elsewhere.example"][0] == 550
    assert RawMail.objects.get().inbox == inbox
    assert Ticket.objects.count() == 1


def test_inactive_inboxes_receive_nothing_unless_named():
    make_inbox(active=False)

    with receiver() as client:
        client.ehlo()
        client.mail("jana@example.cz")
        assert client.rcpt("support@pomoc.example")[0] == 550

    with receiver(inbox_name="Support") as client:
        assert client.sendmail("jana@example.cz", ["support@pomoc.example"], mail()) == {}
    assert RawMail.objects.count() == 1


def test_naming_an_inbox_restricts_the_receiver_to_its_addresses():
    make_inbox()
    make_inbox(name="Sales", address="sales@pomoc.example")

    with receiver(inbox_name="Sales") as client:
        client.ehlo()
        client.mail("jana@example.cz")
        assert client.rcpt("support@pomoc.example")[0] == 550
        assert client.rcpt("Sales@Pomoc.Example")[0] == 250
