"""The chat sockets: the visitor's (``/ws/chat/<INBOX_KEY>/?token=``, any allowed site) and the
agent's (``/ws/chat-agent/<conversation>/``, signed-in staff, same origin).

Both are thin: parse a frame, call one service, answer. Both start with ``hello`` (after every
reconnect): the server sends every line with seq > ``after``, in order, then live ones; a client
keeps lines by seq, so a line it holds is never shown twice. Live frames reach the sockets through
the channel layer (groups in ``groups.py``), published after the commit that stored them."""

from __future__ import annotations

import asyncio
import fnmatch
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import DatabaseSyncToAsync
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext as _

from pomoc.accounts.ratelimit import client_ip
from pomoc.channels.chat import frames, limits, selectors, services
from pomoc.channels.chat.coalesce import coalescer
from pomoc.channels.chat.config import normalize_origin
from pomoc.channels.chat.groups import conversation_group, inbox_group, visitor_group
from pomoc.channels.chat.models import Conversation, LineState, Visitor
from pomoc.tickets import permissions

logger = logging.getLogger(__name__)

CLOSE_FORBIDDEN = 4403
CLOSE_RATE_LIMITED = 4429
TYPING_MIN_INTERVAL = 1.0
MAX_FRAME_CHARS = 64 * 1024
SENT_HERE_MAX = 256


_DATABASE_THREADS = ThreadPoolExecutor(max_workers=12, thread_name_prefix="pomoc-chat-db")


def database_sync_to_async(func):
    """On PostgreSQL, Channels' ``database_sync_to_async`` in threads of the chat sockets' own rather
    than the one thread every socket of the process shares: a thousand chats' messages wait on
    PostgreSQL side by side (their commits flushed together), not one after the other (connections
    come from the pool). SQLite writes one at a time whatever the threads: there the shared thread."""
    if not settings.IS_POSTGRES:
        return DatabaseSyncToAsync(func)
    return DatabaseSyncToAsync(func, thread_sensitive=False, executor=_DATABASE_THREADS)


def _headers(scope) -> dict[str, str]:
    return {k.decode("latin1").lower(): v.decode("latin1") for k, v in scope.get("headers", [])}


def scope_ip(scope) -> str:
    headers = _headers(scope)
    client = scope.get("client") or ("", 0)
    meta = {"REMOTE_ADDR": client[0] or "", "HTTP_X_FORWARDED_FOR": headers.get("x-forwarded-for", "")}
    return client_ip(SimpleNamespace(META=meta))


def _seq(value) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


class _Frames(AsyncJsonWebsocketConsumer):
    async def dispatch(self, message) -> None:
        """Channels' own, without closing stale database connections in a thread of its own before
        every event: each database call here does that itself (``DatabaseSyncToAsync``), and a
        thread hop for every frame of a thousand chats was a tenth of the web process's time."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        if not text_data or len(text_data) > MAX_FRAME_CHARS:
            await self.send_json({"type": "error", "code": "bad_frame", "message": _("The message is too large.")})
            return
        await super().receive(text_data=text_data, bytes_data=bytes_data, **kwargs)

    @classmethod
    async def decode_json(cls, text_data):
        import json

        try:
            content = json.loads(text_data)
        except ValueError:
            content = None
        return content if isinstance(content, dict) else {"type": "_bad"}

    async def error(self, code: str, message: str) -> None:
        await self.send_json({"type": "error", "code": code, "message": message})


# --- the visitor --------------------------------------------------------------------------------
@database_sync_to_async
def _visitor_for(key: str, token: str, origin: str, ip: str):
    inbox = selectors.inbox_by_key(key)
    if inbox is None:
        return None, None
    allowed = services.config_of(inbox).allowed_origins
    if normalize_origin(origin) not in allowed:
        return None, None
    from pomoc.channels.chat import tokens

    visitor_key = tokens.visitor_key_from(token, inbox_id=inbox.pk)
    visitor = Visitor.objects.filter(inbox=inbox, key=visitor_key).select_related("inbox").first() \
        if visitor_key else None
    if visitor is None or services.is_blocked(inbox=inbox, visitor=visitor, ip=ip):
        return None, None
    return inbox, visitor


@database_sync_to_async
def _store_messages(items: list[tuple[VisitorConsumer, dict]]) -> list:
    """The messages the visitors' sockets of this process sent meanwhile, in one trip to a database
    thread: the rate limits counted together, then ``services.visitor_messages``. None for a message
    over the limit."""
    waits = limits.allow_many(scope="msg", visitors=[(socket.visitor.pk, socket.ip, socket.config.messages_per_minute)
                                                     for socket, _content in items])
    allowed = [n for n, wait in enumerate(waits) if not wait]
    results: list = [None] * len(items)
    stored = services.visitor_messages([
        services.VisitorText(items[n][0].visitor, items[n][1].get("client_id"), items[n][1].get("body"),
                             items[n][1].get("attachments") or []) for n in allowed])
    for n, result in zip(allowed, stored, strict=True):
        results[n] = result
    return results


@database_sync_to_async
def _mark_delivered(marks: list[tuple[int, int, int]]) -> list[None]:
    """What the agents' sockets of this process passed on meanwhile, marked delivered together."""
    services.visitor_lines_seen_many(marks, state=LineState.DELIVERED)
    return [None] * len(marks)


