"""Every change made through the services reaches the websocket groups after commit, built from
its events by ``live``, and nothing does when the change rolls back."""

import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction

from pomoc.core.realtime import department_group, ticket_group
from pomoc.testing.factories import ContactFactory, DepartmentFactory, UserFactory, make_ticket
from pomoc.tickets import services
from pomoc.tickets.intake import Incoming, customer_messages_add
from pomoc.tickets.models import (
    Channel,
    CustomFieldDefinition,
    CustomFieldType,
    DeliveryState,
    MessageKind,
    Priority,
    Status,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def memory_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


class RolledBack(Exception):
    pass


def _world() -> dict:
    home, other = DepartmentFactory(), DepartmentFactory()
    agent = UserFactory()
    CustomFieldDefinition.objects.create(key="plan", label="Plan", type=CustomFieldType.TEXT)
    ticket = make_ticket(department=home)
    services.message_add(ticket=ticket, kind=MessageKind.CUSTOMER, body_text="And the scanner too.")
    second = make_ticket(department=home)
    services.ticket_update(ticket=second, actor=agent, changes={"tags": ["billing"]})
    # A reply on the second ticket, delivered after its commit (tasks run at once in the tests).
    sent = services.message_add(ticket=second, kind=MessageKind.REPLY, actor=agent, body_text="Done.")
    sent.refresh_from_db()
    return {"home": home, "other": other, "agent": agent, "ticket": ticket, "second": second, "sent": sent}


def _failed_then_retried(w):
    services.message_delivery_mark(message=w["sent"], state=DeliveryState.FAILED, error="550 No such user")
    return services.message_delivery_retry(w["sent"], actor=w["agent"])


def _bounced(w):
    return services.bounce_record(message=w["sent"], addresses=["gone@example.org"], contact_ids=[], permanent=True,
                                  status="5.1.1", text="The mail could not be delivered.", channel=Channel.EMAIL)


def _split(w):
    message = w["ticket"].messages.order_by("-id").first()
    return services.message_split(message=message, actor=w["agent"], subject="The scanner")


# name -> (what the agent does, the payloads expected: (group names, event, check)); ``check`` may
# name the ticket ("ticket", "second"; a new ticket otherwise).
CHANGES = {
    "create": (
        lambda w: services.ticket_create(requester=ContactFactory(), subject="New", body_text="Hello",
                                         department=w["home"], actor=w["agent"]),
        [("home", "ticket.created", {})],
    ),
    "reply": (
        lambda w: services.message_add(ticket=w["ticket"], kind=MessageKind.REPLY, actor=w["agent"], body_text="Hi"),
        [("ticket home", "message.added", {"kind": MessageKind.REPLY}),
         ("ticket", "message.delivery", {"state": "queued", "actor": "agent"}),
         ("ticket", "message.delivery", {"state": "sent", "actor": None}),  # the delivery task's own dispatch
         ("ticket home", "ticket.updated", {"fields": ["status"]})],
    ),
    "delivery failed, then sent again": (
        _failed_then_retried,
        [("second", "message.delivery", {"ticket": "second", "state": "failed", "actor": None}),
         ("second", "message.delivery", {"ticket": "second", "state": "queued", "actor": "agent"}),
         ("second", "message.delivery", {"ticket": "second", "state": "sent", "actor": None})],
    ),
    "bounce": (
        _bounced,
        [("second", "message.delivery", {"ticket": "second", "state": "failed", "actor": None}),
         ("second home", "ticket.updated", {"ticket": "second", "fields": ["bounced"], "actor": None}),
         ("second home", "message.added", {"ticket": "second", "kind": MessageKind.SYSTEM, "actor": None})],
    ),
    "system note": (
        lambda w: services.system_note_add(ticket=w["ticket"], text="Automatic reply: away", channel=Channel.EMAIL),
        [("ticket home", "message.added", {"kind": MessageKind.SYSTEM, "actor": None})],
    ),
    "reply route": (
        lambda w: services.ticket_reply_route_set(ticket=w["ticket"], actor=w["agent"], inbox=None,
                                                  identity=w["ticket"].requester.identities.get()),
        [("ticket home", "ticket.updated", {"fields": ["reply_route"]})],
    ),
    "note": (
        lambda w: services.message_add(ticket=w["ticket"], kind=MessageKind.NOTE, actor=w["agent"], body_text="Hm"),
        [("ticket home", "message.added", {"kind": MessageKind.NOTE})],
    ),
    "status": (
        lambda w: services.ticket_update(ticket=w["ticket"], actor=w["agent"], changes={"status": Status.PENDING}),
        [("ticket home", "ticket.updated", {"fields": ["status"]})],
    ),
    "priority": (
        lambda w: services.ticket_update(ticket=w["ticket"], actor=w["agent"], changes={"priority": Priority.URGENT}),
        [("ticket home", "ticket.updated", {"fields": ["priority"]})],
    ),
    "assignee": (
        lambda w: services.ticket_update(ticket=w["ticket"], actor=w["agent"], changes={"assignee": w["agent"]}),
        [("ticket home", "ticket.updated", {"fields": ["assignee", "status"]})],
    ),
    "department": (
        lambda w: services.ticket_update(ticket=w["ticket"], actor=w["agent"], changes={"department": w["other"]}),
        [("ticket home other", "ticket.updated", {"fields": ["department"]})],
    ),
    "tags": (
        lambda w: services.ticket_update(ticket=w["ticket"], actor=w["agent"], changes={"tags": ["vip"]}),
        [("ticket home", "ticket.updated", {"fields": ["tags"]})],
    ),
    "subject": (
        lambda w: services.ticket_update(ticket=w["ticket"], actor=w["agent"], changes={"subject": "Scanner"}),
        [("ticket home", "ticket.updated", {"fields": ["subject"]})],
    ),
    "custom fields": (
        lambda w: services.ticket_update(ticket=w["ticket"], actor=w["agent"],
                                         changes={"custom_fields": {"plan": "gold"}}),
        [("ticket home", "ticket.updated", {"fields": ["custom_fields"]})],
    ),
    "merge": (
        lambda w: services.ticket_merge(source=w["second"], target=w["ticket"], actor=w["agent"]),
        [("ticket home", "ticket.updated", {"ticket": "ticket", "fields": ["messages", "participants", "tags"]}),
         ("second home", "ticket.updated", {"ticket": "second", "fields": ["merged_into", "status"]})],
    ),
    "split": (
        _split,
        [("ticket home", "ticket.updated", {"fields": ["messages"]}),
         ("home", "ticket.created", {})],
    ),
    "participant added": (
        lambda w: customer_messages_add([Incoming(contact=ContactFactory(), channel=Channel.EMAIL, body_text="Me too",
                                                  ticket=w["ticket"])]),
        [("ticket home", "message.added", {"kind": MessageKind.CUSTOMER, "actor": None}),
         ("ticket home", "ticket.updated", {"fields": ["participants"], "actor": None})],
    ),
}


async def _listen(groups: list[str]) -> str:
    layer = get_channel_layer()
    channel = await layer.new_channel()
    for group in groups:
        await layer.group_add(group, channel)
    return channel


async def _heard(channel: str, timeout: float = 0.3) -> list[dict]:
    layer, heard = get_channel_layer(), []
    while True:
        try:
            message = await asyncio.wait_for(layer.receive(channel), timeout)
        except TimeoutError:
            return heard
        heard.append(message["payload"])


def _group_names(w) -> dict[str, str]:
    return {"ticket": ticket_group(w["ticket"].pk), "second": ticket_group(w["second"].pk),
            "home": department_group(w["home"].pk), "other": department_group(w["other"].pk)}


@pytest.mark.parametrize("committed", [True, False], ids=["committed", "rolled back"])
@pytest.mark.parametrize("change", list(CHANGES))
def test_every_change_reaches_its_groups_after_commit_only(change, committed):
    action, expected = CHANGES[change]

    def act(w):
        if committed:
            return action(w)
        with pytest.raises(RolledBack), transaction.atomic():
            action(w)
            raise RolledBack

    async def scenario():
        w = await database_sync_to_async(_world)()
        names = _group_names(w)
        channels = {name: await _listen([group]) for name, group in names.items()}
        await database_sync_to_async(act)(w)
        heard = {name: await _heard(channel) for name, channel in channels.items()}
        if not committed:
            assert heard == {name: [] for name in names}
            return
        ids = {"ticket": w["ticket"].pk, "second": w["second"].pk, "agent": w["agent"].pk}
        for group_names, event, check in expected:
            check = {key: ids.get(value, value) if key in ("ticket", "actor") else value
                     for key, value in check.items()}
            for name in group_names.split():
                matching = [p for p in heard[name] if p["event"] == event
                            and {k: p.get(k) for k in check} == check]
                assert len(matching) == 1, (name, event, check, heard[name])
                assert isinstance(matching[0]["number"], int)
                if "actor" not in check:
                    assert matching[0]["actor"] == w["agent"].pk
        # One payload per ticket and kind: nothing more than expected on any group.
        for name in names:
            wanted = sorted(event for groups, event, _ in expected if name in groups.split())
            assert sorted(p["event"] for p in heard[name]) == wanted, (name, heard[name])

    async_to_sync(scenario)()


def test_payload_shapes_are_what_the_browser_reads():
    async def scenario():
        w = await database_sync_to_async(_world)()
        ticket, agent = w["ticket"], w["agent"]
        channel = await _listen([ticket_group(ticket.pk)])
        message = await database_sync_to_async(services.message_add)(
            ticket=ticket, kind=MessageKind.NOTE, actor=agent, body_text="Secret words")
        await database_sync_to_async(services.ticket_update)(
            ticket=ticket, actor=agent, changes={"priority": Priority.HIGH, "subject": "Scanner"})
        assert await _heard(channel) == [
            {"event": "message.added", "ticket": ticket.pk, "number": ticket.number, "actor": agent.pk,
             "message": message.pk, "kind": MessageKind.NOTE},
            {"event": "ticket.updated", "ticket": ticket.pk, "number": ticket.number, "actor": agent.pk,
             "fields": ["priority", "subject"]},
        ]

    async_to_sync(scenario)()
