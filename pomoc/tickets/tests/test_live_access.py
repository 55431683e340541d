"""Agents only hear about tickets they may see: ticket subscriptions and inbox groups both check."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async

from pomoc.accounts.models import Role
from pomoc.core.models import OrganisationSettings
from pomoc.testing.factories import DepartmentFactory, UserFactory, make_ticket
from pomoc.tickets import services
from pomoc.tickets.models import MessageKind
from pomoc.tickets.tests.live_helpers import (  # noqa: F401
    channel_layer_kind,
    close_layer,
    connect,
    receive_event,
    subscribe_ticket,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("channel_layer_kind")]


def _setup():
    billing, shipping = DepartmentFactory(name="Billing"), DepartmentFactory(name="Shipping")
    biller, shipper = UserFactory(), UserFactory()
    billing.members.add(biller)
    shipping.members.add(shipper)
    ticket = make_ticket(department=billing)
    return biller, shipper, ticket, shipping


def test_an_agent_of_another_department_cannot_subscribe():
    async def scenario():
        biller, shipper, ticket, _ = await database_sync_to_async(_setup)()
        socket = await connect(shipper)
        assert await subscribe_ticket(socket, ticket.pk) == {"error": "not_found", "ticket": ticket.pk}
        assert await subscribe_ticket(socket, "nonsense") == {"error": "not_found", "ticket": None}
        # Typing on a ticket one could not join goes nowhere.
        await socket.send_json_to({"action": "typing", "ticket": ticket.pk})
        assert await socket.receive_json_from(timeout=5) == {"error": "not_subscribed", "ticket": ticket.pk}

        await database_sync_to_async(services.message_add)(
            ticket=ticket, kind=MessageKind.REPLY, actor=biller, body_text="Refund sent."
        )
        assert await socket.receive_nothing(timeout=0.3)
        await socket.disconnect()
        await close_layer()

    async_to_sync(scenario)()


def test_inbox_events_reach_only_the_departments_members():
    async def scenario():
        biller, shipper, ticket, shipping = await database_sync_to_async(_setup)()
        billing_inbox, shipping_inbox = await connect(biller), await connect(shipper)
        for socket in (billing_inbox, shipping_inbox):
            await socket.send_json_to({"action": "subscribe_inbox"})
            assert await socket.receive_json_from(timeout=5) == {"event": "subscribed", "inbox": True}

        await database_sync_to_async(services.message_add)(
            ticket=ticket, kind=MessageKind.NOTE, actor=biller, body_text="Checking."
        )
        assert (await receive_event(billing_inbox, "message.added"))["ticket"] == ticket.pk
        assert await shipping_inbox.receive_nothing(timeout=0.3)

        created = await database_sync_to_async(make_ticket)(department=shipping)
        assert (await receive_event(shipping_inbox, "ticket.created"))["ticket"] == created.pk
        assert await billing_inbox.receive_nothing(timeout=0.3)

        for socket in (billing_inbox, shipping_inbox):
            await socket.disconnect()
        await close_layer()

    async_to_sync(scenario)()


def test_department_less_tickets_follow_the_organisation_setting():
    def setup(allowed):
        org = OrganisationSettings.get()
        org.agents_see_unassigned_department_less = allowed
        org.save()
        return UserFactory()

    async def scenario():
        for allowed in (True, False):
            agent = await database_sync_to_async(setup)(allowed)
            socket = await connect(agent)
            await socket.send_json_to({"action": "subscribe_inbox"})
            await socket.receive_json_from(timeout=5)
            await database_sync_to_async(make_ticket)(department=None)
            if allowed:
                await receive_event(socket, "ticket.created")
            else:
                assert await socket.receive_nothing(timeout=0.3)
            await socket.disconnect()
        await close_layer()

    async_to_sync(scenario)()


def test_administrators_who_see_everything_get_every_department():
    async def scenario():
        biller, shipper, ticket, shipping = await database_sync_to_async(_setup)()
        admin = await database_sync_to_async(UserFactory)(role=Role.ADMINISTRATOR)
        socket = await connect(admin)
        await socket.send_json_to({"action": "subscribe_inbox"})
        await socket.receive_json_from(timeout=5)
        await database_sync_to_async(make_ticket)(department=shipping)
        await receive_event(socket, "ticket.created")
        assert await subscribe_ticket(socket, ticket.pk) == {"event": "subscribed", "ticket": ticket.pk}
        await socket.disconnect()
        await close_layer()

    async_to_sync(scenario)()
