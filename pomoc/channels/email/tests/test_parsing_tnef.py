"""Outlook's TNEF (winmail.dat): its files and its body are taken out, a corrupt or oversized one is
kept as it came (with a defect), mail without one is untouched.

The TNEF bytes are written here by ``tnef`` (the format as tnefparse reads it: MS-OXTNEF), and checked
against tnefparse itself, so that the tests do not depend on a sample file of unknown origin.
"""

import struct
from email.message import EmailMessage

import pytest
from tnefparse import TNEF

from pomoc.channels.email import parsing
from pomoc.channels.email.parsing import parse_mail
from pomoc.channels.email.tests.samples import PDF, PNG

# Attribute ids: the attribute type in the high word, the id in the low word (MS-OXTNEF 2.1.3.3).
ATT_TNEF_VERSION, ATT_OEM_CODEPAGE, ATT_BODY, ATT_MAPI_PROPS = 0x00089006, 0x00069007, 0x0002800C, 0x00069003
ATT_RENDDATA, ATT_TITLE, ATT_DATA, ATT_ATTACHMENT = 0x00069002, 0x00018010, 0x0006800F, 0x00069005
PT_LONG, PT_UNICODE, PT_BINARY = 0x0003, 0x001F, 0x0102
PR_BODY_HTML, PR_INTERNET_CPID, PR_ATTACH_LONG_FILENAME = 0x1013, 0x3FDE, 0x3707
LONG_NAME = "Nabídka – příloha č. 2 (podepsaná).pdf"


def attribute(level: int, attribute_id: int, data: bytes) -> bytes:
    return struct.pack("<BII", level, attribute_id, len(data)) + data + struct.pack("<H", sum(data) & 0xFFFF)


def padded(data: bytes) -> bytes:
    return data + b"\x00" * (-len(data) % 4)


def mapi_props(*props: tuple[int, int, object]) -> bytes:
    """A MAPI property list: (type, id, value) with value an int (PT_LONG), str (PT_UNICODE) or bytes."""
    out = struct.pack("<I", len(props))
    for ptype, pid, value in props:
        out += struct.pack("<HH", ptype, pid)
        if ptype == PT_LONG:
            out += struct.pack("<i", value)
            continue
        data = (value + "\x00").encode("utf-16-le") if ptype == PT_UNICODE else value
        out += struct.pack("<II", 1, len(data)) + padded(data)
    return out


def tnef(*, files=(), body: bytes | None = None, html: bytes | None = None) -> bytes:
    """TNEF as Outlook writes it: version and code page, the message's body, then one group of
    attributes per file (``files``: (8.3 name, long name or None, bytes))."""
    out = struct.pack("<IH", 0x223E9F78, 0x1234)
    out += attribute(1, ATT_TNEF_VERSION, struct.pack("<I", 0x10000))
    out += attribute(1, ATT_OEM_CODEPAGE, struct.pack("<II", 1252, 0))
    if html is not None:
        props = mapi_props((PT_LONG, PR_INTERNET_CPID, 65001), (PT_BINARY, PR_BODY_HTML, html))
        out += attribute(1, ATT_MAPI_PROPS, props)
    if body is not None:  # after the MAPI properties: tnefparse decodes a body before them with their code page
        out += attribute(1, ATT_BODY, body)
    for short_name, long_name, content in files:
        out += attribute(2, ATT_RENDDATA, b"\x01\x00\xff\xff\xff\xff\x00\x00\x00\x00\x00\x00\x00\x00")
        out += attribute(2, ATT_TITLE, short_name.encode("cp1252") + b"\x00")
        out += attribute(2, ATT_DATA, content)
        if long_name:
            out += attribute(2, ATT_ATTACHMENT, mapi_props((PT_UNICODE, PR_ATTACH_LONG_FILENAME, long_name)))
    return out


