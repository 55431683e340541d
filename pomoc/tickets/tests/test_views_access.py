"""Who may open the agent pages: staff only, and only tickets their departments may see."""

import pytest
from django.urls import reverse

from pomoc.testing.factories import DepartmentFactory, UserFactory, make_customer_user, make_ticket
from pomoc.tickets import services
from pomoc.tickets.attachments import NewAttachment
from pomoc.tickets.models import MessageKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    support, billing = DepartmentFactory(name="Support"), DepartmentFactory(name="Billing")
    agent, outsider = UserFactory(username="supporter"), UserFactory(username="biller")
    support.members.add(agent)
    billing.members.add(outsider)
    ticket = make_ticket(department=support, subject="Router broken")
    message = services.message_add(ticket=ticket, kind=MessageKind.CUSTOMER, body_text="Photo attached",
                                   attachments=[NewAttachment("photo.png", b"\x89PNG\r\n\x1a\nxx")])
    return {"agent": agent, "outsider": outsider, "ticket": ticket, "attachment": message.attachments.get()}


def ticket_urls(ticket):
    n = ticket.number
    return [reverse(name, args=[n]) for name in
            ("tickets:detail", "tickets:detail-header", "tickets:detail-conversation", "tickets:detail-sidebar")]


def test_agent_of_the_department_opens_the_ticket_and_its_partials(client, world):
    client.force_login(world["agent"])
    for url in ticket_urls(world["ticket"]):
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("tickets:attachment", args=[world["attachment"].public_id])).status_code == 200


def test_agent_of_another_department_gets_404_for_ticket_partials_and_attachments(client, world):
    client.force_login(world["outsider"])
    for url in ticket_urls(world["ticket"]):
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("tickets:attachment", args=[world["attachment"].public_id])).status_code == 404
    n = world["ticket"].number
    response = client.post(reverse("tickets:reply", args=[n]), {"body": "sneaky", "seen_message_id": 0})
    assert response.status_code == 404
    assert client.post(reverse("tickets:update", args=[n]), {"status": "resolved"}).status_code == 404
    assert not world["ticket"].messages.filter(body_text="sneaky").exists()


def test_anonymous_users_are_sent_to_log_in(client, world):
    urls = [reverse("tickets:inbox"), reverse("tickets:search"), reverse("tickets:new"),
            reverse("customers:contact", args=[world["ticket"].requester_id]),
            reverse("tickets:attachment", args=[world["attachment"].public_id]), *ticket_urls(world["ticket"])]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


def test_a_customer_cannot_open_agent_pages(client, world):
    customer = make_customer_user(contact=world["ticket"].requester)
    client.force_login(customer)
    urls = [reverse("tickets:search") + "?q=Router", reverse("tickets:new"),
            reverse("customers:contact", args=[world["ticket"].requester_id]), *ticket_urls(world["ticket"])]
    for url in urls:
        assert client.get(url).status_code == 404, url
    inbox = client.get(reverse("tickets:inbox"))
    assert inbox.status_code in (302, 404)
    assert b"Router broken" not in inbox.content


def test_agent_pages_carry_a_strict_content_security_policy(client, world):
    client.force_login(world["agent"])
    for url in [reverse("tickets:inbox"), reverse("tickets:search") + "?q=router", *ticket_urls(world["ticket"])]:
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        # Partials and full pages share URLs, so caches must tell them apart.
        assert "HX-Request" in response["Vary"]
