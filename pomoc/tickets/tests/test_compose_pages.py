"""The pages agents write to customers with: the composer in the ticket page, the requester picker and
outbound first message of the new-ticket form, forwards, signatures, clickable links."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pomoc.accounts.models import Role
from pomoc.contacts.models import Identity, IdentityKind
from pomoc.testing.factories import ContactFactory, DepartmentFactory, UserFactory, make_customer_user, make_ticket
from pomoc.tickets import forwarding, services
from pomoc.tickets.models import Message, MessageKind, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    user = UserFactory(username="composer", first_name="Ola", last_name="Nowak")
    DepartmentFactory(name="Support").members.add(user)
    client.force_login(user)
    return user


@pytest.fixture
def ticket(agent):
    return make_ticket(subject="Printer on fire", department=agent.departments.get())


def test_the_reply_box_keeps_its_contract_and_offers_copies_signature_and_forwarding(client, ticket):
    page = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    assert '<textarea name="body"' in page and 'id="reply-body"' in page and 'id="note-body"' in page
    assert page.count('name="body_html"') == 2  # the reply's and the note's HTML
    assert 'id="reply-cc"' in page and 'id="reply-bcc"' in page and 'name="signed"' in page
    assert page.count('name="attachments"') == 2 and page.count('name="inline"') == 2
    assert reverse("tickets:forward", args=[ticket.number]) in page
    assert "/static/pomoc/composer.js" in page


def test_a_plain_reply_without_the_editor_still_works(client, ticket, agent):
    response = client.post(reverse("tickets:reply", args=[ticket.number]), {"body": "Line one\nline two"})
    assert response.status_code == 302
    reply = ticket.messages.get(kind=MessageKind.REPLY)
    assert reply.body_text == "Line one\nline two" and reply.body_html == "<p>Line one<br>line two</p>"


def test_the_signature_is_added_when_asked_and_the_preference_is_kept(client, ticket, agent):
    response = client.post(reverse("accounts:preferences"), {
        "first_name": "Ola", "last_name": "Nowak", "email": agent.email, "language": "", "time_zone": "",
        "signature": "Ola Nowak\r\nZespół wsparcia"})
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.signature == "Ola Nowak\nZespół wsparcia"
    client.post(reverse("tickets:reply", args=[ticket.number]), {"body": "Gotowe.", "signed": "on"})
    client.post(reverse("tickets:reply", args=[ticket.number]), {"body": "Bez podpisu."})
    signed, unsigned = ticket.messages.filter(kind=MessageKind.REPLY).order_by("id")
    assert signed.body_text == "Gotowe.\n\n-- \nOla Nowak\nZespół wsparcia"
    assert unsigned.body_text == "Bez podpisu."


def test_a_signature_with_a_nul_character_is_refused(client, agent):
    response = client.post(reverse("accounts:preferences"), {
        "first_name": "Ola", "last_name": "Nowak", "email": agent.email, "signature": "Ola\x00"})
    assert response.status_code == 200  # the form again, with the reason
    agent.refresh_from_db()
    assert agent.signature == ""


def test_links_in_messages_are_clickable(client, ticket, agent):
    services.message_add(ticket=ticket, kind=MessageKind.CUSTOMER,
                         body_text="See https://example.org/manual?page=2&x=1, or write to help@example.org.")
    services.message_add(ticket=ticket, kind=MessageKind.CUSTOMER,
                         body_html='<p>Docs at www.example.net and <a href="https://kept.example">kept</a></p>')
    page = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    assert '<a href="https://example.org/manual?page=2&amp;x=1" rel="noopener noreferrer nofollow">' in page
    assert '<a href="mailto:help@example.org" rel="noopener noreferrer nofollow">help@example.org</a>' in page
    assert '<a href="https://www.example.net" rel="noopener noreferrer nofollow">www.example.net</a>' in page
    assert page.count("https://kept.example") == 1  # an existing link is not linked twice


def test_contacts_are_found_by_name_email_or_phone_as_you_type(client, agent):
    jana = ContactFactory(name="Jana Nováková", email="jana@firma.example")
    Identity.objects.create(contact=jana, kind=IdentityKind.PHONE, value="+420601234567")
    ContactFactory(name="Petr Svoboda", email="petr@jinde.example")
    url = reverse("tickets:contact-lookup")

    def names(q):
        response = client.get(url, {"q": q})
        assert response.status_code == 200
        return [c["name"] for c in response.json()["contacts"]]

    assert names("nováko") == ["Jana Nováková"]
    assert names("FIRMA.ex") == ["Jana Nováková"]
    assert names("601 234") == ["Jana Nováková"]  # digits, whatever the spacing
    assert names("j") == []  # too short to search
    found = client.get(url, {"q": "jana"}).json()["contacts"][0]
    assert found == {"id": jana.pk, "name": "Jana Nováková", "identities": ["jana@firma.example", "+420601234567"],
                     "company": ""}


def test_the_lookup_costs_the_same_for_few_or_many_matches(client, agent):
    url = reverse("tickets:contact-lookup")
    ContactFactory(name="Kettle owner 0")
    client.get(url, {"q": "kettle"})
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"q": "kettle"})
    for i in range(1, 12):
        ContactFactory(name=f"Kettle owner {i}")
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(url, {"q": "kettle"}).json()["contacts"]) == 8
    assert len(few.captured_queries) == len(many.captured_queries)


def test_customers_cannot_look_contacts_up(client, db):
    customer = make_customer_user()
    client.force_login(customer)
    response = client.get(reverse("tickets:contact-lookup"), {"q": "example"})
    assert response.status_code == 404  # the agent pages do not exist for customers


def test_a_requester_created_on_the_spot_by_phone(client, agent):
    response = client.post(reverse("tickets:new"), {
        "requester_name": "Karel Telefon", "requester_phone": "+420 777 000 111", "subject": "Called",
        "body": "Wants a callback.", "priority": "2"})
    assert response.status_code == 302
    ticket = Ticket.objects.get(subject="Called")
    assert ticket.requester.name == "Karel Telefon"
    assert [i.value for i in ticket.requester.identities.all()] == ["+420777000111"]
    assert ticket.messages.get().kind == MessageKind.CUSTOMER  # the customer's request, recorded


def test_a_message_to_a_requester_without_an_address_is_refused_with_the_way_out(client, agent):
    response = client.post(reverse("tickets:new"), {
        "direction": "outbound", "requester_phone": "+420777000222", "subject": "Offer", "body": "Hello",
        "priority": "2"})
    assert response.status_code == 400
    assert "This message has nowhere to go" in response.content.decode()
    assert not Ticket.objects.filter(subject="Offer").exists()
    assert not Identity.objects.filter(value="+420777000222").exists()  # nothing half-made


def test_the_new_ticket_form_without_a_requester_says_what_is_missing(client, agent):
    response = client.post(reverse("tickets:new"), {"subject": "x", "body": "y", "priority": "2"})
    assert response.status_code == 400
    assert "Find the requester, or give their e-mail address or phone number." in response.content.decode()


def test_the_forward_page_and_its_refusals(client, ticket, agent):
    first = ticket.messages.get()
    url = reverse("tickets:forward", args=[ticket.number])
    page = client.get(url, {"message": first.pk})
    assert page.status_code == 200
    content = page.content.decode()
    assert "It is on fire." in content and 'name="to"' in content and 'id="forward-body"' in content
    assert client.get(url, {"message": "abc"}).status_code == 200  # nothing to forward shown; no error page
    note = services.message_add(ticket=ticket, kind=MessageKind.NOTE, actor=agent, body_text="Secret")
    response = client.post(url, {"to": "x@example.org", "message": note.pk})
    assert response.status_code == 400
    assert "Only customer messages and replies of this ticket can be forwarded." in response.content.decode()
    other = make_ticket(subject="Elsewhere", department=agent.departments.get())
    response = client.post(url, {"to": "x@example.org", "message": other.messages.get().pk})
    assert response.status_code == 400
    assert not Message.objects.filter(kind=MessageKind.FORWARD).exists()


def test_forwarding_a_ticket_the_agent_cannot_see_is_not_found(client, agent):
    hidden = make_ticket(subject="Billing only", department=DepartmentFactory(name="Billing"))
    assert client.get(reverse("tickets:forward", args=[hidden.number])).status_code == 404
    assert client.post(reverse("tickets:forward", args=[hidden.number]), {"to": "x@example.org"}).status_code == 404


def test_forwards_show_their_recipients_to_agents_and_never_to_customers(client, ticket, agent):
    forward = forwarding.message_forward(ticket=ticket, actor=agent, to="servis@example.net", bcc="me@example.com")
    page = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    assert f'id="message-{forward.pk}"' in page and "servis@example.net" in page and "me@example.com" in page
    customer = make_customer_user(contact=ticket.requester)
    from pomoc.tickets.permissions import visible_messages

    assert forward not in visible_messages(customer, ticket)


def test_an_inbox_signature_is_kept_by_the_administration(client, db):
    from pomoc.channels.models import Inbox
    from pomoc.channels.services import inbox_create, inbox_update

    inbox = inbox_create(kind="email", name="Support", address="support@example.org", signature="Firma")
    assert Inbox.objects.get(pk=inbox.pk).signature == "Firma"
    with pytest.raises(Exception) as refused:
        inbox_update(inbox=inbox, changes={"signature": "x" * 2001})
    assert "At most 2000 characters." in str(refused.value)
    admin = UserFactory(username="boss", role=Role.ADMINISTRATOR)
    client.force_login(admin)
    page = client.get(reverse("administration:inbox", args=[inbox.pk])).content.decode()
    assert 'name="signature"' in page and "Firma" in page


def test_forwarding_the_whole_ticket_costs_the_same_for_few_or_many_messages(client, ticket, agent):
    url = reverse("tickets:forward", args=[ticket.number])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for i in range(8):
        services.message_add(ticket=ticket, kind=MessageKind.CUSTOMER, body_text=f"Again {i}.")
        services.message_add(ticket=ticket, kind=MessageKind.REPLY, actor=agent, body_text=f"Answer {i}.")
    with CaptureQueriesContext(connection) as many:
        content = client.get(url).content.decode()
    assert "Answer 7." in content
    assert len(few.captured_queries) == len(many.captured_queries)


@pytest.mark.parametrize("field", ["cc", "bcc", "body_html", "body"])
def test_hostile_input_in_the_composer_is_refused_or_cleaned_never_a_500(client, ticket, field):
    data = {"body": "Hi", field: "a\x00b@example.org <script>alert(1)</script>"}
    reply = client.post(reverse("tickets:reply", args=[ticket.number]), data)
    forward = client.post(reverse("tickets:forward", args=[ticket.number]), {"to": "x@example.org", **data})
    assert reply.status_code in (302, 400) and forward.status_code in (302, 400)
    for message in Message.objects.filter(ticket=ticket).exclude(kind=MessageKind.CUSTOMER):
        assert "<script" not in message.body_html and "\x00" not in message.body_text
