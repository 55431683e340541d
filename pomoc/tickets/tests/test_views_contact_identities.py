"""Agents add an e-mail address or phone number on the contact page (a contact made from mail
without a usable sender has none, so replies to it cannot go out until one is added)."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from pomoc.channels import outbound as delivery
from pomoc.contacts.models import Contact, Identity
from pomoc.testing.factories import UserFactory, make_customer_user, make_ticket
from pomoc.tickets import services
from pomoc.tickets.models import MessageKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client(client):
    client.force_login(UserFactory(username="contact-editor"))
    return client


def _add(client, contact, kind="email", value="jana@example.cz"):
    return client.post(reverse("customers:contact-identity-add", args=[contact.pk]), {"kind": kind, "value": value})


def test_an_agent_adds_an_address_and_the_refused_reply_can_then_be_sent(agent_client):
    contact = Contact.objects.create(name="(unknown sender)")
    ticket = make_ticket(requester=contact)
    with pytest.raises(ValidationError) as refused:
        services.message_add(ticket=ticket, kind=MessageKind.REPLY, actor=UserFactory(), body_text="Hello")
    assert "no e-mail address" in str(refused.value)

    response = _add(agent_client, contact, value="  Jana@Example.CZ ")

    assert response.status_code == 302 and response.url == reverse("customers:contact", args=[contact.pk])
    assert list(contact.identities.values_list("kind", "value")) == [("email", "jana@example.cz")]
    page = agent_client.get(response.url).content.decode()
    assert "jana@example.cz" in page and "Added to the contact." in page
    reply = services.message_add(ticket=ticket, kind=MessageKind.REPLY, actor=UserFactory(), body_text="Hello")
    assert reply.delivery_state == "queued" and reply.recipient.value == "jana@example.cz"
    assert delivery.deliver(reply.pk) == delivery.SENT
    assert mail.outbox[-1].to == ['"(unknown sender)" <jana@example.cz>']


def test_a_phone_number_is_stored_in_e164(agent_client):
    contact = Contact.objects.create(name="Piotr")
    assert _add(agent_client, contact, kind="phone", value="0048 601 234 567").status_code == 302
    assert contact.identities.get().value == "+48601234567"


@pytest.mark.parametrize(("kind", "value", "error"), [
    ("email", "not an address", "is not a valid e-mail address"),
    ("phone", "12", "is not a valid phone number"),
])
def test_invalid_values_are_shown_on_the_form_and_nothing_is_added(agent_client, kind, value, error):
    contact = Contact.objects.create(name="Mari")
    response = _add(agent_client, contact, kind=kind, value=value)
    assert response.status_code == 400 and error in response.content.decode()
    assert not contact.identities.exists()


def test_an_address_of_another_contact_is_refused(agent_client):
    owner = Contact.objects.create(name="Owner")
    Identity.objects.create(contact=owner, kind="email", value="taken@example.cz")
    contact = Contact.objects.create(name="Other")
    response = _add(agent_client, contact, value="taken@example.cz")
    assert response.status_code == 400 and "Already used by another contact." in response.content.decode()
    assert not contact.identities.exists()


def test_customers_and_anonymous_visitors_cannot_add_and_get_is_not_allowed(agent_client):
    contact = Contact.objects.create(name="Target")
    customer = Client()
    customer.force_login(make_customer_user())
    assert _add(customer, contact).status_code in (302, 403, 404)
    assert _add(Client(), contact).status_code == 302  # to the login page
    assert agent_client.get(reverse("customers:contact-identity-add", args=[contact.pk])).status_code == 405
    assert not contact.identities.exists()


def test_the_form_is_protected_against_cross_site_posts():
    contact = Contact.objects.create(name="Target")
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(username="csrf-agent"))
    assert _add(client, contact).status_code == 403
    assert not contact.identities.exists()
