import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pomoc.accounts.models import Role
from pomoc.contacts.models import Contact
from pomoc.portal.models import PortalSettings
from pomoc.testing.factories import CompanyFactory, ContactFactory, UserFactory, make_customer_user, make_ticket
from pomoc.tickets import services
from pomoc.tickets.models import Channel, EventType, Message, MessageKind, Status, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(db):
    return UserFactory(role=Role.ADMINISTRATOR)


def test_my_requests_lists_the_customers_tickets_from_every_channel_and_nobody_elses(client, customer):
    mine_mail = make_ticket(requester=customer.contact, subject="Printer jams", channel=Channel.EMAIL)
    mine_chat = make_ticket(requester=customer.contact, subject="Chat about invoices", channel=Channel.CHAT)
    other = make_ticket(requester=ContactFactory(), subject="Somebody else's secret")
    client.force_login(customer)
    content = client.get(reverse("portal:my-tickets")).content.decode()
    assert mine_mail.subject in content and mine_chat.subject in content
    assert other.subject not in content
    assert client.get(reverse("portal:ticket", args=[other.number])).status_code == 404
    assert client.get(reverse("portal:ticket", args=[999999])).status_code == 404
    assert client.post(reverse("portal:ticket-reply", args=[other.number]), {"body": "hi"}).status_code == 404
    assert client.post(reverse("portal:ticket-status", args=[other.number]), {"action": "close"}).status_code == 404


def test_filters_show_open_and_solved_requests(client, customer):
    open_one = make_ticket(requester=customer.contact, subject="Still open")
    solved = make_ticket(requester=customer.contact, subject="All done")
    services.ticket_update(ticket=solved, actor=None, changes={"status": Status.RESOLVED})
    client.force_login(customer)
    assert "All done" not in client.get(reverse("portal:my-tickets") + "?show=open").content.decode()
    content = client.get(reverse("portal:my-tickets") + "?show=solved").content.decode()
    assert "All done" in content and open_one.subject not in content


def test_the_conversation_shows_replies_but_never_notes_or_system_entries(client, customer, agent):
    ticket = make_ticket(requester=customer.contact, subject="Router", body="My router blinks.")
    services.message_add(ticket=ticket, kind=MessageKind.NOTE, actor=agent, body_text="INTERNAL: customer is VIP")
    services.message_add(ticket=ticket, kind=MessageKind.REPLY, actor=agent, body_text="Please restart it.")
    services.system_note_add(ticket=ticket, text="SYSTEM: auto-reply noticed", channel=Channel.EMAIL)
    client.force_login(customer)
    content = client.get(reverse("portal:ticket", args=[ticket.number])).content.decode()
    assert "My router blinks." in content and "Please restart it." in content
    assert "INTERNAL" not in content and "SYSTEM" not in content


def test_a_reply_in_the_portal_is_a_customer_message_on_the_web_channel_with_attachments(client, customer, agent):
    ticket = make_ticket(requester=customer.contact, subject="Router")
    services.ticket_update(ticket=ticket, actor=agent, changes={"status": Status.RESOLVED})
    client.force_login(customer)
    upload = SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, content_type="image/png")
    answer = client.post(reverse("portal:ticket-reply", args=[ticket.number]),
                         {"body": "It blinks again.", "files": [upload]})
    assert answer.status_code == 302
    message = Message.objects.filter(ticket=ticket).order_by("-id").first()
    assert message.kind == MessageKind.CUSTOMER and message.channel == Channel.WEB
    assert message.author_contact == customer.contact and message.author_user == customer
    assert message.attachments.get().file_name == "photo.png"
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN  # the customer writing again reopens it
    page = client.get(reverse("portal:ticket", args=[ticket.number])).content.decode()
    link = reverse("portal:attachment", args=[message.attachments.get().public_id])
    assert link in page and client.get(link).status_code == 200


def test_an_empty_reply_is_refused_with_a_message(client, customer):
    ticket = make_ticket(requester=customer.contact)
    client.force_login(customer)
    answer = client.post(reverse("portal:ticket-reply", args=[ticket.number]), {"body": "  "})
    assert answer.status_code == 400 and "needs text or an attachment" in answer.content.decode()


