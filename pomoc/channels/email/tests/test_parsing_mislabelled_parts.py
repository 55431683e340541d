"""Text parts that say one thing and are another: a part labelled base64 that is plain text, and a
text shown in place that carries a file name (the whole message, as some clients and forms send it)."""

import base64

import pytest

from pomoc.channels.email.parsing import parse_mail
from pomoc.tickets.models import Message

from .helpers import ingest, make_inbox

HEAD = (b"From: Jana <jana@example.cz>\r\nTo: support@pomoc.example\r\nSubject: Tiskarna\r\n"
        b"Message-ID: <%s@example.cz>\r\nMIME-Version: 1.0\r\n")
TEXT = "Dobrý den,\r\ntiskárna ve 2. patře tiskne prázdné stránky.\r\nJana\r\n"


def _single(key: bytes, headers: bytes, body: bytes) -> bytes:
    return HEAD % key + headers + b"\r\n" + body


def _mixed(key: bytes, *parts: bytes) -> bytes:
    body = b"".join(b"--b1\r\n" + part + b"\r\n" for part in parts) + b"--b1--\r\n"
    return HEAD % key + b'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n' + body


def test_a_text_part_labelled_base64_that_is_not_is_read_as_it_came():
    raw = _single(b"b64-1", b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n",
                  TEXT.encode())
    parsed = parse_mail(raw)
    assert parsed.text.strip() == TEXT.replace("\r\n", "\n").strip()
    assert "text part labelled base64 is not base64; kept as it came" in parsed.defects


def test_a_text_part_in_real_base64_is_still_decoded():
    encoded = base64.encodebytes(TEXT.encode()).replace(b"\n", b"\r\n")
    raw = _single(b"b64-2", b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n",
                  encoded)
    parsed = parse_mail(raw)
    assert parsed.text.strip() == TEXT.replace("\r\n", "\n").strip()
    assert not any("base64" in d for d in parsed.defects)


def test_a_text_attachment_labelled_base64_that_is_not_keeps_its_text():
    csv = b"name,amount\r\nJana,12.50\r\nPetr,7.00\r\n"
    raw = _mixed(b"b64-3", b"Content-Type: text/plain; charset=utf-8\r\n\r\nSee the table.",
                 b'Content-Type: text/csv; name="table.csv"\r\n'
                 b'Content-Disposition: attachment; filename="table.csv"\r\n'
                 b"Content-Transfer-Encoding: base64\r\n\r\n" + csv)
    [attachment] = parse_mail(raw).attachments
    assert attachment.file_name == "table.csv"
    assert attachment.content.replace(b"\r\n", b"\n") == csv.replace(b"\r\n", b"\n")


@pytest.mark.parametrize("disposition", [b'Content-Disposition: inline; filename="message.txt"\r\n', b""])
def test_an_inline_text_with_a_file_name_is_the_body_when_there_is_no_other(disposition):
    raw = _mixed(b"named-1", b'Content-Type: text/plain; charset=utf-8; name="message.txt"\r\n' + disposition
                 + b"Content-Transfer-Encoding: 8bit\r\n\r\n" + TEXT.encode())
    parsed = parse_mail(raw)
    assert "tiskne prázdné stránky" in parsed.text
    # kept as the attachment mail clients also list
    assert [a.file_name for a in parsed.attachments] == ["message.txt"]


def test_a_single_part_html_with_a_file_name_is_the_body():
    raw = _single(b"named-2", b'Content-Type: text/html; charset=utf-8\r\nContent-Disposition: inline; '
                  b'filename="form.html"\r\n', "<p>Objednávka č. 42 nedorazila.</p>".encode())
    parsed = parse_mail(raw)
    assert "Objednávka č. 42 nedorazila." in parsed.text and "<p>" in parsed.html


def test_a_named_text_beside_a_real_body_stays_an_attachment_only():
    raw = _mixed(b"named-3", b"Content-Type: text/plain; charset=utf-8\r\n\r\nThe log is attached.",
                 b'Content-Type: text/plain; name="printer.log"\r\nContent-Disposition: inline; filename="printer.log"'
                 b"\r\n\r\nERROR 42 paper jam")
    parsed = parse_mail(raw)
    assert parsed.text.strip() == "The log is attached." and "paper jam" not in parsed.text
    assert [a.file_name for a in parsed.attachments] == ["printer.log"]


@pytest.mark.django_db
def test_a_mail_whose_only_text_carries_a_file_name_opens_a_ticket_with_that_text():
    raw = _mixed(b"named-4", b'Content-Type: text/plain; charset=utf-8\r\nContent-Disposition: inline; '
                 b'filename="zprava.txt"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n' + TEXT.encode())
    _raw_mail, result = ingest(make_inbox(), raw)
    message = Message.objects.get(pk=result.message_id)
    assert "tiskne prázdné stránky" in message.body_text
    assert [a.file_name for a in message.attachments.all()] == ["zprava.txt"]
