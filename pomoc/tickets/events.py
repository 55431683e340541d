"""One small function per event type. The timeline, metrics, audit trail and live updates all read
these rows.

Every event saved here is handed to ``dispatch``, which passes it to the subscribers (live updates
first) once the transaction has committed, never if it rolls back.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from pomoc.tickets import dispatch
from pomoc.tickets.models import DeliveryState, EventType, Message, Ticket, TicketEvent

DELIVERY_EVENTS = {
    DeliveryState.QUEUED: EventType.DELIVERY_QUEUED,
    DeliveryState.SENT: EventType.DELIVERY_SENT,
    DeliveryState.FAILED: EventType.DELIVERY_FAILED,
}


# What caused the changes being written: a rule's ``{"rule": id, "name": …, "chain": [ids]}``
# (see pomoc.automation.rules.engine), copied into every event as ``data["by"]`` so the rules can tell
# their own doing (never re-triggered by it) and the history can say who did it.
_caused_by: ContextVar[dict | None] = ContextVar("pomoc_event_caused_by", default=None)


@contextmanager
def caused_by(origin: dict) -> Iterator[None]:
    """Stamp the events written inside the block with ``origin`` (``data["by"]``)."""
    token = _caused_by.set(origin)
    try:
        yield
    finally:
        _caused_by.reset(token)


def _event(ticket: Ticket, type_: str, actor, data: dict, at=None) -> TicketEvent:
    """An event not saved yet: ``_record`` saves one, ``record_many`` a batch (bulk intake)."""
    origin = _caused_by.get()
    if origin is not None:
        data = {**data, "by": origin}
    kwargs = {"ticket": ticket, "type": type_, "actor": actor if getattr(actor, "pk", None) else None, "data": data}
    if at is not None:
        kwargs["at"] = at
    return TicketEvent(**kwargs)


def _save(event: TicketEvent) -> TicketEvent:
    event.save()
    dispatch.recorded([event])
    return event


def _record(ticket: Ticket, type_: str, actor, data: dict, at=None) -> TicketEvent:
    return _save(_event(ticket, type_, actor, data, at))


def record_many(events: list[TicketEvent]) -> list[TicketEvent]:
    """Append the unsaved events built by the ``*_event`` functions below in one insert."""
    saved = TicketEvent.objects.bulk_create(events)
    dispatch.recorded(saved)
    return saved


def ticket_created_event(ticket: Ticket, actor) -> TicketEvent:
    return _event(
        ticket, EventType.CREATED, actor,
        {"channel": ticket.channel, "status": ticket.status, "priority": ticket.priority,
         "department": ticket.department_id},
        at=ticket.created_at,
    )


def ticket_created(ticket: Ticket, actor) -> TicketEvent:
    return _save(ticket_created_event(ticket, actor))


def message_added_event(message: Message, actor) -> TicketEvent:
    """A customer message, reply, internal note or system note (``kind`` says which)."""
    return _event(
        message.ticket, EventType.MESSAGE_ADDED, actor,
        {"message": message.pk, "kind": message.kind, "channel": message.channel},
        at=message.created_at,
    )


def message_added(message: Message, actor) -> TicketEvent:
    return _save(message_added_event(message, actor))


def field_changed(ticket: Ticket, type_: str, actor, old, new, at=None) -> TicketEvent:
    return _record(ticket, type_, actor, {"from": old, "to": new}, at)


def merged(target: Ticket, source: Ticket, actor, moved: dict | None = None, before: dict | None = None) -> TicketEvent:
    """``source`` merged into ``target``. The target's event keeps what moved (``moved``: message ids,
    participants and tag names new to the target), the source's what it was (``before``: status and
    its times): undoing the merge restores exactly that."""
    _record(source, EventType.MERGED, actor,
            {"into": target.pk, "into_number": target.number, **({"before": before} if before else {})})
    return _record(target, EventType.MERGED, actor,
                   {"from": source.pk, "from_number": source.number, **(moved or {})})


def merge_undone(target: Ticket, source: Ticket, actor, restored: dict) -> TicketEvent:
    """The merge of ``source`` into ``target`` was undone; ``restored`` says what went back."""
    _record(source, EventType.MERGE_UNDONE, actor, {"into": target.pk, "into_number": target.number})
    return _record(target, EventType.MERGE_UNDONE, actor,
                   {"from": source.pk, "from_number": source.number, **restored})


def split(source: Ticket, new_ticket: Ticket, message_id: int, actor) -> TicketEvent:
    _record(new_ticket, EventType.SPLIT, actor,
            {"from": source.pk, "from_number": source.number, "message": message_id})
    return _record(source, EventType.SPLIT, actor,
                   {"to": new_ticket.pk, "to_number": new_ticket.number, "message": message_id})


def participant_added_event(ticket: Ticket, contact_id: int, actor) -> TicketEvent:
    return _event(ticket, EventType.PARTICIPANT_ADDED, actor, {"contact": contact_id})


def participants_added(ticket: Ticket, contact_ids: Iterable[int], actor) -> list[TicketEvent]:
    """One event per contact newly copied on ``ticket`` (callers pass only the new ones)."""
    events = [participant_added_event(ticket, contact_id, actor) for contact_id in sorted(set(contact_ids))]
    return record_many(events) if events else []


def participant_added(ticket: Ticket, contact_id: int, actor) -> TicketEvent:
    return _save(participant_added_event(ticket, contact_id, actor))


def delivery_changed(message: Message, state: str, error: str = "", actor=None, retry_at=None) -> TicketEvent:
    """A reply was queued (again: ``retry_at`` is when the next attempt is due), sent, or failed with
    ``error`` (the reason shown to agents)."""
    data = {"message": message.pk, "state": state, "error": error[:1000]}
    if retry_at is not None:
        data["retry_at"] = retry_at.isoformat()
    return _record(message.ticket, DELIVERY_EVENTS[state], actor, data)


def identity_bounced(ticket: Ticket, *, addresses: Iterable[str], contact_ids: Iterable[int] = (),
                     message_id: int | None = None, permanent: bool = True, status: str = "") -> TicketEvent:
    """Mail about ``ticket`` bounced: the addresses (and their contacts, now marked bounced when
    ``permanent``), the bounced reply if it is ours, and the DSN status code."""
    return _record(ticket, EventType.IDENTITY_BOUNCED, None,
                   {"addresses": sorted(set(addresses)), "contacts": sorted(set(contact_ids)),
                    "message": message_id, "permanent": permanent, "status": status})


def survey_answered(ticket: Ticket, *, kind: str, score: int, answer_id: int, low: bool) -> TicketEvent:
    """The customer answered a survey about ``ticket`` (CSAT, CES or NPS; ``low``: at or below the
    survey's follow-up score)."""
    return _record(ticket, EventType.SURVEY_ANSWERED, None,
                   {"kind": kind, "score": score, "answer": answer_id, "low": low})


def sla_breached_event(ticket: Ticket, *, target: str, due, policy_id: int | None, policy_name: str,
                       noticed_at) -> TicketEvent:
    """A service-level target (``first_response``, ``next_response``, ``resolution``) was missed; the
    event is dated at the due time it missed (the sweep may notice it later, after downtime)."""
    return _event(ticket, EventType.SLA_BREACHED, None,
                  {"target": target, "due": due.isoformat(), "policy": policy_id, "policy_name": policy_name,
                   "noticed_at": noticed_at.isoformat()}, at=due)


def sla_met_event(ticket: Ticket, *, target: str, due, met_at, policy_id: int | None, policy_name: str
                  ) -> TicketEvent:
    """A service-level target was met before its due time; the event is dated when it was met (the
    reply or the resolution), so compliance counts it in that period."""
    return _event(ticket, EventType.SLA_MET, None,
                  {"target": target, "due": due.isoformat(), "policy": policy_id, "policy_name": policy_name},
                  at=met_at)


def rule_fired(ticket: Ticket, *, rule_id: int, name: str, trigger: str, actions: list[str], chain: list[int],
               errors: Iterable[str] = ()) -> TicketEvent:
    """A rule matched ``ticket`` and ran its ``actions`` (their types); ``errors`` of actions refused."""
    return _record(ticket, EventType.RULE_FIRED, None,
                   {"rule": rule_id, "name": name, "trigger": trigger, "actions": actions, "chain": chain,
                    "errors": [str(e)[:300] for e in errors]})


def rule_stopped(ticket: Ticket, *, rule_id: int, name: str, reason: str) -> TicketEvent:
    """A matching rule was not run: the ticket reached its limit of rule firings (a loop, probably)."""
    return _record(ticket, EventType.RULE_STOPPED, None, {"rule": rule_id, "name": name, "reason": reason})


def macro_applied(ticket: Ticket, actor, *, macro_id: int, name: str, actions: list[str],
                  errors: Iterable[str] = ()) -> TicketEvent:
    return _record(ticket, EventType.MACRO_APPLIED, actor,
                   {"macro": macro_id, "name": name, "actions": actions, "errors": [str(e)[:300] for e in errors]})


def return_changed(ticket: Ticket, actor, *, old: str | None, new: str, data: dict) -> TicketEvent:
    """The return (RMA) carried by ``ticket`` was opened (``old`` None) or moved to state ``new``;
    ``data`` adds its kind, order number and an optional note (see pomoc.orders)."""
    return _record(ticket, EventType.RETURN_CHANGED, actor, {**data, "from": old, "to": new})
