import pytest

from pomoc.accounts.models import Department
from pomoc.channels.email.models import RawMailStatus
from pomoc.contacts.models import Identity, IdentityKind
from pomoc.tickets.models import Channel, EventType, Message, MessageKind, Ticket

from .helpers import PNG, ingest, mail, make_inbox

pytestmark = pytest.mark.django_db


def test_new_mail_opens_a_ticket_with_subject_sender_text_and_attachments():
    department = Department.objects.create(name="Hardware")
    inbox = make_inbox(department=department)
    raw = mail(html="<p>Dobrý den, <b>tiskne</b> prázdné.</p><script>alert(1)</script>",
               attachments=[("log ž.txt", b"line 1\nline 2\n", "text", "plain"),
                            ("screen.png", PNG, "image", "png")])

    raw_mail, result = ingest(inbox, raw)

    assert result.status == "stored" and result.created and not result.duplicate
    assert result.classification == "human"
    ticket = Ticket.objects.get(number=result.ticket_number)
    assert ticket.subject == "Tiskárna nefunguje"
    assert ticket.channel == Channel.EMAIL and ticket.department == department
    identity = Identity.objects.get(kind=IdentityKind.EMAIL, value="jana@example.cz")
    assert ticket.requester == identity.contact and identity.contact.name == "Jana Nováková"
    message = Message.objects.get(pk=result.message_id)
    assert message.ticket == ticket and message.kind == MessageKind.CUSTOMER
    assert message.author_contact == identity.contact and message.inbox == inbox
    assert "tiskne prázdné" in message.body_text
    assert "<b>tiskne</b>" in message.body_html and "script" not in message.body_html
    assert message.external_id.startswith("<") and message.external_id.endswith("@example.cz>")
    files = {a.file_name: a.file.read() for a in message.attachments.all()}
    assert files == {"log ž.txt": b"line 1\nline 2\n", "screen.png": PNG}
    assert ticket.events.filter(type=EventType.CREATED).exists()

    raw_mail.refresh_from_db()
    assert raw_mail.status == RawMailStatus.STORED and raw_mail.message == message
    assert bytes(raw_mail.raw) == raw and raw_mail.size == len(raw) and raw_mail.attempts == 1
    assert raw_mail.message_id_header == message.external_id


def test_empty_subject_and_body_still_make_a_ticket():
    inbox = make_inbox()
    _raw_mail, result = ingest(inbox, mail(subject="", text=""))
    assert result.status == "stored"
    ticket = Ticket.objects.get(number=result.ticket_number)
    assert ticket.subject == "(no subject)"
    assert Message.objects.get(pk=result.message_id).body_text.strip() == "(empty message)"


def test_inline_image_keeps_its_content_id():
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"] = "petr@example.cz"
    msg["Subject"] = "Screenshot"
    msg["Message-ID"] = "<inline-1@example.cz>"
    msg.set_content("see the picture")
    msg.add_alternative('<p>see <img src="cid:pic1@example.cz"></p>', subtype="html")
    msg.get_payload()[1].add_related(PNG, maintype="image", subtype="png", cid="<pic1@example.cz>")
    _raw_mail, result = ingest(make_inbox(), msg.as_bytes())
    attachment = Message.objects.get(pk=result.message_id).attachments.get()
    assert attachment.content_id == "pic1@example.cz" and attachment.file.read() == PNG


def test_an_internationalised_sender_address_opens_a_ticket():
    """RFC 6531: a local part in another script than ASCII is a real address, not an unusable one."""
    inbox = make_inbox()
    raw = ("From: Jürgen Döe <jdöe@mächine.example>\r\nTo: support@pomoc.example\r\n"
           "Subject: Grüße\r\nMessage-ID: <eai-1@mächine.example>\r\nMIME-Version: 1.0\r\n"
           "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
           "Hallo, es geht um meine Bestellung.\r\n").encode()

    _raw_mail, result = ingest(inbox, raw)

    assert result.status == "stored" and result.created
    identity = Identity.objects.get(kind=IdentityKind.EMAIL, value="jdöe@mächine.example")
    assert Ticket.objects.get(number=result.ticket_number).requester == identity.contact


@pytest.mark.parametrize("encoded", [
    "=?utf-8?q?Jana=0ANov=C3=A1kov=C3=A1?=",  # a line feed
    "=?utf-8?b?SmFuYQ0KTm92w6Frb3bDoQ==?=",  # a carriage return and a line feed
])
def test_a_display_name_that_decodes_to_a_line_break_is_cleaned_not_refused(encoded):
    inbox = make_inbox()
    raw = mail(sender="jana@example.cz").replace(b"From: jana@example.cz",
                                                 f"From: {encoded} <jana@example.cz>".encode())
    assert f"From: {encoded}".encode() in raw
    _raw_mail, result = ingest(inbox, raw)
    assert result.status == "stored" and result.created
    ticket = Ticket.objects.get(number=result.ticket_number)
    assert ticket.requester.name == "Jana Nováková"
    assert Identity.objects.get(contact=ticket.requester, kind=IdentityKind.EMAIL).value == "jana@example.cz"