def test_the_customer_closes_and_reopens_and_the_history_says_who(client, customer):
    ticket = make_ticket(requester=customer.contact)
    client.force_login(customer)
    client.post(reverse("portal:ticket-status", args=[ticket.number]), {"action": "close"})
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    client.post(reverse("portal:ticket-status", args=[ticket.number]), {"action": "reopen"})
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    changes = TicketEvent.objects.filter(ticket=ticket, type=EventType.STATUS_CHANGED).order_by("id")
    assert [e.actor_id for e in changes] == [customer.pk, customer.pk]


def test_attachments_of_notes_and_of_other_customers_are_not_served(client, customer, agent):
    from pomoc.tickets.attachments import NewAttachment

    mine = make_ticket(requester=customer.contact)
    note = services.message_add(ticket=mine, kind=MessageKind.NOTE, actor=agent, body_text="x",
                                attachments=[NewAttachment(file_name="secret.txt", content=b"secret")])
    theirs = make_ticket(requester=ContactFactory())
    other = services.message_add(ticket=theirs, kind=MessageKind.CUSTOMER, body_text="y",
                                 attachments=[NewAttachment(file_name="theirs.txt", content=b"theirs")])
    client.force_login(customer)
    for message in (note, other):
        public_id = message.attachments.get().public_id
        assert client.get(reverse("portal:attachment", args=[public_id])).status_code == 404


def test_a_companys_contacts_see_its_tickets_only_when_the_portal_allows_it(client, customer):
    company = CompanyFactory(name="Acme")
    Contact.objects.filter(pk=customer.contact.pk).update(company=company)
    colleague = ContactFactory(name="Colleague", company=company)
    theirs = make_ticket(requester=colleague, subject="Order of a colleague")
    client.force_login(customer)
    assert client.get(reverse("portal:ticket", args=[theirs.number])).status_code == 404
    settings = PortalSettings.get()
    settings.company_sees_tickets = True
    settings.save()
    from django.core.cache import cache
    cache.clear()
    assert "Order of a colleague" in client.get(reverse("portal:my-tickets")).content.decode()
    assert client.get(reverse("portal:ticket", args=[theirs.number])).status_code == 200


def test_the_api_refuses_a_customer(client, customer):
    ticket = make_ticket(requester=ContactFactory())
    client.force_login(customer)
    for path in (f"/api/v1/tickets/{ticket.number}", "/api/v1/tickets", f"/api/v1/tickets/{ticket.pk}"):
        answer = client.get(path)
        assert answer.status_code in (200, 401, 403, 404), path  # a list of their own tickets at most
        assert ticket.subject not in answer.content.decode()


def test_visitors_are_sent_to_sign_in_and_agents_to_their_inbox(client, agent):
    answer = client.get(reverse("portal:my-tickets"))
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("portal:login") + "?next=")
    client.force_login(agent)
    assert client.get(reverse("portal:my-tickets"))["Location"] == reverse("tickets:inbox")


def test_the_customer_of_a_company_without_sharing_sees_only_their_own(client):
    user = make_customer_user(ContactFactory(email="solo@example.org"))
    make_ticket(requester=ContactFactory(), subject="Not yours")
    client.force_login(user)
    assert "Not yours" not in client.get(reverse("portal:my-tickets")).content.decode()


def test_notes_and_drafts_stay_hidden_from_the_customer_in_pages_and_api(client, customer, agent):
    from pomoc.drafts.services import draft_save

    ticket = make_ticket(requester=customer.contact, subject="Router")
    services.message_add(ticket=ticket, kind=MessageKind.NOTE, actor=agent, body_text="NOTE-SECRET")
    draft_save(user=agent, ticket=ticket, kind="reply", text="DRAFT-SECRET unsent")
    client.force_login(customer)
    answers = [client.get(reverse("portal:ticket", args=[ticket.number])),
               client.get(f"/api/v1/tickets/{ticket.number}/messages"),
               client.get(f"/api/v1/tickets/{ticket.number}/events"),
               client.get(f"/api/v1/tickets/{ticket.number}")]
    for answer in answers:
        content = answer.content.decode()
        assert "NOTE-SECRET" not in content and "DRAFT-SECRET" not in content, answer.request["PATH_INFO"]
    assert answers[0].status_code == 200


