"""Checks shared by the demo tests: what every demo ticket must look like, however it was written."""

from pomoc.tickets.models import EventType, MessageKind, Ticket


def assert_tickets_consistent(tickets) -> None:
    # Returns (pomoc.orders) are tickets an agent opens with a note, not conversations: not checked here.
    for ticket in Ticket.objects.filter(pk__in=[t.pk for t in tickets], return_request__isnull=True).prefetch_related(
            "messages", "events"):
        messages = sorted(ticket.messages.all(), key=lambda m: (m.created_at, m.pk))
        events = list(ticket.events.all())
        assert messages, f"#{ticket.number} has no message"
        assert messages[0].kind == MessageKind.CUSTOMER
        created = [e for e in events if e.type == EventType.CREATED]
        assert len(created) == 1 and created[0].at == ticket.created_at, ticket.number
        added = {e.data["message"]: e.at for e in events if e.type == EventType.MESSAGE_ADDED}
        assert added == {m.pk: m.created_at for m in messages}, ticket.number
        replies = [m for m in messages if m.kind == MessageKind.REPLY]
        assert ticket.first_response_at == (replies[0].created_at if replies else None), ticket.number
        assert ticket.updated_at == max(e.at for e in events), ticket.number
        assert all(ticket.created_at <= e.at for e in events), ticket.number
        statuses = [e for e in sorted(events, key=lambda e: (e.at, e.pk)) if e.type == EventType.STATUS_CHANGED]
        if statuses:
            assert statuses[-1].data["to"] == ticket.status, ticket.number
        assert (ticket.resolved_at is not None) == (ticket.status in ("resolved", "closed")), ticket.number
