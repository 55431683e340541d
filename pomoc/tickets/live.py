"""Live updates: the one place that turns ticket events into websocket payloads.

Registered with ``dispatch`` in the first slot, so it runs after the commit. Payloads carry ids
only (the consumer checks access for every one) and have one of these shapes, each with
``ticket``, ``number`` and ``actor``:

- ``ticket.created``: a ticket was opened (whatever else happened to it in the same transaction);
- ``ticket.updated`` with ``fields``: the names of what changed;
- ``message.added`` with ``message`` and ``kind``: the last message added to the ticket;
- ``message.delivery`` with ``message`` and ``state``: a reply was queued, sent or failed (sent to
  the ticket's group only; inbox lists do not show it).

One dispatch gives at most one payload per ticket and kind (``message.delivery``: per message),
to the ticket's group and its department's group, and for a department change also to the old
department's group. Everything is sent in one trip.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pomoc.core.realtime import department_group, publish_many, ticket_group
from pomoc.tickets.models import EventType, TicketEvent

# What each event changes on the ticket, as a ``ticket.updated`` field name.
CHANGED_FIELDS = {
    EventType.STATUS_CHANGED: "status",
    EventType.PRIORITY_CHANGED: "priority",
    EventType.ASSIGNED: "assignee",
    EventType.DEPARTMENT_CHANGED: "department",
    EventType.TAGS_CHANGED: "tags",
    EventType.SUBJECT_CHANGED: "subject",
    EventType.CUSTOM_FIELDS_CHANGED: "custom_fields",
    EventType.PARTICIPANT_ADDED: "participants",
    EventType.IDENTITY_BOUNCED: "bounced",
    EventType.REPLY_ROUTE_CHANGED: "reply_route",
}
DELIVERY_TYPES = {EventType.DELIVERY_QUEUED, EventType.DELIVERY_SENT, EventType.DELIVERY_FAILED}


@dataclass
class _TicketChanges:
    """What one dispatch did to one ticket."""

    ticket_id: int
    number: int
    department_id: int | None
    created: TicketEvent | None = None
    fields: dict[str, None] = field(default_factory=dict)  # ordered set
    fields_actor: int | None = None
    message: TicketEvent | None = None
    deliveries: dict[int, TicketEvent] = field(default_factory=dict)
    old_departments: set[int | None] = field(default_factory=set)

    def add(self, event: TicketEvent) -> None:
        type_, data = event.type, event.data or {}
        if type_ == EventType.CREATED:
            self.created = event
        elif type_ == EventType.MESSAGE_ADDED:
            self.message = event
        elif type_ in DELIVERY_TYPES:
            self.deliveries[data.get("message")] = event
        elif type_ in (EventType.MERGED, EventType.MERGE_UNDONE):
            # The merged ticket is closed into another (or open again); the other gained (lost) messages.
            self._changed("merged_into" if "into" in data else "messages", event)
        elif type_ == EventType.SPLIT:
            # The new ticket has its own ``created``; the old one lost a message.
            if "to" in data:
                self._changed("messages", event)
        elif type_ in CHANGED_FIELDS:
            self._changed(CHANGED_FIELDS[type_], event)
            if type_ == EventType.DEPARTMENT_CHANGED:
                self.old_departments.add(data.get("from"))

    def _changed(self, name: str, event: TicketEvent) -> None:
        self.fields[name] = None
        self.fields_actor = event.actor_id

    def payloads(self) -> list[tuple[list[str], dict]]:
        groups = [ticket_group(self.ticket_id), department_group(self.department_id)]
        base = {"ticket": self.ticket_id, "number": self.number}
        if self.created is not None:
            return [(groups, {"event": "ticket.created", **base, "actor": self.created.actor_id})]
        sends = []
        if self.fields:
            moved_from = [department_group(d) for d in sorted(self.old_departments, key=lambda d: d or 0)
                          if d != self.department_id]
            sends.append((groups + moved_from, {"event": "ticket.updated", **base, "actor": self.fields_actor,
                                                "fields": sorted(self.fields)}))
        if self.message is not None:
            sends.append((groups, {"event": "message.added", **base, "actor": self.message.actor_id,
                                   "message": self.message.data.get("message"),
                                   "kind": self.message.data.get("kind")}))
        for message_id, event in self.deliveries.items():
            sends.append(([ticket_group(self.ticket_id)],
                          {"event": "message.delivery", **base, "actor": event.actor_id, "message": message_id,
                           "state": event.data.get("state")}))
        return sends


def payloads(events: list[TicketEvent]) -> list[tuple[list[str], dict]]:
    """The ``(groups, payload)`` pairs for ``events`` (their ``ticket`` loaded), tickets in the
    order they first appear."""
    changes: dict[int, _TicketChanges] = {}
    for event in events:
        ticket = event.ticket
        if ticket.pk not in changes:
            changes[ticket.pk] = _TicketChanges(ticket.pk, ticket.number, ticket.department_id)
        changes[ticket.pk].add(event)
    return [send for change in changes.values() for send in change.payloads()]


def publish_events(events: list[TicketEvent]) -> None:
    """The dispatcher's live-update subscriber."""
    publish_many(payloads(events))
