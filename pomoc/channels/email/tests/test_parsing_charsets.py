"""Czech, Polish, Estonian, German, Russian and Japanese mail in the charsets their programs send."""

import pytest

from pomoc.channels.email.parsing import decode_bytes, decode_header_value, parse_mail
from pomoc.channels.email.tests.samples import LANGUAGE_CASES, language_samples


@pytest.mark.parametrize("sample", language_samples(), ids=lambda s: s.name)
def test_subject_sender_and_text_in_their_real_letters(sample):
    parsed = parse_mail(sample.raw)
    case = next(c for c in LANGUAGE_CASES if c[0] == sample.name)
    assert parsed.subject == sample.subject
    assert parsed.from_name == sample.from_name
    assert parsed.from_email == sample.from_email  # lowercased
    assert parsed.text.strip() == case[5].strip()
    assert parsed.attachments == []
    assert parsed.defects == []
    assert parsed.date is not None and parsed.date.utcoffset() is not None


@pytest.mark.parametrize(
    ("data", "charset", "expected"),
    [
        ("ř ů".encode("iso-8859-2"), "ISO-8859-2", "ř ů"),
        ("ą ł".encode("windows-1250"), "windows-1250", "ą ł"),
        ("õ ä".encode("windows-1257"), "Windows-1257", "õ ä"),
        ("жук".encode("koi8-u"), "koi8-u", "жук"),
        ("한국어".encode("euc-kr"), "EUC-KR", "한국어"),
        ("한국어".encode("cp949"), "ks_c_5601-1987", "한국어"),
        ("中文".encode("gbk"), "gb2312", "中文"),
        ("中文".encode("gb18030"), "GB18030", "中文"),
        ("繁體".encode("big5"), "big5", "繁體"),
        ("日本語".encode("shift_jis"), "Shift_JIS", "日本語"),
        ("①".encode("cp932"), "shift_jis", "①"),  # Microsoft extension in mail labelled Shift_JIS
        ("日本語".encode("iso-2022-jp"), "iso-2022-jp", "日本語"),
        ("ß".encode(), "utf8", "ß"),
        ("ß".encode(), "x-unknown", "ß"),
        ("é".encode("cp850"), "cp-850", "é"),
        ("€".encode("cp1252"), "iso-8859-1", "€"),  # what every browser and mail program does
        ("ü".encode(), "us-ascii", "ü"),
        (b"\xff\xfe broken", "utf-8", "ÿþ broken"),
        (b"caf\xe9", None, "café"),
    ],
)
def test_decode_bytes(data, charset, expected):
    assert decode_bytes(data, charset)[0] == expected


def test_decode_bytes_never_raises_on_odd_labels():
    for label in ("", "\x00", "base64", "rot13", "zip", "utf-8'en'", '"utf-8"', "x" * 500, "utf-16"):
        text, _defect = decode_bytes("Grüße".encode(), label)
        assert isinstance(text, str)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=?UTF-8?B?xZlhZA==?= =?UTF-8?B?IMWv?=", "řad ů"),
        ("=?utf-8?B?xZk=?= =?utf-8?B?YQ==?=", "řa"),  # adjacent words: the space between them goes
        ("=?UTF-8?B?w4Q=?=\r\n =?UTF-8?B?w7Y=?=", "Äö"),
        ("=?utf-8?B?4pyF?==?utf-8?B?4pyF?=", "✅✅"),  # no space between words at all
        ("=?utf-8?b?xZnFrw?=", "řů"),  # missing padding
        ("=?ISO-8859-2?Q?P=F8=EDli=B9?=", "Příliš"),
        ("=?iso-8859-2?q?=B3=B1ka?=", "łąka"),
        ("Re: =?utf-8?Q?Dotaz_na_fakturu?= [#1234]", "Re: Dotaz na fakturu [#1234]"),
        ("=?utf-8*cs?Q?=C5=99?=", "ř"),  # RFC 2231 language in an encoded word
        ("=?bogus-charset?Q?caf=E9?=", "café"),
        ("=?utf-8?Q?unterminated", "=?utf-8?Q?unterminated"),
        ("=?utf-8?X?unknown_encoding?=", "=?utf-8?X?unknown_encoding?="),
        ("Raw UTF-8 \udcc5\udc99", "Raw UTF-8 ř"),  # RFC 6532 header parsed from bytes
        ("Raw latin-1 caf\udce9", "Raw latin-1 café"),
    ],
)
def test_decode_header_value(value, expected):
    assert decode_header_value(value) == expected


def test_raw_8bit_headers_in_utf8_and_legacy_charsets():
    raw = (
        "From: Jiří Novák <jiri@example.cz>\r\nSubject: Žádost o vrácení\r\n\r\nText\r\n".encode()
    )
    parsed = parse_mail(raw)
    assert (parsed.subject, parsed.from_name) == ("Žádost o vrácení", "Jiří Novák")
    raw = "From: Jürgen <j@example.de>\r\nSubject: Grüße\r\n\r\nText\r\n".encode("latin-1")
    parsed = parse_mail(raw)
    assert (parsed.subject, parsed.from_name) == ("Grüße", "Jürgen")
