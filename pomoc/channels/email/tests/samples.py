"""Real-world-shaped messages we write ourselves, as raw bytes, with what a help desk must show.

Each ``Sample`` is built the way the mail programs of that language send it (charset, transfer
encoding, RFC 2047 words in headers). Used by the tests and by ``benchmarks/mail_parse.py``.
"""

from __future__ import annotations

import base64
import hashlib
import quopri
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Sample:
    name: str
    raw: bytes
    subject: str
    from_name: str
    from_email: str
    text_contains: tuple[str, ...]
    attachments: tuple[tuple[str, bytes], ...] = field(default_factory=tuple)


def b_word(text: str, charset: str) -> str:
    return f"=?{charset}?B?{base64.b64encode(text.encode(charset)).decode()}?="


def q_word(text: str, charset: str) -> str:
    encoded = quopri.encodestring(text.encode(charset), header=True).decode().replace("?", "=3F")
    return f"=?{charset}?Q?{encoded}?="


def single(*, subject_header: str, from_header: str, body: bytes, content_type: str, cte: str = "8bit",
           extra: str = "") -> bytes:
    message_id = hashlib.sha1(subject_header.encode()).hexdigest()
    head = (
        f"From: {from_header}\r\nTo: podpora@example.com\r\nSubject: {subject_header}\r\n"
        f"Date: Tue, 04 Mar 2025 10:15:00 +0100\r\nMessage-ID: <{message_id}@example.com>\r\n"
        f"MIME-Version: 1.0\r\nContent-Type: {content_type}\r\nContent-Transfer-Encoding: {cte}\r\n{extra}\r\n"
    )
    return head.encode("ascii") + body


def encode_body(text: str, charset: str, cte: str) -> bytes:
    data = text.replace("\n", "\r\n").encode(charset)
    if cte == "quoted-printable":
        return quopri.encodestring(data)
    if cte == "base64":
        return base64.encodebytes(data)
    return data


LANGUAGE_CASES = [
    # name, charset, cte, subject, from name, body, header word style
    ("czech-iso-8859-2-qp", "iso-8859-2", "quoted-printable", "Reklamace: nefunguje přihlášení",
     "Jiří Dvořák", "Dobrý den,\npři přihlášení se zobrazí chyba. Děkuji, Jiří Dvořák\nžluťoučký kůň úpěl ďábelské ódy",
     "q"),
    ("czech-windows-1250-qp", "windows-1250", "quoted-printable", "Faktura č. 2025/117 – dotaz",
     "Růžena Šťastná", "Dobrý den,\nfaktura má špatnou částku. Řešíte to?\nS pozdravem Růžena", "b"),
    ("polish-iso-8859-2-8bit", "iso-8859-2", "8bit", "Zamówienie nr 4411 - brak przesyłki",
     "Łukasz Wąsowski", "Dzień dobry,\nprzesyłka nie dotarła. Zażółć gęślą jaźń.\nŁukasz", "q"),
    ("polish-utf-8-base64", "utf-8", "base64", "Pytanie o fakturę źródłową", "Małgorzata Łącka",
     "Dzień dobry,\nproszę o korektę faktury. Ąę óśćżź ŁŃ.\nPozdrawiam", "b"),
    ("estonian-windows-1257", "windows-1257", "quoted-printable", "Küsimus arve kohta – õigus",
     "Tõnu Mäeots", "Tere,\nmul on küsimus arve kohta. Öösel jõudis üks õun.\nTõnu", "q"),
    ("estonian-iso-8859-15", "iso-8859-15", "8bit", "Tellimus ei jõudnud kohale",
     "Õie Käärik", "Tere!\nTellimus ei jõudnud kohale. Šokolaad ja žürii maksavad 10 €.\nÕie", "b"),
    ("german-iso-8859-1", "iso-8859-1", "quoted-printable", "Rückfrage zur Lieferung - Größe",
     "Jürgen Weiß", "Guten Tag,\ndie Lieferung für Herrn Müller ist fehlerhaft. Grüße aus Köln, Straße 5.\nJürgen Weiß",
     "q"),
    ("russian-koi8-r", "koi8-r", "8bit", "Не работает вход в личный кабинет", "Дмитрий Жуков",
     "Здравствуйте!\nНе могу войти в личный кабинет, пишет ошибку.\nЖуков", "b"),
    ("russian-windows-1251", "windows-1251", "base64", "Счёт на оплату №55", "Жанна Щукина",
     "Добрый день,\nпришлите, пожалуйста, счёт на оплату.\nЖанна", "b"),
    ("japanese-iso-2022-jp", "iso-2022-jp", "7bit", "日本語の問い合わせ", "山田太郎",
     "お世話になっております。\n日本語のテストです。\n山田", "b"),
    ("japanese-shift-jis", "shift_jis", "base64", "注文について日本語で質問", "鈴木花子",
     "こんにちは。\n注文の件で日本語で質問があります。\n鈴木", "b"),
]


