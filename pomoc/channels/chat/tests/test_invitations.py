"""Proactive invitations: rules by page, returning visitor and department online; agents invite."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from pomoc.asgi import application
from pomoc.channels.chat import services
from pomoc.channels.chat.tests.conftest import SITE, make_agent, make_chat_inbox
from pomoc.testing.factories import DepartmentFactory
from pomoc.tickets.tests.live_helpers import close_layer

pytestmark = pytest.mark.django_db(transaction=True)

RULES = [{"url": "*/pricing*", "seconds": 0, "message": "Questions about prices?"},
         {"url": "*/checkout*", "seconds": 0, "returning": True, "only_online": False, "message": "Welcome back!"}]


@database_sync_to_async
def _setup(online: bool):
    department = DepartmentFactory(name="Sales")
    inbox = make_chat_inbox(department=department, invitations=RULES)
    make_agent(department, online=online)
    return inbox, services.session_open(inbox=inbox)


async def _socket(inbox, token):
    communicator = WebsocketCommunicator(application, f"/ws/chat/{inbox.chat.key}/?token={token}",
                                         headers=[(b"origin", SITE.encode()), (b"host", b"localhost")])
    assert (await communicator.connect(timeout=5))[0]
    return communicator


async def _frames(communicator) -> list[dict]:
    frames = []
    while not await communicator.receive_nothing(timeout=0.3):
        frames.append(await communicator.receive_json_from())
    return frames


def test_a_matching_page_invites_when_the_department_is_online():
    async def scenario():
        inbox, opened = await _setup(online=True)
        visitor = await _socket(inbox, opened.token)
        await visitor.send_json_to({"type": "page", "url": f"{SITE}/pricing", "title": "Pricing"})
        invites = [f for f in await _frames(visitor) if f["type"] == "invite"]
        assert invites == [{"type": "invite", "message": "Questions about prices?", "name": "Shop"}]
        await visitor.send_json_to({"type": "page", "url": f"{SITE}/about", "title": "About"})
        assert [f for f in await _frames(visitor) if f["type"] == "invite"] == []
        await visitor.disconnect()
        await close_layer()

    async_to_sync(scenario)()


def test_no_invitation_while_nobody_is_online_or_for_a_first_visit():
    async def scenario():
        inbox, opened = await _setup(online=False)
        visitor = await _socket(inbox, opened.token)
        await visitor.send_json_to({"type": "page", "url": f"{SITE}/pricing"})
        await visitor.send_json_to({"type": "page", "url": f"{SITE}/checkout"})  # not returning yet
        assert [f for f in await _frames(visitor) if f["type"] == "invite"] == []
        await visitor.disconnect()
        await close_layer()

    async_to_sync(scenario)()


def test_an_agent_invites_a_visitor_on_the_site():
    from django.test import Client

    async def scenario():
        inbox, opened = await _setup(online=True)
        agent = await database_sync_to_async(make_agent)(await database_sync_to_async(DepartmentFactory)(name="Sales"))
        visitor = await _socket(inbox, opened.token)

        def invite():
            client = Client()
            client.force_login(agent)
            assert "Jana" not in client.get("/chat/visitors/").content.decode()
            return client.post(f"/chat/visitors/{opened.visitor.pk}/invite", {"message": "Can I help?"})

        response = await database_sync_to_async(invite)()
        assert response.status_code == 302
        invites = [f for f in await _frames(visitor) if f["type"] == "invite"]
        assert invites == [{"type": "invite", "message": "Can I help?", "name": agent.display_name}]
        await visitor.disconnect()
        await close_layer()

    async_to_sync(scenario)()
