"""The sockets: refusals, hello with the gap, ack, resend, both directions, typing, rate limit."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from pomoc.asgi import application
from pomoc.channels.chat import services
from pomoc.channels.chat.consumers import CLOSE_FORBIDDEN, CLOSE_RATE_LIMITED
from pomoc.channels.chat.models import Conversation, Line
from pomoc.channels.chat.tests.conftest import SITE, make_agent, make_chat_inbox
from pomoc.testing.factories import DepartmentFactory
from pomoc.tickets.models import Message
from pomoc.tickets.tests.live_helpers import channel_layer_kind, close_layer, connect  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("channel_layer_kind")]


@database_sync_to_async
def _setup(**config):
    department = DepartmentFactory(name="Sales")
    inbox = make_chat_inbox(department=department, **config)
    opened = services.session_open(inbox=inbox)
    return inbox, opened, make_agent(department)


async def _visitor(inbox, token, origin=SITE) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, f"/ws/chat/{inbox.chat.key}/?token={token}",
                                         headers=[(b"origin", origin.encode()), (b"host", b"localhost")])
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    return communicator


async def _until(communicator, kind: str, timeout: float = 5) -> dict:
    while True:
        frame = await communicator.receive_json_from(timeout=timeout)
        if frame.get("type") == kind:
            return frame


async def _frames_for(communicator, seconds: float) -> list[str]:
    """The types of the frames that arrive within ``seconds``."""
    kinds = []
    while not await communicator.receive_nothing(timeout=seconds):
        kinds.append((await communicator.receive_json_from())["type"])
    return kinds


async def _close_code(communicator) -> int:
    while True:
        output = await communicator.receive_output(timeout=5)
        if output["type"] == "websocket.close":
            return output["code"]


def test_a_foreign_origin_or_a_forged_token_is_closed_with_4403():
    async def scenario():
        inbox, opened, _agent = await _setup()
        assert await _close_code(await _visitor(inbox, opened.token, origin="https://evil.example.net")) \
            == CLOSE_FORBIDDEN
        assert await _close_code(await _visitor(inbox, opened.token + "x")) == CLOSE_FORBIDDEN
        await close_layer()

    async_to_sync(scenario)()


def test_a_conversation_both_ways_with_acks_typing_and_no_doubles():
    async def scenario():
        inbox, opened, agent = await _setup()
        visitor = await _visitor(inbox, opened.token)
        await visitor.send_json_to({"type": "hello", "after": 0})
        assert (await _until(visitor, "status"))["status"] == "none"
        other_tab = await _visitor(inbox, opened.token)
        await other_tab.send_json_to({"type": "hello", "after": 0})
        await _until(other_tab, "status")
        await visitor.send_json_to({"type": "message", "client_id": "c-1", "body": "Hello <b>there</b>"})
        assert await _until(visitor, "ack") == {"type": "ack", "client_id": "c-1", "seq": 1}
        echoed = await _until(other_tab, "message")  # the visitor's other tab shows it too
        assert (echoed["seq"], echoed["author"], echoed["body"]) == (1, "visitor", "Hello <b>there</b>")
        assert "message" not in await _frames_for(visitor, 0.5)  # the tab that sent it has its ack, no echo
        await other_tab.disconnect()
        # a resend (the ack was lost) is acknowledged with the same seq and stored once
        await visitor.send_json_to({"type": "message", "client_id": "c-1", "body": "Hello <b>there</b>"})
        assert (await _until(visitor, "ack"))["seq"] == 1
        assert await database_sync_to_async(Message.objects.count)() == 1

        conversation = await database_sync_to_async(Conversation.objects.get)()
        staff = await connect(agent, path=f"/ws/chat-agent/{conversation.pk}/")
        await staff.send_json_to({"type": "hello", "after": 0})
        first = await _until(staff, "message")
        assert (first["seq"], first["body"]) == (1, "Hello <b>there</b>")
        assert (await _until(staff, "status"))["status"] == "queued"
        assert (await _until(visitor, "state"))["state"] == "delivered"  # an agent's page holds it

        await staff.send_json_to({"type": "typing", "on": True})
        typing = await _until(visitor, "typing")
        assert typing["on"] is True and typing["name"] == agent.display_name
        await visitor.send_json_to({"type": "typing", "on": True})
        assert (await _until(staff, "typing"))["author"] == "visitor"

        await staff.send_json_to({"type": "message", "client_id": "a-1", "body": "Hi! How can I help?"})
        reply = await _until(visitor, "message")
        assert (reply["seq"], reply["author"], reply["body"]) == (2, "agent", "Hi! How can I help?")
        assert (await _until(staff, "message"))["seq"] == 2
        await visitor.send_json_to({"type": "read", "seq": 2})
        assert (await _until(staff, "state"))["state"] in ("delivered", "read")

        await visitor.disconnect()
        await staff.disconnect()
        await close_layer()

    async_to_sync(scenario)()


def test_a_reconnecting_visitor_gets_exactly_the_gap():
    async def scenario():
        inbox, opened, agent = await _setup()

        @database_sync_to_async
        def write():
            for n in range(1, 6):
                services.visitor_message(visitor=opened.visitor, client_id=f"c{n}", body=f"m{n}")

        await write()
        visitor = await _visitor(inbox, opened.token)
        await visitor.send_json_to({"type": "hello", "after": 3})
        got = [await _until(visitor, "message"), await _until(visitor, "message")]
        assert [f["seq"] for f in got] == [4, 5]
        status = await _until(visitor, "status")
        assert status["status"] == "queued" and status["queue_position"] == 1
        assert await visitor.receive_nothing(timeout=0.2)
        await visitor.disconnect()
        await close_layer()

    async_to_sync(scenario)()


def test_an_agent_who_cannot_see_the_ticket_is_closed():
    async def scenario():
        inbox, opened, _agent = await _setup()
        await database_sync_to_async(services.visitor_message)(visitor=opened.visitor, client_id="c", body="hi")
        conversation = await database_sync_to_async(Conversation.objects.get)()
        stranger = await database_sync_to_async(make_agent)(
            await database_sync_to_async(DepartmentFactory)(name="Elsewhere"))
        staff = await connect(stranger, path=f"/ws/chat-agent/{conversation.pk}/")
        assert await _close_code(staff) == CLOSE_FORBIDDEN
        await close_layer()

    async_to_sync(scenario)()


def test_too_many_messages_close_with_4429():
    async def scenario():
        inbox, opened, _agent = await _setup(messages_per_minute=2)
        visitor = await _visitor(inbox, opened.token)
        for n in range(3):
            await visitor.send_json_to({"type": "message", "client_id": f"c{n}", "body": "spam"})
        assert await _close_code(visitor) == CLOSE_RATE_LIMITED
        assert await database_sync_to_async(Line.objects.count)() == 2
        await close_layer()

    async_to_sync(scenario)()


def test_hello_naming_an_earlier_conversation_gets_the_new_one_from_the_start():
    async def scenario():
        inbox, opened, _agent = await _setup()

        @database_sync_to_async
        def two_conversations():
            services.visitor_message(visitor=opened.visitor, client_id="old-1", body="old")
            services.visitor_message(visitor=opened.visitor, client_id="old-2", body="old 2")
            old = Conversation.objects.get()
            services.conversation_end(conversation=old, by_visitor=True)
            services.visitor_message(visitor=opened.visitor, client_id="new-1", body="new")
            return old.pk

        old_id = await two_conversations()
        visitor = await _visitor(inbox, opened.token)
        await visitor.send_json_to({"type": "hello", "after": 3, "conversation": old_id})
        first = await _until(visitor, "message")
        assert (first["seq"], first["body"]) == (1, "new") and first["conversation"] != old_id
        await visitor.disconnect()
        await close_layer()

    async_to_sync(scenario)()


def test_lines_written_while_waiting_become_delivered_on_accept_and_read_when_the_panel_shows_them():
    async def scenario():
        inbox, opened, agent = await _setup()
        visitor = await _visitor(inbox, opened.token)
        await visitor.send_json_to({"type": "hello", "after": 0})
        await _until(visitor, "status")
        for n in (1, 2):
            await visitor.send_json_to({"type": "message", "client_id": f"w-{n}", "body": f"anyone? {n}"})
            await _until(visitor, "ack")
        conversation = await database_sync_to_async(Conversation.objects.get)()

        await database_sync_to_async(services.conversation_accept)(conversation=conversation, agent=agent)
        delivered = await _until(visitor, "state")
        assert (delivered["seq"], delivered["state"]) == (2, "delivered")
        states = await database_sync_to_async(lambda: sorted(Line.objects.values_list("seq", "state")))()
        assert states == [(1, "delivered"), (2, "delivered")]

        # the ticket page showed both lines; its socket says hello after them, then read
        staff = await connect(agent, path=f"/ws/chat-agent/{conversation.pk}/")
        await staff.send_json_to({"type": "hello", "after": 2})
        await _until(staff, "status")
        await staff.send_json_to({"type": "read", "seq": 2})
        read = await _until(visitor, "state")
        assert (read["seq"], read["state"]) == (2, "read")
        states = await database_sync_to_async(lambda: sorted(Line.objects.values_list("seq", "state")))()
        assert states == [(1, "read"), (2, "read")]
        await visitor.disconnect()
        await staff.disconnect()
        await close_layer()

    async_to_sync(scenario)()


def test_an_agent_page_holding_lines_marks_them_delivered_on_hello():
    async def scenario():
        inbox, opened, agent = await _setup()

        @database_sync_to_async
        def write():
            services.visitor_message(visitor=opened.visitor, client_id="c1", body="hello?")
            return Conversation.objects.get()

        conversation = await write()
        visitor = await _visitor(inbox, opened.token)
        await visitor.send_json_to({"type": "hello", "after": 1})
        await _until(visitor, "status")
        staff = await connect(agent, path=f"/ws/chat-agent/{conversation.pk}/")
        await staff.send_json_to({"type": "hello", "after": 1})  # the page rendered line 1 itself
        state = await _until(visitor, "state")
        assert (state["seq"], state["state"]) == (1, "delivered")
        await visitor.disconnect()
        await staff.disconnect()
        await close_layer()

    async_to_sync(scenario)()


def test_a_visitor_file_reaches_the_agent_panel_live_as_an_access_checked_link():
    from django.test import Client

    async def scenario():
        inbox, opened, agent = await _setup()
        await database_sync_to_async(services.visitor_message)(visitor=opened.visitor, client_id="c1", body="hi")
        conversation = await database_sync_to_async(Conversation.objects.get)()
        staff = await connect(agent, path=f"/ws/chat-agent/{conversation.pk}/")
        await staff.send_json_to({"type": "hello", "after": 1})
        await _until(staff, "status")
        visitor = await _visitor(inbox, opened.token)
        upload = await database_sync_to_async(services.upload_store)(
            visitor=opened.visitor, name="invoice.pdf", content=b"%PDF-1.4 the invoice")
        await visitor.send_json_to({"type": "message", "client_id": "c2", "body": "", "attachments": [upload.pk]})

        live = await _until(staff, "message")
        assert live["seq"] == 2 and live["attachments"][0]["name"] == "invoice.pdf"
        url = live["attachments"][0]["url"]
        assert url.startswith("/") and "/chat/" not in url  # the ticket's download, not the visitor's
        seen = await _until(visitor, "message")
        assert seen["attachments"][0]["url"].startswith("/chat/") and seen["attachments"][0]["url"] != url

        def download(user):
            client = Client()
            client.force_login(user)
            return client.get(url)

        got = await database_sync_to_async(download)(agent)
        assert got.status_code == 200 and b"".join(got.streaming_content if got.streaming else [got.content]) \
            == b"%PDF-1.4 the invoice"
        stranger = await database_sync_to_async(make_agent)(
            await database_sync_to_async(DepartmentFactory)(name="Elsewhere"))
        assert (await database_sync_to_async(download)(stranger)).status_code == 404
        await visitor.disconnect()
        await staff.disconnect()
        await close_layer()

    async_to_sync(scenario)()


async def _event(communicator, event: str, timeout: float = 5) -> dict:
    while True:
        frame = await communicator.receive_json_from(timeout=timeout)
        if frame.get("event") == event:
            return frame


def test_the_live_chats_page_hears_the_queue_an_accept_and_an_end_on_the_agents_socket():
    async def scenario():
        inbox, opened, agent = await _setup()
        department_id = inbox.department_id
        supervisor = await connect(await database_sync_to_async(make_agent)(inbox.department, role="supervisor"))
        await supervisor.send_json_to({"action": "subscribe_inbox"})
        assert (await _event(supervisor, "subscribed"))["inbox"] is True
        stranger = await connect(await database_sync_to_async(make_agent)(
            await database_sync_to_async(DepartmentFactory)(name="Elsewhere")))
        await stranger.send_json_to({"action": "subscribe_inbox"})
        await _event(stranger, "subscribed")

        await database_sync_to_async(services.visitor_message)(visitor=opened.visitor, client_id="c", body="hi")
        assert await _event(supervisor, "chats.changed") == {
            "event": "chats.changed", "department": department_id, "reason": "queue"}
        conversation = await database_sync_to_async(Conversation.objects.get)()
        await database_sync_to_async(services.conversation_accept)(conversation=conversation, agent=agent)
        reasons = {(await _event(supervisor, "chats.changed"))["reason"] for _n in range(2)}
        assert reasons == {"accepted", "queue"}
        await database_sync_to_async(services.conversation_end)(conversation=conversation, by_visitor=True)
        assert (await _event(supervisor, "chats.changed"))["reason"] == "ended"

        # another department's agent hears nothing of it
        while not await stranger.receive_nothing(timeout=0.3):
            frame = await stranger.receive_json_from()
            assert frame.get("event") != "chats.changed"
        await supervisor.disconnect()
        await stranger.disconnect()
        await close_layer()

    async_to_sync(scenario)()


def test_a_waiting_chat_rings_with_its_own_kind_and_sound_except_for_who_switched_it_off():
    from pomoc.notifications.models import Notification
    from pomoc.notifications.services import preferences_save
    from pomoc.tickets.tests.live_helpers import receive_event

    async def scenario():
        inbox, opened, agent = await _setup()
        quiet = await database_sync_to_async(make_agent)(inbox.department)
        await database_sync_to_async(preferences_save)(user=quiet, email_kinds=[], chat_ring=False)
        page, quiet_page = await connect(agent), await connect(quiet)
        await database_sync_to_async(services.visitor_message)(visitor=opened.visitor, client_id="c", body="hi")
        rang = await receive_event(page, "notification.created")
        assert (rang["kind"], rang["sound"]) == ("chat_waiting", "ring")
        assert "waiting in the chat queue" in rang["title"]
        assert await quiet_page.receive_nothing(timeout=0.3)
        told = await database_sync_to_async(lambda: list(Notification.objects.values_list("recipient", "kind")))()
        assert told == [(agent.pk, "chat_waiting")]
        await page.disconnect()
        await quiet_page.disconnect()
        await close_layer()

    async_to_sync(scenario)()