def language_samples() -> list[Sample]:
    samples = []
    for name, charset, cte, subject, from_name, body, style in LANGUAGE_CASES:
        word = b_word if style == "b" else q_word
        email_addr = f"{name.split('-')[0]}@example.com"
        raw = single(
            subject_header=word(subject, charset),
            from_header=f"{word(from_name, charset)} <{email_addr.upper()}>",
            body=encode_body(body, charset, cte),
            content_type=f'text/plain; charset="{charset}"; format=flowed',
            cte=cte,
        )
        first_line = body.split("\n")[1]
        samples.append(Sample(name, raw, subject, from_name, email_addr, (first_line,)))
    return samples


PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def structure_samples() -> list[Sample]:
    html_only = single(
        subject_header="HTML only",
        from_header='"Web Form" <form@example.com>',
        body=encode_body(
            "<html><head><style>p{color:red}</style><title>x</title></head><body><p>Hello&nbsp;team,</p>"
            "<p>Order <b>№ 42</b> is late.<br>Regards</p><script>alert(1)</script></body></html>",
            "utf-8", "quoted-printable"),
        content_type="text/html; charset=utf-8",
        cte="quoted-printable",
    )
    cid_name = "Smlouva o dílo – příloha č. 1.pdf"
    rfc2231 = "utf-8''" + "".join(c if c.isalnum() and c.isascii() else "".join(f"%{b:02X}" for b in c.encode())
                                  for c in cid_name)
    inline_and_attachment = (
        "From: =?utf-8?Q?Ond=C5=99ej_Ku=C4=8Dera?= <ondrej@example.cz>\r\nTo: podpora@example.com\r\n"
        "Subject: =?utf-8?Q?Smlouva_a_logo?=\r\nMessage-ID: <cid-1@example.cz>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="MIX"\r\n\r\n'
        "--MIX\r\nContent-Type: multipart/related; boundary=\"REL\"\r\n\r\n"
        "--REL\r\nContent-Type: multipart/alternative; boundary=\"ALT\"\r\n\r\n"
        "--ALT\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        "Posílám smlouvu.\r\n"
        "--ALT\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        '<p>Posílám smlouvu.<img src="cid:logo@example.cz"></p>\r\n'
        "--ALT--\r\n"
        "--REL\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n"
        "Content-ID: <logo@example.cz>\r\nContent-Disposition: inline\r\n\r\n"
        + base64.encodebytes(PNG).decode() + "--REL--\r\n"
        "--MIX\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
        f"Content-Disposition: attachment;\r\n filename*0*={rfc2231[:30]};\r\n filename*1*={rfc2231[30:]}\r\n\r\n"
        + base64.encodebytes(PDF).decode() + "--MIX--\r\n"
    ).encode("utf-8")
    mislabelled = single(
        subject_header="=?iso-8859-1?Q?Objedn=C3=A1vka?=",  # UTF-8 bytes labelled Latin-1
        from_header="Petr <petr@example.cz>",
        body="Dobrý den, objednávka nedorazila. Řešte to.\r\n".encode(),
        content_type="text/plain; charset=iso-8859-1",
    )
    mislabelled_1250 = single(
        subject_header="Windows-1250 labelled UTF-8",
        from_header="Eva <eva@example.cz>",
        body="Příliš žluťoučký kůň.\r\n".encode("windows-1250"),
        content_type="text/plain; charset=utf-8",
    )
    missing_charset = single(
        subject_header="Kein Zeichensatz",
        from_header="Grete <grete@example.de>",
        body="Grüße, die Bestellung ist unvollständig.\r\n".encode("windows-1252"),
        content_type="text/plain",
    )
    unknown_charset = single(
        subject_header="=?x-unknown?Q?Unknown_charset?=",
        from_header="=?cp-850?Q?J=81rgen?= <j@example.de>",
        body="Grüße aus Bern\r\n".encode(),
        content_type="text/plain; charset=x-unknown",
    )
    no_boundary = (
        b"From: a@example.com\r\nSubject: no boundary\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed\r\n\r\nThe text is still here.\r\n"
    )
    truncated_base64 = (
        b"From: b@example.com\r\nSubject: truncated\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="X"\r\n\r\n'
        b"--X\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.b64encode("Účet je zaplacený, ale".encode())[:-3]
        + b"\r\n--X\r\nContent-Type: application/octet-stream; name=data.bin\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\nAAEC"
    )
    nested = (
        "From: =?utf-8?B?" + base64.b64encode("Müller".encode()).decode() + "?= <mueller@example.de>\r\n"
        "To: support@example.com\r\nSubject: Fwd: Rechnung\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="OUT"\r\n\r\n'
        "--OUT\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSiehe unten.\r\n"
        "--OUT\r\nContent-Type: message/rfc822\r\n\r\n"
        "From: billing@example.org\r\nSubject: Rechnung 7\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="IN"\r\n\r\n'
        "--IN\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\nIhre Rechnung liegt bei.\r\n"
        "--IN\r\nContent-Type: application/pdf; name=\"=?utf-8?Q?Rechnung_M=C3=A4rz.pdf?=\"\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(PDF).decode() + "--IN--\r\n"
        "--OUT--\r\n"
    ).encode("utf-8")
    return [
        Sample("html-only", html_only, "HTML only", "Web Form", "form@example.com",
               ("Hello team,", "Order № 42 is late.\nRegards")),
        Sample("inline-cid-and-rfc2231", inline_and_attachment, "Smlouva a logo", "Ondřej Kučera",
               "ondrej@example.cz", ("Posílám smlouvu.",), (("attachment-1.png", PNG), (cid_name, PDF))),
        Sample("mislabelled-utf8-as-latin1", mislabelled, "Objednávka", "Petr", "petr@example.cz",
               ("objednávka nedorazila. Řešte to.",)),
        Sample("mislabelled-1250-as-utf8", mislabelled_1250, "Windows-1250 labelled UTF-8", "Eva",
               "eva@example.cz", ("P",)),
        Sample("missing-charset", missing_charset, "Kein Zeichensatz", "Grete", "grete@example.de",
               ("Grüße, die Bestellung ist unvollständig.",)),
        Sample("unknown-charset", unknown_charset, "Unknown charset", "J\u00fcrgen", "j@example.de",
               ("Grüße aus Bern",)),
        Sample("multipart-without-boundary", no_boundary, "no boundary", "", "a@example.com",
               ("The text is still here.",)),
        Sample("truncated-base64", truncated_base64, "truncated", "", "b@example.com", ("Účet je zaplacený",)),
        Sample("nested-rfc822", nested, "Fwd: Rechnung", "Müller", "mueller@example.de",
               ("Siehe unten.", "Ihre Rechnung liegt bei."), (("Rechnung März.pdf", PDF),)),
    ]


def all_samples() -> list[Sample]:
    return language_samples() + structure_samples()
