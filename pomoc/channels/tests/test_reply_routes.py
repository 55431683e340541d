"""A reply goes somewhere, or says why not, whichever way the ticket was opened: by mail, on the
new-ticket page, through the API, by phone or web form. Shown and changeable on the ticket page."""

from email.utils import parseaddr

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from pomoc.api.tests.conftest import Api
from pomoc.channels import outbound as delivery
from pomoc.channels.email.tests.helpers import ingest
from pomoc.channels.email.tests.helpers import mail as a_mail
from pomoc.channels.models import Inbox
from pomoc.contacts.models import Contact, Identity, IdentityKind
from pomoc.testing.factories import ContactFactory, DepartmentFactory, UserFactory, make_ticket
from pomoc.tickets import services
from pomoc.tickets.models import Channel, DeliveryState, EventType, Message, MessageKind, Ticket

pytestmark = pytest.mark.django_db

NO_ADDRESS = "has no e-mail address"


@pytest.fixture
def support(db):
    return DepartmentFactory(name="Support")


@pytest.fixture
def agent(client, support, settings):
    settings.DEFAULT_FROM_EMAIL = "Help Desk <desk@installation.example>"
    user = UserFactory(username="route-agent")
    support.members.add(user)
    client.force_login(user)
    return user


def inbox(name, address, department=None, **kwargs) -> Inbox:
    return Inbox.objects.create(name=name, address=address, department=department, **kwargs)


def reply(ticket, agent, text="Fixed, thank you.") -> Message:
    return services.message_add(ticket=ticket, kind=MessageKind.REPLY, actor=agent, body_text=text)


def delivered(message: Message):
    """Deliver ``message`` as the task would; the mail that left, as (from address, to addresses)."""
    before = len(mail.outbox)
    assert delivery.deliver(message.pk) == delivery.SENT
    message.refresh_from_db()
    assert message.delivery_state == DeliveryState.SENT
    assert len(mail.outbox) == before + 1
    sent = mail.outbox[-1]
    return parseaddr(sent.from_email)[1], [parseaddr(to)[1] for to in sent.to]


def no_address_contact() -> Contact:
    return Contact.objects.create(name="(unknown sender)")


# --- by mail ------------------------------------------------------------------------------------
def test_a_ticket_from_mail_is_answered_through_the_inbox_it_came_in(agent, support):
    inbox("Support", "support@pomoc.example", support)
    sales = inbox("Sales", "Sales@Pomoc.Example")
    _raw, result = ingest(sales, a_mail())
    ticket = Ticket.objects.get(number=result.ticket_number)
    message = reply(ticket, agent)
    assert message.inbox == sales and message.recipient.value == "jana@example.cz"
    assert delivered(message) == ("sales@pomoc.example", ["jana@example.cz"])


def test_a_ticket_from_mail_whose_inbox_was_deactivated_falls_back_to_the_department_inbox(agent, support):
    department_inbox = inbox("Support", "support@pomoc.example", support)
    old = inbox("Old", "old@pomoc.example")
    _raw, result = ingest(old, a_mail())
    ticket = Ticket.objects.get(number=result.ticket_number)
    Ticket.objects.filter(pk=ticket.pk).update(department=support)
    old.active = False
    old.save()
    ticket.refresh_from_db()
    message = reply(ticket, agent)
    assert message.inbox == department_inbox
    assert delivered(message) == ("support@pomoc.example", ["jana@example.cz"])


