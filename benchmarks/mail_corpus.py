"""The e-mail corpus of ``benchmarks/mail_ingest.py``: a folder of .eml files built per run.

    .venv/bin/python benchmarks/mail_corpus.py DIR [--messages 2000]

Contents, in delivery order (file names sort in that order), every file with a unique Message-ID:

- the 113 imap_tools messages (``../shared/corpora/imap_tools``, when present) and our
  real-world-shaped samples (``samples.py`` and the ``eml/`` folder of the e-mail tests), their
  Message-ID replaced by a unique one (the same sample appears in several test sets);
- generated conversations in Czech, Polish, Estonian and German: a question opens a ticket, then
  replies with In-Reply-To/References to earlier mails of the conversation arrive a little later
  (interleaved with other conversations), some with attachments; some out-of-office replies and
  bounces (DSN) in between;
- one deliberately broken mail (binary bytes, no sender and no headers at all) in the middle.

``manifest.json`` beside the files says what each one is: ``kind`` (imap_tools, sample, question,
reply, auto-reply, bounce, broken), ``message_id`` and, for replies, ``thread`` (the question's
Message-ID) so the benchmark can check that every reply joined its question's ticket.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import random
import re
import sys
from email.utils import format_datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DOMAIN = "bench.pomoc.test"
HELPDESK = "support@pomoc.test"

LANGUAGES = {
    "cs": {
        "names": ["Jiří Dvořák", "Petra Nováková", "Lukáš Černý", "Zuzana Procházková"],
        "subjects": ["Nefunguje přihlášení", "Faktura za březen", "Změna adresy doručení", "Dotaz k objednávce"],
        "question": "Dobrý den,\n\npo aktualizaci se nemohu přihlásit, aplikace hlásí chybu č. {n}.\n"
                    "Prosím o pomoc.\n\nS pozdravem\n{name}\n",
        "reply": "Děkuji za odpověď, ale problém trvá i nadále ({n}).\nPřikládám další podrobnosti.\n",
        "charset": "utf-8",
    },
    "pl": {
        "names": ["Paweł Wiśniewski", "Agnieszka Wójcik", "Michał Kowalczyk", "Małgorzata Zając"],
        "subjects": ["Problem z płatnością", "Reklamacja zamówienia", "Zmiana hasła", "Pytanie o fakturę"],
        "question": "Dzień dobry,\n\nnie mogę zapłacić za zamówienie nr {n}, strona zgłasza błąd.\n"
                    "Proszę o pomoc.\n\nPozdrawiam\n{name}\n",
        "reply": "Dziękuję, niestety błąd nadal występuje ({n}). Załączam zrzut ekranu.\n",
        "charset": "iso-8859-2",
    },
    "et": {
        "names": ["Jüri Tamm", "Mari Õunapuu", "Tõnu Kask", "Külli Sepp"],
        "subjects": ["Sisselogimine ei õnnestu", "Arve küsimus", "Tellimuse tühistamine", "Tarneaadressi muutmine"],
        "question": "Tere,\n\nma ei saa oma kontole sisse logida, veateade {n}.\nPalun abi.\n\n"
                    "Lugupidamisega\n{name}\n",
        "reply": "Aitäh vastuse eest, kuid probleem püsib ({n}). Lisan ekraanipildi.\n",
        "charset": "iso-8859-15",
    },
    "de": {
        "names": ["Jürgen Müller", "Sabine Weiß", "Björn Schäfer", "Ulrike Größer"],
        "subjects": ["Lieferung nicht erhalten", "Rückfrage zur Rechnung", "Passwort zurücksetzen",
                     "Änderung der Bestellung"],
        "question": "Guten Tag,\n\nmeine Bestellung Nr. {n} ist noch nicht angekommen.\nKönnen Sie bitte nachsehen?\n\n"
                    "Mit freundlichen Grüßen\n{name}\n",
        "reply": "Vielen Dank, leider ist das Paket immer noch nicht da ({n}). Anbei der Beleg.\n",
        "charset": "iso-8859-1",
    },
}

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n" * 20


def _msgid(kind: str, n: int) -> str:
    return f"<{kind}-{n:05d}@{DOMAIN}>"


_MESSAGE_ID = re.compile(rb"(?im)^message-id:[^\n]*\n(?:[ \t][^\n]*\n)*")


def with_message_id(raw: bytes, message_id: str) -> bytes:
    """``raw`` with its Message-ID header (if any) replaced by ``message_id``."""
    newline = b"\r\n" if b"\r\n" in raw[:2000] else b"\n"
    head_end = raw.find(newline + newline)
    head, body = (raw, b"") if head_end < 0 else (raw[:head_end + len(newline)], raw[head_end + len(newline):])
    head = _MESSAGE_ID.sub(b"", head.replace(b"\r\n", b"\n")).replace(b"\n", newline)
    # an mbox "From " line stays the first line (it is not a header)
    unix_from, head = head.split(newline, 1) if head.startswith(b"From ") else (b"", head)
    return (unix_from + newline if unix_from else b"") + f"Message-ID: {message_id}".encode() + newline + head + body


def _address(name: str, lang: str, index: int) -> str:
    local = "".join(ch for ch in name.lower() if ch.isascii() and ch.isalpha()) or "customer"
    return f"{local}.{index}@{lang}.example"


def _header_word(text: str, charset: str) -> str:
    return f"=?{charset}?B?{base64.b64encode(text.encode(charset)).decode()}?="


def human_mail(*, lang: str, name: str, address: str, subject: str, body: str, message_id: str,
               in_reply_to: str = "", references: tuple[str, ...] = (), attachment: str = "",
               date: str) -> bytes:
    charset = LANGUAGES[lang]["charset"]
    headers = [
        f"From: {_header_word(name, charset)} <{address}>",
        f"To: Support <{HELPDESK}>",
        f"Subject: {_header_word(subject, charset)}",
        f"Date: {date}",
        f"Message-ID: {message_id}",
        "MIME-Version: 1.0",
    ]
    if in_reply_to:
        headers.append(f"In-Reply-To: {in_reply_to}")
    if references:
        headers.append("References: " + "\r\n ".join(references))
    text_part = base64.encodebytes(body.encode(charset)).decode()
    if not attachment:
        headers += [f"Content-Type: text/plain; charset={charset}", "Content-Transfer-Encoding: base64"]
        return ("\r\n".join(headers) + "\r\n\r\n" + text_part.replace("\n", "\r\n")).encode("ascii")
    boundary = f"=_bench_{message_id.strip('<>').split('@')[0]}"
    data, content_type = (PNG, "image/png") if attachment.endswith(".png") else (PDF, "application/pdf")
    name_param = _header_word(attachment, "utf-8")
    parts = [
        f"--{boundary}\r\nContent-Type: text/plain; charset={charset}\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + text_part.replace("\n", "\r\n"),
        f"--{boundary}\r\nContent-Type: {content_type}; name=\"{name_param}\"\r\n"
        f"Content-Disposition: attachment; filename=\"{name_param}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(data).decode().replace("\n", "\r\n"),
        f"--{boundary}--\r\n",
    ]
    headers.append(f'Content-Type: multipart/mixed; boundary="{boundary}"')
    return ("\r\n".join(headers) + "\r\n\r\n" + "\r\n".join(parts)).encode("ascii")


def auto_reply(*, lang: str, name: str, address: str, message_id: str, date: str) -> bytes:
    charset = LANGUAGES[lang]["charset"]
    text = {"cs": "Jsem mimo kancelář do pondělí.", "pl": "Jestem poza biurem do poniedziałku.",
            "et": "Olen kontorist eemal esmaspäevani.", "de": "Ich bin bis Montag nicht im Büro."}[lang]
    return (
        f"From: {_header_word(name, charset)} <{address}>\r\nTo: <{HELPDESK}>\r\n"
        f"Subject: {_header_word('Automatic reply: ' + text, charset)}\r\nDate: {date}\r\n"
        f"Message-ID: {message_id}\r\nAuto-Submitted: auto-replied\r\nX-Autoreply: yes\r\nMIME-Version: 1.0\r\n"
        f"Content-Type: text/plain; charset={charset}\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(text.encode(charset)).decode().replace("\n", "\r\n")
    ).encode("ascii")


def bounce(*, failed: str, original_id: str, message_id: str, date: str) -> bytes:
    boundary = f"=_dsn_{message_id.strip('<>').split('@')[0]}"
    return (
        f"From: Mail Delivery System <MAILER-DAEMON@mx.{DOMAIN}>\r\nTo: <{HELPDESK}>\r\n"
        f"Subject: Undelivered Mail Returned to Sender\r\nDate: {date}\r\nMessage-ID: {message_id}\r\n"
        f"Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n\r\n'
        f"--{boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        f"I'm sorry to have to inform you that your message could not be delivered.\r\n\r\n"
        f"<{failed}>: host mx.example said: 550 5.1.1 User unknown\r\n\r\n"
        f"--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\n"
        f"Reporting-MTA: dns; mx.{DOMAIN}\r\n\r\nFinal-Recipient: rfc822; {failed}\r\nAction: failed\r\n"
        f"Status: 5.1.1\r\n\r\n"
        f"--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: <{HELPDESK}>\r\nTo: <{failed}>\r\nSubject: Re: your question\r\nMessage-ID: {original_id}\r\n\r\n"
        f"--{boundary}--\r\n"
    ).encode("ascii")


# no sender and no header of a mail (a mail with a subject but no sender opens a ticket from a contact
# without an address): kept as unprocessable, and it must block nothing behind it
BROKEN = b"\x00\x01\x02\xff\xfe not an e-mail: no sender, no headers\r\n\r\n" + bytes(range(256))


def real_messages() -> list[tuple[str, bytes]]:
    """(kind, raw) of the imap_tools corpus and our samples, original bytes."""
    from pomoc.channels.email.tests.corpus import OWN_EML, corpus_files
    from pomoc.channels.email.tests.samples import all_samples

    found = [("imap_tools", path.read_bytes()) for path in corpus_files()]
    found += [("sample", sample.raw) for sample in all_samples()]
    found += [("sample", path.read_bytes()) for path in sorted(OWN_EML.rglob("*.eml"))]
    return found


def build(folder: Path, messages: int = 2000, seed: int = 20241122) -> dict:
    """Write the corpus into ``folder`` (made empty first); returns the manifest."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.eml"):
        old.unlink()
    real = real_messages()
    generated_count = max(0, messages - len(real) - 1)
    # timeline slots: real messages spread evenly, conversations in between
    items: list[tuple[float, dict, bytes]] = []
    for index, (kind, raw) in enumerate(real):
        message_id = _msgid(kind.replace("_", ""), index)
        items.append(((index + 0.5) / max(1, len(real)), {"kind": kind, "message_id": message_id},
                      with_message_id(raw, message_id)))
    serial = 0
    questions: list[dict] = []
    while serial < generated_count:
        lang = rng.choice(sorted(LANGUAGES))
        texts = LANGUAGES[lang]
        name = rng.choice(texts["names"])
        address = _address(name, lang, len(questions))
        subject = f"{rng.choice(texts['subjects'])} {len(questions) + 1}"
        position = rng.random() * 0.9
        thread: list[str] = []
        date = format_datetime(dt.datetime(2024, 5, 1, 9, tzinfo=dt.UTC) + dt.timedelta(minutes=serial))
        message_id = _msgid(f"q{lang}", serial)
        raw = human_mail(lang=lang, name=name, address=address, subject=subject, message_id=message_id,
                         body=texts["question"].format(n=serial, name=name), date=date,
                         attachment="chyba-přihlášení.png" if rng.random() < 0.2 else "")
        items.append((position, {"kind": "question", "message_id": message_id, "lang": lang}, raw))
        questions.append({"message_id": message_id, "address": address})
        thread.append(message_id)
        serial += 1
        for _reply in range(rng.choice((0, 1, 1, 2, 3))):
            if serial >= generated_count:
                break
            position += rng.random() * 0.02 + 0.0005
            message_id = _msgid(f"r{lang}", serial)
            raw = human_mail(lang=lang, name=name, address=address, subject="Re: " + subject,
                             message_id=message_id, body=texts["reply"].format(n=serial), date=date,
                             in_reply_to=thread[-1], references=tuple(thread),
                             attachment=rng.choice(("", "", "doklad.pdf", "snímek.png")))
            items.append((position, {"kind": "reply", "message_id": message_id, "thread": thread[0]}, raw))
            thread.append(message_id)
            serial += 1
        if serial < generated_count and rng.random() < 0.08:
            message_id = _msgid("auto", serial)
            items.append((position + 0.001, {"kind": "auto-reply", "message_id": message_id},
                          auto_reply(lang=lang, name=name, address=address, message_id=message_id, date=date)))
            serial += 1
        if serial < generated_count and rng.random() < 0.05:
            message_id = _msgid("bounce", serial)
            items.append((position + 0.002, {"kind": "bounce", "message_id": message_id},
                          bounce(failed=address, original_id=thread[0], message_id=message_id, date=date)))
            serial += 1
    items.sort(key=lambda item: item[0])
    # the broken mail in the middle: everything behind it must still be processed
    items.insert(len(items) // 2, (0.5, {"kind": "broken", "message_id": ""}, BROKEN))
    entries = []
    for number, (_position, entry, raw) in enumerate(items, start=1):
        entry["file"] = f"{number:05d}.eml"
        (folder / entry["file"]).write_bytes(raw)
        entries.append(entry)
    manifest = {"messages": len(entries), "entries": entries}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()
    manifest = build(args.folder, args.messages)
    kinds: dict[str, int] = {}
    for entry in manifest["entries"]:
        kinds[entry["kind"]] = kinds.get(entry["kind"], 0) + 1
    print(json.dumps({"folder": str(args.folder), "messages": manifest["messages"], "kinds": kinds}))


if __name__ == "__main__":
    main()
