"""Tickets with a timeline at chosen moments, for the SLA tests: built through the real services, then
their times set (the services date everything "now"; the clocks only read the times)."""

import datetime as dt

from pomoc.automation.sla import services
from pomoc.calendars.services import calendar_create
from pomoc.testing.factories import make_ticket
from pomoc.tickets.models import EventType, Ticket, TicketEvent
from pomoc.tickets.services import message_add, ticket_update

UTC = dt.UTC
WEEKDAYS_9_TO_5 = {str(day): ["09:00-17:00"] for day in range(5)}


def policy(**values):
    values.setdefault("name", "Standard")
    return services.policy_create(**values)


def calendar(*, time_zone="Europe/Prague", hours=None, countries=()):
    return calendar_create(name=f"Hours {time_zone}", time_zone=time_zone, hours=hours or WEEKDAYS_9_TO_5,
                           countries=list(countries))


def ticket_at(at: dt.datetime, **kwargs) -> Ticket:
    """A ticket opened at ``at``."""
    ticket = make_ticket(**kwargs)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=at, updated_at=at, last_customer_message_at=at)
    TicketEvent.objects.filter(ticket=ticket).update(at=at)
    ticket.messages.update(created_at=at)
    ticket.refresh_from_db()
    return ticket


def _latest_events_at(ticket: Ticket, count: int, at: dt.datetime) -> None:
    ids = list(TicketEvent.objects.filter(ticket=ticket).order_by("-id").values_list("pk", flat=True)[:count])
    TicketEvent.objects.filter(pk__in=ids).update(at=at)


def status_at(ticket: Ticket, status: str, at: dt.datetime, actor=None) -> Ticket:
    before = TicketEvent.objects.filter(ticket=ticket).count()
    ticket = ticket_update(ticket=ticket, actor=actor, changes={"status": status})
    _latest_events_at(ticket, TicketEvent.objects.filter(ticket=ticket).count() - before, at)
    return ticket


def message_at(ticket: Ticket, at: dt.datetime, *, kind: str, author=None) -> None:
    before = TicketEvent.objects.filter(ticket=ticket).count()
    first_response_at = Ticket.objects.get(pk=ticket.pk).first_response_at
    message = message_add(ticket=ticket, kind=kind, body_text="Hello", actor=author,
                          author_contact=ticket.requester if kind == "customer" else None)
    message.__class__.objects.filter(pk=message.pk).update(created_at=at)
    if kind == "reply" and first_response_at is None:
        Ticket.objects.filter(pk=ticket.pk).update(first_response_at=at)
    _latest_events_at(ticket, TicketEvent.objects.filter(ticket=ticket).count() - before, at)


def breaches(ticket=None):
    qs = TicketEvent.objects.filter(type=EventType.SLA_BREACHED)
    return qs.filter(ticket=ticket) if ticket is not None else qs
