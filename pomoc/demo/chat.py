"""Demo live chat: a chat inbox on the demo shop's site, a few finished chats (their transcripts, a
rating) and one visitor waiting in the queue, so *Live chats* and the chat panel show something.

The chats are the demo's own chat tickets (channel "Live chat"): each gets its conversation, whose
lines are the ticket's messages, so the demo's ticket counts stay as asked. Run after the tickets
are made (``pomoc demo``); idempotent (the inbox and its chats are made once)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.utils import timezone

from pomoc.accounts.models import Department
from pomoc.channels.chat import services as chat_services
from pomoc.channels.chat.models import Conversation, ConversationStatus, Line, LineState, Visitor
from pomoc.channels.models import Inbox
from pomoc.surveys.models import Answer, SurveyKind
from pomoc.tickets import services as ticket_services
from pomoc.tickets.models import Channel, Message, MessageKind, Status, Ticket

INBOX_NAME = "Website chat"
SITE = "https://shop.example.com"
FINISHED = 3
RATINGS = ((5, "Quick and friendly, thank you!"), (4, ""), (5, ""))
PAGES = ("/", "/products/espresso-machine", "/orders", "/help/returns", "/checkout")


def ensure_chat(departments: dict[str, Department]) -> int:
    """The demo chat inbox and its chats; returns how many conversations were added (0 when they exist
    already, or when the demo has no chat tickets to show)."""
    with transaction.atomic():
        inbox = Inbox.objects.filter(kind="chat", name=INBOX_NAME).first()
        if inbox is not None and Conversation.objects.filter(inbox=inbox).exists():
            return 0
        department = departments.get("Support") or Department.objects.order_by("id").first()
        if inbox is None:
            inbox = Inbox.objects.create(name=INBOX_NAME, kind="chat", department=department, config={
                "allowed_origins": [SITE], "title": "Chat with us", "colour": "#1f6feb",
                "greeting": "Hello! Ask us anything about your order.", "rating_enabled": True,
                "prechat_fields": [{"name": "name", "label": "Your name", "type": "text"},
                                   {"name": "email", "label": "E-mail", "type": "email"}],
            })
            chat_services.inbox_key(inbox)
        chats = Ticket.objects.filter(channel=Channel.CHAT, merged_into__isnull=True, return_request__isnull=True)
        done = list(chats.filter(status__in=[Status.RESOLVED, Status.CLOSED]).select_related("requester")
                    .order_by("-created_at", "-id")[:FINISHED])
        waiting = (chats.filter(status__in=[Status.NEW, Status.OPEN]).exclude(pk__in=[t.pk for t in done])
                   .select_related("requester").order_by("assignee_id", "-created_at", "-id").first())
        if waiting is None:
            waiting = _writing_again(chats, done)
        now = timezone.now()
        added = 0
        for n, ticket in enumerate(done):
            conversation = _conversation(inbox, ticket, n, ended=True, now=now)
            if conversation is None:
                continue
            added += 1
            score, comment = RATINGS[n % len(RATINGS)]
            # as the demo's other answers: in the past, without an event (the ticket's history stays as made)
            Answer.objects.create(kind=SurveyKind.CSAT, score=score, comment=comment, ticket=ticket,
                                  contact_id=ticket.requester_id, agent_id=conversation.agent_id,
                                  department_id=ticket.department_id, channel=ticket.channel,
                                  answered_at=conversation.ended_at,
                                  commented_at=conversation.ended_at if comment else None)
            Conversation.objects.filter(pk=conversation.pk).update(rated=True)
        if waiting is not None and _conversation(inbox, waiting, len(done), ended=False, now=now) is not None:
            added += 1
    return added


def _writing_again(chats, done: list[Ticket]) -> Ticket | None:
    """No chat ticket is open (a small demo): the customer of the newest finished one writes again in
    the chat (a customer message, which reopens it), so the queue still has somebody waiting."""
    ticket = (chats.exclude(pk__in=[t.pk for t in done]).select_related("requester")
              .order_by("-created_at", "-id").first())
    if ticket is None and len(done) > 1:
        ticket = done.pop()
    if ticket is None:
        return None
    ticket_services.message_add(ticket=ticket, kind=MessageKind.CUSTOMER, author_contact=ticket.requester,
                                body_text="Hello again, one more question about my order, please.",
                                channel=Channel.CHAT)
    ticket.refresh_from_db()
    return ticket


def _conversation(inbox: Inbox, ticket: Ticket, n: int, *, ended: bool, now: dt.datetime) -> Conversation | None:
    """``ticket``'s chat: its customer messages and replies as lines, in order, all read."""
    messages = list(Message.objects.filter(ticket=ticket, kind__in=[MessageKind.CUSTOMER, MessageKind.REPLY])
                    .select_related("author_user").order_by("created_at", "id"))
    if not messages or Line.objects.filter(message__in=messages).exists():
        return None
    if not ended:
        messages = messages[-1:] if ticket.status != Status.NEW else messages[:1]  # who has just written
    contact = ticket.requester
    started = messages[0].created_at if ended else now - dt.timedelta(minutes=3)
    visitor = Visitor.objects.create(
        inbox=inbox, key=uuid.uuid4().hex, contact=contact, name=contact.name, language=contact.language or "en",
        user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                   "Chrome/124.0 Safari/537.36",
        time_zone="Europe/Prague", referrer="https://www.google.com/", visits=1 + n % 3,
        pages=[{"url": f"{SITE}{PAGES[(n + i) % len(PAGES)]}", "title": "", "referrer": "",
                "at": (started - dt.timedelta(minutes=3 - i)).isoformat()} for i in range(3)],
        created_at=started - dt.timedelta(minutes=5), last_seen_at=now if not ended else started)
    agent_id = next((m.author_user_id for m in messages if m.kind == MessageKind.REPLY), None) or ticket.assignee_id
    conversation = Conversation.objects.create(
        inbox=inbox, visitor=visitor, ticket=ticket, department=ticket.department,
        agent_id=agent_id if ended else None,
        status=ConversationStatus.ENDED if ended else ConversationStatus.QUEUED, created_at=started,
        accepted_at=started + dt.timedelta(seconds=40) if ended else None)
    lines = [Line(conversation=conversation, seq=seq, message=message,
                  author="visitor" if message.kind == MessageKind.CUSTOMER else "agent",
                  name=(message.author_user.display_name if message.author_user_id else "")
                  if message.kind == MessageKind.REPLY else contact.name,
                  body=message.body_text, state=LineState.READ if ended else LineState.SENT,
                  created_at=message.created_at if ended else started)
             for seq, message in enumerate(messages, start=1)]
    if ended:
        ended_at = lines[-1].created_at + dt.timedelta(minutes=2)
        lines.append(Line(conversation=conversation, seq=len(lines) + 1, author="system",
                          body="The chat has ended.", state=LineState.READ, created_at=ended_at))
        conversation.ended_at = ended_at
    Line.objects.bulk_create(lines)
    conversation.last_seq = len(lines)
    conversation.save(update_fields=["last_seq", "ended_at"])
    return conversation
