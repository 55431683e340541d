"""Live updates for the agent interface over one websocket per page.

The consumer is thin: it checks who is connected, decides through ``permissions`` which groups a
user may join and forwards the payloads that ``live`` builds from ticket events after commit
(``dispatch``). Payloads only carry ids; every event about a ticket is checked against the
user's access again before it is forwarded, because access can change while a page is open
(a ticket moved to another department, a membership removed).

Presence (who is viewing, who is typing) never touches the database: it goes from consumer to
consumer through the channel layer, inside ticket groups the user was allowed to join.
"""

import json
import logging
import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.http import Http404

from pomoc.accounts.models import Department, User
from pomoc.accounts.presence import presence_seen
from pomoc.core.models import OrganisationSettings
from pomoc.core.realtime import department_group, ticket_group, user_group
from pomoc.tickets import permissions

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
PRESENCE_EVENTS = {"agent.viewing", "agent.left", "agent.typing"}
# Sent to one user's group (their notifications), with no ticket to check.
USER_EVENTS = {"notification.created", "notifications.read"}
# Sent to a department's group, with no ticket in them: only sockets that joined it (whose access
# ``_inbox_groups`` checked) get them. "chats.changed": the live chats of the department changed
# (the queue, a chat accepted or ended), the live chats page fetches itself again.
DEPARTMENT_EVENTS = {"chats.changed"}
TYPING_MIN_INTERVAL = 1.0  # seconds; the page sends at most one every 3 s, this only stops floods
MAX_SUBSCRIBED_TICKETS = 20


@database_sync_to_async
def _can_see_ticket(user, ticket_id) -> bool | None:
    """Whether ``user`` may see the ticket now; None when the user is no longer active staff.

    The user is read again: the one in the scope was loaded when the socket opened, and the
    account may have been deactivated or made a customer since.
    """
    user = User.objects.filter(pk=user.pk).first()
    if not permissions.is_staff_user(user):
        return None
    try:
        permissions.access_ticket(user, ticket_id)
    except Http404:
        return False
    return True


@database_sync_to_async
def _inbox_groups(user) -> list[str]:
    """The department groups whose ticket events ``user`` may receive."""
    if permissions.sees_all_tickets(user):
        ids = list(Department.objects.values_list("pk", flat=True))
        return [department_group(pk) for pk in ids] + [department_group(None)]
    groups = [department_group(pk) for pk in user.departments.values_list("pk", flat=True)]
    if OrganisationSettings.get().agents_see_unassigned_department_less:
        groups.append(department_group(None))
    return groups


