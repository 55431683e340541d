"""Macros: several actions in one click on one ticket, or on many from the inbox; only on tickets the
agent may see."""

import pytest
from django.urls import reverse

from pomoc.automation.macros import services
from pomoc.testing.factories import ContactFactory, DepartmentFactory, UserFactory, make_ticket
from pomoc.testing.pages import ticket_page
from pomoc.tickets.models import EventType, MessageKind, Priority, Status, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(client):
    support, billing = DepartmentFactory(name="Support"), DepartmentFactory(name="Billing")
    agent = UserFactory(username="macro-agent", first_name="Eva", last_name="Agent")
    support.members.add(agent)
    mine = [make_ticket(subject=f"S{i}", department=support, requester=ContactFactory(name=f"Jana {i}"))
            for i in range(3)]
    hidden = make_ticket(subject="Billing only", department=billing)
    macro = services.macro_create(name="Solved", actions=[
        {"type": "reply", "value": "Glad it works, {{ customer.first_name }}. {{ agent.first_name }}"},
        {"type": "set_status", "value": "resolved"}, {"type": "add_tag", "value": "solved"},
        {"type": "assign_agent", "value": "me"}, {"type": "set_priority", "value": "low"},
        {"type": "assign_department", "value": "Billing"}])
    client.force_login(agent)
    return {"agent": agent, "tickets": mine, "hidden": hidden, "macro": macro, "billing": billing}


def applied(ticket, agent, billing):
    ticket = Ticket.objects.get(pk=ticket.pk)
    reply = ticket.messages.get(kind=MessageKind.REPLY)
    return (reply.body_text, reply.author_user == agent, ticket.status, ticket.assignee == agent,
            ticket.priority, ticket.department == billing, sorted(ticket.tags.values_list("name", flat=True)))


def test_one_click_on_the_ticket_page(client, world):
    ticket = world["tickets"][0]
    response = client.post(reverse("macros:apply", args=[ticket.number]), {"macro": world["macro"].pk})
    assert response.status_code == 302 and response["Location"] == reverse("tickets:detail", args=[ticket.number])
    assert applied(ticket, world["agent"], world["billing"]) == (
        "Glad it works, Jana. Eva", True, Status.RESOLVED, True, Priority.LOW, True, ["solved"])
    event = ticket.events.get(type=EventType.MACRO_APPLIED)
    assert event.actor == world["agent"] and event.data["name"] == "Solved"
    assert ticket.events.get(type=EventType.ASSIGNED).actor == world["agent"]  # the agent did it, not a rule
    assert Ticket.objects.get(pk=ticket.pk).first_response_at is not None  # a person answered


def test_many_tickets_at_once_from_the_inbox(client, world):
    chosen = world["tickets"][:2]
    response = client.post(reverse("macros:apply_bulk"), {"macro": world["macro"].pk, "next": "/inbox/?view=open",
                                                          "ticket": [t.pk for t in chosen] + [world["hidden"].pk]})
    assert response.status_code == 302 and response["Location"] == "/inbox/?view=open"
    for ticket in chosen:
        assert applied(ticket, world["agent"], world["billing"])[2:] == (
            Status.RESOLVED, True, Priority.LOW, True, ["solved"])
    untouched = [world["tickets"][2], world["hidden"]]
    assert not Ticket.objects.filter(pk__in=[t.pk for t in untouched], status=Status.RESOLVED).exists()


def test_a_hidden_ticket_is_not_found(client, world):
    response = client.post(reverse("macros:apply", args=[world["hidden"].number]), {"macro": world["macro"].pk})
    assert response.status_code == 404
    assert not world["hidden"].messages.filter(kind=MessageKind.REPLY).exists()


def test_bad_input_is_a_message_not_an_error(client, world):
    ticket = world["tickets"][0]
    for data in ({"macro": "x"}, {}, {"macro": str(10**30)}, {"macro": "-1"}, {"macro": "99999"}):
        response = client.post(reverse("macros:apply", args=[ticket.number]), data, follow=True)
        assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == ["That macro no longer exists."]
    response = client.post(reverse("macros:apply_bulk"), {"macro": world["macro"].pk, "ticket": ["1; drop"]},
                           follow=True)
    assert response.status_code == 200
    assert "Not a valid selection." in [str(m) for m in response.context["messages"]]


def test_customers_cannot_apply_macros(client, world):
    from pomoc.testing.factories import make_customer_user

    client.force_login(make_customer_user(world["tickets"][0].requester))
    response = client.post(reverse("macros:apply", args=[world["tickets"][0].number]), {"macro": world["macro"].pk})
    assert response.status_code == 404


def test_the_ticket_page_and_the_inbox_offer_the_macros(client, world):
    page = ticket_page(client, world["tickets"][0].number)
    assert reverse("macros:apply", args=[world["tickets"][0].number]) in page and ">Solved</option>" in page
    inbox = client.get(reverse("tickets:inbox")).content.decode()
    assert reverse("macros:apply_bulk") in inbox and ">Solved</option>" in inbox


def test_what_cannot_be_done_is_reported_and_the_rest_is_done(client, world):
    nowhere = make_ticket(department=world["tickets"][0].department, requester=ContactFactory(email=None))
    nowhere.requester.identities.all().delete()
    response = client.post(reverse("macros:apply", args=[nowhere.number]), {"macro": world["macro"].pk}, follow=True)
    texts = [str(m) for m in response.context["messages"]]
    assert any(t.startswith("Not done: #") and "nowhere to go" in t for t in texts)
    assert Ticket.objects.get(pk=nowhere.pk).status == Status.RESOLVED