class VisitorConsumer(_Frames):
    async def connect(self) -> None:
        await self.accept()  # then close with a code: browsers only see the codes of accepted sockets
        query = parse_qs(self.scope.get("query_string", b"").decode("latin1"))
        self.ip = scope_ip(self.scope)
        self.inbox, self.visitor = await _visitor_for(
            self.scope["url_route"]["kwargs"]["key"], (query.get("token") or [""])[0],
            _headers(self.scope).get("origin", ""), self.ip)
        if self.visitor is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.config = services.config_of(self.inbox)
        self.group = visitor_group(self.visitor.pk)
        self.last_typing = 0.0
        self.invite_task = None
        self.invited: set[str] = set()  # pages this socket was invited on (once each)
        self.sent_here: set[str] = set()  # client ids of messages sent through this socket, echo not seen yet
        await self.channel_layer.group_add(self.group, self.channel_name)

    async def disconnect(self, code) -> None:
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)
        if getattr(self, "invite_task", None):
            self.invite_task.cancel()

    async def receive_json(self, content, **kwargs) -> None:
        if getattr(self, "visitor", None) is None:
            return
        kind = content.get("type")
        handler = {"hello": self.hello, "start": self.start, "message": self.message, "typing": self.typing,
                   "read": self.read, "page": self.page, "end": self.end}.get(kind)
        if handler is None:
            await self.error("bad_frame", _("Unknown message type."))
            return
        try:
            await handler(content)
        except services.Refused as refused:
            await self.error(refused.code, refused.message)
            if refused.code == "blocked":
                await self.close(code=CLOSE_FORBIDDEN)

    async def hello(self, content) -> None:
        sends, status = await self._gap(_seq(content.get("after")), content.get("conversation"))
        for frame in sends:
            await self.send_json(frame)
        await self.send_json(status)
        await self._maybe_invite()

    @database_sync_to_async
    def _gap(self, after: int, held_conversation=None):
        conversation = services.current_conversation(self.visitor)
        if conversation is None:
            return [], {"type": "status", "status": "none", "online": selectors.is_online(self.inbox)}
        if held_conversation is not None and held_conversation != conversation.pk:
            after = 0  # the client holds an earlier conversation: this one is new to it
        lines = selectors.lines_after(conversation.pk, after)
        held = max([after, *(line.seq for line in lines)])
        services.agent_lines_seen(conversation_id=conversation.pk, upto=held, state=LineState.DELIVERED)
        status = frames.status(conversation, position=selectors.queue_position(conversation),
                               online=selectors.is_online(self.inbox))
        return [frames.message(line) for line in lines], status

    async def start(self, content) -> None:
        status = await self._start(content.get("prechat"))
        await self.send_json(status)

    @database_sync_to_async
    def _start(self, prechat):
        conversation = services.conversation_start(visitor=self.visitor, prechat=prechat or {})
        return frames.status(conversation, position=selectors.queue_position(conversation),
                             online=selectors.is_online(self.inbox))

    async def message(self, content) -> None:
        if isinstance(content.get("client_id"), str):
            if len(self.sent_here) > SENT_HERE_MAX:  # echoes that never came (refused messages)
                self.sent_here.clear()
            self.sent_here.add(content["client_id"])
        stored = await coalescer("visitor-messages", _store_messages).submit((self, content))
        if stored is None:
            await self.error("rate_limited", _("Too many messages. Please wait a moment."))
            await self.close(code=CLOSE_RATE_LIMITED)
            return
        if isinstance(stored, services.Refused):
            raise stored
        await self.send_json({"type": "ack", "client_id": stored.line.client_id, "seq": stored.line.seq})

    async def typing(self, content) -> None:
        now = time.monotonic()
        on = bool(content.get("on"))
        if on and now - self.last_typing < TYPING_MIN_INTERVAL:
            return
        self.last_typing = now
        conversation_id = await database_sync_to_async(
            lambda: Conversation.objects.filter(visitor=self.visitor, status__in=services.OPEN_STATUSES)
            .order_by("-id").values_list("pk", flat=True).first())()
        if conversation_id:
            await self.channel_layer.group_send(conversation_group(conversation_id), {
                "type": "chat.typing", "on": on, "name": self.visitor.display_name, "author": "visitor",
                "sender": self.channel_name})

    async def read(self, content) -> None:
        seq = _seq(content.get("seq"))
        conversation = await database_sync_to_async(services.current_conversation)(self.visitor)
        if conversation is not None and seq:
            await database_sync_to_async(services.agent_lines_seen)(
                conversation_id=conversation.pk, upto=seq, state=LineState.READ)

    async def page(self, content) -> None:
        await database_sync_to_async(services.page_view)(visitor=self.visitor, page=content)
        await self.channel_layer.group_send(inbox_group(self.inbox.pk), {
            "type": "pomoc.event", "payload": {"type": "visitors"}})
        await self._maybe_invite()

    async def end(self, content) -> None:
        conversation = await database_sync_to_async(services.current_conversation)(self.visitor)
        if conversation is not None:
            await database_sync_to_async(services.conversation_end)(conversation=conversation, by_visitor=True)

    # proactive invitations -----------------------------------------------------------------------
    async def _maybe_invite(self) -> None:
        rule = await database_sync_to_async(self._invitation)()
        page = self.visitor.current_page.get("url", "")
        if rule is None or page in self.invited:
            return
        if self.invite_task:
            self.invite_task.cancel()
        self.invite_task = asyncio.ensure_future(self._invite_later(rule, page))

    def _invitation(self) -> dict | None:
        """The first rule matching the visitor's page now (no rule when they are chatting already)."""
        self.visitor.refresh_from_db(fields=["pages", "visits"])
        if not self.config.invitations or Conversation.objects.filter(visitor=self.visitor).exists():
            return None
        url = self.visitor.current_page.get("url", "")
        online = None
        for rule in self.config.invitations:
            if not fnmatch.fnmatch(url, rule["url"]) or (rule["returning"] and self.visitor.visits < 2):
                continue
            if rule["only_online"]:
                online = selectors.is_online(self.inbox) if online is None else online
                if not online:
                    continue
            return rule
        return None

    async def _invite_later(self, rule: dict, page: str) -> None:
        await asyncio.sleep(rule["seconds"])
        if self.visitor.current_page.get("url", "") == page and page not in self.invited:
            self.invited.add(page)
            await self.send_json({"type": "invite", "message": rule["message"],
                                  "name": self.config.title or self.inbox.name})

    # from the channel layer ----------------------------------------------------------------------
    async def pomoc_event(self, event: dict) -> None:
        frame = event.get("payload") or {}
        if frame.get("type") == "state" and frame.get("author") == "agent":
            return  # marks of the agent's lines are for the agents
        if frame.get("type") == "message" and frame.get("author") == "visitor" \
                and frame.get("client_id") in self.sent_here:
            self.sent_here.discard(frame["client_id"])
            if not frame.get("attachments"):
                return  # its ack already showed the text here (files need their links); other tabs get it
        await self.send_json(frame)
        if frame.get("type") == "message" and frame.get("author") == "agent":
            await database_sync_to_async(services.agent_lines_seen)(
                conversation_id=frame.get("conversation"), upto=frame.get("seq"), state=LineState.DELIVERED)
        if frame.get("type") == "error" and frame.get("code") == "blocked":
            await self.close(code=CLOSE_FORBIDDEN)

    async def chat_typing(self, event: dict) -> None:
        if event.get("author") == "agent":
            await self.send_json({"type": "typing", "on": bool(event.get("on")), "name": event.get("name", "")})


