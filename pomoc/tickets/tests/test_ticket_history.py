"""The ticket's history on the ticket page: every change as a line between the messages, with who
made it and old → new, in the agent's language and time zone; the agent may hide it."""

import re
import zoneinfo

import pytest
from django.test import Client

from pomoc.accounts.models import Role
from pomoc.testing.factories import ContactFactory, DepartmentFactory, UserFactory, make_ticket
from pomoc.tickets import events, services
from pomoc.tickets.models import CustomFieldDefinition, DeliveryState, MessageKind, Priority, Status, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    return UserFactory(username="historian", first_name="Hana", last_name="Dvořáková", role=Role.ADMINISTRATOR)


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def lines(html: str) -> list[str]:
    """The history lines of a page, as text."""
    found = re.findall(r'<p id="event-\d+" class="history-line[^"]*">(.*?)</p>', html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", line).split()) for line in found]


def toggle_checked(html: str) -> bool:
    return " checked" in re.search(r'<input type="checkbox" id="history-toggle"[^>]*>', html).group(0)


def test_every_change_is_a_line_with_who_and_old_and_new(agent_client, agent):
    colleague = UserFactory(first_name="Petr", last_name="Novák")
    support = DepartmentFactory(name="Support")
    CustomFieldDefinition.objects.create(key="order", label="Order number", type="text")
    ticket = make_ticket(subject="Broken kettle")
    services.ticket_update(ticket=ticket, actor=agent, changes={
        "status": Status.PENDING, "priority": Priority.URGENT, "assignee": colleague, "department": support,
        "tags": ["kettle", "warranty"], "custom_fields": {"order": "A-17"}, "subject": "Broken kettle, again"})
    services.ticket_update(ticket=ticket, actor=agent, changes={"tags": ["warranty"], "assignee": None})
    other = make_ticket(subject="Same kettle", requester=ticket.requester)
    services.ticket_merge(source=other, target=ticket, actor=agent)

    html = agent_client.get(f"/tickets/{ticket.number}/").content.decode()
    text = "\n".join(lines(html))
    assert "Ticket created (E-mail)" in text
    assert "Status: New → Pending by Hana Dvořáková" in text
    assert "Priority: Normal → Urgent by Hana Dvořáková" in text
    assert "Assignee: nobody → Petr Novák by Hana Dvořáková" in text
    assert "Assignee: Petr Novák → nobody" in text
    assert "Department: no department → Support" in text
    assert "Tags: added kettle, warranty" in text
    assert "Tags: removed kettle" in text
    assert "Order number: — → A-17" in text
    assert "Subject: “Broken kettle” → “Broken kettle, again”" in text
    assert f"Ticket #{other.number} was merged into this one" in text
    # the merged ticket's link, and the line on the merged ticket pointing back
    assert f'href="/tickets/{other.number}/"' in html
    assert f"Merged into #{ticket.number}" in " ".join(lines(agent_client.get(f"/tickets/{other.number}/")
                                                             .content.decode()))


def test_lines_sit_between_the_messages_in_time_order(agent_client, agent):
    ticket = make_ticket(body="First question.")
    services.ticket_update(ticket=ticket, actor=agent, changes={"status": Status.PENDING})
    services.message_add(ticket=ticket, kind=MessageKind.CUSTOMER, body_text="Second question.")
    html = agent_client.get(f"/tickets/{ticket.number}/").content.decode()
    first, change, reopened, second = (html.index("First question."), html.index("Status: New → Pending"),
                                       html.index("Status: Pending → Open"), html.index("Second question."))
    assert first < change < second < reopened  # the customer's message reopened it: after the message


def test_deliveries_splits_participants_and_routes_are_lines(agent_client, agent):
    requester = ContactFactory(name="Jana", email="jana@example.cz")
    ticket = make_ticket(requester=requester, body="One.")
    services.message_add(ticket=ticket, kind=MessageKind.CUSTOMER, body_text="Two, another matter.")
    reply = services.message_add(ticket=ticket, kind=MessageKind.REPLY, actor=agent, body_text="Answer.")
    services.message_delivery_mark(message=reply, state=DeliveryState.FAILED, error="550 No such user")
    second = ticket.messages.filter(kind=MessageKind.CUSTOMER).last()
    new_ticket = services.message_split(message=second, actor=agent)
    copied = ContactFactory(name="Karel Copy")
    events.participant_added(ticket, copied.pk, agent)
    services.ticket_reply_route_set(ticket=ticket, actor=agent, inbox=None,
                                    identity=requester.identities.get())
    text = "\n".join(lines(agent_client.get(f"/tickets/{ticket.number}/").content.decode()))
    assert "Reply queued for delivery by Hana Dvořáková" in text
    assert "Reply not sent: 550 No such user" in text
    assert f"A message was split off into #{new_ticket.number}" in text
    assert "Karel Copy was copied on the ticket" in text
    assert "Reply route: automatic → jana@example.cz" in text


def test_an_event_type_without_its_own_words_still_gets_a_line(agent_client, agent):
    ticket = make_ticket()
    TicketEvent.objects.create(ticket=ticket, type="tier_changed", actor=None,
                               data={"from": "normal", "to": "vip", "rule": 7})
    TicketEvent.objects.create(ticket=ticket, type="survey_answered", data=["not", "a", "dict"])
    TicketEvent.objects.create(ticket=ticket, type="sla_breached", data=["not", "a", "dict"])
    text = "\n".join(lines(agent_client.get(f"/tickets/{ticket.number}/").content.decode()))
    assert "Tier changed: normal → vip" in text
    assert "Survey answered" in text
    assert "SLA target breached" in text  # its own words, even from data it cannot read


def test_history_is_in_the_agents_language_and_time_zone(client):
    czech = UserFactory(username="cesky", first_name="Jan", last_name="Novák", language="cs",
                        time_zone="Pacific/Auckland")
    client.force_login(czech)
    ticket = make_ticket()
    services.ticket_update(ticket=ticket, actor=czech, changes={"status": Status.PENDING, "priority": Priority.HIGH})
    event = ticket.events.get(type="status_changed")
    html = client.get(f"/tickets/{ticket.number}/").content.decode()
    text = "\n".join(lines(html))
    assert "Stav: Nový → Čekající – Jan Novák" in text
    assert "Priorita: Normální → Vysoká" in text
    assert "Jan Novák" in text
    offset = event.at.astimezone(zoneinfo.ZoneInfo("Pacific/Auckland")).strftime("%z")
    line = re.search(rf'id="event-{event.pk}".*?datetime="([^"]+)"', html, re.S).group(1)
    assert line.endswith(f"{offset[:3]}:{offset[3:]}")  # shown in the agent's time zone
    assert "Zobrazit historii tiketu" in html


def test_the_toggle_is_remembered_per_agent(agent_client, agent):
    ticket = make_ticket()
    services.ticket_update(ticket=ticket, actor=agent, changes={"status": Status.PENDING})
    url = f"/tickets/{ticket.number}/"
    assert toggle_checked(agent_client.get(url).content.decode())
    response = agent_client.post(f"/tickets/{ticket.number}/history/", {}, headers={"HX-Request": "true"})
    assert response.status_code == 204
    agent.refresh_from_db()
    assert agent.show_ticket_history is False
    html = agent_client.get(url).content.decode()
    assert not toggle_checked(html)  # unchecked: the lines are hidden by CSS
    # A colleague still sees it.
    colleague = Client()
    colleague.force_login(UserFactory(username="colleague"))
    assert toggle_checked(colleague.get(url).content.decode())
    # Without JavaScript: the form posts and comes back to the ticket.
    response = agent_client.post(f"/tickets/{ticket.number}/history/", {"show": "1"})
    assert response.status_code == 302 and response["Location"] == url
    agent.refresh_from_db()
    assert agent.show_ticket_history is True


def test_the_toggle_needs_access_to_the_ticket(client):
    hidden = make_ticket(department=DepartmentFactory(name="Secret"))
    outsider = UserFactory(username="outsider")
    client.force_login(outsider)
    assert client.post(f"/tickets/{hidden.number}/history/", {"show": "1"}).status_code == 404


def test_the_agents_own_change_asks_the_conversation_to_fetch_itself_again(agent_client):
    ticket = make_ticket()
    response = agent_client.post(f"/tickets/{ticket.number}/update/", {"status": "pending"},
                                 headers={"HX-Request": "true"})
    assert response["HX-Trigger"] == "pomoc:history-changed"
    conversation = agent_client.get(f"/tickets/{ticket.number}/conversation/").content.decode()
    assert "pomoc:history-changed from:body" in conversation
    assert "Status: New → Pending" in " ".join(lines(conversation))


def test_an_agent_no_longer_active_is_still_named(agent_client, agent):
    """Names come from the cached list of active agents first; the others are read."""
    former = UserFactory(first_name="Olga", last_name="Stará")
    ticket = make_ticket(subject="Old case")
    services.ticket_update(ticket=ticket, actor=agent, changes={"assignee": former})
    former.is_active = False
    former.save()

    text = "\n".join(lines(agent_client.get(f"/tickets/{ticket.number}/").content.decode()))
    assert "Assignee: nobody → Olga Stará by Hana Dvořáková" in text
