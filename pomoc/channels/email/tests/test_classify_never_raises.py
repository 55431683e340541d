from email import message_from_bytes, policy

from hypothesis import given, settings
from hypothesis import strategies as st

from pomoc.channels.email.classify import Kind, classify, is_from_ourselves

HEADERS = st.sampled_from(
    [
        b"From: <<<@>>>", b"From: =?x-unknown?q?J=E1?= <j@example.cz>", b"Subject: =?utf-8?q?broken",
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=b",
        b"Content-Type: multipart/report; report-type", b"Content-Type: text/plain; charset=x-unknown",
        b"Content-Type: message/delivery-status", b"Auto-Submitted:", b"Return-Path:", b"X-Failed-Recipients: ,,",
        b"List-Id:", b"Precedence:", b"X-Auto-Response-Suppress: ,", b"Content-Transfer-Encoding: base64",
    ]
)
BODIES = st.sampled_from(
    [
        b"",
        b"\xff\xfe\x00",
        b"--b\nContent-Type: message/delivery-status\n\nAction: failed\nFinal-Recipient: x\n--b--",
        b"--b\nContent-Type: message/rfc822\n\n--b--",
        b"--b\nContent-Type: text/rfc822-headers\n\nMessage-ID: <\n--b--",
        b"Hi. This is the qmail-send program\n<a@b.c>:\n--- Below this line is a copy of the message.\nMessage-ID: x",
        b"=?=?==\n\n\n", b"AAAA====",
    ]
)


@settings(max_examples=300)
@given(st.lists(HEADERS, max_size=6), BODIES, st.binary(max_size=80))
def test_classify_never_raises(headers, body, noise):
    raw = b"\n".join(headers) + b"\n\n" + body + noise
    msg = message_from_bytes(raw, policy=policy.default)
    assert classify(msg, our_addresses=["support@pomoc.example"]).kind in set(Kind)
    is_from_ourselves(msg, ["support@pomoc.example"])
