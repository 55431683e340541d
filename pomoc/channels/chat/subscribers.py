"""Live chat's dispatch subscriber: a chat ticket assigned (by routing, on the ticket page) makes its
conversation the assignee's, and the visitor hears who answers."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def on_events(events) -> None:
    from pomoc.tickets.models import EventType

    ticket_ids = sorted({e.ticket_id for e in events if e.type == EventType.ASSIGNED})
    if not ticket_ids:
        return
    from pomoc.channels.chat.services import follow_ticket

    for ticket_id in ticket_ids:
        try:
            follow_ticket(ticket_id)
        except Exception:  # the assignment committed; the chat panel's accept still works
            logger.exception("chat: conversation of ticket %s did not follow its assignee", ticket_id)


def register() -> None:
    from pomoc.tickets import dispatch

    dispatch.register("chat", on_events, order=dispatch.RULES + 6)
