"""A mail over the inbox's limit is kept whole but never parsed whole, wherever it enters: only its
header block is read, for the classification and the notice to its sender."""

import datetime as dt
import email
import io
import json
import sys

import pytest
from django.core.management import call_command
from django.utils import timezone

from pomoc.channels.email import ingest
from pomoc.channels.email.fetch import store_mail
from pomoc.channels.email.ingest import receive_raw
from pomoc.channels.email.models import RawMail, RawMailStatus
from pomoc.channels.email.parsing import HEADER_BLOCK_BYTES, header_block
from pomoc.channels.email.tasks import process_pending_mail
from pomoc.tickets.models import Ticket

from .helpers import mail, make_inbox

pytestmark = pytest.mark.django_db

LIMIT = 1024 * 1024
FIFTY_MB = 50 * 1024 * 1024


def fifty_mb(message_id: str = "<huge-1@example.cz>") -> bytes:
    head = mail(subject="Obří příloha", text="see attachment", message_id=message_id)
    filler = b"QUFB" * 19 + b"\r\n"  # base64 lines
    return head + filler * (FIFTY_MB // len(filler) + 1)


@pytest.fixture
def parsed_sizes(monkeypatch):
    """The sizes of everything handed to a MIME parser while the test runs."""
    sizes: list[int] = []
    real_parse, real_from_bytes = ingest.parse_mail, email.message_from_bytes

    def parse_mail(raw, *args, **kwargs):
        sizes.append(len(raw))
        return real_parse(raw, *args, **kwargs)

    def message_from_bytes(raw, *args, **kwargs):
        sizes.append(len(raw))
        return real_from_bytes(raw, *args, **kwargs)

    monkeypatch.setattr(ingest, "parse_mail", parse_mail)
    monkeypatch.setattr(email, "message_from_bytes", message_from_bytes)
    return sizes


def _kept_unparsed(sizes: list[int], raw: bytes) -> RawMail:
    raw_mail = RawMail.objects.get(message_id_header="<huge-1@example.cz>")
    assert raw_mail.status == RawMailStatus.UNPROCESSABLE and raw_mail.size == len(raw)
    assert raw_mail.classification == "human"  # classified from the header block: its sender is told
    assert "larger than the inbox's limit" in raw_mail.error
    assert sizes and max(sizes) <= HEADER_BLOCK_BYTES, sizes
    assert Ticket.objects.count() == 0
    return raw_mail


def test_header_block_ends_at_the_blank_line_and_is_bounded():
    raw = mail(subject="Hi", text="body line")
    block = header_block(raw)
    assert block.endswith(b"\n\n") and b"body line" not in block and b"Subject: Hi" in block
    assert len(header_block(b"X-Long: " + b"a" * (2 * HEADER_BLOCK_BYTES))) == HEADER_BLOCK_BYTES


def test_the_pipe_keeps_a_50_mb_mail_without_parsing_it(monkeypatch, capsys, parsed_sizes):
    make_inbox(name="E-mail", config={"max_message_bytes": LIMIT})
    raw = fifty_mb()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    call_command("mail", "ingest", "--inbox", "E-mail")
    assert json.loads(capsys.readouterr().out)["status"] == "unprocessable"
    raw_mail = _kept_unparsed(parsed_sizes, raw)
    assert bytes(raw_mail.raw) == raw  # kept whole, as every mail


def test_a_fetched_50_mb_mail_is_kept_without_parsing_it(parsed_sizes):
    raw = fifty_mb()
    assert store_mail(make_inbox(config={"max_message_bytes": LIMIT}), raw).status == "unprocessable"
    _kept_unparsed(parsed_sizes, raw)


def test_a_pending_50_mb_mail_is_kept_by_the_worker_without_parsing_it(parsed_sizes):
    inbox = make_inbox(config={"max_message_bytes": LIMIT})
    raw = fifty_mb()
    raw_mail = receive_raw(inbox=inbox, raw=raw)
    small = receive_raw(inbox=inbox, raw=mail(subject="Small"))
    RawMail.objects.filter(pk__in=[raw_mail.pk, small.pk]).update(
        received_at=timezone.now() - dt.timedelta(minutes=5))
    assert process_pending_mail.call() == {"stored": 1, "unprocessable": 1}
    Ticket.objects.all().delete()
    _kept_unparsed(parsed_sizes, raw)
