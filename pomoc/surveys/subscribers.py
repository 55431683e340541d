"""The surveys' dispatch subscriber: a ticket that became resolved asks its requester (in the worker)."""

from __future__ import annotations

from pomoc.tickets.models import EventType, Status, TicketEvent


def on_events(events: list[TicketEvent]) -> None:
    resolved = {event.ticket_id for event in events
                if event.type == EventType.STATUS_CHANGED and (event.data or {}).get("to") == Status.RESOLVED}
    if not resolved:
        return
    from pomoc.surveys.models import Survey
    from pomoc.surveys.services import AFTER_RESOLUTION

    if not Survey.objects.filter(kind__in=AFTER_RESOLUTION, enabled=True).exists():
        return
    from pomoc.surveys.tasks import ask_after_resolution

    for ticket_id in sorted(resolved):
        ask_after_resolution.enqueue(ticket_id)
