"""How much of what a help desk shows Pomoc reads right on imap_tools' 113 real messages.

The corpus lives outside the repository (``../shared/corpora/imap_tools``); without it this module
is skipped. Fields compared: subject, sender address, plain text (whitespace ignored; where
imap_tools has no plain text but HTML, nothing: ours is derived from the HTML), and every expected
attachment's file name and payload bytes.

The remaining differences are deliberate and pinned in ``test_known_differences``:
imap_tools drops bytes it cannot decode (we keep them through windows-1252), reads mislabelled
UTF-8 as Latin-1 mojibake (we read UTF-8), drops the folding space before an encoded word
(RFC 2047 keeps it), lists a text/plain body with a Content-ID also as an attachment (we show it as
text once), and flattens a broken DSN differently.
"""

import pytest

from pomoc.channels.email.parsing import parse_mail
from pomoc.channels.email.tests.corpus import FIELDS, MESSAGES, corpus_files, run_corpus, summary

pytestmark = pytest.mark.skipif(
    not MESSAGES.is_dir(), reason=f"imap_tools corpus not found at {MESSAGES} (it lives outside the repository)"
)

# Measured: the floor; raise it when the parser improves, never lower it silently.
FLOOR = {"subject": 111, "from": 113, "text": 110, "attachment_names": 113, "attachment_bytes": 111, "all": 106}


def test_corpus_has_113_messages():
    assert len(corpus_files()) == 113


def test_never_raises_and_always_has_an_id():
    for eml in corpus_files():
        parsed = parse_mail(eml.read_bytes())
        assert parsed.message_id
        assert not any(d.startswith("parser failure") for d in parsed.defects), eml


def test_accuracy_per_field_at_least_the_measured_floor(record_property, capsys):
    results = run_corpus()
    counts = summary(results)
    with capsys.disabled():
        print("\nimap_tools corpus, messages matching per field:")
        for name in (*FIELDS, "all"):
            print(f"  {name:<18} {counts[name]:>3} / {counts['messages']}")
        for result in results:
            if not result.all_ok:
                print(f"  differs: {result.name}: {', '.join(k for k, ok in result.ok.items() if not ok)}")
    for name, value in counts.items():
        record_property(name, value)
    for name, floor in FLOOR.items():
        assert counts[name] >= floor, (name, counts[name], floor)


def _parse(name):
    return parse_mail((MESSAGES / name).read_bytes())


def test_known_differences():
    assert _parse("error_emails/invalid_subject_characters.eml").subject.startswith("Formação FrenetikPolis")
    assert "DISCOVERÆ CARD" in _parse("error_emails/content_transfer_encoding_7-bit.eml").text
    assert _parse("rfc2822/example14.eml").subject == "Re: TEST テストテスト"
    text_with_id = _parse("text_with_content_id.eml")
    assert text_with_id.text.startswith("Bonjour.") and not text_with_id.attachments
    bounce = _parse("multipart_report_emails/multipart_report_multiple_status.eml")
    assert bounce.text.startswith("This Message was undeliverable")
    assert [a.content_type for a in bounce.attachments][:3] == [
        "message/delivery-status", "message/delivery-status", "message/rfc822",
    ]


def test_nested_message_kept_as_eml_and_its_attachment_listed():
    parsed = _parse("attachment_emails/attachment_message_rfc822.eml")
    assert [a.file_name for a in parsed.attachments] == ["ForwardedMessage.eml", "broken.pdf"]
    assert parsed.attachments[0].content.startswith(b"Return-Path:")
    assert "Just attaching another PDF" in parsed.text
    without = parse_mail((MESSAGES / "attachment_emails/attachment_message_rfc822.eml").read_bytes(), nested_text=False)
    assert "Just attaching another PDF" not in without.text
