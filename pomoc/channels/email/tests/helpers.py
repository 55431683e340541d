"""Building mails and running them through the pipeline, for the inbox tests."""

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from django.utils import timezone

from pomoc.channels.email.ingest import process, receive_raw
from pomoc.channels.models import Inbox

EML = Path(__file__).resolve().parent / "eml"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def make_inbox(**kwargs) -> Inbox:
    values = {"name": "Support", "address": "Support@Pomoc.Example"} | kwargs
    return Inbox.objects.create(**values)


def mail(*, sender="Jana Nováková <jana@example.cz>", subject="Tiskárna nefunguje", text="Dobrý den, tiskne prázdné.",
         html=None, message_id=None, in_reply_to=None, references=None, attachments=(), headers=None) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "support@pomoc.example"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(timezone.now())
    msg["Message-ID"] = message_id or make_msgid(domain="example.cz")
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = references
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    for name, content, maintype, subtype in attachments:
        msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


def ingest(inbox: Inbox, raw: bytes):
    raw_mail = receive_raw(inbox=inbox, raw=raw)
    return raw_mail, process(raw_mail.pk)
