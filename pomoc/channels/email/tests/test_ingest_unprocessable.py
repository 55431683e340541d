import pytest

from pomoc.channels.email.ingest import process
from pomoc.channels.email.models import RawMail, RawMailStatus
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


def test_a_redelivered_unprocessable_mail_is_kept_as_a_copy_not_another_unprocessable_row(settings):
    settings.MAX_ATTACHMENTS_PER_MESSAGE = 1
    inbox = make_inbox()
    raw = mail(message_id="<twice@example.cz>",
               attachments=[("a.txt", b"a", "text", "plain"), ("b.txt", b"b", "text", "plain")])
    first, kept = ingest(inbox, raw)
    # the MTA delivers it again (identical bytes), and once more with a new trace line on top
    second, again = ingest(inbox, raw)
    third, once_more = ingest(inbox, b"Received: from mx2.example.cz; Sun, 6 Dec 2026 10:00:00 +0000\r\n" + raw)

    assert kept.status == "unprocessable"
    assert again.status == once_more.status == "duplicate" and again.duplicate
    assert list(RawMail.objects.filter(status=RawMailStatus.UNPROCESSABLE).values_list("pk", flat=True)) == [first.pk]
    second.refresh_from_db()
    third.refresh_from_db()
    assert f"raw mail {first.pk}" in second.error and bytes(third.raw).endswith(raw)  # nothing lost
    # another mail that cannot be processed either is its own row
    two = [("c.txt", b"c", "text", "plain"), ("d.txt", b"d", "text", "plain")]
    _other, other = ingest(inbox, mail(attachments=two))
    assert other.status == "unprocessable"

