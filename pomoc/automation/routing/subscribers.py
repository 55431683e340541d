"""Routing's dispatch subscriber: tickets that are new or came unassigned to a routing department."""

from __future__ import annotations

import logging

from pomoc.tickets.models import EventType, TicketEvent

logger = logging.getLogger(__name__)

TRIGGERS = (EventType.CREATED, EventType.DEPARTMENT_CHANGED, EventType.ASSIGNED, EventType.STATUS_CHANGED)


def on_events(events: list[TicketEvent]) -> None:
    ticket_ids = sorted({event.ticket_id for event in events if event.type in TRIGGERS})
    if not ticket_ids:
        return
    from pomoc.accounts.models import Routing
    from pomoc.automation.routing.services import route_ticket
    from pomoc.tickets.models import ACTIVE_STATUSES, Ticket

    waiting = Ticket.objects.filter(pk__in=ticket_ids, assignee__isnull=True, status__in=ACTIVE_STATUSES,
                                    department__isnull=False).exclude(department__routing=Routing.MANUAL)
    for ticket_id in waiting.values_list("pk", flat=True):
        try:
            route_ticket(ticket_id)
        except Exception:  # the write committed already; the sweep tries again
            logger.exception("routing: ticket %s could not be routed", ticket_id)

