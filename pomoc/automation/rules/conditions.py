"""Conditions of rules: what is known about a ticket (``Facts``), the fields and operators an
administrator can combine, ``clean`` (checked and normalised before saving, names of departments and
the like turned into ids) and ``compile_conditions`` (one closure per condition, so 200 rules cost
microseconds per event)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pomoc.accounts.models import Department
from pomoc.calendars.hours import schedule_of
from pomoc.calendars.models import Calendar
from pomoc.channels.models import Inbox
from pomoc.contacts import segments
from pomoc.contacts.models import Company, Segment
from pomoc.tickets.models import Channel, Message, MessageKind, Priority, Ticket

MAX_PATTERN = 200  # characters of a regular expression
MAX_SCANNED = 20_000  # characters of a body a condition reads

OPS = {
    "is": gettext_lazy("is"),
    "is_not": gettext_lazy("is not"),
    "contains": gettext_lazy("contains"),
    "not_contains": gettext_lazy("does not contain"),
    "matches": gettext_lazy("matches (regular expression)"),
    "at_least": gettext_lazy("is at least"),
    "less_than": gettext_lazy("is less than"),
}
TEXT_OPS = ("contains", "not_contains", "matches")
EQUAL_OPS = ("is", "is_not")
NUMBER_OPS = ("at_least", "less_than")

# field: (label, operators, kind of value)
FIELDS = {
    "channel": (gettext_lazy("Channel"), EQUAL_OPS, "channel"),
    "inbox": (gettext_lazy("Inbox"), EQUAL_OPS, "inbox"),
    "department": (gettext_lazy("Department"), EQUAL_OPS, "department"),
    "subject": (gettext_lazy("Subject"), TEXT_OPS, "text"),
    "body": (gettext_lazy("Message text"), TEXT_OPS, "text"),
    "customer": (gettext_lazy("Customer (name or address)"), TEXT_OPS, "text"),
    "company": (gettext_lazy("Company"), EQUAL_OPS, "company"),
    "segment": (gettext_lazy("Customer's segment"), EQUAL_OPS, "segment"),
    "custom_field": (gettext_lazy("Custom field (key=value)"), (*EQUAL_OPS, "contains"), "key_value"),
    "tag": (gettext_lazy("Tag (is: the ticket has it)"), EQUAL_OPS, "text"),
    "priority": (gettext_lazy("Priority"), (*EQUAL_OPS, "at_least"), "priority"),
    "language": (gettext_lazy("Customer's language"), EQUAL_OPS, "text"),
    "business_hours": (gettext_lazy("Within the business hours of (calendar)"), EQUAL_OPS, "calendar"),
    "hours_since_created": (gettext_lazy("Hours since the ticket was opened"), NUMBER_OPS, "number"),
    "hours_since_updated": (gettext_lazy("Hours since the last change"), NUMBER_OPS, "number"),
    "hours_since_customer": (gettext_lazy("Hours since the customer last wrote"), NUMBER_OPS, "number"),
}
# The ticket timestamp each "hours since" field counts from.
SINCE = {"hours_since_created": "created_at", "hours_since_updated": "updated_at",
         "hours_since_customer": "last_customer_message_at"}
REFERENCES = {"inbox": Inbox, "department": Department, "company": Company, "calendar": Calendar,
              "segment": Segment}


@dataclass
class Facts:
    """What conditions read about one ticket, loaded once per event."""

    ticket: Ticket
    inbox_id: int | None
    body: str
    customer: str  # name and every address, lowercase
    company_id: int | None
    language: str
    tags: frozenset[str]
    now: dt.datetime = field(default_factory=timezone.now)
    schedules: dict = field(default_factory=dict)  # calendar id → Schedule, shared by a run
    subject: str = ""  # lowercase, like ``body`` and ``customer``: texts are compared without regard to case

    def __post_init__(self) -> None:
        self.subject = self.ticket.subject.lower()
        self.body = self.body.lower()


def facts_for(ticket: Ticket, *, message_id: int | None = None, schedules: dict | None = None) -> Facts:
    """The facts of ``ticket``; the body read is the message ``message_id`` (the one that triggered
    the rule) or else the ticket's first message."""
    requester = ticket.requester
    messages = Message.objects.filter(ticket=ticket).exclude(kind=MessageKind.SYSTEM)
    message = messages.filter(pk=message_id).first() if message_id else None
    if message is None:
        message = messages.order_by("created_at", "id").first()
    inbox_id = (Message.objects.filter(ticket=ticket, kind=MessageKind.CUSTOMER, inbox__isnull=False)
                .order_by("created_at", "id").values_list("inbox_id", flat=True).first())
    addresses = [i.value for i in requester.identities.all()]
    return Facts(
        ticket=ticket, inbox_id=inbox_id, body=(message.body_text if message else "")[:MAX_SCANNED],
        customer=" ".join([requester.name, *addresses]).lower(), company_id=requester.company_id,
        language=(requester.language or "").lower(), tags=frozenset(ticket.tags.values_list("name", flat=True)),
        schedules=schedules if schedules is not None else {},
    )


