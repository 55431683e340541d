"""Internationalised addresses (RFC 6531, ``jdöe@mächine.example``): the agent's new-ticket form accepts
what contacts and incoming mail accept, the ticket's requester keeps the address, and a reply to it
leaves with SMTPUTF8 through a real aiosmtpd server, or fails visibly where the server lacks it."""

import email
import email.policy

import pytest
from django.urls import reverse
from django.utils import translation

from pomoc.channels import outbound as delivery
from pomoc.testing.factories import ContactFactory, DepartmentFactory, UserFactory, make_ticket
from pomoc.tickets.forms import NewTicketForm
from pomoc.tickets.models import Channel, DeliveryState, Priority, Ticket

from .test_delivery_smtp import SMTPServer, make_inbox, reply

pytestmark = pytest.mark.django_db

INTERNATIONAL = "jdöe@mächine.example"
ENVELOPE = "jdöe@xn--mchine-bua.example"  # the domain as its A-label, the local part as it is


def form(email):
    return NewTicketForm({"requester_email": email, "subject": "Called", "body": "About the invoice.",
                          "priority": Priority.NORMAL})


@pytest.mark.parametrize("address", [INTERNATIONAL, "Jana.Nováková@firma.example", "用户@例子.广告",
                                     "petr@example.org", "support@mächine.example"])
def test_the_form_accepts_what_contacts_accept(address):
    bound = form(address)
    assert bound.is_valid(), bound.errors
    assert bound.cleaned_data["requester_email"] == address


@pytest.mark.parametrize("address", ["garbage", "jdöe@", "@mächine.example", "jdöe@mächine", "a b@example.org",
                                     "jdöe@mächine.example@x.example", "jd..öe@mächine.example"])
def test_the_form_still_refuses_garbage_with_a_translated_error(address):
    bound = form(address)
    assert not bound.is_valid()
    assert bound.errors["requester_email"] == ["Not a valid e-mail address."]
    with translation.override("cs"):
        bound = form(address)
        assert not bound.is_valid()
        assert bound.errors["requester_email"] != ["Not a valid e-mail address."]  # translated


def test_the_input_lets_the_browser_submit_such_an_address():
    """``type="email"`` would make the browser refuse ``jdöe@…`` before the form is sent."""
    html = str(form("")["requester_email"])
    assert 'type="text"' in html and 'inputmode="email"' in html


def test_a_new_ticket_keeps_the_address_as_the_requester_identity(client):
    agent = UserFactory(username="idn-agent")
    department = DepartmentFactory(name="Support")
    department.members.add(agent)
    client.force_login(agent)
    response = client.post(reverse("tickets:new"), {
        "requester_email": "JDöe@Mächine.example", "requester_name": "Jan Döe", "subject": "Telefonát",
        "body": "Volal kvůli faktuře.", "department": department.pk, "priority": Priority.NORMAL,
    })
    ticket = Ticket.objects.get(subject="Telefonát")
    assert response.status_code == 302
    assert ticket.channel == Channel.AGENT
    assert ticket.requester.name == "Jan Döe"
    assert ticket.requester.identities.get().value == INTERNATIONAL  # stored lower-cased, as every address


def utf8_mail(envelope):
    """The mail as a UTF-8 reader sees it (RFC 6532: header fields in UTF-8, not encoded words)."""
    return email.message_from_string(envelope.content.decode("utf-8"), policy=email.policy.default)


def test_a_reply_to_an_international_address_leaves_with_smtputf8():
    with SMTPServer(enable_SMTPUTF8=True) as server:
        make_inbox(server.port)
        requester = ContactFactory(name="Jan Döe", email=INTERNATIONAL)
        colleague = ContactFactory(name="Petr", email="petr@zakaznik.example")
        ticket = make_ticket(requester=requester, subject="Faktura")
        ticket.participants.add(colleague)
        sent = reply(ticket, "Posíláme fakturu.")
    assert sent.delivery_state == DeliveryState.SENT, sent.delivery_error
    envelope = server.handler.envelopes[0]
    assert "SMTPUTF8" in [option.upper() for option in envelope.mail_options]
    assert envelope.mail_from == "support@pomoc.example"
    assert sorted(envelope.rcpt_tos) == [ENVELOPE, "petr@zakaznik.example"]  # never an encoded word
    assert 'To: "Jan Döe" <jdöe@mächine.example>' in envelope.content.decode("utf-8")  # not an encoded word
    mail = utf8_mail(envelope)
    assert mail["To"].addresses[0].addr_spec == INTERNATIONAL
    assert mail["To"].addresses[0].display_name == "Jan Döe"
    assert [a.addr_spec for a in mail["Cc"].addresses] == ["petr@zakaznik.example"]
    assert mail["From"].addresses[0].addr_spec == "support@pomoc.example"
    assert str(mail["Subject"]) == f"Re: Faktura [#{ticket.number}]"
    assert mail["Message-ID"] == sent.external_id
    body = server.handler.mail().get_body(("plain",))  # the 8-bit body, read as bytes
    assert body.get_content().strip() == "Posíláme fakturu."


def test_without_smtputf8_the_reply_fails_saying_why_and_nothing_leaves():
    with SMTPServer(enable_SMTPUTF8=False) as server:
        make_inbox(server.port)
        ticket = make_ticket(requester=ContactFactory(email=INTERNATIONAL))
        sent = reply(ticket, deliver=False)
        assert delivery.deliver(sent.pk) == delivery.FAILED  # the server will not learn it by a retry
    sent.refresh_from_db()
    assert sent.delivery_state == DeliveryState.FAILED
    assert INTERNATIONAL in sent.delivery_error and "SMTPUTF8" in sent.delivery_error
    assert server.handler.envelopes == []


def test_an_inbox_with_an_international_address_sends_from_it_with_smtputf8():
    with SMTPServer(enable_SMTPUTF8=True) as server:
        make_inbox(server.port, address="pódpora@mächine.example")
        ticket = make_ticket(requester=ContactFactory(email="petr@zakaznik.example"))
        sent = reply(ticket)
    assert sent.delivery_state == DeliveryState.SENT, sent.delivery_error
    envelope = server.handler.envelopes[0]
    assert envelope.mail_from == "pódpora@xn--mchine-bua.example"
    assert sent.external_id.endswith("@xn--mchine-bua.example>")  # a Message-ID is ASCII
    mail = utf8_mail(envelope)
    assert mail["From"].addresses[0].addr_spec == "pódpora@mächine.example"
    assert str(mail["Reply-To"]) == "pódpora@mächine.example"


def test_an_idn_domain_alone_needs_no_smtputf8():
    """Only a local part cannot be written in ASCII; a domain has its A-label."""
    with SMTPServer(enable_SMTPUTF8=False) as server:
        make_inbox(server.port, address="support@mächine.example")
        ticket = make_ticket(requester=ContactFactory(email="jana@zákazník.example"))
        sent = reply(ticket)
    assert sent.delivery_state == DeliveryState.SENT, sent.delivery_error
    envelope = server.handler.envelopes[0]
    assert envelope.mail_from == "support@xn--mchine-bua.example"
    assert envelope.rcpt_tos == ["jana@xn--zkaznk-pta4h.example"]
    assert sent.external_id.endswith("@xn--mchine-bua.example>")
