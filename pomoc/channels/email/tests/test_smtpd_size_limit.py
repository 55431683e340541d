"""Mail larger than the inbox's ``max_message_bytes`` is refused with 552 (SIZE advertised)."""

import smtplib

import pytest

from pomoc.channels.email.models import RawMail

from .helpers import mail, make_inbox
from .smtp import receiver

pytestmark = pytest.mark.django_db(transaction=True)


def _big(size: int) -> bytes:
    return mail(text="x" * size).replace(b"\n", b"\r\n")


def test_size_is_advertised_and_a_declared_size_over_it_is_refused_at_mail_from():
    make_inbox(config={"max_message_bytes": 4000})
    make_inbox(name="Sales", address="sales@pomoc.example", config={"max_message_bytes": 6000})

    with receiver() as client:
        client.ehlo()
        assert client.esmtp_features["size"] == "6000"  # the largest limit of the inboxes served
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            client.sendmail("jana@example.cz", ["support@pomoc.example"], _big(7000))
    assert refused.value.smtp_code == 552
    assert not RawMail.objects.exists()


def test_data_over_the_receiving_inbox_limit_gets_552():
    make_inbox(config={"max_message_bytes": 4000})
    make_inbox(name="Sales", address="sales@pomoc.example", config={"max_message_bytes": 60000})

    with receiver() as client:
        client.ehlo()
        client.mail("jana@example.cz")
        assert client.rcpt("support@pomoc.example")[0] == 250
        code, text = client.data(_big(10000))  # under the largest limit, over this inbox's
        assert code == 552, text

        client.rset()
        client.mail("jana@example.cz")
        client.rcpt("support@pomoc.example")
        assert client.data(_big(200000))[0] == 552  # over every limit: aiosmtpd stops reading at SIZE

        client.rset()
        client.mail("jana@example.cz")
        client.rcpt("sales@pomoc.example")
        assert client.data(_big(10000))[0] == 250
    assert RawMail.objects.get().inbox.name == "Sales"
