"""A canned response rendered for a ticket: placeholders from ticket, customer and agent, the variant
in the customer's language, its attachments; names and templates checked when saved; usage counted."""

import pytest
from django.core.exceptions import ValidationError

from pomoc.automation.canned.models import CannedResponse
from pomoc.automation.canned.services import canned_create, canned_render, canned_update, canned_used
from pomoc.testing.factories import ContactFactory, UserFactory, make_ticket
from pomoc.tickets import services as ticket_services
from pomoc.tickets.attachments import NewAttachment
from pomoc.tickets.models import MessageKind

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _customer(language=""):
    contact = ContactFactory(name="Mari Tamm")
    contact.language = language
    contact.save()
    return contact


def test_placeholders_are_filled_for_the_ticket_and_agent():
    agent = UserFactory(first_name="Petr", last_name="Malý")
    ticket = make_ticket(requester=_customer(), subject="Login")
    canned = canned_create(actor=agent, name="hi", body="Hello {{ customer.first_name }}, about #{{ ticket.number }} "
                                                           "({{ ticket.subject }}). {{ agent.name }}")
    text, html, files = canned_render(canned, ticket=ticket, agent=agent)
    assert text == f"Hello Mari, about #{ticket.number} (Login). Petr Malý"
    assert "Hello Mari" in html and files == []


def test_the_variant_in_the_customers_language_is_chosen():
    agent = UserFactory()
    canned = canned_create(actor=agent, name="thanks", body="Thank you, {{ customer.first_name }}.",
                           variants={"et": "Aitäh, {{ customer.first_name }}!",
                                     "cs": "Děkujeme, {{ ticket.priority }}.", "pl": "  "})
    assert sorted(v.language for v in canned.variants.all()) == ["cs", "et"]  # an empty text is no variant
    assert canned_render(canned, ticket=make_ticket(requester=_customer("et")), agent=agent)[0] == "Aitäh, Mari!"
    czech = make_ticket(requester=_customer("cs-CZ"))
    assert canned_render(canned, ticket=czech, agent=agent)[0] == "Děkujeme, Normální."
    assert canned_render(canned, ticket=make_ticket(requester=_customer("pl")), agent=agent)[0] == "Thank you, Mari."
    assert canned_render(canned, ticket=None, agent=agent)[0] == "Thank you, ."


def test_attachments_are_carried_into_the_reply():
    agent = UserFactory()
    canned = canned_create(actor=agent, name="manual", body="The manual is attached.",
                           attachments=[NewAttachment(file_name="manual.png", content=PNG, content_type="image/png")])
    ticket = make_ticket()
    text, html, files = canned_render(canned, ticket=ticket, agent=agent)
    reply = ticket_services.message_add(ticket=ticket, kind=MessageKind.REPLY, actor=agent, body_text=text,
                                        attachments=files)
    [attachment] = reply.attachments.all()
    assert (attachment.file_name, attachment.content_type, attachment.file.read()) == ("manual.png", "image/png", PNG)


def test_usage_is_counted():
    canned = canned_create(actor=UserFactory(), name="x", body="x")
    canned_used(canned=canned)
    canned_used(canned=canned)
    canned.refresh_from_db()
    assert canned.usage_count == 2 and canned.last_used_at is not None


@pytest.mark.parametrize(("name", "body"), [
    ("Has Space", "x"), ("", "x"), ("a" * 51, "x"), ("ok", "   "), ("ok", "{% if %}"), ("ok", "nul\x00"),
])
def test_bad_names_and_texts_are_refused(name, body):
    with pytest.raises(ValidationError):
        canned_create(actor=UserFactory(), name=name, body=body)
    assert not CannedResponse.objects.exists()


def test_a_name_is_unique_within_its_scope_and_owner():
    agent = UserFactory()
    canned_create(actor=agent, name="dup", body="one")
    with pytest.raises(ValidationError):
        canned_create(actor=agent, name="#DUP", body="two")
    canned_create(actor=UserFactory(), name="dup", body="another agent's")
    other = canned_create(actor=agent, name="other", body="x")
    with pytest.raises(ValidationError):
        canned_update(canned=other, actor=agent, changes={"name": "dup"})
