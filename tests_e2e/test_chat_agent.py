"""The agent side of live chat in real Chromium: a visitor writes through the chat socket (from
Python, as the widget would) and the chat ticket page shows it without a reload; the agent's answer
reaches the visitor's socket. Screenshots at 1280 and 390 px."""

import json
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from pomoc.testing.services import pomoc

from .conftest import admin_signed_in

pytestmark = pytest.mark.browser

SITE = "https://shop.example.com"
SHOTS = Path(os.environ.get("POMOC_E2E_SCREENSHOTS") or "/tmp/shots-chat")  # noqa: S108 -- screenshots to look at

SETUP = """
import json
from pomoc.accounts.models import Department
from pomoc.channels.chat import services
from pomoc.channels.chat.models import Conversation
from pomoc.channels.models import Inbox
department = Department.objects.order_by("id").first()
inbox, _ = Inbox.objects.get_or_create(name="Shop chat", defaults={{"kind": "chat", "department": department,
    "config": {{"allowed_origins": ["{site}"], "title": "Shop"}}}})
opened = services.session_open(inbox=inbox, language="cs", time_zone="Europe/Prague",
    user_agent="Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
    page={{"url": "{site}/pricing", "title": "Pricing", "referrer": "https://www.example.org/search"}})
opened.visitor.name = "Jana Nováková"
opened.visitor.save()
services.visitor_message(visitor=opened.visitor, client_id="{client}", body="Hello, I cannot pay for my order.")
conversation = Conversation.objects.filter(visitor=opened.visitor).get()
print(json.dumps({{"key": services.inbox_key(inbox), "token": opened.token, "number": conversation.ticket.number}}))
"""

NEW_VISITOR = """
import json
from pomoc.channels.chat import services
from pomoc.channels.models import Inbox
inbox = Inbox.objects.get(name="Shop chat")
print(json.dumps({"key": services.inbox_key(inbox), "token": services.session_open(inbox=inbox).token}))
"""


def _chat(site, client: str) -> dict:
    out = pomoc("shell", "-c", SETUP.format(site=SITE, client=client), env=site.env).stdout
    return json.loads(out.strip().splitlines()[-1])


def _visitor_socket(site, chat: dict):
    from websockets.sync.client import connect

    url = site.url.replace("http://", "ws://") + f"/ws/chat/{chat['key']}/?token={chat['token']}"
    return connect(url, origin=SITE, open_timeout=10)


def _next(socket, kind: str, **match) -> dict:
    while True:
        frame = json.loads(socket.recv(timeout=20))
        if frame.get("type") == kind and all(frame.get(k) == v for k, v in match.items()):
            return frame


@pytest.mark.parametrize("width", [1280, 390])
def test_a_visitor_message_appears_live_and_the_answer_reaches_the_visitor(site, browser, width):
    SHOTS.mkdir(parents=True, exist_ok=True)
    chat = _chat(site, f"first-{width}")
    with admin_signed_in(site, browser, "en", width) as admin:
        page = admin.page
        page.goto(f"/tickets/{chat['number']}/")
        panel = page.locator("#chat-panel")
        expect(panel).to_have_attribute("data-live", "live")
        expect(panel.locator(".chat-line-visitor")).to_have_count(1)
        expect(panel.locator(".chat-visitor")).to_contain_text("Prague (Europe)")
        expect(panel.locator(".chat-visitor")).to_contain_text("Chrome 131")

        with _visitor_socket(site, chat) as visitor:
            visitor.send(json.dumps({"type": "hello", "after": 1}))
            _next(visitor, "status")
            visitor.send(json.dumps({"type": "message", "client_id": f"second-{width}",
                                     "body": "<b>Is anyone there?</b> https://shop.example.com/order/42"}))
            assert _next(visitor, "ack")["seq"] == 2
            line = panel.locator(".chat-line-visitor").nth(1)
            expect(line).to_contain_text("<b>Is anyone there?</b>")  # shown as text, never as HTML
            expect(line.locator("a[href='https://shop.example.com/order/42']")).to_have_attribute(
                "rel", "noopener noreferrer nofollow")

            visitor.send(json.dumps({"type": "typing", "on": True}))
            expect(panel.locator("[data-chat-typing]")).to_be_visible()

            page.fill("#chat-input", "Hello Jana, let me look at your order.")
            page.keyboard.press("Enter")
            reply = _next(visitor, "message", author="agent")
            assert (reply["author"], reply["seq"], reply["body"]) == (
                "agent", 3, "Hello Jana, let me look at your order.")
            expect(panel.locator(".chat-line-agent")).to_have_count(1)
            page.screenshot(path=str(SHOTS / f"chat-ticket-{width}.png"), full_page=False, caret="initial")
        assert admin.errors == []
        assert admin.csp_problems() == []

        page.goto("/chat/live/")
        expect(page.locator("h1")).to_have_text("Live chats")
        expect(page.locator("body")).to_have_attribute("data-live-state", "subscribed")
        waiting = page.locator("table.chat-queue tbody tr")
        before = waiting.count()
        page.evaluate("window.__noReload = true")
        # a new visitor writes (through the server, as the widget would): the queue grows over the
        # agent's socket, without a reload and long before the slow poll
        newcomer = json.loads(pomoc("shell", "-c", NEW_VISITOR, env=site.env).stdout.strip().splitlines()[-1])
        with _visitor_socket(site, newcomer) as visitor:
            visitor.send(json.dumps({"type": "message", "client_id": f"queued-{width}", "body": "Anyone there?"}))
            _next(visitor, "ack")
            expect(waiting).to_have_count(before + 1)
        assert page.evaluate("window.__noReload") is True
        page.screenshot(path=str(SHOTS / f"chat-live-{width}.png"), full_page=True, caret="initial")
        page.goto("/chat/visitors/")
        expect(page.locator("h1")).to_have_text("Visitors on the site now")
        page.screenshot(path=str(SHOTS / f"chat-visitors-{width}.png"), full_page=True, caret="initial")
