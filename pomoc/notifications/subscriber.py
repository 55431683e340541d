"""Ticket events → notifications (a dispatcher subscriber, after the commit).

- assigned: the new assignee, unless they assigned it to themselves;
- customer_replied: the assignee, when a customer message comes in;
- mentioned: the agents a note names with ``@username`` (who may see the ticket);
- followed_ticket_changed: the followers, on a new message or a status change.

An agent gets one notification per ticket and dispatch: the most specific of those kinds.
"""

from django.db.models.functions import Lower

from pomoc.notifications import mentions, selectors, services
from pomoc.notifications.models import NotificationKind
from pomoc.tickets.models import EventType, Message, MessageKind, TicketEvent
from pomoc.tickets.permissions import staff_who_can_see

# Lower ranks win when one dispatch gives an agent several reasons about one ticket.
RANK = {NotificationKind.MENTIONED: 0, NotificationKind.ASSIGNED: 1, NotificationKind.CUSTOMER_REPLIED: 2,
        NotificationKind.FOLLOWED_TICKET_CHANGED: 3}
FOLLOWED_TYPES = {EventType.MESSAGE_ADDED, EventType.STATUS_CHANGED}


def on_ticket_events(events: list[TicketEvent]) -> None:
    tickets = {e.ticket_id: e.ticket for e in events}
    follower_tickets = {e.ticket_id for e in events if e.type in FOLLOWED_TYPES
                        and (e.data or {}).get("kind") != MessageKind.SYSTEM}
    followers = selectors.followers_of(follower_tickets) if follower_tickets else {}
    note_ids = [e.data.get("message") for e in events
                if e.type == EventType.MESSAGE_ADDED and (e.data or {}).get("kind") == MessageKind.NOTE]
    notes = dict(Message.objects.filter(pk__in=note_ids).values_list("pk", "body_text")) if note_ids else {}

    # (ticket, recipient) -> (kind, actor id, text)
    plan: dict[tuple[int, int], tuple[str, int | None, str]] = {}

    def want(ticket_id: int, user_id: int | None, kind: str, actor_id: int | None, text: str = "") -> None:
        if not user_id or user_id == actor_id:
            return
        current = plan.get((ticket_id, user_id))
        if current is None or RANK[kind] < RANK[current[0]]:
            plan[(ticket_id, user_id)] = (kind, actor_id, text)

    for event in events:
        data = event.data or {}
        ticket = tickets[event.ticket_id]
        if event.type == EventType.ASSIGNED:
            want(ticket.pk, data.get("to"), NotificationKind.ASSIGNED, event.actor_id)
        elif event.type == EventType.MESSAGE_ADDED and data.get("kind") == MessageKind.CUSTOMER:
            want(ticket.pk, ticket.assignee_id, NotificationKind.CUSTOMER_REPLIED, event.actor_id)
        elif event.type == EventType.MESSAGE_ADDED and data.get("kind") == MessageKind.NOTE:
            body = notes.get(data.get("message"), "")
            names = mentions.mentioned_usernames(body)
            if names:
                named = (staff_who_can_see(ticket).annotate(name=Lower("username")).filter(name__in=names)
                         .values_list("pk", flat=True))
                excerpt = " ".join(body.split())[:200]
                for user_id in named:
                    want(ticket.pk, user_id, NotificationKind.MENTIONED, event.actor_id, excerpt)
        if event.type in FOLLOWED_TYPES and data.get("kind") != MessageKind.SYSTEM:
            for user_id in followers.get(ticket.pk, ()):
                want(ticket.pk, user_id, NotificationKind.FOLLOWED_TICKET_CHANGED, event.actor_id,
                     str(event.get_type_display()))

    # One notify() per ticket, kind, actor and text: the recipients of each in one insert.
    groups: dict[tuple[int, str, int | None, str], list[int]] = {}
    for (ticket_id, user_id), (kind, actor_id, text) in plan.items():
        groups.setdefault((ticket_id, kind, actor_id, text), []).append(user_id)
    actors = {e.actor_id: e.actor for e in events if e.actor_id} if groups else {}
    for (ticket_id, kind, actor_id, text), user_ids in groups.items():
        services.notify(user_ids, kind=kind, ticket=tickets[ticket_id], actor=actors.get(actor_id), text=text)