def facts_for_many(tickets: Iterable[Ticket], *, schedules: dict | None = None) -> list[Facts]:
    """Facts of many tickets in a few queries (the "try it on past tickets" count)."""
    tickets = list(tickets)
    ids = [t.pk for t in tickets]
    first: dict[int, Message] = {}
    inboxes: dict[int, int] = {}
    for m in (Message.objects.filter(ticket_id__in=ids).exclude(kind=MessageKind.SYSTEM)
              .only("ticket_id", "body_text", "inbox_id", "kind").order_by("created_at", "id")):
        first.setdefault(m.ticket_id, m)
        if m.kind == MessageKind.CUSTOMER and m.inbox_id:
            inboxes.setdefault(m.ticket_id, m.inbox_id)
    tags: dict[int, set[str]] = {}
    for ticket_id, name in Ticket.tags.through.objects.filter(ticket_id__in=ids).values_list("ticket_id", "tag__name"):
        tags.setdefault(ticket_id, set()).add(name)
    shared = schedules if schedules is not None else {}
    result = []
    for ticket in tickets:
        requester = ticket.requester
        message = first.get(ticket.pk)
        result.append(Facts(
            ticket=ticket, inbox_id=inboxes.get(ticket.pk), body=(message.body_text if message else "")[:MAX_SCANNED],
            customer=" ".join([requester.name, *(i.value for i in requester.identities.all())]).lower(),
            company_id=requester.company_id, language=(requester.language or "").lower(),
            tags=frozenset(tags.get(ticket.pk, ())), schedules=shared))
    return result


# --- checking what an administrator wrote -------------------------------------------------------
def _reference(model, value) -> int:
    text = str(value or "").strip()
    if text.isdigit() and model.objects.filter(pk=int(text)).exists():
        return int(text)
    found = model.objects.filter(name__iexact=text).values_list("pk", flat=True).first()
    if found is None:
        raise ValidationError(_("“%(value)s” is not the name of any %(kind)s.")
                              % {"value": text, "kind": model._meta.verbose_name})
    return found


def clean_value(kind: str, value):
    """A value as typed (names, numbers, labels) → as stored (ids, numbers, keys)."""
    text = str(value if value is not None else "").strip()
    if kind in REFERENCES:
        return _reference(REFERENCES[kind], text)
    if kind == "channel":
        for key, label in Channel.choices:
            if text.lower() in (key, str(label).lower()):
                return key
        raise ValidationError(_("Unknown channel “%(value)s”.") % {"value": text})
    if kind == "priority":
        for key, label in Priority.choices:
            if text.lower() in (str(key), Priority(key).key, str(label).lower()):
                return key
        raise ValidationError(_("Unknown priority “%(value)s”.") % {"value": text})
    if kind == "number":
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            raise ValidationError(_("Enter a number of hours.")) from None
        if not 0 <= number <= 24 * 366:
            raise ValidationError(_("Enter a number of hours between 0 and 8784."))
        return number
    if kind == "key_value":
        key, sep, rest = text.partition("=")
        if not sep or not key.strip():
            raise ValidationError(_("Write the custom field as key=value."))
        return f"{key.strip()}={rest.strip()}"
    if not text:
        raise ValidationError(_("Enter a value."))
    return text[:500]


def clean(conditions: Iterable[dict]) -> list[dict]:
    """Checked conditions, normalised; a ValidationError names the condition (1-based) that is wrong."""
    cleaned = []
    for number, condition in enumerate(conditions, start=1):
        if not isinstance(condition, dict):
            raise ValidationError(_("Condition %(number)d is not understood.") % {"number": number})
        name, op = condition.get("field"), condition.get("op")
        if name not in FIELDS:
            raise ValidationError(_("Condition %(number)d: unknown field.") % {"number": number})
        label, ops, kind = FIELDS[name]
        if op not in ops:
            raise ValidationError(_("Condition %(number)d: “%(field)s” cannot be compared with “%(op)s”.")
                                  % {"number": number, "field": label, "op": OPS.get(op, op)})
        try:
            value = clean_value(kind, condition.get("value"))
            if op == "matches":
                if len(value) > MAX_PATTERN:
                    raise ValidationError(_("A regular expression may have at most %(count)d characters.")
                                          % {"count": MAX_PATTERN})
                try:
                    re.compile(value)
                except re.error as error:
                    raise ValidationError(_("Not a regular expression: %(error)s") % {"error": error}) from None
            elif kind == "text":
                value = value.lower()
        except ValidationError as error:
            raise ValidationError(_("Condition %(number)d (%(field)s): %(problem)s")
                                  % {"number": number, "field": label, "problem": " ".join(error.messages)}) from None
        cleaned.append({"field": name, "op": op, "value": value})
    return cleaned


