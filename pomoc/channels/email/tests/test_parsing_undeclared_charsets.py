"""8-bit mail that does not say its charset, or says a wrong one, as old mail programs and web forms
send it: read in the charset it is in, and the mail's defects say what was done."""

import pytest

from pomoc.channels.email.parsing import decode_bytes, parse_mail
from pomoc.tickets.models import Message

from .helpers import ingest, make_inbox

CZECH = "Dobrý den, objednaná zásilka přijde až v pátek. Děkuji za trpělivost, Jiří Dvořák"
POLISH = "Dzień dobry, żółw z naszego sklepu źle się czuje, a sąsiad mówi, że to przez śnieg. Proszę o radę."
ESTONIAN = "Tere! Mul on õigus saada raha tagasi, sest töö jäi tegemata ja ükski šokolaad ei jõudnud kohale."


def _mail(subject: str, sender: str, body: str, encoding: str, content_type: str = "text/plain") -> bytes:
    """A mail whose header fields and body are raw 8-bit text in ``encoding``, no encoded words."""
    return (
        f"From: {sender}\r\nTo: podpora@pomoc.example\r\nSubject: {subject}\r\n"
        f"Date: Mon, 02 Mar 2026 09:15:00 +0100\r\nMessage-ID: <charset-{encoding}@example.net>\r\n"
        f"MIME-Version: 1.0\r\nContent-Type: {content_type}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        f"{body}\r\n"
    ).encode(encoding)


@pytest.mark.parametrize(
    ("encoding", "subject", "sender", "body", "name"),
    [
        ("windows-1250", "Kdy přijde zásilka?", "Jiří Dvořák <jiri@example.cz>", CZECH, "windows-1250"),
        ("iso-8859-2", "Żółw źle się czuje", "Łukasz Wiśniewski <lukasz@example.pl>", POLISH, "iso-8859-2"),
        ("windows-1257", "Mul on õigus raha tagasi saada", "Tõnu Šmidt <tonu@example.ee>", ESTONIAN,
         "windows-1257"),
    ],
)
def test_a_mail_without_a_charset_reads_right(encoding, subject, sender, body, name):
    raw = _mail(subject, sender, body, encoding)
    assert b"=?" not in raw and not raw.isascii()

    parsed = parse_mail(raw)

    assert parsed.text == body + "\n"
    assert parsed.subject == subject
    assert parsed.from_name == sender.split(" <")[0]
    assert parsed.defects == [
        f"8-bit Subject header without a charset read as {name} (detected)",
        f"8-bit From header without a charset read as {name} (detected)",
        f"no charset declared; read as {name} (detected)",
    ]


@pytest.mark.parametrize("label", ["utf-8", "us-ascii", "iso-8859-2", "iso-8859-1"])
def test_a_windows_1250_mail_labelled_otherwise_reads_right(label):
    body = "Příliš žluťoučký kůň úpěl ďábelské ódy. Zásilka přijde zítra."
    raw = _mail("Zásilka", "Eva Nováková <eva@example.cz>", body, "windows-1250",
                f"text/plain; charset={label}")
    # the bytes really are wrong for the label: not UTF-8, not ASCII, š/ť/ž where ISO-8859-2 has none
    assert b"\x9a" in raw and b"\x9d" in raw

    parsed = parse_mail(raw)

    assert parsed.text == body + "\n"
    wrong = f"8-bit text labelled {label}" if label == "us-ascii" else f"bytes are not valid {label}"
    assert f"{wrong}; read as windows-1250 (detected)" in parsed.defects


def test_a_declared_charset_that_reads_the_bytes_is_kept():
    german = "Grüße aus Köln, die Rechnung über 20 € folgt."
    raw = _mail("Rechnung", "Jürgen Weiß <j@example.de>", german, "windows-1252", "text/plain; charset=windows-1252")
    assert parse_mail(raw).text == german + "\n"
    assert "no charset declared" not in " ".join(parse_mail(raw).defects)
    assert decode_bytes("Zażółć gęślą jaźń".encode("iso-8859-2"), "ISO-8859-2") == ("Zażółć gęślą jaźń", None)


