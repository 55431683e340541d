"""classify reads header fields through ``_Headers`` and the plain-value shortcuts: they must give
exactly what the standard library's ``policy.default`` gives, field by field and part by part."""

from email import message_from_bytes, message_from_string, policy
from pathlib import Path

import pytest

from pomoc.channels.email.classify import (
    Kind,
    _content_disposition,
    _content_type,
    _Headers,
    classify,
    is_from_ourselves,
)
from pomoc.channels.email.tests.samples import all_samples

EML = Path(__file__).parent / "eml"
RAW = [path.read_bytes() for path in sorted(EML.rglob("*.eml"))] + [sample.raw for sample in all_samples()]


@pytest.mark.parametrize("raw", RAW)
def test_every_field_reads_as_the_standard_library_reads_it(raw):
    msg = message_from_bytes(raw, policy=policy.default)
    headers = _Headers(msg)
    for name in {key.lower() for key in msg.keys()}:
        assert headers.get_all(name) == [str(value) for value in msg.get_all(name)], name
        assert headers.get(name) == str(msg.get(name)), name


@pytest.mark.parametrize("raw", RAW)
def test_content_type_and_disposition_of_every_part_match_the_standard_library(raw):
    for part in message_from_bytes(raw, policy=policy.default).walk():
        assert _content_type(part) == part.get_content_type()
        assert _content_disposition(part) == part.get_content_disposition()


@pytest.mark.parametrize("value", [
    'text/plain; charset="utf-8"', "TEXT/HTML", "multipart/mixed;\n\tboundary=\"=_a;b\"", "text/plain (comment)",
    "text/plain; name*=utf-8''%C5%BE.txt", "text", "text/plain/x", "application/pdf; name=\"=?utf-8?q?a?=\"",
])
def test_unusual_content_types_match_the_standard_library(value):
    part = message_from_string(f"Content-Type: {value}\nContent-Disposition: {value}\n\nx", policy=policy.default)
    assert _content_type(part) == part.get_content_type()
    assert _content_disposition(part) == part.get_content_disposition()


def test_fields_changed_after_parsing_are_read_as_they_are_now():
    msg = message_from_string("From: Jana <jana@example.cz>\nSubject: Hello\n\nHi\n", policy=policy.default)
    assert classify(msg).kind == Kind.HUMAN
    assert not is_from_ourselves(msg, ["support@pomoc.example"])
    msg.replace_header("From", "Support <support@pomoc.example>")
    msg.replace_header("Subject", "Out of office")
    assert is_from_ourselves(msg, ["support@pomoc.example"])
    assert classify(msg).reason == "subject:out-of-office"


def test_bounce_words_in_the_text_alone_do_not_make_a_bounce():
    msg = message_from_string(
        "From: Jana <jana@example.cz>\nSubject: Your mail\n\n"
        "This is the mail system at host mx.example.cz. Your message could not be delivered to one or more "
        "recipients.\n", policy=policy.default)
    assert classify(msg).kind == Kind.HUMAN
    msg.replace_header("From", "MAILER-DAEMON@mx.example.cz")
    assert classify(msg).kind == Kind.BOUNCE
