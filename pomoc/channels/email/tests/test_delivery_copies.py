"""Writing to customers, as it leaves: a reply written in the page's composer goes through a real SMTP
server (aiosmtpd on a free port) with its Cc in the headers, its Bcc only in the envelope, an HTML
part and a plain-text part saying the same, the signatures, and pictures pasted into the text inline."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pomoc.accounts.models import Role
from pomoc.testing.factories import ContactFactory, UserFactory
from pomoc.tickets.models import DeliveryState, Message, MessageKind, Ticket

from .test_delivery_smtp import customer_mail, ingest, make_inbox
from .test_delivery_smtp import smtp as smtp  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x9a\xa0\xa0\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture
def agent(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    user = UserFactory(username="writer", first_name="Eva", last_name="Písařová", role=Role.ADMINISTRATOR,
                       signature="Eva Písařová\nSupport")
    client.force_login(user)
    return user


@pytest.fixture
def ticket(smtp):  # noqa: F811 - the fixture
    inbox = make_inbox(smtp.port)
    inbox.signature = "Pomoc s.r.o. · https://pomoc.example"
    inbox.save()
    result = ingest(inbox, customer_mail())
    return Ticket.objects.get(number=result.ticket_number)


def post_reply(client, ticket, captured, **data):
    with captured(execute=True):  # the delivery task queued after the commit runs now, as a worker would
        return client.post(reverse("tickets:reply", args=[ticket.number]), data, format="multipart")


def test_a_reply_with_cc_and_bcc_leaves_with_both_parts_and_the_bcc_only_in_the_envelope(
        client, agent, ticket, smtp, django_capture_on_commit_callbacks):  # noqa: F811
    html = ('<div>Dobrý den,</div><div>posíláme <b>nový toner</b>:</div><ul><li>černý</li><li>barevný</li></ul>'
            '<div>Návod: <a href="https://pomoc.example/toner">stránka s návodem</a></div>'
            '<img src="x" onerror="alert(1)"><script>alert(2)</script>')
    response = post_reply(client, ticket, django_capture_on_commit_callbacks, body="(plain text from the browser)",
                          body_html=html, cc="Petr@Kolega.example, petr@kolega.example; sklad@zakaznik.example",
                          bcc="vedouci@pomoc.example", signed="on")
    assert response.status_code == 302
    reply = Message.objects.get(ticket=ticket, kind=MessageKind.REPLY)
    assert reply.delivery_state == DeliveryState.SENT, reply.delivery_error
    assert reply.cc == ["Petr@Kolega.example", "sklad@zakaznik.example"]  # the same address once
    assert reply.bcc == ["vedouci@pomoc.example"]

    [envelope] = smtp.handler.envelopes
    assert sorted(envelope.rcpt_tos) == ["Petr@Kolega.example", "jana@zakaznik.example", "sklad@zakaznik.example",
                                         "vedouci@pomoc.example"]
    mail = smtp.handler.mail()
    assert [a.addr_spec for a in mail["To"].addresses] == ["jana@zakaznik.example"]
    assert [a.addr_spec for a in mail["Cc"].addresses] == ["Petr@Kolega.example", "sklad@zakaznik.example"]
    assert mail["Bcc"] is None and b"vedouci" not in envelope.content  # nowhere in what the recipients read
    plain = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    rich = mail.get_body(("html",)).get_content()
    # The plain part is derived from the HTML, not taken from the browser.
    assert plain.strip().startswith("Dobrý den,\nposíláme nový toner:\n\n- černý\n- barevný")
    assert "stránka s návodem <https://pomoc.example/toner>" in plain
    assert "(plain text from the browser)" not in plain
    assert "<b>nový toner</b>" in rich and "<li>barevný</li>" in rich
    assert 'href="https://pomoc.example/toner"' in rich
    assert "onerror" not in rich and "<script" not in rich and "alert(2)" not in rich
    # The agent's signature, then the inbox's, in both parts.
    assert plain.rstrip().endswith("-- \nEva Písařová\nSupport\n\nPomoc s.r.o. · https://pomoc.example")
    assert "Eva Písařová<br>Support" in rich and "Pomoc s.r.o." in rich


def test_a_reply_without_the_signature_and_without_copies(client, agent, ticket, smtp,  # noqa: F811
                                                          django_capture_on_commit_callbacks):
    post_reply(client, ticket, django_capture_on_commit_callbacks, body="Hotovo.")
    mail = smtp.handler.mail()
    assert mail["Cc"] is None
    assert smtp.handler.envelopes[0].rcpt_tos == ["jana@zakaznik.example"]
    assert mail.get_body(("plain",)).get_content().replace("\r\n", "\n").strip() == "Hotovo."
    assert "Písařová" not in mail.get_body(("html",)).get_content()


def test_a_picture_pasted_into_the_text_goes_inline_with_its_content_id(client, agent, ticket, smtp,  # noqa: F811
                                                                       django_capture_on_commit_callbacks):
    picture = SimpleUploadedFile("img-0a1b2c3d4e5f6a7b.png", PNG, content_type="image/png")
    document = SimpleUploadedFile("návod.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    post_reply(client, ticket, django_capture_on_commit_callbacks, body="Takhle:",
               body_html='<div>Takhle:</div><img src="cid:img-0a1b2c3d4e5f6a7b" alt="Snímek">',
               inline=[picture], attachments=[document])
    reply = Message.objects.get(ticket=ticket, kind=MessageKind.REPLY)
    assert sorted(reply.attachments.values_list("content_id", flat=True)) == ["", "img-0a1b2c3d4e5f6a7b"]
    mail = smtp.handler.mail()
    assert 'src="cid:img-0a1b2c3d4e5f6a7b"' in mail.get_body(("html",)).get_content()
    parts = {part.get_content_type(): part for part in mail.walk() if not part.is_multipart()}
    image = parts["image/png"]
    assert image["Content-ID"] == "<img-0a1b2c3d4e5f6a7b>"
    assert image.get_content_disposition() == "inline"
    assert image.get_content() == PNG
    assert parts["application/pdf"].get_filename() == "návod.pdf"
    # On the ticket page the picture is shown from the message's own attachment.
    page = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    inline = reply.attachments.get(content_id="img-0a1b2c3d4e5f6a7b")
    assert reverse("tickets:inline-image", args=[inline.public_id]) in page


def test_wrong_copy_addresses_are_refused_with_the_reason_and_nothing_is_sent(
        client, agent, ticket, smtp, django_capture_on_commit_callbacks):  # noqa: F811
    response = post_reply(client, ticket, django_capture_on_commit_callbacks, body="Hotovo.",
                          cc="petr@kolega.example, not an address")
    assert response.status_code == 400
    assert "Not a valid e-mail address: not, an, address" in response.content.decode()
    assert not Message.objects.filter(ticket=ticket, kind=MessageKind.REPLY).exists()
    assert smtp.handler.envelopes == []


def test_a_forward_of_one_message_goes_to_the_address_with_its_attachments(
        client, agent, ticket, smtp, django_capture_on_commit_callbacks):  # noqa: F811
    first = ticket.messages.get()
    url = reverse("tickets:forward", args=[ticket.number])
    page = client.get(url, {"message": first.pk})
    assert page.status_code == 200 and "Prosím o pomoc." in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"message": first.pk, "to": "servis@dodavatel.example",
                                     "bcc": "archiv@pomoc.example", "body": "Můžete se na to podívat?",
                                     "signed": "on"})
    assert response.status_code == 302
    forward = Message.objects.get(ticket=ticket, kind=MessageKind.FORWARD)
    assert forward.delivery_state == DeliveryState.SENT, forward.delivery_error
    mail = smtp.handler.mail()
    assert smtp.handler.envelopes[0].rcpt_tos == ["servis@dodavatel.example", "archiv@pomoc.example"]
    assert [a.addr_spec for a in mail["To"].addresses] == ["servis@dodavatel.example"]
    assert mail["Bcc"] is None and mail["Cc"] is None
    assert str(mail["Subject"]) == f"Fwd: Tiskárna hoří [#{ticket.number}]"
    assert mail["In-Reply-To"] is None and mail["Message-ID"] == forward.external_id
    plain = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert plain.startswith("Můžete se na to podívat?\n\n-- \nEva Písařová")
    assert "---------- Forwarded message ----------\nFrom: Jana Nováková" in plain
    assert "Prosím o pomoc." in plain
    assert "<blockquote>" in mail.get_body(("html",)).get_content()
    # The ticket's status and response times are not touched by a forward.
    ticket.refresh_from_db()
    assert ticket.first_response_at is None


def test_a_forward_of_the_whole_ticket_carries_every_message_and_no_note(
        client, agent, ticket, smtp, django_capture_on_commit_callbacks):  # noqa: F811
    from pomoc.tickets import services

    services.message_add(ticket=ticket, kind=MessageKind.NOTE, actor=agent, body_text="Interní poznámka")
    with django_capture_on_commit_callbacks(execute=True):
        services.message_add(ticket=ticket, kind=MessageKind.REPLY, actor=agent, body_text="Posíláme toner.")
        client.post(reverse("tickets:forward", args=[ticket.number]),
                    {"to": "servis@dodavatel.example", "cc": "kolega@pomoc.example"})
    mail = smtp.handler.mail()
    assert [a.addr_spec for a in mail["Cc"].addresses] == ["kolega@pomoc.example"]
    plain = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert plain.count("---------- Forwarded message ----------") == 2
    assert "Prosím o pomoc." in plain and "Posíláme toner." in plain
    assert "Interní poznámka" not in plain


def test_a_forward_needs_an_address(client, agent, ticket):
    response = client.post(reverse("tickets:forward", args=[ticket.number]), {"to": "", "body": "?"})
    assert response.status_code == 400
    assert not Message.objects.filter(kind=MessageKind.FORWARD).exists()
    response = client.post(reverse("tickets:forward", args=[ticket.number]), {"to": "x@", "body": "?"})
    assert response.status_code == 400 and "Not a valid e-mail address: x@" in response.content.decode()


def test_a_new_ticket_can_start_with_a_message_to_the_customer(client, agent, smtp,  # noqa: F811
                                                               django_capture_on_commit_callbacks):
    inbox = make_inbox(smtp.port)
    customer = ContactFactory(name="Marek Nový", email="marek@zakaznik.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("tickets:new"), {
            "direction": "outbound", "contact": customer.pk, "reply_inbox": str(inbox.pk),
            "subject": "Vaše objednávka", "body_html": "<div>Objednávka je <i>připravena</i>.</div>",
            "body": "Objednávka je připravena.", "cc": "ucetni@zakaznik.example", "priority": "2",
        })
    assert response.status_code == 302
    ticket = Ticket.objects.get(subject="Vaše objednávka")
    first = ticket.messages.get()
    assert first.kind == MessageKind.REPLY and first.delivery_state == DeliveryState.SENT, first.delivery_error
    assert ticket.requester == customer and ticket.status == "open"  # started by us: not waiting in "new"
    mail = smtp.handler.mail()
    assert [a.addr_spec for a in mail["To"].addresses] == ["marek@zakaznik.example"]
    assert [a.addr_spec for a in mail["Cc"].addresses] == ["ucetni@zakaznik.example"]
    assert str(mail["Subject"]) == f"Re: Vaše objednávka [#{ticket.number}]"
    assert mail.get_body(("plain",)).get_content().replace("\r\n", "\n").strip() == "Objednávka je připravena."
    assert "<i>připravena</i>" in mail.get_body(("html",)).get_content()
