"""``INCOMING`` (MIME fields parsed once) reads every mail exactly as ``policy.default`` does."""

import dataclasses
import email
from email import policy
from pathlib import Path

import pytest

from pomoc.channels.email.classify import classify, is_from_ourselves
from pomoc.channels.email.mime_policy import INCOMING, MAX_CACHED, MimeFieldCache
from pomoc.channels.email.parsing import parse_mail

from .corpus import OWN_EML, corpus_files
from .samples import all_samples

OURS = ["support@pomoc.example"]


def _mails() -> list[tuple[str, bytes]]:
    found = [(p.name, p.read_bytes()) for p in corpus_files()]
    found += [(p.name, p.read_bytes()) for p in sorted(Path(OWN_EML).rglob("*.eml"))]
    found += [(s.name, s.raw) for s in all_samples()]
    return found


MAILS = _mails()


def _reading(raw: bytes, used_policy) -> tuple:
    msg = email.message_from_bytes(raw, policy=used_policy)
    parsed = dataclasses.asdict(parse_mail(raw, message=msg))
    verdict = classify(msg, our_addresses=OURS)
    return parsed, verdict, is_from_ourselves(msg, OURS), [
        (part.get_content_type(), part.get_content_disposition(), part.get_filename()) for part in msg.walk()]


@pytest.mark.parametrize(("name", "raw"), MAILS, ids=[name for name, _raw in MAILS])
def test_every_mail_reads_the_same_as_with_the_standard_policy(name, raw):
    standard = _reading(raw, policy.default)
    assert _reading(raw, INCOMING) == standard
    assert _reading(raw, INCOMING) == standard  # the second time from the remembered fields


def test_there_are_mails_to_compare():
    assert len(MAILS) >= 40


def test_the_same_field_value_is_parsed_once_and_other_fields_every_time():
    cache = MimeFieldCache()
    first = cache("Content-Type", "text/plain; charset=utf-8")
    assert cache("Content-Type", "text/plain; charset=utf-8") is first
    assert first.content_type == "text/plain" and first.params["charset"] == "utf-8"
    assert cache("Content-Type", "text/html") is not first
    assert cache("Subject", "Hello") is not cache("Subject", "Hello")


def test_the_cache_never_grows_past_its_bound():
    cache = MimeFieldCache()
    for n in range(MAX_CACHED + 10):
        cache("Content-Type", f'multipart/mixed; boundary="b{n}"')
    assert len(cache._parsed) <= MAX_CACHED


def test_a_nested_message_serialises_the_same():
    inner = b"From: a@example.com\r\nSubject: inner\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhello\r\n"
    outer = (b"From: b@example.com\r\nSubject: fwd\r\nMIME-Version: 1.0\r\n"
             b'Content-Type: multipart/mixed; boundary="xx"\r\n\r\n--xx\r\nContent-Type: text/plain\r\n\r\nsee\r\n'
             b"--xx\r\nContent-Type: message/rfc822\r\n\r\n" + inner + b"--xx--\r\n")
    for _ in range(2):
        got = [p.as_bytes() for p in email.message_from_bytes(outer, policy=INCOMING).walk()]
        assert got == [p.as_bytes() for p in email.message_from_bytes(outer, policy=policy.default).walk()]
