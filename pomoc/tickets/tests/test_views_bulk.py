"""Bulk changes from the inbox: only on tickets the agent may see, each with its own events."""

import pytest
from django.urls import reverse

from pomoc.testing.factories import DepartmentFactory, UserFactory, make_ticket
from pomoc.tickets.models import EventType, Priority, Status, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(client):
    support, billing = DepartmentFactory(name="Support"), DepartmentFactory(name="Billing")
    agent, colleague = UserFactory(username="bulk-agent"), UserFactory(username="bulk-colleague")
    support.members.add(agent, colleague)
    mine = [make_ticket(subject=f"S{i}", department=support) for i in range(3)]
    hidden = make_ticket(subject="Billing only", department=billing)
    client.force_login(agent)
    return {"agent": agent, "colleague": colleague, "tickets": mine, "hidden": hidden, "billing": billing}


def post_bulk(client, tickets, **changes):
    return client.post(reverse("tickets:bulk"),
                       {"ticket": [t.pk for t in tickets], "next": "/inbox/?view=open", **changes})


def test_assign_to_me_status_and_priority(client, world):
    response = post_bulk(client, world["tickets"][:2], assignee="me", status=Status.PENDING,
                         priority=str(Priority.HIGH))
    assert response.status_code == 302 and response["Location"] == "/inbox/?view=open"
    for ticket in Ticket.objects.filter(pk__in=[t.pk for t in world["tickets"][:2]]):
        assert (ticket.assignee, ticket.status, ticket.priority) == (world["agent"], Status.PENDING, Priority.HIGH)
        assert ticket.events.filter(type=EventType.ASSIGNED).count() == 1
    assert Ticket.objects.get(pk=world["tickets"][2].pk).assignee is None


def test_assign_to_an_agent_then_to_nobody(client, world):
    post_bulk(client, world["tickets"], assignee=str(world["colleague"].pk))
    assigned = Ticket.objects.filter(assignee=world["colleague"]).values_list("subject", flat=True)
    assert set(assigned) == {"S0", "S1", "S2"}
    post_bulk(client, world["tickets"], assignee="none")
    assert not Ticket.objects.filter(assignee__isnull=False).exists()


def test_department_and_added_tags_keep_existing_tags(client, world):
    from pomoc.tickets import services

    first = world["tickets"][0]
    services.ticket_update(ticket=first, actor=world["agent"], changes={"tags": ["old"]})
    post_bulk(client, world["tickets"][:1], add_tags="new, Shiny")
    assert sorted(first.tags.values_list("name", flat=True)) == ["new", "old", "shiny"]
    post_bulk(client, world["tickets"][1:2], department="none")
    assert Ticket.objects.get(pk=world["tickets"][1].pk).department is None


def test_tickets_the_agent_cannot_see_are_left_alone(client, world):
    post_bulk(client, [world["tickets"][0], world["hidden"]], status=Status.RESOLVED)
    assert Ticket.objects.get(pk=world["hidden"].pk).status == Status.NEW
    assert Ticket.objects.get(pk=world["tickets"][0].pk).status == Status.RESOLVED


def test_nothing_selected_or_nothing_to_change_is_an_error(client, world):
    response = post_bulk(client, [], status=Status.RESOLVED)
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert b"Select at least one ticket." in page.content
    post_bulk(client, world["tickets"])
    assert b"Choose at least one change" in client.get("/inbox/").content
    assert not Ticket.objects.filter(status=Status.RESOLVED).exists()


def test_an_unsafe_next_address_is_ignored(client, world):
    response = client.post(reverse("tickets:bulk"), {"ticket": [world["tickets"][0].pk], "status": "open",
                                                     "next": "https://evil.example/"})
    assert response["Location"] == reverse("tickets:inbox")


def test_remove_tags_leaves_the_others(client, world):
    from pomoc.tickets import services

    first, second = world["tickets"][:2]
    for ticket in (first, second):
        services.ticket_update(ticket=ticket, actor=world["agent"], changes={"tags": ["vip", "billing", "later"]})
    post_bulk(client, [first, second], remove_tags="VIP, later", add_tags="done")
    for ticket in (first, second):
        assert sorted(ticket.tags.values_list("name", flat=True)) == ["billing", "done"]
        assert ticket.events.filter(type=EventType.TAGS_CHANGED).count() == 2


def test_merge_moves_the_others_into_the_oldest_selected(client, world):
    oldest, *others = world["tickets"]
    response = post_bulk(client, list(reversed(world["tickets"])), action="merge")
    assert response.status_code == 302
    for ticket in others:
        ticket.refresh_from_db()
        assert (ticket.merged_into_id, ticket.status) == (oldest.pk, Status.CLOSED)
    assert oldest.messages.count() == 3
    page = client.get("/inbox/?view=open", follow=True).content.decode()
    assert f"Merged 2 ticket(s) into #{oldest.number}." in page


def test_merge_of_one_ticket_says_two_are_needed(client, world):
    response = post_bulk(client, world["tickets"][:1], action="merge")
    assert response.status_code == 302
    assert "Select at least two tickets to merge." in client.get("/inbox/?view=open").content.decode()
    assert Ticket.objects.filter(merged_into__isnull=False).count() == 0


def test_mark_as_spam_closes_and_tags(client, world):
    post_bulk(client, world["tickets"][:2], action="spam")
    for ticket in Ticket.objects.filter(pk__in=[t.pk for t in world["tickets"][:2]]):
        assert ticket.status == Status.CLOSED
        assert list(ticket.tags.values_list("name", flat=True)) == ["spam"]
    assert Ticket.objects.get(pk=world["tickets"][2].pk).status == Status.NEW


def test_apply_with_nothing_selected_says_so_and_changes_nothing(client, world):
    response = client.post(reverse("tickets:bulk"), {"next": "/inbox/?view=open", "status": Status.RESOLVED})
    assert response.status_code == 302
    assert "Select at least one ticket." in client.get("/inbox/?view=open").content.decode()
    assert not Ticket.objects.filter(status=Status.RESOLVED).exists()


def test_snooze_takes_the_tickets_out_of_the_open_views_until_due(client, world):
    import datetime as dt

    from django.utils import timezone

    from pomoc.tickets.snooze import tickets_wake_due

    until = timezone.localtime() + dt.timedelta(days=1)
    post_bulk(client, world["tickets"][:1], snooze_until=until.strftime("%Y-%m-%dT%H:%M"))
    snoozed = Ticket.objects.get(pk=world["tickets"][0].pk)
    assert snoozed.status == Status.SNOOZED
    assert abs(snoozed.snoozed_until - until) < dt.timedelta(minutes=1)
    assert "S0" not in client.get("/inbox/?view=open").content.decode()
    assert "S0" in client.get("/inbox/?view=snoozed").content.decode()
    assert tickets_wake_due() == 0
    assert tickets_wake_due(now=until + dt.timedelta(minutes=1)) == 1
    woken = Ticket.objects.get(pk=snoozed.pk)
    assert (woken.status, woken.snoozed_until) == (Status.OPEN, None)
    assert "S0" in client.get("/inbox/?view=open").content.decode()


def test_snooze_into_the_past_is_refused(client, world):
    post_bulk(client, world["tickets"][:1], snooze_until="2001-01-01T09:00")
    assert "Choose a time in the future." in client.get("/inbox/?view=open").content.decode()
    assert Ticket.objects.get(pk=world["tickets"][0].pk).status == Status.NEW
