"""The acknowledgement of a new ticket: a dispatcher subscriber hands each new ticket to a task, which
answers it once, with its number, unless it came from automatic mail or was opened by an agent."""

from __future__ import annotations

import logging

from pomoc.automation.followups.models import FollowUpDone, FollowUpKind, FollowUpPolicy
from pomoc.automation.followups.services import follow_up_send, policy_for
from pomoc.channels.email.models import RawMail
from pomoc.tickets.models import EventType, Message, MessageKind, Ticket, TicketEvent

logger = logging.getLogger(__name__)
HUMAN = ("", "human")


def on_events(events: list[TicketEvent]) -> None:
    """Dispatcher subscriber: enqueue the acknowledgement of every ticket created (ids only)."""
    created = [event.ticket_id for event in events if event.type == EventType.CREATED]
    if not created or not FollowUpPolicy.objects.filter(acknowledge=True).exists():
        return
    from pomoc.automation.followups.tasks import acknowledge_ticket

    for ticket_id in created:
        acknowledge_ticket.enqueue(ticket_id)


def came_from_automatic_mail(message: Message) -> bool:
    """The e-mail channel's verdict on the mail behind ``message``: anything but a person's mail
    (auto-reply, bounce, mailing list, spam) is never answered automatically."""
    return RawMail.objects.filter(message=message).exclude(classification__in=HUMAN).exists()


def ticket_acknowledge(ticket_id: int) -> FollowUpDone | None:
    """Acknowledge a new ticket, once: only when its policy asks for it, the ticket was opened by its
    customer (not by an agent) and not by automatic mail."""
    ticket = Ticket.objects.select_related("requester").filter(pk=ticket_id).first()
    if ticket is None or ticket.merged_into_id:
        return None
    policy = policy_for(ticket)
    if policy is None or not policy.acknowledge:
        return None
    first = Message.objects.filter(ticket=ticket).exclude(kind=MessageKind.SYSTEM).order_by("created_at", "id").first()
    if first is None or first.kind != MessageKind.CUSTOMER or came_from_automatic_mail(first):
        return None
    return follow_up_send(ticket=ticket, policy=policy, kind=FollowUpKind.ACKNOWLEDGEMENT)