# --- on the new-ticket page -----------------------------------------------------------------------
def _new_ticket(client, **extra):
    data = {"requester_email": "mari@example.ee", "requester_name": "Mari", "subject": "Invoice",
            "body": "Called about the invoice.", "priority": "2", "assign_to_me": "on", **extra}
    response = client.post(reverse("tickets:new"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return Ticket.objects.get(subject="Invoice")


def test_the_new_ticket_page_offers_active_inboxes_and_stores_the_chosen_one(client, agent, support):
    inbox("Support", "support@pomoc.example", support)
    sales = inbox("Sales", "sales@pomoc.example")
    inbox("Closed", "closed@pomoc.example", active=False)
    page = client.get(reverse("tickets:new")).content.decode()
    assert "Send from inbox" in page and "Sales (sales@pomoc.example)" in page
    assert "closed@pomoc.example" not in page and "outgoing mail" not in page

    ticket = _new_ticket(client, reply_inbox=str(sales.pk), department=str(support.pk))

    assert ticket.channel == Channel.AGENT
    assert ticket.reply_inbox == sales and ticket.reply_identity.value == "mari@example.ee"
    response = client.post(reverse("tickets:reply", args=[ticket.number]), {"body": "We sent it again."})
    assert response.status_code == 302
    flash = client.get(response.url).content.decode()
    assert "Reply queued for delivery to mari@example.ee." in flash and "Reply sent." not in flash
    assert delivered(ticket.messages.get(kind=MessageKind.REPLY)) == ("sales@pomoc.example", ["mari@example.ee"])


def test_the_new_ticket_page_defaults_to_the_department_inbox_else_the_first(client, agent, support):
    first = inbox("B first", "first@pomoc.example")
    department_inbox = inbox("A support", "support@pomoc.example", support)
    with_department = _new_ticket(client, department=str(support.pk))
    assert with_department.reply_inbox == department_inbox
    with_department.delete()
    without = _new_ticket(client)
    assert without.reply_inbox == first and without.reply_identity.value == "mari@example.ee"


def test_without_any_email_inbox_the_new_ticket_page_offers_the_installation_mail(client, agent):
    page = client.get(reverse("tickets:new")).content.decode()
    assert "The installation&#x27;s outgoing mail" in page or "The installation's outgoing mail" in page
    ticket = _new_ticket(client, reply_inbox="default:email")
    assert ticket.reply_inbox is None and ticket.reply_identity.value == "mari@example.ee"
    assert delivered(reply(ticket, agent)) == ("desk@installation.example", ["mari@example.ee"])


# --- through the API ----------------------------------------------------------------------------
def test_a_ticket_created_through_the_api_is_answered_through_its_chosen_inbox(agent, support):
    inbox("Support", "support@pomoc.example", support)
    sales = inbox("Sales", "sales@pomoc.example")
    api = Api(agent)
    response = api.post("/tickets", {"requester_email": "ana@example.pl", "subject": "Order", "body": "Where?",
                                     "department": support.pk, "reply_inbox": sales.pk,
                                     "reply_identity": "Ana@Example.PL"})
    assert response.status_code == 201, response.content
    created = response.json()
    identity = Identity.objects.get(value="ana@example.pl")
    assert created["reply_route"] == {"kind": "email", "identity": identity.pk, "address": "ana@example.pl",
                                      "inbox": {"id": sales.pk, "name": "Sales", "address": "sales@pomoc.example"}}
    answer = api.post(f"/tickets/{created['number']}/messages", {"body": "On its way."})
    assert answer.status_code == 201 and answer.json()["delivery_state"] == "queued"
    assert delivered(Message.objects.get(pk=answer.json()["id"])) == ("sales@pomoc.example", ["ana@example.pl"])
    assert "reply_route" not in api.get("/tickets").json()["items"][0]  # lists stay cheap


def test_an_api_ticket_without_a_route_chosen_goes_through_the_department_inbox(agent, support):
    inbox("Other", "other@pomoc.example")
    inbox("Support", "support@pomoc.example", support)
    api = Api(agent)
    response = api.post("/tickets", {"requester_email": "ana@example.pl", "subject": "Order", "body": "?",
                                     "department": support.pk})
    assert response.status_code == 201
    assert response.json()["reply_route"]["inbox"]["address"] == "support@pomoc.example"
    ticket = Ticket.objects.get(number=response.json()["number"])
    assert delivered(reply(ticket, agent)) == ("support@pomoc.example", ["ana@example.pl"])


def test_the_api_refuses_a_reply_inbox_that_cannot_send_and_another_contacts_identity(agent):
    closed = inbox("Closed", "closed@pomoc.example", active=False)
    other = ContactFactory(email="someone@example.org")
    api = Api(agent)
    base = {"requester_email": "ana@example.pl", "subject": "Order", "body": "?"}
    refused = api.post("/tickets", {**base, "reply_inbox": closed.pk})
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "reply_inbox"]
    for value in ("someone@example.org", other.identities.get().pk):
        refused = api.post("/tickets", {**base, "reply_identity": value})
        assert refused.status_code == 422, refused.content
        assert "one of the requester's addresses" in refused.json()["detail"][0]["msg"]
    assert not Ticket.objects.filter(subject="Order").exists()


def test_the_api_changes_the_route_and_records_it(agent, support):
    inbox("Support", "support@pomoc.example", support)
    sales = inbox("Sales", "sales@pomoc.example")
    requester = ContactFactory(email="jana@example.cz")
    ticket = make_ticket(requester=requester, department=support, channel=Channel.PHONE)
    api = Api(agent)
    assert api.get(f"/tickets/{ticket.number}").json()["reply_route"]["inbox"]["name"] == "Support"

    response = api.client.put(f"/api/v1/tickets/{ticket.number}/reply-route", {"inbox": sales.pk},
                              content_type="application/json", headers=api.headers)

    assert response.status_code == 200, response.content
    assert response.json()["reply_route"]["inbox"]["name"] == "Sales"
    event = ticket.events.get(type=EventType.REPLY_ROUTE_CHANGED)
    assert event.actor == agent and event.data["to"] == {"inbox": sales.pk, "identity": requester.identities.get().pk}
    assert event.data["from"] == {"inbox": None, "identity": None}  # Pomoc chose before
    other = ContactFactory(email="someone@example.org").identities.get()
    refused = api.client.put(f"/api/v1/tickets/{ticket.number}/reply-route", {"identity": other.pk},
                             content_type="application/json", headers=api.headers)
    assert refused.status_code == 422
    assert ticket.events.filter(type=EventType.REPLY_ROUTE_CHANGED).count() == 1


def test_customers_do_not_see_the_route(agent):
    from pomoc.testing.factories import make_customer_user

    customer = make_customer_user()
    ticket = make_ticket(requester=customer.contact)
    assert Api(customer).get(f"/tickets/{ticket.number}").json()["reply_route"] is None
    assert Api(agent).get(f"/tickets/{ticket.number}").json()["reply_route"]["inbox"] is None  # no inbox yet


# --- web form and phone ---------------------------------------------------------------------------
@pytest.mark.parametrize("channel", [Channel.WEB, Channel.PHONE])
def test_web_and_phone_tickets_go_through_the_department_inbox_else_the_first_else_the_installation(
        agent, support, channel):
    requester = ContactFactory(email="piotr@example.pl")
    alone = make_ticket(requester=requester, channel=channel)
    assert delivered(reply(alone, agent)) == ("desk@installation.example", ["piotr@example.pl"])
    first = inbox("First", "first@pomoc.example")
    assert delivered(reply(alone, agent))[0] == "first@pomoc.example"
    inbox("Support", "support@pomoc.example", support)
    in_support = make_ticket(requester=requester, channel=channel, department=support)
    assert delivered(reply(in_support, agent)) == ("support@pomoc.example", ["piotr@example.pl"])
    chosen = make_ticket(requester=requester, channel=channel, department=support, reply_inbox=first)
    assert delivered(reply(chosen, agent))[0] == "first@pomoc.example"
    first.active = False
    first.save()
    assert delivered(reply(chosen, agent))[0] == "support@pomoc.example"  # a deactivated choice falls back


# --- a customer without an address ---------------------------------------------------------------
def test_a_reply_to_a_customer_without_an_address_is_refused_everywhere_and_nothing_is_stored(client, agent,
                                                                                             support):
    inbox("Support", "support@pomoc.example", support)
    ticket = make_ticket(requester=no_address_contact(), department=support, channel=Channel.PHONE)
    with pytest.raises(ValidationError) as refused:
        reply(ticket, agent)
    assert "nowhere to go" in str(refused.value)

    page = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    assert NO_ADDRESS in page and reverse("customers:contact", args=[ticket.requester_id]) in page
    assert 'class="primary" disabled' in page
    response = client.post(reverse("tickets:reply", args=[ticket.number]), {"body": "Hello?"})
    content = response.content.decode()
    assert response.status_code == 400
    assert "This reply has nowhere to go" in content and "errorlist" in content
    assert "Reply sent" not in content and "Reply queued" not in content

    answer = Api(agent).post(f"/tickets/{ticket.number}/messages", {"body": "Hello?"})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "body"]
    assert "nowhere to go" in answer.json()["detail"][0]["msg"]
    assert not ticket.messages.filter(kind=MessageKind.REPLY).exists() and not mail.outbox
    assert Api(agent).get(f"/tickets/{ticket.number}").json()["reply_route"] is None

    note = client.post(reverse("tickets:note", args=[ticket.number]), {"body": "Called them back."})
    assert note.status_code == 302 and ticket.messages.filter(kind=MessageKind.NOTE).exists()