def test_a_stray_byte_in_text_of_another_script_keeps_the_declared_charset():
    japanese = "日本語のメールです。よろしくお願いします。".encode("euc-jp")
    text, defect = decode_bytes(japanese[:12] + b"\xff" + japanese[12:], "euc-jp")
    assert text.startswith("日本語の") and "よろしくお願いします" in text
    assert defect == "bytes are not valid euc-jp"


def test_other_languages_without_a_charset_go_to_the_general_detector():
    russian = "Добрый день! Посылка до сих пор не пришла, прошу проверить номер заказа и сообщить сроки."
    assert decode_bytes(russian.encode("windows-1251"), None) == (
        russian, "no charset declared; read as windows-1251 (detected)")
    french = "Ça va très bien, merci à vous. Où est ma commande ?"
    assert decode_bytes(french.encode("windows-1252"), None)[0] == french


# --- short texts: a few bytes say little ---------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "encoding", "expected"),
    [
        ("přijde", "windows-1250", "přijde"),  # ř is 0xF8 in windows-1250 and ISO-8859-2 alike
        ("Příliš", "iso-8859-2", "Příliš"),
        ("õigus", "windows-1257", "õigus"),  # õ: no letter of our languages in the others
        ("Šaš", "windows-1257", "Šaš"),
        ("śnieg", "windows-1250", "śnieg"),
        ("żółw", "iso-8859-2", "żółw"),
        ("Grüße", "windows-1252", "Grüße"),
        ("café", "windows-1252", "café"),
        # ambiguous on its own (ź in ISO-8859-2 is Slovak Ľ in windows-1250): windows-1250 wins
        ("źle", "iso-8859-2", "Ľle"),
    ],
)
def test_short_texts_follow_the_preference_order(text, encoding, expected):
    assert decode_bytes(text.encode(encoding), None)[0] == expected


def test_a_short_subject_is_read_with_the_rest_of_the_mail():
    """Alone "źle" is ambiguous; read together with the body, the mail is ISO-8859-2."""
    parsed = parse_mail(_mail("źle", "Piotr <piotr@example.pl>", POLISH, "iso-8859-2"))
    assert parsed.subject == "źle"
    assert "8-bit Subject header without a charset read as iso-8859-2 (detected)" in parsed.defects


def test_utf8_comes_first_when_it_decodes():
    raw = _mail("Zásilka přijde", "Jiří <jiri@example.cz>", CZECH, "utf-8")
    parsed = parse_mail(raw)
    assert (parsed.subject, parsed.text) == ("Zásilka přijde", CZECH + "\n")
    assert parsed.defects == []


@pytest.mark.django_db
def test_the_ticket_shows_the_mail_in_its_real_letters():
    raw = _mail("Kdy přijde zásilka?", "Jiří Dvořák <jiri@example.cz>", CZECH, "windows-1250")
    _raw_mail, result = ingest(make_inbox(), raw)
    message = Message.objects.select_related("ticket").get(pk=result.message_id)
    assert message.body_text.strip() == CZECH
    assert message.ticket.subject == "Kdy přijde zásilka?"


@pytest.mark.parametrize("label", [None, "utf-8", "us-ascii"])
def test_a_short_windows_1250_text_never_shows_replacement_characters(label):
    text, defect = decode_bytes("přijde".encode("windows-1250"), label)
    assert text == "přijde" and defect.endswith("read as windows-1250 (detected)")


def test_an_html_part_without_a_charset_is_read_in_the_charset_its_meta_tag_names():
    html = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1250"></head>'
            "<body><p>Zásilka přijde zítra, šťastný žlutý kůň.</p></body></html>")
    raw = _mail("Formulář", "Web <web@example.cz>", html, "windows-1250", "text/html")
    parsed = parse_mail(raw)
    assert parsed.text.strip() == "Zásilka přijde zítra, šťastný žlutý kůň."
    assert "no charset declared" not in " ".join(parsed.defects)
