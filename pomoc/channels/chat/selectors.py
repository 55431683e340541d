"""Every read of live chat: inboxes by public key, transcript lines (the gap after a seq), the queue,
available agents, the visitor's side panel, live chats and visitors on the site."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from pomoc.accounts.models import AgentPresence, Presence, Role, User
from pomoc.channels.chat.models import ChatInbox, Conversation, ConversationStatus, Line, Visitor
from pomoc.channels.models import Inbox
from pomoc.tickets.models import Attachment, Ticket

MAX_LINES = 500  # one answer of the gap; the client asks again after the last seq it got
VISITORS_NOW_MINUTES = 5


def inbox_by_key(key: str) -> Inbox | None:
    if not isinstance(key, str) or not 8 <= len(key) <= 40:
        return None
    found = ChatInbox.objects.filter(key=key, inbox__active=True, inbox__kind="chat").select_related(
        "inbox", "inbox__department").first()
    return found.inbox if found else None


def _lines():
    return Line.objects.select_related("conversation__inbox__chat", "message").prefetch_related(
        Prefetch("message__attachments", queryset=Attachment.objects.order_by("id")))


def lines_after(conversation_id: int, after: int, limit: int = MAX_LINES) -> list[Line]:
    """The lines with seq > ``after``, in order: exactly the gap a client is missing."""
    after = after if isinstance(after, int) and not isinstance(after, bool) and after > 0 else 0
    return list(_lines().filter(conversation_id=conversation_id, seq__gt=after).order_by("seq")[:limit])


def lines_by_ids(ids: list[int]) -> list[Line]:
    return list(_lines().filter(pk__in=ids).order_by("seq"))


def _waiting(department_id: int | None):
    return Conversation.objects.filter(department_id=department_id, status=ConversationStatus.QUEUED,
                                       ticket__isnull=False)


def _ahead_of(conversation: Conversation) -> Q:
    return Q(created_at__lt=conversation.created_at) | Q(created_at=conversation.created_at, id__lt=conversation.pk)


def queue(department_id: int | None, *, from_place_of: Conversation | None = None) -> tuple[int, list[Conversation]]:
    """The department's waiting chats (those with a first message), oldest first: all of them, or
    those from ``from_place_of``'s place on (waiting or not); with how many wait ahead of those."""
    waiting = _waiting(department_id)
    ahead = 0
    if from_place_of is not None:
        ahead = waiting.filter(_ahead_of(from_place_of)).count()
        waiting = waiting.exclude(_ahead_of(from_place_of))
    return ahead, list(waiting.select_related("visitor", "agent", "ticket").order_by("created_at", "id"))


def queue_position(conversation: Conversation) -> int | None:
    if conversation.status != ConversationStatus.QUEUED or conversation.ticket_id is None:
        return None
    return _waiting(conversation.department_id).filter(_ahead_of(conversation)).count() + 1


def open_chats_of(agent_id: int) -> int:
    return Conversation.objects.filter(agent_id=agent_id, status=ConversationStatus.OPEN).count()


def available_agents(department_id: int | None, *, default_limit: int = 3) -> list[User]:
    """Online agents of the department (any department's when None) with room for one more chat."""
    agents = User.objects.filter(is_active=True, presence__status=Presence.ONLINE).exclude(role=Role.CUSTOMER)
    if department_id:
        agents = agents.filter(departments=department_id)
    agents = list(agents.select_related("presence"))
    load = dict(Conversation.objects.filter(agent_id__in=[a.pk for a in agents], status=ConversationStatus.OPEN)
                .values_list("agent_id").annotate(n=Count("id")).values_list("agent_id", "n"))
    return [a for a in agents if load.get(a.pk, 0) < (a.presence.chat_capacity or default_limit)]


def is_online(inbox: Inbox) -> bool:
    return bool(available_agents(inbox.department_id))


def live_chats(department_ids: list[int] | None = None) -> list[Conversation]:
    """Chats waiting or open now (a supervisor's view), oldest first."""
    chats = Conversation.objects.filter(status__in=[ConversationStatus.QUEUED, ConversationStatus.OPEN],
                                        ticket__isnull=False)
    if department_ids is not None:
        chats = chats.filter(department_id__in=department_ids)
    return list(chats.select_related("visitor", "agent", "department", "ticket").order_by("created_at", "id")[:200])


def visitors_now(inbox_ids: list[int], *, now: dt.datetime | None = None) -> list[Visitor]:
    since = (now or timezone.now()) - dt.timedelta(minutes=VISITORS_NOW_MINUTES)
    return list(Visitor.objects.filter(inbox_id__in=inbox_ids, last_seen_at__gte=since, blocked_at__isnull=True)
                .select_related("inbox").order_by("-last_seen_at")[:200])


def conversation_of_ticket(ticket_id: int) -> Conversation | None:
    return (Conversation.objects.filter(ticket_id=ticket_id).select_related("visitor", "agent", "inbox", "department")
            .order_by("-id").first())


def visitor_history(visitor: Visitor, *, exclude_ticket: int | None = None) -> dict:
    """The side panel's past: earlier conversations and the contact's other tickets (at most 10 each)."""
    conversations = list(Conversation.objects.filter(visitor=visitor).exclude(ticket_id=exclude_ticket)
                         .select_related("ticket").order_by("-id")[:10])
    tickets = list(Ticket.objects.filter(requester_id=visitor.contact_id).exclude(pk=exclude_ticket)
                   .order_by("-created_at")[:10]) if visitor.contact_id else []
    return {"conversations": conversations, "tickets": tickets}


def presence_rows(user_ids: list[int]) -> dict[int, AgentPresence]:
    return {p.user_id: p for p in AgentPresence.objects.filter(user_id__in=user_ids)}
