"""``notify``: the one service every part of Pomoc calls to tell agents something."""

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from pomoc.core.realtime import user_group
from pomoc.notifications import services
from pomoc.notifications.models import Notification, NotificationKind
from pomoc.testing.factories import UserFactory, make_customer_user

pytestmark = pytest.mark.django_db


def test_it_tells_everybody_but_the_actor(team, committed):
    alice, bob, _olga, ticket = team
    with committed():
        made = services.notify([alice, bob.pk], kind=NotificationKind.ASSIGNED, ticket=ticket, actor=alice)
    assert [n.recipient_id for n in made] == [bob.pk]
    assert Notification.objects.get().actor == alice


def test_it_never_tells_somebody_who_cannot_see_the_ticket(team, committed):
    _alice, _bob, olga, ticket = team
    customer = make_customer_user(contact=ticket.requester)
    inactive = UserFactory(username="gone", is_active=False)
    with committed():
        assert services.notify([olga, customer, inactive], kind=NotificationKind.MENTIONED, ticket=ticket) == []


def test_other_kinds_and_no_ticket_are_welcome(team, committed):
    alice, _bob, _olga, _ticket = team
    with committed():
        made = services.notify([alice], kind="sla_breached", text="Three tickets breached their SLA")
    assert made[0].kind == "sla_breached" and made[0].text == "Three tickets breached their SLA"


def test_the_kinds_chosen_for_e_mail_wait_for_the_mail(team, committed):
    alice, bob, _olga, ticket = team
    services.preferences_save(user=bob, email_kinds=[NotificationKind.CUSTOMER_REPLIED])
    with committed():
        services.notify([alice, bob], kind=NotificationKind.ASSIGNED, ticket=ticket)
    # Alice never chose: assignments and mentions reach her by mail by default; Bob chose otherwise.
    assert dict(Notification.objects.values_list("recipient__username", "email_pending")) == {
        "alice": True, "bob": False}


def test_it_reaches_the_recipients_pages_live_in_their_language(team, committed, settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    alice, bob, _olga, ticket = team
    bob.language = "cs"
    bob.save()
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_group(bob.pk), channel)
    with committed():
        made = services.notify([bob], kind=NotificationKind.ASSIGNED, ticket=ticket, actor=alice)
    message = async_to_sync(layer.receive)(channel)
    payload = message["payload"]
    assert payload["event"] == "notification.created" and payload["id"] == made[0].pk
    assert payload["unread"] == 1 and payload["url"] == f"/notifications/{made[0].pk}/"
    assert f"#{ticket.number}" in payload["title"] and "Alice Archer" in payload["title"]
    assert payload["title"] != f"Alice Archer assigned ticket #{ticket.number} to you"  # Czech, not English
    assert payload["body"] == "Kettle leaks"


def test_notifications_read_long_ago_are_pruned(team, committed):
    import datetime as dt

    from django.utils import timezone

    from pomoc.notifications import tasks

    alice, bob, _olga, ticket = team
    with committed():
        old, fresh, unread = (services.notify([bob], kind=NotificationKind.ASSIGNED, ticket=ticket, actor=alice)[0]
                              for _ in range(3))
    now = timezone.now()
    Notification.objects.filter(pk=old.pk).update(read_at=now - dt.timedelta(days=91))
    Notification.objects.filter(pk=fresh.pk).update(read_at=now - dt.timedelta(days=89))
    assert tasks.prune_read_notifications.call() == 1
    assert set(Notification.objects.values_list("pk", flat=True)) == {fresh.pk, unread.pk}
