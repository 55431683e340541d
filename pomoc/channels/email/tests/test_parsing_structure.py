"""HTML-only mail, inline images and attachments, wrong or missing charsets, broken and nested MIME."""

import datetime as dt

import pytest

from pomoc.channels.email.parsing import html_to_text, parse_mail
from pomoc.channels.email.tests.samples import PDF, PNG, structure_samples

SAMPLES = {s.name: s for s in structure_samples()}


@pytest.mark.parametrize("sample", structure_samples(), ids=lambda s: s.name)
def test_subject_sender_text_and_attachments(sample):
    parsed = parse_mail(sample.raw)
    assert parsed.subject == sample.subject
    assert (parsed.from_name, parsed.from_email) == (sample.from_name, sample.from_email)
    for piece in sample.text_contains:
        assert piece in parsed.text
    for name, content in sample.attachments:
        assert (name, content) in [(a.file_name, a.content) for a in parsed.attachments]


def test_html_only_mail_gets_text_from_html_and_keeps_raw_html():
    parsed = parse_mail(SAMPLES["html-only"].raw)
    assert parsed.text == "Hello team,\n\nOrder № 42 is late.\nRegards"
    assert "<script>" in parsed.html  # raw here: the pipeline sanitizes with pomoc.core.sanitize
    assert "alert" not in parsed.text and "color:red" not in parsed.text


def test_inline_cid_image_and_rfc2231_attachment():
    parsed = parse_mail(SAMPLES["inline-cid-and-rfc2231"].raw)
    image, pdf = parsed.attachments
    assert (image.content_type, image.content_id, image.inline, image.content) == (
        "image/png", "logo@example.cz", True, PNG)
    assert (pdf.file_name, pdf.content_type, pdf.inline, pdf.content) == (
        "Smlouva o dílo – příloha č. 1.pdf", "application/pdf", False, PDF)
    assert parsed.text == "Posílám smlouvu."  # the plain alternative only, not the HTML too
    assert 'src="cid:logo@example.cz"' in parsed.html


def test_mislabelled_and_missing_charsets_are_recorded_as_defects():
    assert parse_mail(SAMPLES["mislabelled-utf8-as-latin1"].raw).defects == ["charset iso-8859-1 is UTF-8"]
    wrong = parse_mail(SAMPLES["mislabelled-1250-as-utf8"].raw)
    assert wrong.defects == ["bytes are not valid utf-8; read as windows-1250 (detected)"]
    assert wrong.text == "Příliš žluťoučký kůň.\n"
    missing = parse_mail(SAMPLES["missing-charset"].raw)  # German: windows-1250 reads ä, ö, ü and ß alike
    assert missing.defects == ["no charset declared; read as windows-1250 (detected)"]
    assert missing.text == "Grüße, die Bestellung ist unvollständig.\n"


def test_broken_mime_still_gives_text_and_what_attachments_there_are():
    no_boundary = parse_mail(SAMPLES["multipart-without-boundary"].raw)
    assert "multipart without usable boundary; body read as text" in no_boundary.defects
    truncated = parse_mail(SAMPLES["truncated-base64"].raw)
    assert truncated.text.startswith("Účet je zaplacený")
    assert [(a.file_name, a.content) for a in truncated.attachments] == [("data.bin", b"\x00\x01\x02")]
    assert "CloseBoundaryNotFoundDefect" in truncated.defects


def test_nested_message_is_an_eml_attachment_and_its_text_is_appended_by_default():
    raw = SAMPLES["nested-rfc822"].raw
    parsed = parse_mail(raw)
    eml, pdf = parsed.attachments
    assert (eml.file_name, eml.content_type) == ("Rechnung 7.eml", "message/rfc822")
    assert parse_mail(eml.content).subject == "Rechnung 7"
    assert pdf.file_name == "Rechnung März.pdf"
    assert parsed.text == "Siehe unten.\nIhre Rechnung liegt bei."
    assert parse_mail(raw, nested_text=False).text == "Siehe unten."


def test_headers_ids_addresses_and_date():
    raw = (
        b"Return-Path: <bounce@lists.example.org>\r\n"
        b"From: \"Nov\xc3\xa1k, Jan\" <Jan.Novak@Example.CZ>\r\n"
        b"Reply-To: =?utf-8?Q?Jan_Nov=C3=A1k?= <jan@example.cz>\r\n"
        b"To: podpora@example.com, \"B\" <b@example.com>\r\nCc: c@example.com\r\n"
        b"Subject:   Re:\r\n   spaced    out\r\n"
        b"Date: Mon, 3 Mar 2025 09:00:00 -0000\r\n"
        b"In-Reply-To: <abc@pomoc.example>\r\nReferences: <x@y> <abc@pomoc.example>\r\n bare@id\r\n"
        b"Auto-Submitted: auto-replied\r\nPrecedence: bulk\r\nX-Autoreply: yes\r\n"
        b"X-Auto-Response-Suppress: All\r\nList-Id: <support.example.org>\r\n"
        b"List-Unsubscribe: <mailto:u@example.org>\r\n\r\nOut of office.\r\n"
    )
    parsed = parse_mail(raw)
    assert (parsed.from_name, parsed.from_email) == ("Novák, Jan", "jan.novak@example.cz")
    assert parsed.reply_to == [("Jan Novák", "jan@example.cz")]
    assert parsed.to == [("", "podpora@example.com"), ("B", "b@example.com")]
    assert parsed.cc == [("", "c@example.com")]
    assert parsed.subject == "Re: spaced out"
    assert parsed.date == dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
    assert parsed.in_reply_to == "abc@pomoc.example"
    assert parsed.references == ["x@y", "abc@pomoc.example"]
    assert len(parsed.message_id) > 20 and parsed.message_id.endswith("@pomoc.invalid")
    assert parsed.message_id == parse_mail(raw).message_id  # synthetic but stable
    assert parsed.message_id != parse_mail(raw + b" ").message_id
    for key, value in {
        "auto-submitted": "auto-replied", "precedence": "bulk", "x-autoreply": "yes",
        "x-auto-response-suppress": "All", "list-id": "<support.example.org>",
        "list-unsubscribe": "<mailto:u@example.org>", "return-path": "<bounce@lists.example.org>",
    }.items():
        assert parsed.headers[key] == value
    assert parsed.raw_size == len(raw)


def test_message_id_without_brackets_and_missing_from():
    parsed = parse_mail(b"Message-ID: <Abc.123@host>\r\nSender: s@example.com\r\n\r\nx")
    assert parsed.message_id == "Abc.123@host"
    assert parsed.from_email == "s@example.com"
    assert "no usable From; sender taken from Sender" in parsed.defects


def test_html_to_text():
    assert html_to_text("<ul><li>one</li><li>two &amp; three</li></ul><p>a<br/>b</p>") == (
        "- one\n\n- two & three\n\na\nb"
    )
    assert html_to_text("<div>unclosed <b>tags") == "unclosed tags"
    assert html_to_text("") == ""
