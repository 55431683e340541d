"""What happens on a ticket becomes notifications for the agents it concerns."""

import pytest

from pomoc.notifications import services
from pomoc.notifications.models import Notification, NotificationKind
from pomoc.tickets import services as tickets
from pomoc.tickets.models import MessageKind, Status

pytestmark = pytest.mark.django_db


def told() -> set[tuple[str, str]]:
    return set(Notification.objects.values_list("recipient__username", "kind"))


def test_an_assignment_tells_the_new_assignee(team, committed):
    alice, bob, _olga, ticket = team
    with committed():
        tickets.ticket_update(ticket=ticket, actor=alice, changes={"assignee": bob})
    assert told() == {("bob", NotificationKind.ASSIGNED)}


def test_taking_a_ticket_yourself_tells_nobody(team, committed):
    alice, _bob, _olga, ticket = team
    with committed():
        tickets.ticket_update(ticket=ticket, actor=alice, changes={"assignee": alice})
    assert told() == set()


def test_a_customer_reply_tells_the_assignee(team, committed):
    _alice, bob, _olga, ticket = team
    with committed():
        tickets.ticket_update(ticket=ticket, actor=None, changes={"assignee": bob})
    Notification.objects.all().delete()
    with committed():
        tickets.message_add(ticket=ticket, kind=MessageKind.CUSTOMER, body_text="Still leaking.")
    assert told() == {("bob", NotificationKind.CUSTOMER_REPLIED)}


def test_a_mention_in_a_note_tells_the_agents_named_who_can_see_the_ticket(team, committed):
    alice, bob, _olga, ticket = team
    with committed():
        tickets.message_add(ticket=ticket, kind=MessageKind.NOTE, actor=alice,
                            body_text="@Bob, and @olga, and @nobody: have a look. Mail me at x@alice.")
    notification = Notification.objects.get()
    assert (notification.recipient, notification.kind, notification.actor) == (bob, NotificationKind.MENTIONED, alice)
    assert "have a look" in notification.text


def test_a_mention_in_a_reply_to_the_customer_is_not_one(team, committed):
    alice, _bob, _olga, ticket = team
    with committed():
        tickets.message_add(ticket=ticket, kind=MessageKind.REPLY, actor=alice, body_text="Our @bob will call.")
    assert ("bob", NotificationKind.MENTIONED) not in told()


def test_followers_hear_about_messages_and_status_but_not_their_own(team, committed):
    alice, bob, _olga, ticket = team
    services.ticket_follow(user=bob, ticket=ticket)
    services.ticket_follow(user=alice, ticket=ticket)
    with committed():
        tickets.ticket_update(ticket=ticket, actor=alice, changes={"status": Status.PENDING})
    assert told() == {("bob", NotificationKind.FOLLOWED_TICKET_CHANGED)}
    Notification.objects.all().delete()
    with committed():
        tickets.ticket_update(ticket=ticket, actor=alice, changes={"priority": 4})
    assert told() == set()  # a priority change is not worth a notification
    services.ticket_follow(user=bob, ticket=ticket, follow=False)
    with committed():
        tickets.message_add(ticket=ticket, kind=MessageKind.CUSTOMER, body_text="Hello?")
    assert told() == {("alice", NotificationKind.FOLLOWED_TICKET_CHANGED)}


def test_one_notification_per_agent_and_ticket_the_most_specific(team, committed):
    alice, bob, _olga, ticket = team
    services.ticket_follow(user=bob, ticket=ticket)
    with committed():
        tickets.ticket_update(ticket=ticket, actor=alice, changes={"assignee": bob, "status": Status.OPEN})
        tickets.message_add(ticket=ticket, kind=MessageKind.NOTE, actor=alice, body_text="@bob yours now")
    assert list(Notification.objects.values_list("recipient__username", "kind")) == [
        ("bob", NotificationKind.MENTIONED)]