def display_value(condition: dict, names: dict) -> str:
    """The stored value as an administrator typed it (names for ids)."""
    kind = FIELDS.get(condition.get("field"), ("", (), "text"))[2]
    value = condition.get("value")
    if kind in REFERENCES:
        return names.get(kind, {}).get(value, str(value))
    if kind == "priority" and value in Priority.values:
        return str(Priority(value).label)
    if kind == "number" and isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value if value is not None else "")


def reference_names(items: Iterable[dict], kinds_of: Callable[[dict], str]) -> dict:
    """``{kind: {id: name}}`` for the references among ``items`` (each kind read in one query)."""
    wanted: dict[str, set[int]] = {}
    for item in items:
        kind = kinds_of(item)
        if kind in REFERENCES and isinstance(item.get("value"), int):
            wanted.setdefault(kind, set()).add(item["value"])
    return {kind: dict(REFERENCES[kind].objects.filter(pk__in=ids).values_list("pk", "name"))
            for kind, ids in wanted.items()}


# --- evaluating -------------------------------------------------------------------------------
Check = Callable[[Facts], bool]


def _equal(get: Callable[[Facts], object], value, negate: bool) -> Check:
    if negate:
        return lambda facts: get(facts) != value
    return lambda facts: get(facts) == value


def _text(get: Callable[[Facts], str], op: str, value: str) -> Check:
    if op == "matches":
        pattern = re.compile(value, re.IGNORECASE)
        return lambda facts: pattern.search(get(facts)) is not None
    if op == "not_contains":
        return lambda facts: value not in get(facts)
    return lambda facts: value in get(facts)


def _hours_since(attribute: str, op: str, hours: float) -> Check:
    delta = dt.timedelta(hours=hours)

    def check(facts: Facts) -> bool:
        moment = getattr(facts.ticket, attribute)
        if moment is None:
            return False
        passed = facts.now - moment >= delta
        return passed if op == "at_least" else not passed
    return check


def _business_hours(calendar_id: int, negate: bool) -> Check:
    def check(facts: Facts) -> bool:
        schedule = facts.schedules.get(calendar_id)
        if schedule is None:
            calendar = Calendar.objects.prefetch_related("days").filter(pk=calendar_id).first()
            if calendar is None:
                return False
            schedule = facts.schedules[calendar_id] = schedule_of(calendar)
        return schedule.is_open(facts.now) != negate
    return check


def _segment(segment_id: int, negate: bool) -> Check:
    def check(facts: Facts) -> bool:
        segment = Segment.objects.filter(pk=segment_id).first()
        if segment is None:  # a deleted segment: the condition never holds
            return False
        return segments.holds(segment, facts.ticket.requester_id) != negate
    return check


def _custom_field(op: str, value: str) -> Check:
    key, _sep, wanted = value.partition("=")
    wanted = wanted.lower()

    def current(facts: Facts) -> str:
        found = (facts.ticket.custom_fields or {}).get(key)
        if isinstance(found, bool):
            return "yes" if found else "no"
        return "" if found is None else str(found).lower()
    if op == "contains":
        return lambda facts: wanted in current(facts)
    return _equal(current, wanted, op == "is_not")


def compile_condition(condition: dict) -> Check:
    name, op, value = condition["field"], condition["op"], condition["value"]
    negate = op == "is_not"
    if name == "channel":
        return _equal(lambda f: f.ticket.channel, value, negate)
    if name == "inbox":
        return _equal(lambda f: f.inbox_id, value, negate)
    if name == "department":
        return _equal(lambda f: f.ticket.department_id, value, negate)
    if name == "company":
        return _equal(lambda f: f.company_id, value, negate)
    if name == "subject":
        return _text(lambda f: f.subject, op, value)
    if name == "body":
        return _text(lambda f: f.body, op, value)
    if name == "customer":
        return _text(lambda f: f.customer, op, value)
    if name == "tag":
        return (lambda f: value not in f.tags) if negate else (lambda f: value in f.tags)
    if name == "priority":
        if op == "at_least":
            return lambda f: f.ticket.priority >= value
        return _equal(lambda f: f.ticket.priority, value, negate)
    if name == "language":
        wanted = value.lower()
        return _equal(lambda f: f.language.split("-")[0], wanted.split("-")[0], negate)
    if name == "business_hours":
        return _business_hours(value, negate)
    if name == "segment":
        return _segment(value, negate)
    if name == "custom_field":
        return _custom_field(op, value)
    if name in SINCE:
        return _hours_since(SINCE[name], op, float(value))
    raise ValueError(name)


def compile_conditions(conditions: Iterable[dict]) -> Check:
    """All conditions as one check (an empty list always holds). A malformed stored condition never
    holds, so a broken rule does nothing rather than everything."""
    try:
        checks = [compile_condition(c) for c in conditions]
    except (KeyError, TypeError, ValueError, re.error):
        return lambda facts: False
    if not checks:
        return lambda facts: True
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda facts: first(facts) and second(facts)
    return lambda facts: all(check(facts) for check in checks)
