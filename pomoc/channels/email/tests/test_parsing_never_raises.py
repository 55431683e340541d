"""parse_mail never raises: random bytes, and real messages cut, spliced and bit-flipped."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pomoc.channels.email.parsing import ParsedMail, parse_mail
from pomoc.channels.email.tests.corpus import corpus_files
from pomoc.channels.email.tests.samples import all_samples

SEEDS = [s.raw for s in all_samples()] + [p.read_bytes() for p in corpus_files()[::4]]
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(raw: bytes) -> None:
    parsed = parse_mail(raw)
    assert isinstance(parsed, ParsedMail)
    assert parsed.message_id
    assert isinstance(parsed.subject, str) and isinstance(parsed.text, str)
    assert parsed.raw_size == len(raw)
    for attachment in parsed.attachments:
        assert isinstance(attachment.content, bytes) and attachment.file_name


@FAST
@given(st.binary(max_size=4000))
def test_random_bytes(raw):
    check(raw)


@FAST
@given(
    seed=st.sampled_from(SEEDS),
    cut=st.integers(min_value=0, max_value=100_000),
    flips=st.lists(st.tuples(st.integers(min_value=0, max_value=100_000), st.integers(0, 255)), max_size=8),
    insert=st.sampled_from([b"", b"\r\n", b"=?utf-8?B?", b"--", b"\x00", b"\xff\xfe", b"Content-Type: multipart/mixed;"
                            b" boundary=\r\n", b"charset*0*=utf-8''%", b"\r\n\r\n--X--\r\n", b"=?x?Q?=ZZ?="]),
)
def test_mutated_real_messages(seed, cut, flips, insert):
    data = bytearray(seed[: cut % (len(seed) + 1)] + insert + seed[cut % (len(seed) + 1):])
    for position, value in flips:
        if data:
            data[position % len(data)] = value
    check(bytes(data))


def test_edge_inputs():
    for raw in (b"", b"\r\n", b"\n\n\n", b"Subject: only a header", b":", b"From:\r\n\r\n",
                b"Content-Type: multipart/mixed; boundary=a\r\n\r\n" + b"--a\r\n" * 2000,
                b"Content-Type: message/rfc822\r\n\r\n" * 300,
                b"Subject: " + b"=?utf-8?B?" * 5000 + b"\r\n\r\n",
                bytearray(b"Subject: bytearray\r\n\r\nbody")):
        check(bytes(raw))
    assert parse_mail(b"Subject: =?utf-8?Q?caf=C3=A9?=\r\n\r\nbody").subject == "café"
