"""Agents on the same ticket see who else is there and who is typing a reply (collision warning)."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async

from pomoc.testing.factories import DepartmentFactory, UserFactory, make_ticket
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
    jana = UserFactory(first_name="Jana", last_name="Nováková")
    petr = UserFactory(first_name="Petr", last_name="Svoboda")
    department.members.add(jana, petr)
    return jana, petr, make_ticket(department=department)


def test_typing_reaches_the_other_agent_but_not_the_sender():
    async def scenario():
        jana, petr, ticket = await database_sync_to_async(_setup)()
        jana_socket, petr_socket = await connect(jana), await connect(petr)
        await subscribe_ticket(jana_socket, ticket.pk)
        await subscribe_ticket(petr_socket, ticket.pk)

        # Each sees the other on the ticket: the newcomer is announced, the one already there answers.
        viewing = await receive_event(jana_socket, "agent.viewing")
        assert viewing == {"event": "agent.viewing", "ticket": ticket.pk, "user": petr.pk, "name": "Petr Svoboda"}
        viewing = await receive_event(petr_socket, "agent.viewing")
        assert viewing == {"event": "agent.viewing", "ticket": ticket.pk, "user": jana.pk, "name": "Jana Nováková"}

        await jana_socket.send_json_to({"action": "typing", "ticket": ticket.pk})
        typing = await receive_event(petr_socket, "agent.typing")
        assert typing == {"event": "agent.typing", "ticket": ticket.pk, "user": jana.pk, "name": "Jana Nováková"}
        assert await jana_socket.receive_nothing(timeout=0.3)

        await petr_socket.disconnect()
        left = await receive_event(jana_socket, "agent.left")
        assert left == {"event": "agent.left", "ticket": ticket.pk, "user": petr.pk, "name": "Petr Svoboda"}

        await jana_socket.disconnect()
        await close_layer()

    async_to_sync(scenario)()


def test_typing_floods_are_dropped():
    async def scenario():
        jana, petr, ticket = await database_sync_to_async(_setup)()
        jana_socket, petr_socket = await connect(jana), await connect(petr)
        await subscribe_ticket(petr_socket, ticket.pk)
        await subscribe_ticket(jana_socket, ticket.pk)
        await receive_event(petr_socket, "agent.viewing")

        for _ in range(5):
            await jana_socket.send_json_to({"action": "typing", "ticket": ticket.pk})
        await receive_event(petr_socket, "agent.typing")
        assert await petr_socket.receive_nothing(timeout=0.3)

        for socket in (jana_socket, petr_socket):
            await socket.disconnect()
        await close_layer()

    async_to_sync(scenario)()
