"""The inbox list and the ticket page cost the same number of queries however many notifications,
drafts, followers and unread tickets there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pomoc.drafts.models import Draft
from pomoc.notifications import services
from pomoc.notifications.models import NotificationKind
from pomoc.testing.factories import ContactFactory, UserFactory, make_ticket
from pomoc.tickets import services as tickets
from pomoc.tickets.models import MessageKind

pytestmark = pytest.mark.django_db


def queries_of(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


_made = [0]


def more_of_everything(team, rounds: int) -> None:
    alice, bob, _olga, ticket = team
    department = ticket.department
    for i in range(_made[0], _made[0] + rounds):
        other = make_ticket(subject=f"Other {i}", requester=ContactFactory(), department=department, assignee=bob)
        tickets.message_add(ticket=other, kind=MessageKind.CUSTOMER, body_text="More.")
        services.notify([bob], kind=NotificationKind.ASSIGNED, ticket=other, actor=alice)
        services.notify([bob], kind=NotificationKind.MENTIONED, ticket=ticket, actor=alice, text=f"@bob {i}")
        services.ticket_follow(user=UserFactory(username=f"follower{i}"), ticket=ticket)
        colleague = UserFactory(username=f"writer{i}")
        department.members.add(colleague)
        Draft.objects.create(user=colleague, ticket=ticket, kind="reply", body_text=f"Draft {i}")
    _made[0] += rounds


def test_the_inbox_costs_the_same_for_few_or_many(client, team, committed):
    _alice, bob, _olga, _ticket = team
    client.force_login(bob)
    url = "/inbox/?view=open"
    queries_of(client, url)
    with committed():
        more_of_everything(team, 1)
    few = queries_of(client, url)
    with committed():
        more_of_everything(team, 12)
    many = queries_of(client, url)
    assert few == many


def test_the_ticket_page_costs_the_same_for_few_or_many(client, team, committed):
    _alice, bob, _olga, ticket = team
    client.force_login(bob)
    url = f"/tickets/{ticket.number}/"
    queries_of(client, url)
    with committed():
        more_of_everything(team, 1)
    queries_of(client, url)  # reads the notifications of this ticket once
    with committed():
        more_of_everything(team, 1)
    few = queries_of(client, url)
    with committed():
        more_of_everything(team, 12)
    many = queries_of(client, url)
    assert few == many
    page = client.get(url).content.decode()
    assert page.count("has an unsent reply on this ticket") == Draft.objects.filter(ticket=ticket).count() > 10


def test_the_notifications_page_costs_the_same_for_few_or_many(client, team, committed):
    _alice, bob, _olga, _ticket = team
    client.force_login(bob)
    with committed():
        more_of_everything(team, 1)
    few = queries_of(client, "/notifications/")
    with committed():
        more_of_everything(team, 12)
    assert queries_of(client, "/notifications/") == few
