"""Global search, the contact page and the new-ticket form."""

import pytest
from django.urls import reverse

from pomoc.contacts.models import Company, Contact, Identity
from pomoc.contacts.services import identity_add
from pomoc.testing.factories import DepartmentFactory, UserFactory, make_ticket
from pomoc.tickets import services
from pomoc.tickets.models import Channel, MessageKind, Priority, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(client):
    support, billing = DepartmentFactory(name="Support"), DepartmentFactory(name="Billing")
    agent = UserFactory(username="searcher")
    support.members.add(agent)
    company = Company.objects.create(name="Acme s.r.o.")
    jana = Contact.objects.create(name="Jana Nováková", company=company)
    Identity.objects.create(contact=jana, kind="email", value="jana@acme.example")
    visible = make_ticket(requester=jana, subject="Invoice missing", department=support)
    services.message_add(ticket=visible, kind=MessageKind.CUSTOMER,
                         body_text="The quarterly invoice for the flux capacitor never arrived.")
    hidden = make_ticket(requester=jana, subject="Secret billing matter", department=billing)
    client.force_login(agent)
    return {"agent": agent, "jana": jana, "visible": visible, "hidden": hidden, "support": support}


def test_search_finds_tickets_messages_and_contacts_the_agent_may_see(client, world):
    response = client.get(reverse("tickets:search"), {"q": "invoice"})
    content = response.content.decode()
    assert "Invoice missing" in content
    assert "quarterly invoice for the flux" in content  # a snippet of the message
    assert "Secret billing matter" not in content
    content = client.get(reverse("tickets:search"), {"q": "acme.example"}).content.decode()
    assert "Jana Nováková" in content
    # A ticket number opens the ticket; one the agent may not see is searched for as text.
    by_number = client.get(reverse("tickets:search"), {"q": f"#{world['visible'].number}"})
    assert by_number.status_code == 302
    assert by_number["Location"] == reverse("tickets:detail", args=[world["visible"].number])
    assert client.get(reverse("tickets:search"), {"q": str(world["visible"].number)}).status_code == 302
    hidden = client.get(reverse("tickets:search"), {"q": str(world["hidden"].number)})
    assert hidden.status_code == 200 and b"Secret billing matter" not in hidden.content


def test_searching_an_email_address_or_phone_finds_that_contacts_tickets(client, world):
    identity_add(contact=world["jana"], kind="phone", value="+420 601 123 456")
    address = world["jana"].identities.get(kind="email").value
    for query in (address.upper(), "00420601123456", "+420 601-123-456"):
        content = client.get(reverse("tickets:search"), {"q": query}).content.decode()
        assert "Invoice missing" in content, query
        assert "Secret billing matter" not in content  # still only what the agent may see
        inbox = client.get(reverse("tickets:inbox"), {"view": "open", "q": query}).content.decode()
        assert "Invoice missing" in inbox, query


def test_search_with_a_too_short_query_says_so(client, world):
    assert b"at least two characters" in client.get(reverse("tickets:search"), {"q": "x"}).content
    assert client.get(reverse("tickets:search")).status_code == 200


def test_contact_page_lists_profile_and_only_visible_tickets(client, world):
    content = client.get(reverse("customers:contact", args=[world["jana"].pk])).content.decode()
    assert "Jana Nováková" in content and "Acme s.r.o." in content and "jana@acme.example" in content
    assert "Invoice missing" in content and "Secret billing matter" not in content
    assert client.get(reverse("customers:contact", args=[999999])).status_code == 404


def test_new_ticket_for_a_new_requester_email(client, world):
    response = client.post(reverse("tickets:new"), {
        "requester_email": "Petr@Example.org", "requester_name": "Petr", "subject": "Called about a refund",
        "body": "He wants his money back.", "department": world["support"].pk, "priority": Priority.HIGH,
        "assign_to_me": "on",
    })
    ticket = Ticket.objects.get(subject="Called about a refund")
    assert response["Location"] == reverse("tickets:detail", args=[ticket.number])
    assert ticket.channel == Channel.AGENT and ticket.priority == Priority.HIGH and ticket.assignee == world["agent"]
    assert ticket.requester.name == "Petr"
    assert ticket.requester.identities.get().value == "petr@example.org"


def test_new_ticket_for_an_existing_contact(client, world):
    client.post(reverse("tickets:new"), {"contact": world["jana"].pk, "subject": "Follow-up", "body": "Call back",
                                         "priority": Priority.NORMAL, "assign_to_me": "on"})
    assert Ticket.objects.get(subject="Follow-up").requester == world["jana"]


def test_new_ticket_errors_keep_what_was_typed(client, world):
    response = client.post(reverse("tickets:new"), {"subject": "No requester", "body": "Text kept here",
                                                    "priority": Priority.NORMAL})
    assert response.status_code == 400
    content = response.content.decode()
    assert "Find the requester, or give their e-mail address or phone number." in content
    assert "Text kept here" in content and 'value="No requester"' in content
    response = client.post(reverse("tickets:new"), {"contact": 999999, "subject": "x", "body": "y",
                                                    "priority": Priority.NORMAL})
    assert response.status_code == 400 and b"no contact with this id" in response.content
    assert not Ticket.objects.filter(subject__in=["No requester", "x"]).exists()
