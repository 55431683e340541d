"""A socket opened before its agent was deactivated or made a customer hears nothing more."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async

from pomoc.accounts import services as account_services
from pomoc.accounts.models import Role
from pomoc.testing.factories import DepartmentFactory, UserFactory, make_ticket
from pomoc.tickets import services
from pomoc.tickets.consumers import CLOSE_FORBIDDEN
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
    support = DepartmentFactory(name="Support")
    agent, colleague = UserFactory(), UserFactory()
    support.members.add(agent, colleague)
    return agent, colleague, make_ticket(department=support)


@pytest.mark.parametrize("change", [{"is_active": False}, {"role": Role.CUSTOMER}])
def test_ticket_events_stop_and_the_socket_closes_once_the_agent_loses_access(change):
    async def scenario():
        agent, colleague, ticket = await database_sync_to_async(_setup)()
        socket = await connect(agent)
        assert await subscribe_ticket(socket, ticket.pk) == {"event": "subscribed", "ticket": ticket.pk}
        await socket.send_json_to({"action": "subscribe_inbox"})
        assert (await socket.receive_json_from(timeout=5)) == {"event": "subscribed", "inbox": True}

        await database_sync_to_async(account_services.user_update)(user=agent, actor=colleague, changes=change)
        await database_sync_to_async(services.message_add)(
            ticket=ticket, kind=MessageKind.NOTE, actor=colleague, body_text="Between us.")

        received = []
        while True:
            output = await socket.receive_output(timeout=5)
            if output["type"] == "websocket.close":
                assert output.get("code") == CLOSE_FORBIDDEN
                break
            received.append(output.get("text", ""))
        assert not [text for text in received if "message.added" in text or '"ticket.' in text]
        await close_layer()

    async_to_sync(scenario)()