def test_a_return_shows_the_customer_where_it_stands_and_never_the_agents_notes(client, customer):
    from pomoc.orders import returns
    from pomoc.orders.tests.helpers import make_order

    order = make_order(customer.contact, "O-77", lines=(("Mug", "12.50", 2), ("Teapot", "40.00", 1)))
    mug = order.lines.get(product="Mug")
    rma = returns.return_start(order=order, actor=UserFactory(), kind="return", note="Internal: check the seal",
                               lines=[returns.ReturnLineIn(order_line=mug, quantity=2, reason="damaged",
                                                           note="Agent-only remark")])
    rma = returns.return_transition(return_request=rma, actor=UserFactory(), state="approved")
    client.force_login(customer)
    page = client.get(reverse("portal:ticket", args=[rma.ticket.number])).content.decode()
    assert "Return of order" in page and "O-77" in page and "Mug" in page and "Arrived damaged" in page
    assert 'aria-current="step">Approved' in page
    assert "Agent-only remark" not in page and "check the seal" not in page
    assert "No messages yet" in page or "portal-message-item" in page
    for state in ("received", "refunded"):
        rma = returns.return_transition(return_request=rma, actor=UserFactory(), state=state)
    page = client.get(reverse("portal:ticket", args=[rma.ticket.number])).content.decode()
    assert 'aria-current="step">Refunded' in page and "Refunded: 25.00 EUR" in page


def test_a_rejected_exchange_says_so_and_other_tickets_show_no_return(client, customer):
    from pomoc.orders import returns
    from pomoc.orders.tests.helpers import make_order

    order = make_order(customer.contact, "O-78")
    line = order.lines.get()
    rma = returns.return_start(order=order, actor=UserFactory(), kind="exchange",
                               lines=[returns.ReturnLineIn(order_line=line, quantity=1, reason="size")])
    rma = returns.return_transition(return_request=rma, actor=UserFactory(), state="rejected")
    plain = make_ticket(requester=customer.contact, subject="A question")
    client.force_login(customer)
    page = client.get(reverse("portal:ticket", args=[rma.ticket.number])).content.decode()
    assert "Exchange for order" in page and 'aria-current="step">Rejected' in page and "Replaced" not in page
    assert "portal-return" not in client.get(reverse("portal:ticket", args=[plain.number])).content.decode()


@pytest.mark.parametrize(("organisation", "company_setting", "sees"), [
    (False, "inherit", False), (True, "inherit", True),
    (False, "yes", True), (True, "no", False), (True, "yes", True), (False, "no", False),
])
def test_a_companys_own_setting_decides_over_the_portals(client, customer, organisation, company_setting, sees):
    from django.core.cache import cache

    settings = PortalSettings.get()
    settings.company_sees_tickets = organisation
    settings.save()
    cache.clear()
    company = CompanyFactory(name="Acme", portal_visibility=company_setting)
    Contact.objects.filter(pk=customer.contact.pk).update(company=company)
    colleague = ContactFactory(name="Colleague", company=company)
    theirs = make_ticket(requester=colleague, subject="Order of a colleague")
    # another company that lets its contacts see everything: never seen from outside it
    other_company = CompanyFactory(name="Globex", portal_visibility="yes")
    stranger = make_ticket(requester=ContactFactory(name="Stranger", company=other_company), subject="Globex matter")
    mine = make_ticket(requester=customer.contact, subject="My own matter")
    client.force_login(customer)
    listing = client.get(reverse("portal:my-tickets")).content.decode()
    assert "My own matter" in listing and "Globex matter" not in listing
    assert ("Order of a colleague" in listing) is sees
    assert client.get(reverse("portal:ticket", args=[theirs.number])).status_code == (200 if sees else 404)
    assert client.get(reverse("portal:ticket", args=[stranger.number])).status_code == 404
    assert client.get(reverse("portal:ticket", args=[mine.number])).status_code == 200