# --- the agent ----------------------------------------------------------------------------------
@database_sync_to_async
def _conversation_for(user, conversation_id: int):
    if not permissions.is_staff_user(user):
        return None
    conversation = Conversation.objects.filter(pk=conversation_id).select_related("visitor", "inbox").first()
    if conversation is None or conversation.ticket_id is None:
        return None
    try:
        permissions.access_ticket(user, conversation.ticket_id)
    except Http404:
        return None
    return conversation


class AgentChatConsumer(_Frames):
    async def connect(self) -> None:
        await self.accept()
        self.user = self.scope.get("user")
        self.conversation = await _conversation_for(self.user, self.scope["url_route"]["kwargs"]["conversation"])
        if self.conversation is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.group = conversation_group(self.conversation.pk)
        self.last_typing = 0.0
        await self.channel_layer.group_add(self.group, self.channel_name)

    async def disconnect(self, code) -> None:
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        if getattr(self, "conversation", None) is None:
            return
        handler = {"hello": self.hello, "message": self.message, "typing": self.typing,
                   "read": self.read}.get(content.get("type"))
        if handler is None:
            await self.error("bad_frame", _("Unknown message type."))
            return
        try:
            await handler(content)
        except services.Refused as refused:
            await self.error(refused.code, refused.message)

    async def hello(self, content) -> None:
        # access is checked again: it may have changed while the socket was away
        self.conversation = await _conversation_for(self.user, self.conversation.pk)
        if self.conversation is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        sends = await self._gap(_seq(content.get("after")))
        for frame in sends:
            await self.send_json(frame)

    @database_sync_to_async
    def _gap(self, after: int) -> list[dict]:
        conversation = Conversation.objects.select_related("agent").get(pk=self.conversation.pk)
        lines = selectors.lines_after(conversation.pk, after)
        held = max([after, *(line.seq for line in lines)])  # the page itself showed those up to ``after``
        if held:
            services.visitor_lines_seen(conversation=conversation, upto=held, state=LineState.DELIVERED)
        return [*(frames.message(line, for_agent=True) for line in lines),
                frames.status(conversation, position=selectors.queue_position(conversation))]

    async def message(self, content) -> None:
        await database_sync_to_async(self._reply)(content.get("body"))
        await self.send_json({"type": "ack", "client_id": content.get("client_id")})

    def _reply(self, body) -> None:
        from pomoc.channels import outbound

        message = services.reply_as_agent(conversation=self.conversation, agent=self.user,
                                          body=body if isinstance(body, str) else "")
        # at once rather than after the task queue's poll: the task finds it sent and skips it
        outbound.deliver(message.pk)

    async def typing(self, content) -> None:
        now = time.monotonic()
        on = bool(content.get("on"))
        if on and now - self.last_typing < TYPING_MIN_INTERVAL:
            return
        self.last_typing = now
        event = {"type": "chat.typing", "on": on, "name": self.user.display_name, "author": "agent",
                 "sender": self.channel_name}
        await self.channel_layer.group_send(visitor_group(self.conversation.visitor_id), event)
        await self.channel_layer.group_send(self.group, event)

    async def read(self, content) -> None:
        seq = _seq(content.get("seq"))
        if seq:
            await database_sync_to_async(services.visitor_lines_seen)(
                conversation=self.conversation, upto=seq, state=LineState.READ)

    async def pomoc_event(self, event: dict) -> None:
        frame = event.get("payload") or {}
        await self.send_json(frame)
        if frame.get("type") == "message" and frame.get("author") == "visitor":
            await coalescer("delivered-marks", _mark_delivered).submit(
                (self.conversation.pk, self.conversation.visitor_id, _seq(frame.get("seq"))))

    async def chat_typing(self, event: dict) -> None:
        if event.get("sender") != self.channel_name:
            await self.send_json({"type": "typing", "on": bool(event.get("on")), "name": event.get("name", ""),
                                  "author": event.get("author")})
