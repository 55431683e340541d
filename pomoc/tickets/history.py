"""The ticket's history as agents read it on the ticket page: one translated line per event (who,
what, old → new), interleaved with the conversation.

Every event type has a small function turning its data into a sentence; a type without one (a rule
firing, an SLA breach: types added later) still gets a line, its name and any "from"/"to" values.
Names the events refer to by id (agents, departments, contacts, inboxes, identities, custom fields)
are read once per kind for the whole history, so the page costs the same for 3 events or 300.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils import formats
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pomoc.accounts.models import Department, User
from pomoc.contacts.models import Contact, Identity
from pomoc.tickets.forms import departments as department_list
from pomoc.tickets.forms import staff_users
from pomoc.tickets.models import (
    Channel,
    CustomFieldDefinition,
    CustomFieldType,
    DeliveryState,
    EventType,
    Message,
    Priority,
    Status,
    Ticket,
    TicketEvent,
)

# Shown as the messages themselves, not as lines of history.
NOT_SHOWN = (EventType.MESSAGE_ADDED,)


@dataclass
class HistoryEntry:
    """One line of history: ``text`` says what changed, ``actor`` who changed it ("" for Pomoc)."""

    event: TicketEvent
    text: str
    actor: str
    message_id: int | None = None  # the reply a delivery line is about (linked)
    ticket_number: int | None = None  # the other ticket of a merge or split (linked)
    is_event: bool = True

    @property
    def at(self) -> dt.datetime:
        return self.event.at

    @property
    def type(self) -> str:
        return self.event.type


@dataclass
class DeliveryWait:
    """A reply waiting for another attempt: the last error and when the next attempt is due."""

    error: str
    retry_at: dt.datetime | None


@dataclass
class _Names:
    """Names of the rows the events refer to, each kind read in one query."""

    users: dict[int, str] = field(default_factory=dict)
    departments: dict[int, str] = field(default_factory=dict)
    contacts: dict[int, str] = field(default_factory=dict)
    identities: dict[int, str] = field(default_factory=dict)
    inboxes: dict[int, str] = field(default_factory=dict)
    fields: dict[str, CustomFieldDefinition] = field(default_factory=dict)

    @classmethod
    def load(cls, events: list[TicketEvent]) -> _Names:
        users, departments, contacts, identities, inboxes = set(), set(), set(), set(), set()
        custom = False
        for event in events:
            data = event.data if isinstance(event.data, dict) else {}
            if event.type == EventType.ASSIGNED:
                users.update(_ids(data.get("from"), data.get("to")))
            elif event.type == EventType.DEPARTMENT_CHANGED:
                departments.update(_ids(data.get("from"), data.get("to")))
            elif event.type == EventType.PARTICIPANT_ADDED:
                contacts.update(_ids(data.get("contact")))
            elif event.type == EventType.REPLY_ROUTE_CHANGED:
                for side in (data.get("from"), data.get("to")):
                    if isinstance(side, dict):
                        inboxes.update(_ids(side.get("inbox")))
                        identities.update(_ids(side.get("identity")))
            elif event.type == EventType.CUSTOM_FIELDS_CHANGED:
                custom = True
        names = cls()
        # Agents and departments come from the cached lists the header reads too (no query of their
        # own); only those missing there (a deactivated agent, a department just added) are read.
        if users:
            names.users = {u.pk: u.display_name for u in staff_users() if u.pk in users}
            if missing := users - names.users.keys():
                names.users.update({u.pk: u.display_name for u in User.objects.filter(pk__in=missing)})
        if departments:
            names.departments = {d.pk: d.name for d in department_list() if d.pk in departments}
            if missing := departments - names.departments.keys():
                names.departments.update(Department.objects.filter(pk__in=missing).values_list("pk", "name"))
        if contacts:
            names.contacts = {c.pk: str(c) for c in Contact.objects.filter(pk__in=contacts)}
        if identities:
            names.identities = dict(Identity.objects.filter(pk__in=identities).values_list("pk", "value"))
        if inboxes:
            inbox_model = Ticket._meta.get_field("reply_inbox").related_model
            names.inboxes = dict(inbox_model.objects.filter(pk__in=inboxes).values_list("pk", "name"))
        if custom:
            names.fields = {d.key: d for d in CustomFieldDefinition.objects.all()}
        return names


def _ids(*values) -> list[int]:
    return [v for v in values if isinstance(v, int) and not isinstance(v, bool)]


def _arrow(old: str, new: str) -> str:
    return f"{old} → {new}"


def _status(value) -> str:
    return str(Status(value).label) if value in Status.values else str(value or "—")


def _priority(value) -> str:
    return str(Priority(value).label) if value in Priority.values else str(value or "—")


def _channel(value) -> str:
    return str(Channel(value).label) if value in Channel.values else str(value or "—")


def field_value(definition: CustomFieldDefinition | None, value) -> str:
    """A custom field's value as people read it, in their language."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if definition is not None and definition.type == CustomFieldType.DATE and isinstance(value, str):
        try:
            return formats.date_format(dt.date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except ValueError:
            return value
    if isinstance(value, float | int):
        return formats.localize(value)
    return str(value)


# --- one function per event type ------------------------------------------------------------
Render = Callable[[TicketEvent, dict, _Names], HistoryEntry | str]


def _created(event, data, names):
    return _("Ticket created (%(channel)s)") % {"channel": _channel(data.get("channel"))}


def _status_changed(event, data, names):
    return _("Status: %(change)s") % {"change": _arrow(_status(data.get("from")), _status(data.get("to")))}


def _priority_changed(event, data, names):
    return _("Priority: %(change)s") % {"change": _arrow(_priority(data.get("from")), _priority(data.get("to")))}


def _assigned(event, data, names):
    def name(value):
        return names.users.get(value, _("unknown agent")) if value else _("nobody")

    return _("Assignee: %(change)s") % {"change": _arrow(name(data.get("from")), name(data.get("to")))}


def _department_changed(event, data, names):
    def name(value):
        return names.departments.get(value, _("deleted department")) if value else _("no department")

    return _("Department: %(change)s") % {"change": _arrow(name(data.get("from")), name(data.get("to")))}


def _tags_changed(event, data, names):
    old = set(data.get("from") or [])
    new = set(data.get("to") or [])
    parts = []
    if new - old:
        parts.append(_("added %(tags)s") % {"tags": ", ".join(sorted(new - old))})
    if old - new:
        parts.append(_("removed %(tags)s") % {"tags": ", ".join(sorted(old - new))})
    return _("Tags: %(changes)s") % {"changes": "; ".join(parts) or "—"}


def _subject_changed(event, data, names):
    return _("Subject: %(change)s") % {"change": _arrow(f"“{data.get('from') or ''}”", f"“{data.get('to') or ''}”")}


def _custom_fields_changed(event, data, names):
    old = data.get("from") if isinstance(data.get("from"), dict) else {}
    new = data.get("to") if isinstance(data.get("to"), dict) else {}
    parts = []
    for key in sorted(set(old) | set(new), key=lambda k: str(names.fields[k].label if k in names.fields else k)):
        if old.get(key) == new.get(key):
            continue
        definition = names.fields.get(key)
        label = definition.label if definition else key
        parts.append(f"{label}: {_arrow(field_value(definition, old.get(key)), field_value(definition, new.get(key)))}")
    return _("Custom fields: %(changes)s") % {"changes": "; ".join(parts) or "—"}


def _merged(event, data, names):
    if data.get("into_number"):
        return HistoryEntry(event, _("Merged into #%(number)s") % {"number": data["into_number"]}, "",
                            ticket_number=data["into_number"])
    return HistoryEntry(event, _("Ticket #%(number)s was merged into this one") % {"number": data.get("from_number")},
                        "", ticket_number=data.get("from_number"))


def _merge_undone(event, data, names):
    if data.get("into_number"):
        return HistoryEntry(event, _("The merge into #%(number)s was undone") % {"number": data["into_number"]}, "",
                            ticket_number=data["into_number"])
    return HistoryEntry(event, _("The merge of #%(number)s into this one was undone")
                        % {"number": data.get("from_number")}, "", ticket_number=data.get("from_number"))


def _split(event, data, names):
    if data.get("to_number"):
        return HistoryEntry(event, _("A message was split off into #%(number)s") % {"number": data["to_number"]}, "",
                            ticket_number=data["to_number"])
    return HistoryEntry(event, _("Split off from #%(number)s") % {"number": data.get("from_number")}, "",
                        ticket_number=data.get("from_number"))


SLA_TARGETS = {
    "first_response": gettext_lazy("first response"),
    "next_response": gettext_lazy("next response"),
    "resolution": gettext_lazy("resolution"),
}


def _sla_breached(event, data, names):
    target = SLA_TARGETS.get(data.get("target"))
    if target is None:
        return HistoryEntry(event, str(EventType.SLA_BREACHED.label), "")
    return HistoryEntry(event, _("SLA target missed: %(target)s (policy %(policy)s)")
                        % {"target": target, "policy": data.get("policy_name") or "—"}, "")


def _sla_met(event, data, names):
    target = SLA_TARGETS.get(data.get("target"))
    if target is None:
        return HistoryEntry(event, str(EventType.SLA_MET.label), "")
    return HistoryEntry(event, _("SLA target met: %(target)s (policy %(policy)s)")
                        % {"target": target, "policy": data.get("policy_name") or "—"}, "")


def _participant_added(event, data, names):
    name = names.contacts.get(data.get("contact"), _("a deleted contact"))
    return _("%(name)s was copied on the ticket") % {"name": name}


DELIVERY_TEXTS = {
    EventType.DELIVERY_QUEUED: gettext_lazy("Reply queued for delivery"),
    EventType.DELIVERY_SENT: gettext_lazy("Reply sent"),
    EventType.DELIVERY_FAILED: gettext_lazy("Reply not sent"),
}


HISTORY_ERROR_CHARS = 160  # the whole reason is on the message itself


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= HISTORY_ERROR_CHARS else text[: HISTORY_ERROR_CHARS - 1].rstrip() + "…"


def _delivery(event, data, names):
    error = _short(str(data.get("error") or ""))
    if event.type == EventType.DELIVERY_QUEUED and error:
        text = _("Reply not sent yet, another attempt follows: %(error)s") % {"error": error}
    elif event.type == EventType.DELIVERY_FAILED:
        text = _("Reply not sent: %(error)s") % {"error": error or _("no reason given")}
    elif event.type == EventType.DELIVERY_SENT and error:
        text = _("Reply sent (%(note)s)") % {"note": error}
    else:
        text = str(DELIVERY_TEXTS[event.type])
    message_id = data.get("message")
    return HistoryEntry(event, text, "", message_id=message_id if isinstance(message_id, int) else None)


def _identity_bounced(event, data, names):
    addresses = ", ".join(str(a) for a in data.get("addresses") or []) or "—"
    if data.get("permanent", True):
        return _("Mail to %(addresses)s bounced") % {"addresses": addresses}
    return _("Mail to %(addresses)s was delayed") % {"addresses": addresses}


def _reply_route_changed(event, data, names):
    def route(side) -> str:
        if not isinstance(side, dict) or not (side.get("inbox") or side.get("identity")):
            return _("automatic")
        address = names.identities.get(side.get("identity"), "") if side.get("identity") else ""
        inbox = names.inboxes.get(side.get("inbox"), "") if side.get("inbox") else ""
        return " · ".join(part for part in (address, inbox) if part) or _("automatic")

    return _("Reply route: %(change)s") % {"change": _arrow(route(data.get("from")), route(data.get("to")))}


SURVEY_SCALES = {"csat": 5, "ces": 7, "nps": 10}  # the highest score of each kind (surveys/models.py SCALES)


def _survey_answered(event, data, names):
    kind, score = str(data.get("kind") or ""), data.get("score")
    if kind not in SURVEY_SCALES or not isinstance(score, int):
        return str(EventType.SURVEY_ANSWERED.label)
    return _("The customer rated %(kind)s %(score)s of %(best)s") % {
        "kind": kind.upper(), "score": score, "best": SURVEY_SCALES[kind]}


def _rule_fired(event, data, names):
    text = _("Rule “%(name)s” applied") % {"name": data.get("name") or "—"}
    errors = [str(e) for e in data.get("errors") or []]
    if errors:
        text = _("%(text)s; not done: %(errors)s") % {"text": text, "errors": _short("; ".join(errors))}
    return text


def _rule_stopped(event, data, names):
    return _("Rule “%(name)s” not applied: %(reason)s") % {"name": data.get("name") or "—",
                                                          "reason": data.get("reason") or "—"}


def _macro_applied(event, data, names):
    text = _("Macro “%(name)s” applied") % {"name": data.get("name") or "—"}
    errors = [str(e) for e in data.get("errors") or []]
    if errors:
        text = _("%(text)s; not done: %(errors)s") % {"text": text, "errors": _short("; ".join(errors))}
    return text


RENDERERS: dict[str, Render] = {
    EventType.CREATED: _created,
    EventType.STATUS_CHANGED: _status_changed,
    EventType.PRIORITY_CHANGED: _priority_changed,
    EventType.ASSIGNED: _assigned,
    EventType.DEPARTMENT_CHANGED: _department_changed,
    EventType.TAGS_CHANGED: _tags_changed,
    EventType.SUBJECT_CHANGED: _subject_changed,
    EventType.CUSTOM_FIELDS_CHANGED: _custom_fields_changed,
    EventType.MERGED: _merged,
    EventType.MERGE_UNDONE: _merge_undone,
    EventType.SPLIT: _split,
    EventType.PARTICIPANT_ADDED: _participant_added,
    EventType.SLA_BREACHED: _sla_breached,
    EventType.SLA_MET: _sla_met,
    EventType.DELIVERY_QUEUED: _delivery,
    EventType.DELIVERY_SENT: _delivery,
    EventType.DELIVERY_FAILED: _delivery,
    EventType.IDENTITY_BOUNCED: _identity_bounced,
    EventType.REPLY_ROUTE_CHANGED: _reply_route_changed,
    EventType.SURVEY_ANSWERED: _survey_answered,
    EventType.RULE_FIRED: _rule_fired,
    EventType.RULE_STOPPED: _rule_stopped,
    EventType.MACRO_APPLIED: _macro_applied,
}


def _default(event, data, names) -> str:
    """A type without its own function: its label (or its name made readable), and from → to."""
    label = str(EventType(event.type).label) if event.type in EventType.values else \
        event.type.replace("_", " ").strip().capitalize()
    if "from" in data or "to" in data:
        return f"{label}: {_arrow(_plain(data.get('from')), _plain(data.get('to')))}"
    return label


def _plain(value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def entry(event: TicketEvent, names: _Names) -> HistoryEntry:
    data = event.data if isinstance(event.data, dict) else {}
    render = RENDERERS.get(event.type, _default)
    try:
        result = render(event, data, names)
    except (KeyError, TypeError, ValueError):  # data of an older shape: still a line, never a broken page
        result = _default(event, data, names)
    if isinstance(result, str):
        result = HistoryEntry(event, result, "")
    result.actor = event.actor.display_name if event.actor_id and event.actor else ""
    by = data.get("by")
    if not result.actor and isinstance(by, dict) and by.get("name"):  # written by a rule's actions
        result.actor = _("rule “%(name)s”") % {"name": by["name"]}
    return result


# --- the ticket page ------------------------------------------------------------------------
def ticket_events(ticket: Ticket) -> list[TicketEvent]:
    """The ticket's events in order, without those shown as messages (one query)."""
    return list(ticket.events.exclude(type__in=NOT_SHOWN).select_related("actor").order_by("at", "id"))


def ticket_history(events: Iterable[TicketEvent]) -> list[HistoryEntry]:
    events = list(events)
    names = _Names.load(events)
    return [entry(event, names) for event in events]


def delivery_waits(events: Iterable[TicketEvent], messages: Iterable[Message]) -> dict[int, DeliveryWait]:
    """For each reply still queued after a failed attempt: the last error and the next attempt's time,
    read from its latest delivery event."""
    latest: dict[int, TicketEvent] = {}
    for event in events:
        if event.type in (EventType.DELIVERY_QUEUED, EventType.DELIVERY_SENT, EventType.DELIVERY_FAILED):
            message_id = (event.data or {}).get("message")
            if isinstance(message_id, int):
                latest[message_id] = event
    waits = {}
    for message in messages:
        event = latest.get(message.pk)
        if message.delivery_state != DeliveryState.QUEUED or event is None or not event.data.get("error"):
            continue
        retry_at = parse_datetime(event.data["retry_at"]) if event.data.get("retry_at") else None
        waits[message.pk] = DeliveryWait(error=event.data["error"], retry_at=retry_at)
    return waits


def interleaved(messages: list[Message], history: list[HistoryEntry]) -> list:
    """Messages and history lines in one order: by time, a message before the lines it caused (the
    ticket's creation before its first message)."""
    items = [((m.created_at, 0, m.pk), m) for m in messages] + [
        ((h.at, -1 if h.type == EventType.CREATED else 1, h.event.pk), h) for h in history]
    return [item for _key, item in sorted(items, key=lambda pair: pair[0])]
