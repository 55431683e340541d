"""One small function per event type. The timeline, metrics and audit trail all read these rows."""

from pomoc.tickets.models import EventType, Message, Ticket, TicketEvent


def _event(ticket: Ticket, type_: str, actor, data: dict, at=None) -> TicketEvent:
    """An event not saved yet: ``_record`` saves one, ``record_many`` a batch (bulk intake)."""
    kwargs = {"ticket": ticket, "type": type_, "actor": actor if getattr(actor, "pk", None) else None, "data": data}
    if at is not None:
        kwargs["at"] = at
    return TicketEvent(**kwargs)


def _record(ticket: Ticket, type_: str, actor, data: dict, at=None) -> TicketEvent:
    event = _event(ticket, type_, actor, data, at)
    event.save()
    return event


def record_many(events: list[TicketEvent]) -> list[TicketEvent]:
    """Append the unsaved events built by the ``*_event`` functions below in one insert."""
    return TicketEvent.objects.bulk_create(events)


def ticket_created_event(ticket: Ticket, actor) -> TicketEvent:
    return _event(
        ticket, EventType.CREATED, actor,
        {"channel": ticket.channel, "status": ticket.status, "priority": ticket.priority,
         "department": ticket.department_id},
        at=ticket.created_at,
    )


def ticket_created(ticket: Ticket, actor) -> TicketEvent:
    event = ticket_created_event(ticket, actor)
    event.save()
    return event


def message_added_event(message: Message, actor) -> TicketEvent:
    return _event(
        message.ticket, EventType.MESSAGE_ADDED, actor,
        {"message": message.pk, "kind": message.kind, "channel": message.channel},
        at=message.created_at,
    )


def message_added(message: Message, actor) -> TicketEvent:
    event = message_added_event(message, actor)
    event.save()
    return event


def field_changed(ticket: Ticket, type_: str, actor, old, new) -> TicketEvent:
    return _record(ticket, type_, actor, {"from": old, "to": new})


def merged(target: Ticket, source: Ticket, actor) -> TicketEvent:
    _record(source, EventType.MERGED, actor, {"into": target.pk, "into_number": target.number})
    return _record(target, EventType.MERGED, actor, {"from": source.pk, "from_number": source.number})


def split(source: Ticket, new_ticket: Ticket, message_id: int, actor) -> TicketEvent:
    _record(new_ticket, EventType.SPLIT, actor,
            {"from": source.pk, "from_number": source.number, "message": message_id})
    return _record(source, EventType.SPLIT, actor,
                   {"to": new_ticket.pk, "to_number": new_ticket.number, "message": message_id})