def _ticket_id(value) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class LiveConsumer(AsyncJsonWebsocketConsumer):
    """``/ws/live/``: ticket and inbox events, presence and typing for active staff users."""

    async def connect(self) -> None:
        self.user = self.scope.get("user")
        self.tickets: set[int] = set()
        self.inbox_groups: list[str] = []
        self.last_typing: dict[int, float] = {}
        # Accept first, then close with a code: browsers only see close codes of accepted sockets,
        # and live.js uses them to stop reconnecting.
        await self.accept()
        if not self.user or not self.user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        if not permissions.is_staff_user(self.user):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        await self._seen()
        self.own_group = user_group(self.user.pk)
        await self.channel_layer.group_add(self.own_group, self.channel_name)

    async def disconnect(self, code) -> None:
        if getattr(self, "own_group", None):
            await self.channel_layer.group_discard(self.own_group, self.channel_name)
            self.own_group = None
        for ticket_id in list(self.tickets):
            await self._leave_ticket(ticket_id)
        for group in self.inbox_groups:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.inbox_groups = []

    # --- messages from the browser ------------------------------------------------------------
    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        if not permissions.is_staff_user(getattr(self, "user", None)):
            return
        try:
            content = json.loads(text_data or "")
        except ValueError:
            await self.send_json({"error": "bad_request"})
            return
        if not isinstance(content, dict):
            await self.send_json({"error": "bad_request"})
            return
        await self.receive_json(content)

    async def receive_json(self, content, **kwargs) -> None:
        action = content.get("action")
        if action == "subscribe_ticket":
            await self._subscribe_ticket(_ticket_id(content.get("ticket")))
        elif action == "unsubscribe_ticket":
            ticket_id = _ticket_id(content.get("ticket"))
            if ticket_id in self.tickets:
                await self._leave_ticket(ticket_id)
        elif action == "subscribe_inbox":
            await self._subscribe_inbox()
        elif action == "typing":
            await self._typing(_ticket_id(content.get("ticket")))
        elif action == "ping":
            await self._seen()
            await self.send_json({"event": "pong"})
        else:
            await self.send_json({"error": "unknown_action"})

    async def _seen(self) -> None:
        """An open page keeps the agent online (at most one write per half minute, see presence_seen)."""
        try:
            await database_sync_to_async(presence_seen)(self.user.pk)
        except Exception:  # presence is a courtesy: the socket works without it
            logger.exception("presence not recorded")

    async def _revoke(self) -> None:
        """The account lost its access while connected: leave everything and close."""
        await self.disconnect(CLOSE_FORBIDDEN)
        self.user = None
        await self.close(code=CLOSE_FORBIDDEN)

    async def _subscribe_ticket(self, ticket_id: int | None) -> None:
        can_see = await _can_see_ticket(self.user, ticket_id) if ticket_id is not None else False
        if can_see is None:
            await self._revoke()
            return
        if not can_see:
            await self.send_json({"error": "not_found", "ticket": ticket_id})
            return
        if ticket_id in self.tickets:
            await self.send_json({"event": "subscribed", "ticket": ticket_id})
            return
        if len(self.tickets) >= MAX_SUBSCRIBED_TICKETS:
            await self.send_json({"error": "too_many_subscriptions"})
            return
        self.tickets.add(ticket_id)
        await self.channel_layer.group_add(ticket_group(ticket_id), self.channel_name)
        await self.send_json({"event": "subscribed", "ticket": ticket_id})
        # Everybody already on the page answers with their own agent.viewing (see pomoc_presence).
        await self._presence(ticket_id, "agent.viewing", reply_to=self.channel_name)

    async def _leave_ticket(self, ticket_id: int) -> None:
        self.tickets.discard(ticket_id)
        self.last_typing.pop(ticket_id, None)
        await self._presence(ticket_id, "agent.left")
        await self.channel_layer.group_discard(ticket_group(ticket_id), self.channel_name)

    async def _subscribe_inbox(self) -> None:
        groups = await _inbox_groups(self.user)
        for group in set(groups) - set(self.inbox_groups):
            await self.channel_layer.group_add(group, self.channel_name)
        self.inbox_groups = sorted(set(self.inbox_groups) | set(groups))
        await self.send_json({"event": "subscribed", "inbox": True})

    async def _typing(self, ticket_id: int | None) -> None:
        if ticket_id not in self.tickets:
            await self.send_json({"error": "not_subscribed", "ticket": ticket_id})
            return
        now = time.monotonic()
        if now - self.last_typing.get(ticket_id, 0.0) < TYPING_MIN_INTERVAL:
            return
        self.last_typing[ticket_id] = now
        await self._presence(ticket_id, "agent.typing")

    def _presence_payload(self, ticket_id: int, event: str) -> dict:
        return {"event": event, "ticket": ticket_id, "user": self.user.pk, "name": self.user.display_name}

    async def _presence(self, ticket_id: int, event: str, reply_to: str | None = None) -> None:
        await self.channel_layer.group_send(
            ticket_group(ticket_id),
            {
                "type": "pomoc.presence",
                "payload": self._presence_payload(ticket_id, event),
                "sender": self.channel_name,
                "reply_to": reply_to,
            },
        )

    # --- messages from the channel layer ------------------------------------------------------
    async def pomoc_event(self, message: dict) -> None:
        """A ticket event published by a service after commit."""
        payload = message.get("payload") or {}
        ticket_id = _ticket_id(payload.get("ticket"))
        if not permissions.is_staff_user(self.user):
            return
        if ticket_id is None:
            # Only this user's group carries these (``notify`` checked the recipient's access).
            if payload.get("event") in USER_EVENTS or payload.get("event") in DEPARTMENT_EVENTS:
                await self.send_json(payload)
            return
        can_see = await _can_see_ticket(self.user, ticket_id)
        if can_see is None:
            await self._revoke()
            return
        if can_see:
            await self.send_json(payload)
            return
        # No longer visible: say only what the page needs to refresh, nothing about the ticket.
        if ticket_id in self.tickets:
            await self._leave_ticket(ticket_id)
            await self.send_json({"event": "ticket.gone", "ticket": ticket_id})
        elif self.inbox_groups:
            await self.send_json({"event": "inbox.changed"})

    async def pomoc_presence(self, message: dict) -> None:
        """Viewing, typing and leaving of other connections on a ticket this one subscribed to."""
        payload = message.get("payload") or {}
        ticket_id = _ticket_id(payload.get("ticket"))
        if message.get("sender") == self.channel_name or ticket_id not in self.tickets or not self.user:
            return
        if payload.get("event") not in PRESENCE_EVENTS:
            return
        await self.send_json(payload)
        reply_to = message.get("reply_to")
        if reply_to:
            # Tell the newcomer that this connection is on the ticket too (no further replies).
            await self.channel_layer.send(
                reply_to,
                {
                    "type": "pomoc.presence",
                    "payload": self._presence_payload(ticket_id, "agent.viewing"),
                    "sender": self.channel_name,
                    "reply_to": None,
                },
            )
