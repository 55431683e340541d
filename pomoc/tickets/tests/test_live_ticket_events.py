"""An agent on a ticket page hears about changes other agents make through the services."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async

from pomoc.testing.factories import DepartmentFactory, UserFactory, make_ticket
from pomoc.tickets import services
from pomoc.tickets.models import MessageKind, Status
from pomoc.tickets.tests.live_helpers import (  # noqa: F401
    channel_layer_kind,
    close_layer,
    connect,
    receive_event,
    subscribe_ticket,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("channel_layer_kind")]


def _setup():
    department = DepartmentFactory()
    writer, watcher = UserFactory(), UserFactory()
    department.members.add(writer, watcher)
    ticket = make_ticket(department=department)
    return writer, watcher, ticket


def test_it_sends_message_added_and_ticket_updated_to_subscribers():
    async def scenario():
        writer, watcher, ticket = await database_sync_to_async(_setup)()
        socket = await connect(watcher)
        assert await subscribe_ticket(socket, ticket.pk) == {"event": "subscribed", "ticket": ticket.pk}

        message = await database_sync_to_async(services.message_add)(
            ticket=ticket, kind=MessageKind.REPLY, actor=writer, body_text="On it."
        )
        event = await receive_event(socket, "message.added")
        assert event == {"event": "message.added", "ticket": ticket.pk, "number": ticket.number,
                         "actor": writer.pk, "message": message.pk, "kind": MessageKind.REPLY}

        await database_sync_to_async(services.ticket_update)(
            ticket=ticket, actor=writer, changes={"status": Status.RESOLVED, "assignee": watcher}
        )
        # The reply's own update (new → open) may arrive before or after its message.added: one
        # dispatch's payloads go out concurrently. Wait for the update that assigned the ticket.
        event = await receive_event(socket, "ticket.updated")
        while "assignee" not in event["fields"]:
            event = await receive_event(socket, "ticket.updated")
        assert event["ticket"] == ticket.pk
        assert event["actor"] == writer.pk
        assert {"status", "assignee"} <= set(event["fields"])
        # Payloads carry ids only: never the body of a message.
        assert "On it." not in str(event)

        await socket.disconnect()
        await close_layer()

    async_to_sync(scenario)()


def test_it_tells_a_page_when_its_ticket_moves_out_of_sight():
    async def scenario():
        writer, watcher, ticket = await database_sync_to_async(_setup)()
        elsewhere = await database_sync_to_async(DepartmentFactory)()
        socket = await connect(watcher)
        await subscribe_ticket(socket, ticket.pk)

        await database_sync_to_async(services.ticket_update)(
            ticket=ticket, actor=writer, changes={"department": elsewhere}
        )
        assert await receive_event(socket, "ticket.gone") == {"event": "ticket.gone", "ticket": ticket.pk}
        # Unsubscribed: later changes are not announced any more.
        await database_sync_to_async(services.message_add)(
            ticket=ticket, kind=MessageKind.NOTE, actor=writer, body_text="Moved."
        )
        assert await socket.receive_nothing(timeout=0.3)

        await socket.disconnect()
        await close_layer()

    async_to_sync(scenario)()