def outlook_mail(winmail: bytes, *, text: str | None = "Dobrý den, posílám nabídku.",
                 content_type: str = "application/ms-tnef", name: str = "winmail.dat") -> bytes:
    msg = EmailMessage()
    msg["From"] = "Jana Nováková <jana@example.cz>"
    msg["To"] = "support@pomoc.example"
    msg["Subject"] = "Nabídka"
    msg["Message-ID"] = "<tnef-1@example.cz>"
    if text is not None:
        msg.set_content(text)
    maintype, subtype = content_type.split("/")
    msg.add_attachment(winmail, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


TWO_FILES = tnef(files=[("NABIDK~1.PDF", LONG_NAME, PDF), ("image001.png", None, PNG)])


def test_the_writer_round_trips_through_tnefparse():
    decoded = TNEF(TWO_FILES)
    assert [(a.long_filename(), a.data) for a in decoded.attachments] == [(LONG_NAME, PDF), ("image001.png", PNG)]
    body = TNEF(tnef(body=b"Plain body", html="<p>Žluťoučký</p>".encode()))
    assert (body.body, body.htmlbody) == (b"Plain body", "<p>Žluťoučký</p>")
    cut = TNEF(TWO_FILES[:-10]).attachments[-1].data  # tnefparse hands over a cut file as if whole
    assert PNG.startswith(cut) and len(cut) < len(PNG)


def test_winmail_dat_gives_its_files_with_their_long_names_and_bytes():
    parsed = parse_mail(outlook_mail(TWO_FILES))
    assert [(a.file_name, a.content_type, a.content, a.inline) for a in parsed.attachments] == [
        (LONG_NAME, "application/pdf", PDF, False), ("image001.png", "image/png", PNG, False)]
    assert parsed.text == "Dobrý den, posílám nabídku.\n" and parsed.defects == []


@pytest.mark.parametrize(("content_type", "name"), [
    ("application/vnd.ms-tnef", "winmail.dat"), ("application/octet-stream", "WINMAIL.DAT"),
    ("application/ms-tnef", "att00001.dat"),
])
def test_tnef_is_recognised_by_its_type_or_its_name(content_type, name):
    parsed = parse_mail(outlook_mail(TWO_FILES, content_type=content_type, name=name))
    assert [a.file_name for a in parsed.attachments] == [LONG_NAME, "image001.png"]


def test_an_8_3_name_in_the_code_page_is_decoded():
    """Older Outlook writes only the 8.3 title, in the message's code page (tnefparse reads it as UTF-8)."""
    winmail = tnef(files=[("NABÍDKA.PDF", None, PDF)])
    assert [(a.file_name, a.content) for a in parse_mail(outlook_mail(winmail)).attachments] == [("NABÍDKA.PDF", PDF)]


def test_a_body_only_in_the_tnef_becomes_the_mails_text_and_html():
    winmail = tnef(body=b"Tisk\xe1rna nefunguje.", html="<p>Tiskárna <b>nefunguje</b>.</p>".encode())
    parsed = parse_mail(outlook_mail(winmail, text=None))
    assert parsed.text == "Tiskárna nefunguje."  # attBody in the code page (1252)
    assert parsed.html == "<p>Tiskárna <b>nefunguje</b>.</p>"
    assert parsed.attachments == [] and parsed.defects == []


def test_the_mails_own_body_wins_over_the_one_in_the_tnef():
    parsed = parse_mail(outlook_mail(tnef(body=b"from TNEF", files=[("a.png", None, PNG)])))
    assert parsed.text == "Dobrý den, posílám nabídku.\n" and parsed.html == ""
    assert [a.content for a in parsed.attachments] == [PNG]


@pytest.mark.parametrize("winmail", [
    b"not TNEF at all",
    TWO_FILES[:-10],  # cut inside the last file
    struct.pack("<IH", 0x223E9F78, 1) + attribute(2, ATT_DATA, PDF),  # file data before any file starts
], ids=["no-signature", "truncated", "data-without-attachment"])
def test_a_corrupt_tnef_is_kept_as_an_attachment_with_a_defect(winmail):
    parsed = parse_mail(outlook_mail(winmail))
    assert [(a.file_name, a.content_type, a.content) for a in parsed.attachments] == [
        ("winmail.dat", "application/ms-tnef", winmail)]
    assert len(parsed.defects) == 1 and parsed.defects[0].startswith("unreadable TNEF (winmail.dat)")
    assert parsed.text == "Dobrý den, posílám nabídku.\n"


def test_a_forged_property_count_is_refused_before_tnefparse_loops_over_it():
    """tnefparse loops as often as a count in the data says: four billion properties in a few bytes."""
    forged = struct.pack("<IH", 0x223E9F78, 1) + attribute(1, ATT_MAPI_PROPS, struct.pack("<I", 0xFFFFFFFF))
    parsed = parse_mail(outlook_mail(forged))
    assert [a.content for a in parsed.attachments] == [forged]
    assert parsed.defects == ["TNEF (winmail.dat) too large to unpack; kept as an attachment"]


def test_more_files_than_the_bound_keep_the_winmail_dat_whole(monkeypatch):
    monkeypatch.setattr(parsing, "MAX_TNEF_ATTACHMENTS", 2)
    three = tnef(files=[(f"f{i}.png", None, PNG) for i in range(3)])
    parsed = parse_mail(outlook_mail(three))
    assert [a.file_name for a in parsed.attachments] == ["winmail.dat"]
    assert parsed.defects == ["TNEF (winmail.dat) too large to unpack; kept as an attachment"]
    assert [a.file_name for a in parse_mail(outlook_mail(TWO_FILES)).attachments] == [LONG_NAME, "image001.png"]


def test_an_empty_tnef_stays_as_it_came():
    empty = tnef()
    parsed = parse_mail(outlook_mail(empty))
    assert [a.content for a in parsed.attachments] == [empty] and parsed.defects == []


def test_a_mail_without_tnef_is_unchanged():
    msg = EmailMessage()
    msg["From"] = "jana@example.cz"
    msg["Subject"] = "Data"
    msg.set_content("see the file")
    msg.add_attachment(TWO_FILES, maintype="application", subtype="octet-stream", filename="data.bin")
    parsed = parse_mail(msg.as_bytes())
    assert [(a.file_name, a.content_type, a.content) for a in parsed.attachments] == [
        ("data.bin", "application/octet-stream", TWO_FILES)]
    assert parsed.text == "see the file\n" and parsed.defects == []


@pytest.mark.django_db
def test_the_ticket_message_gets_the_files_from_the_winmail_dat():
    from pomoc.channels.email.tests.helpers import ingest, make_inbox
    from pomoc.tickets.models import Message

    _raw_mail, result = ingest(make_inbox(), outlook_mail(TWO_FILES))

    assert result.status == "stored" and result.created
    attachments = list(Message.objects.get(pk=result.message_id).attachments.all())
    assert [(a.file_name, a.content_type, a.size) for a in attachments] == [
        (LONG_NAME, "application/pdf", len(PDF)), ("image001.png", "image/png", len(PNG))]
    assert [a.file.read() for a in attachments] == [PDF, PNG]