# --- on the ticket page -------------------------------------------------------------------------
def test_the_ticket_page_says_where_the_reply_goes_and_the_agent_changes_it(client, agent, support):
    inbox("Support", "support@pomoc.example", support)
    sales = inbox("Sales", "sales@pomoc.example")
    requester = ContactFactory(email="jana@example.cz")
    Identity.objects.create(contact=requester, kind=IdentityKind.EMAIL, value="jana@work.example")
    ticket = make_ticket(requester=requester, department=support, channel=Channel.WEB)
    page = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    assert "Replies go to jana@example.cz by e-mail through Support (support@pomoc.example)." in page
    assert "jana@work.example · Sales (sales@pomoc.example)" in page
    work = Identity.objects.get(value="jana@work.example")

    url = reverse("tickets:reply-route", args=[ticket.number])
    response = client.post(url, {"route": f"{sales.pk}:{work.pk}"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "Replies go to jana@work.example by e-mail through Sales (sales@pomoc.example)." in response.content.decode()
    ticket.refresh_from_db()
    assert (ticket.reply_inbox, ticket.reply_identity) == (sales, work)
    assert ticket.events.filter(type=EventType.REPLY_ROUTE_CHANGED, actor=agent).count() == 1
    sent = client.post(reverse("tickets:reply", args=[ticket.number]), {"body": "Done."})
    assert "Reply queued for delivery to jana@work.example." in client.get(sent.url).content.decode()
    assert delivered(ticket.messages.get(kind=MessageKind.REPLY)) == ("sales@pomoc.example", ["jana@work.example"])


def test_the_page_refuses_another_contacts_identity_and_unknown_values(client, agent, support):
    support_inbox = inbox("Support", "support@pomoc.example", support)
    ticket = make_ticket(requester=ContactFactory(email="jana@example.cz"), department=support)
    stranger = ContactFactory(email="someone@example.org").identities.get()
    url = reverse("tickets:reply-route", args=[ticket.number])
    for value in (f"{support_inbox.pk}:{stranger.pk}", "0:0", "nonsense", ""):
        response = client.post(url, {"route": value}, headers={"HX-Request": "true"})
        assert "Choose one of the listed ways to reply." in response.content.decode()
    without_htmx = client.post(url, {"route": f"{support_inbox.pk}:{stranger.pk}"})
    assert without_htmx.status_code == 400
    ticket.refresh_from_db()
    assert ticket.reply_identity is None and not ticket.events.filter(type=EventType.REPLY_ROUTE_CHANGED).exists()
    with pytest.raises(ValidationError):
        services.ticket_reply_route_set(ticket=ticket, actor=agent, inbox=support_inbox, identity=stranger)


def test_only_agents_who_see_the_ticket_may_change_the_route(client, agent, support):
    from django.test import Client

    from pomoc.testing.factories import make_customer_user

    support_inbox = inbox("Support", "support@pomoc.example", support)
    ticket = make_ticket(requester=ContactFactory(email="jana@example.cz"), department=DepartmentFactory())
    value = f"{support_inbox.pk}:{ticket.requester.identities.get().pk}"
    url = reverse("tickets:reply-route", args=[ticket.number])
    assert client.post(url, {"route": value}).status_code == 404  # another department's ticket
    customer = Client()
    customer.force_login(make_customer_user(contact=ticket.requester))
    assert customer.post(url, {"route": value}).status_code == 404
    assert Client().post(url, {"route": value}).status_code == 302  # to the login page
    csrf_checked = Client(enforce_csrf_checks=True)
    csrf_checked.force_login(UserFactory(username="admin-route", role="administrator"))
    assert csrf_checked.post(url, {"route": value}).status_code == 403
    assert not ticket.events.filter(type=EventType.REPLY_ROUTE_CHANGED).exists()
