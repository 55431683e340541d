"""NUL bytes and undecodable bytes in a mail: cleaned by parsing (U+FFFD, a defect), so that SQLite and
PostgreSQL store the same thing, the mail becomes a ticket and the mails behind it are not held up."""

import base64
import datetime as dt
import io
import json
import sys

import pytest
from django.core.management import call_command
from django.utils import timezone

from pomoc.channels.email.ingest import process, receive_raw
from pomoc.channels.email.models import RawMail, RawMailStatus
from pomoc.channels.email.parsing import CLEANED, parse_mail, storable_id
from pomoc.channels.email.tasks import process_pending_mail
from pomoc.tickets.models import Attachment, Message, Ticket

from .helpers import mail, make_inbox

NUL_RAW = (
    b"From: Jana \x00Nov\xe1kov\xe1 <jana@example.cz>\r\n"
    b"To: support@pomoc.example\r\n"
    b"Subject: Ti\x00sk\xff\r\n"
    b"Message-ID: <nul\x00id\xff@example.cz>\r\n"
    b"References: <ref\x00one@example.cz> <\xfe@example.cz>\r\n"
    b"Date: Mon, 7 Dec 2026 10:00:00 +0100\r\n"
    b"\r\n"
    b"Dobr\xfd den,\x00 tisk\xe1rna.\r\n"
)
ENCODED_NUL_RAW = (
    b"From: =?utf-8?B?" + base64.b64encode(b"Ja\x00na") + b"?= <jana@example.cz>\r\n"
    b"To: support@pomoc.example\r\n"
    b"Subject: =?utf-8?Q?Tisk=00=C3=A1rna?=\r\n"
    b"Message-ID: <encoded-nul@example.cz>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: multipart/mixed; boundary=b\r\n"
    b"\r\n"
    b"--b\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"Content-Transfer-Encoding: base64\r\n"
    b"\r\n" + base64.b64encode(b"Dobr\xc3\xbd den,\x00 tisk\xc3\xa1rna.") + b"\r\n"
    b"--b\r\n"
    b"Content-Type: text/html; charset=utf-8\r\n"
    b"\r\n"
    b"<p>Dobr\xc3\xbd\x00 den</p>\r\n"
    b"--b\r\n"
    b"Content-Type: text/plain; name*=utf-8''vy%00pis%FF.txt\r\n"
    b"Content-Disposition: attachment; filename*=utf-8''vy%00pis%FF.txt\r\n"
    b"\r\n"
    b"obsah\r\n"
    b"--b--\r\n"
)


def _no_unstorable(value) -> bool:
    text = json.dumps(value, default=str, ensure_ascii=False)
    return "\x00" not in text and "\\u0000" not in text and not any(0xD800 <= ord(c) <= 0xDFFF for c in text)


def _all_text(parsed) -> list:
    return [parsed.message_id, parsed.subject, parsed.from_name, parsed.from_email, parsed.in_reply_to,
            parsed.references, parsed.to, parsed.cc, parsed.reply_to, parsed.text, parsed.html, parsed.headers,
            [(a.file_name, a.content_type, a.content_id) for a in parsed.attachments], parsed.defects]


@pytest.mark.parametrize("raw", [NUL_RAW, ENCODED_NUL_RAW], ids=["raw-bytes", "encoded"])
def test_parsing_replaces_nul_and_surrogates_and_says_so(raw):
    parsed = parse_mail(raw)
    assert _no_unstorable(_all_text(parsed))
    assert "\ufffd" in parsed.subject and "\ufffd" in parsed.from_name and "\ufffd" in parsed.text
    assert any(d.startswith(CLEANED) and "subject" in d and "text" in d for d in parsed.defects)


def test_ids_stay_ids_and_the_same_bytes_give_the_same_id():
    parsed = parse_mail(NUL_RAW)
    assert parsed.message_id == parse_mail(NUL_RAW).message_id
    assert "\ufffd" not in parsed.message_id and " " not in parsed.message_id and "%00" in parsed.message_id
    assert parsed.references[0] == "ref%00one@example.cz" and "\ufffd" not in parsed.references[1]
    assert storable_id("a\x00b\udcffc@x") == "a%00b%FFc@x"
    assert storable_id("plain@example.cz") == "plain@example.cz"


def test_an_attachment_name_with_nul_is_cleaned():
    parsed = parse_mail(ENCODED_NUL_RAW)
    [attachment] = parsed.attachments
    assert attachment.file_name.startswith("vy") and _no_unstorable(attachment.file_name)
    assert "\ufffd" in parsed.html


def test_a_clean_mail_is_left_as_it_was():
    parsed = parse_mail(mail())
    assert not any(d.startswith(CLEANED) for d in parsed.defects)


def _pending(inbox, raw: bytes, minutes: int) -> RawMail:
    raw_mail = receive_raw(inbox=inbox, raw=raw)
    RawMail.objects.filter(pk=raw_mail.pk).update(received_at=timezone.now() - dt.timedelta(minutes=minutes))
    return raw_mail


@pytest.mark.django_db
def test_a_nul_mail_first_in_the_queue_holds_up_nothing_and_is_stored_itself():
    """On PostgreSQL (DATABASE_URL) NUL in text is refused by the database: before the fix the first
    mail raised and the worker stopped there for ever."""
    inbox = make_inbox()
    first = _pending(inbox, NUL_RAW, minutes=30)
    second = _pending(inbox, ENCODED_NUL_RAW, minutes=20)
    behind = [_pending(inbox, mail(subject=f"Behind {i}"), minutes=10) for i in range(3)]

    assert process_pending_mail.call() == {"stored": 5}

    assert set(RawMail.objects.values_list("status", flat=True)) == {RawMailStatus.STORED}
    message = RawMail.objects.select_related("message__ticket").get(pk=first.pk).message
    assert "\ufffd" in message.ticket.subject and "\ufffd" in message.body_text
    assert message.external_id == "<nul%00id\xff@example.cz>"  # Latin-1 read as everywhere in headers
    assert RawMail.objects.get(pk=first.pk).message_id_header == message.external_id
    encoded = RawMail.objects.get(pk=second.pk).message
    assert "\ufffd" in encoded.body_text
    assert Attachment.objects.get(message=encoded).file_name.startswith("vy")
    assert Ticket.objects.count() == 5 and all(
        RawMail.objects.get(pk=r.pk).message.ticket.subject.startswith("Behind") for r in behind)

    # the same bytes again: the same id, a duplicate
    again = receive_raw(inbox=inbox, raw=NUL_RAW)
    assert process(again.pk).duplicate and Message.objects.count() == 5


@pytest.mark.django_db
def test_the_pipe_keeps_a_nul_mail_and_exits_0(monkeypatch, capsys):
    make_inbox(name="E-mail")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(NUL_RAW)))
    try:
        call_command("mail", "ingest", "--inbox", "E-mail")
    except SystemExit as exc:  # pragma: no cover -- a failure: say which
        pytest.fail(f"exit {exc.code}: {capsys.readouterr().err}")
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "stored" and result["created"]
    assert "\ufffd" in Ticket.objects.get(number=result["ticket"]).subject
