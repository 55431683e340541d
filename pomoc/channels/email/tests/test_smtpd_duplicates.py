"""The same mail delivered twice by SMTP (a retry after a lost answer, two MX hosts) is stored once."""

import pytest

from pomoc.channels.email.models import RawMail, RawMailStatus
from pomoc.tickets.models import Message, Ticket

from .helpers import mail, make_inbox
from .smtp import receiver

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_same_mail_twice_is_one_message():
    make_inbox()
    raw = mail(message_id="<twice@example.cz>").replace(b"\n", b"\r\n")

    with receiver() as client:
        assert client.sendmail("jana@example.cz", ["support@pomoc.example"], raw) == {}
        assert client.sendmail("jana@example.cz", ["support@pomoc.example"], raw) == {}

    first, second = RawMail.objects.order_by("pk")
    assert (first.status, second.status) == (RawMailStatus.STORED, RawMailStatus.DUPLICATE)
    assert second.message_id == first.message_id
    assert Ticket.objects.count() == 1
    assert Message.objects.count() == 1
