"""Shared pieces of the websocket tests: the channel layers to run them on, and logged-in sockets."""

import uuid

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.test import Client

from pomoc.asgi import application
from pomoc.settings import redis_channel_layer
from pomoc.testing.services import redis_reachable, redis_url, require_service

ORIGIN = b"http://localhost"
HOST = b"localhost"


@pytest.fixture(params=["memory", "redis"])
def channel_layer_kind(request, settings):
    """Run a test once on the in-memory layer and once on Redis (skipped, or failed on CI, without it)."""
    if request.param == "redis":
        url = redis_url()
        require_service(f"Redis at {url}", redis_reachable(url), hint="set REDIS_URL or start Redis")
        # A prefix of our own keeps parallel test runs on one Redis apart.
        layer = redis_channel_layer(url, 100)  # as the settings build it
        settings.CHANNEL_LAYERS = {"default": {**layer, "CONFIG": {
            **layer["CONFIG"], "prefix": f"pomoc-test-{uuid.uuid4().hex[:12]}"}}}
    else:
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    return request.param


async def close_layer() -> None:
    """Drop what a Redis layer stored for the test and close its connections before the loop ends."""
    layer = get_channel_layer()
    if hasattr(layer, "close_pools"):
        await layer.flush()
        await layer.close_pools()


@database_sync_to_async
def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def connect(user=None, *, path: str = "/ws/live/") -> WebsocketCommunicator:
    """A websocket to ``path`` as ``user`` (anonymous when None); the handshake is already done."""
    headers = [(b"origin", ORIGIN), (b"host", HOST)]
    if user is not None:
        headers.append((b"cookie", f"sessionid={await session_cookie(user)}".encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    return communicator


async def subscribe_ticket(communicator: WebsocketCommunicator, ticket_id: int) -> dict:
    await communicator.send_json_to({"action": "subscribe_ticket", "ticket": ticket_id})
    return await communicator.receive_json_from(timeout=5)


async def receive_event(communicator: WebsocketCommunicator, event: str, timeout: float = 15) -> dict:
    """The next message with ``event``, skipping presence noise such as agent.viewing (a loaded CI
    machine may take seconds to pass a message through Redis: the wait is generous, success is quick)."""
    while True:
        message = await communicator.receive_json_from(timeout=timeout)
        if message.get("event") == event:
            return message
