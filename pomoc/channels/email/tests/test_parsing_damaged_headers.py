"""Damaged header blocks: the stdlib ends the headers at the first line it cannot read as a field, so the
From, Subject and Message-ID after it became body text. parse_mail repairs the block and parses again;
a mail whose headers end properly is never touched."""

import email

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pomoc.channels.email.mime_policy import INCOMING
from pomoc.channels.email.parsing import parse_mail

OBSOLETE = (
    b"From   : Jana Novakova <jana@example(work).   cz>\r\n"
    b"To     : Support\r\n"
    b"  \r\n"  # a white-space-only line inside To (obs-FWS), not the blank line
    b"         <help@pomoc.example>\r\n"
    b"Subject    : Printer on fire\r\n"
    b"Date   : Tue, 3 Jun 2025 10(morning):  15 : 00 +0200\r\n"
    b"Message-ID   : <abc   @   mail(relay)  .example>\r\n"
    b"\r\n"
    b"The printer is on fire.\r\n"
)

GARBAGE = (
    b"Received: from mx.example by mx.pomoc.example; Tue, 3 Jun 2025 10:15:00 +0200\r\n"
    b"this line is no header\r\n"
    b"From: \"Petr Maly\" <petr@example.cz>\r\n"
    b"To: help@pomoc.example\r\n"
    b"Subject: Invoice 42\r\n"
    b"Message-ID: <invoice-42@example.cz>\r\n"
    b"In-Reply-To: <question-7@pomoc.example>\r\n"
    b"\r\n"
    b"Please resend invoice 42.\r\n"
)


def _ingested(raw: bytes):
    """What ingestion does: parse with INCOMING first, hand the message in."""
    return parse_mail(raw, message=email.message_from_bytes(raw, policy=INCOMING))


def test_obsolete_syntax_read_with_comments_and_folding():
    for parsed in (parse_mail(OBSOLETE), _ingested(OBSOLETE)):
        assert (parsed.subject, parsed.from_email) == ("Printer on fire", "jana@example.cz")
        assert parsed.to == [("Support", "help@pomoc.example")]
        assert parsed.message_id == "abc@mail.example"
        assert parsed.date.isoformat() == "2025-06-03T10:15:00+02:00"
        assert parsed.text == "The printer is on fire.\n"
        assert parsed.defects == [
            "header block repaired: white space before the colon removed in 5 field name(s) (obsolete syntax)"]


def test_garbage_line_dropped_and_the_fields_after_it_read():
    for parsed in (parse_mail(GARBAGE), _ingested(GARBAGE)):
        assert (parsed.from_name, parsed.from_email, parsed.subject) == ("Petr Maly", "petr@example.cz", "Invoice 42")
        assert (parsed.message_id, parsed.in_reply_to) == ("invoice-42@example.cz", "question-7@pomoc.example")
        assert parsed.text == "Please resend invoice 42.\n"
        assert parsed.defects == ["header block repaired: unreadable header line dropped: 'this line is no header'"]


def test_garbage_line_with_lf_endings_and_a_continuation_folded_into_the_field_before():
    raw = b"To: a@example.cz,\nGARBAGE\n b@example.cz\nFrom: c@example.cz\nSubject: s\n\nbody\n"
    parsed = parse_mail(raw)
    assert parsed.to == [("", "a@example.cz"), ("", "b@example.cz")]
    assert (parsed.from_email, parsed.subject, parsed.text) == ("c@example.cz", "s", "body\n")


def test_repaired_block_parsed_as_mime_too():
    raw = (
        b"From : a@example.cz\r\nSubject : files\r\nMIME-Version : 1.0\r\n"
        b"Content-Type : multipart/mixed; boundary=XX\r\n\r\n"
        b"--XX\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
        b"--XX\r\nContent-Type: application/pdf; name=a.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        b"JVBERi0=\r\n--XX--\r\n"
    )
    parsed = parse_mail(raw)
    assert (parsed.from_email, parsed.subject, parsed.text.strip()) == ("a@example.cz", "files", "see attached")
    assert [(a.file_name, a.content) for a in parsed.attachments] == [("a.pdf", b"%PDF-")]


def test_healthy_mail_whose_body_starts_with_field_lines_keeps_them_as_body():
    raw = (b"From: jana@example.cz\r\nTo: help@pomoc.example\r\nSubject: Order form\r\n\r\n"
           b"Name: Jana Novakova\r\nSubject: broken printer\r\nDate: yesterday\r\nFrom: the office\r\n\r\nThanks\r\n")
    for parsed in (parse_mail(raw), _ingested(raw)):
        assert (parsed.from_email, parsed.subject, parsed.date) == ("jana@example.cz", "Order form", None)
        assert parsed.text.startswith("Name: Jana Novakova\nSubject: broken printer\nDate: yesterday")
        assert parsed.defects == []


def test_missing_blank_line_before_a_prose_body_is_not_taken_for_headers():
    # the stdlib ends the headers at "Hello," rightly: what follows is no field a mail carries
    raw = b"From: jana@example.cz\r\nSubject: Order\r\nHello,\r\nName: Jana\r\nPhone: 123\r\n\r\nThanks\r\n"
    parsed = parse_mail(raw)
    assert (parsed.from_email, parsed.subject) == ("jana@example.cz", "Order")
    assert parsed.text.startswith("Hello,\nName: Jana\nPhone: 123")
    assert parsed.defects == ["MissingHeaderBodySeparatorDefect"]


def test_a_paragraph_of_text_ends_the_headers_even_when_fields_follow():
    raw = b"From: a@example.cz\r\nFirst line.\r\nSecond line.\r\nThird line.\r\nSubject: x\r\nDate: y\r\n\r\nz\r\n"
    parsed = parse_mail(raw)
    assert (parsed.from_email, parsed.subject) == ("a@example.cz", "")
    assert parsed.text.startswith("First line.\nSecond line.\nThird line.\nSubject: x")


def test_a_from_is_not_taken_from_the_body_of_a_mail_that_has_one():
    # one recovered field (Subject) is not enough when the mail already has a From
    raw = b"From: a@example.cz\r\nHi team,\r\nSubject: my order\r\n\r\nit is late\r\n"
    parsed = parse_mail(raw)
    assert (parsed.from_email, parsed.subject) == ("a@example.cz", "")
    assert parsed.text.startswith("Hi team,\nSubject: my order")


FIELDS = ["From", "To", "Subject", "Date", "Message-ID", "Content-Type", "X-Whatever"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(
    st.tuples(st.sampled_from(FIELDS), st.sampled_from(["", " ", "   ", "\t"]), st.text(max_size=30)).map(
        lambda t: f"{t[0]}{t[1]}: {t[2]}"),
    st.text(max_size=30),  # garbage, continuation or blank lines
), max_size=12), st.sampled_from(["\r\n", "\n", "\r"]))
def test_damaged_blocks_never_raise(lines, ending):
    raw = ending.join(lines).encode("utf-8", errors="surrogatepass") + ending.encode() * 2 + b"body"
    parsed = parse_mail(raw)
    assert parsed.message_id and parsed.raw_size == len(raw)
    assert _ingested(raw).message_id == parsed.message_id
