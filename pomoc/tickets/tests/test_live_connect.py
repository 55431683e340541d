"""Only active staff users get a live socket; everybody else is closed with a telling code."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from pomoc.accounts.models import Role
from pomoc.asgi import application
from pomoc.testing.factories import UserFactory, make_customer_user
from pomoc.tickets.consumers import CLOSE_FORBIDDEN, CLOSE_UNAUTHENTICATED
from pomoc.tickets.tests.live_helpers import channel_layer_kind, close_layer, connect  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("channel_layer_kind")]


async def _close_code(communicator) -> int:
    output = await communicator.receive_output(timeout=5)
    assert output["type"] == "websocket.close"
    return output["code"]


def test_it_closes_anonymous_sockets():
    async def scenario():
        communicator = await connect(None)
        assert await _close_code(communicator) == CLOSE_UNAUTHENTICATED
        await close_layer()

    async_to_sync(scenario)()


def test_it_closes_customer_sockets():
    async def scenario():
        customer = await database_sync_to_async(make_customer_user)()
        communicator = await connect(customer)
        assert await _close_code(communicator) == CLOSE_FORBIDDEN
        await close_layer()

    async_to_sync(scenario)()


def test_it_closes_sockets_of_deactivated_agents():
    async def scenario():
        agent = await database_sync_to_async(UserFactory)(role=Role.AGENT)
        agent.is_active = False
        await database_sync_to_async(agent.save)()
        communicator = await connect(agent)
        assert await _close_code(communicator) in (CLOSE_UNAUTHENTICATED, CLOSE_FORBIDDEN)
        await close_layer()

    async_to_sync(scenario)()


def test_it_accepts_agents_and_answers_pings():
    async def scenario():
        agent = await database_sync_to_async(UserFactory)(role=Role.AGENT)
        communicator = await connect(agent)
        await communicator.send_json_to({"action": "ping"})
        assert await communicator.receive_json_from(timeout=5) == {"event": "pong"}
        await communicator.send_to(text_data="not json")
        assert await communicator.receive_json_from(timeout=5) == {"error": "bad_request"}
        await communicator.send_json_to({"action": "format_disk"})
        assert await communicator.receive_json_from(timeout=5) == {"error": "unknown_action"}
        await communicator.disconnect()
        await close_layer()

    async_to_sync(scenario)()


def test_it_refuses_foreign_origins():
    async def scenario():
        communicator = WebsocketCommunicator(application, "/ws/live/", headers=[(b"origin", b"https://evil.example")])
        connected, _ = await communicator.connect(timeout=5)
        assert not connected

    async_to_sync(scenario)()
