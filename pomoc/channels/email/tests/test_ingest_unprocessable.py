import pytest

from pomoc.channels.email.ingest import process
from pomoc.channels.email.models import RawMailStatus
from pomoc.tickets.models import Ticket

from .helpers import ingest, mail, make_inbox

pytestmark = pytest.mark.django_db


def test_broken_bytes_are_kept_as_unprocessable():
    raw = b"\x00\xff\xfe garbage \r\n\r\n\x80\x81 no headers at all" + bytes(range(256))
    raw_mail, result = ingest(make_inbox(), raw)
    assert result.status == "unprocessable" and result.ticket_number is None and result.message_id is None
    raw_mail.refresh_from_db()
    assert raw_mail.status == RawMailStatus.UNPROCESSABLE and raw_mail.error
    assert bytes(raw_mail.raw) == raw and raw_mail.sha256 == raw_mail.digest(raw)
    assert Ticket.objects.count() == 0


def test_unprocessable_mail_can_be_processed_again_after_a_fix(settings):
    settings.MAX_ATTACHMENTS_PER_MESSAGE = 1
    raw = mail(attachments=[("a.txt", b"a", "text", "plain"), ("b.txt", b"b", "text", "plain")])
    raw_mail, result = ingest(make_inbox(), raw)
    assert result.status == "unprocessable"
    raw_mail.refresh_from_db()
    assert "attachments" in raw_mail.error and Ticket.objects.count() == 0

    settings.MAX_ATTACHMENTS_PER_MESSAGE = 10
    again = process(raw_mail.pk)
    assert again.status == "stored" and again.created
    raw_mail.refresh_from_db()
    assert raw_mail.attempts == 2 and raw_mail.error == ""


def test_mail_over_the_inbox_limit_is_kept_unprocessable():
    raw = mail(text="x" * 5000)
    raw_mail, result = ingest(make_inbox(config={"max_message_bytes": 1000}), raw)
    assert result.status == "unprocessable" and bytes(raw_mail.raw) == raw
