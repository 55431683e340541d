"""Reads for the inbox, the ticket page and the API: filters, keyset pagination, search.

Lists never count or scan all tickets: every view is a filter an index matches, sorted by an
indexed key with the id as tie-breaker, and paged with a cursor (keyset), not OFFSET.
"""

import base64
import datetime as dt
import json
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Coalesce, Substr
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pomoc.contacts.models import Contact, Identity, IdentityKind
from pomoc.contacts.services import normalize_identity
from pomoc.core import refusals
from pomoc.core.ids import MAX_ID, NOT_AN_ID_MESSAGE, is_id
from pomoc.core.text import find_bad_text
from pomoc.tickets import custom_fields, search_index
from pomoc.tickets.models import ACTIVE_STATUSES, Message, MessageKind, Priority, SavedView, Status, Ticket
from pomoc.tickets.permissions import is_staff_user, visible_tickets

# sort key -> ordered (field, descending) pairs; the id always breaks ties.
SORTS: dict[str, list[tuple[str, bool]]] = {
    "-updated_at": [("updated_at", True), ("id", True)],
    "updated_at": [("updated_at", False), ("id", False)],
    "-created_at": [("created_at", True), ("id", True)],
    "created_at": [("created_at", False), ("id", False)],
    "-priority": [("priority", True), ("updated_at", True), ("id", True)],
    "-number": [("number", True), ("id", True)],
    "number": [("number", False), ("id", False)],
    # the nearest SLA due time first (overdue ones before all); tickets without one last
    "sla_due": [("sla_due_at", False), ("id", False)],
}
SORT_LABELS = {
    "-updated_at": gettext_lazy("Recently updated"),
    "updated_at": gettext_lazy("Least recently updated"),
    "-created_at": gettext_lazy("Newest"),
    "created_at": gettext_lazy("Oldest"),
    "-priority": gettext_lazy("Priority"),
    "-number": gettext_lazy("Number, descending"),
    "number": gettext_lazy("Number, ascending"),
    "sla_due": gettext_lazy("SLA due soonest"),
}
DEFAULT_SORT = "-updated_at"
FILTER_PARAMETERS = ("status", "priority", "assignee", "department", "tag", "channel", "requester", "company", "q",
                     "sort", "fields")
MAX_PAGE_SIZE = 200


@dataclass
class TicketFilters:
    """What an inbox view or an API list asks for. Empty means "any"."""

    statuses: list[str] = field(default_factory=list)
    priorities: list[int] = field(default_factory=list)
    assignee: str = ""  # "", "me", "none" or a user id
    department: str = ""  # "", "none" or a department id
    tags: list[str] = field(default_factory=list)
    channel: str = ""
    requester: int | None = None
    company: int | None = None
    q: str = ""
    sort: str = DEFAULT_SORT
    # ``cf_<key>=value``: tickets whose custom field has that value (parsed as the API would send it)
    custom_fields: dict = field(default_factory=dict)
    # ``fields=key,key``: custom fields the inbox shows as columns
    field_columns: list[str] = field(default_factory=list)

    @classmethod
    def from_mapping(cls, data) -> "TicketFilters":
        """Build filters from a QueryDict or dict, with errors that say which value is wrong."""

        def many(key: str) -> list[str]:
            if hasattr(data, "getlist"):
                values = data.getlist(key)
            else:
                raw = data.get(key) or []
                values = raw if isinstance(raw, list) else [raw]
            out: list[str] = []
            for value in values:
                out.extend(v.strip() for v in str(value).split(",") if v.strip())
            return out

        errors: dict[str, str] = {}
        for key in FILTER_PARAMETERS:
            values = data.getlist(key) if hasattr(data, "getlist") else [data.get(key)]
            found = find_bad_text(values)
            if found:
                errors[key] = found[1]
        if errors:  # nothing below may see a NUL character or a lone surrogate
            raise ValidationError(errors)
        statuses = many("status")
        if statuses == ["active"]:
            statuses = list(ACTIVE_STATUSES)
        bad = [s for s in statuses if s not in Status.values]
        if bad:
            errors["status"] = _("Unknown status: %(values)s") % {"values": ", ".join(bad)}
        priorities: list[int] = []
        for name in many("priority"):
            try:
                priorities.append(Priority.from_name(name).value)
            except KeyError:
                errors["priority"] = _("Unknown priority: %(value)s") % {"value": name}
        assignee = str(data.get("assignee") or "")
        if assignee not in ("", "me", "none") and not is_id(assignee):
            errors["assignee"] = _("Use “me”, “none” or a user id.")
        department = str(data.get("department") or "")
        if department not in ("", "none") and not is_id(department):
            errors["department"] = _("Use “none” or a department id.")
        sort = str(data.get("sort") or DEFAULT_SORT)
        if sort not in SORTS:
            errors["sort"] = _("Unknown sort; use one of: %(values)s") % {"values": ", ".join(SORTS)}
        ints: dict[str, int | None] = {}
        for key in ("requester", "company"):
            raw = data.get(key)
            if raw in (None, ""):
                ints[key] = None
            elif is_id(raw if isinstance(raw, int) else str(raw)):
                ints[key] = int(raw)
            else:
                errors[key] = NOT_AN_ID_MESSAGE % {"max": MAX_ID}
        field_values, field_columns = _custom_field_filters(data, many("fields"), errors)
        if errors:
            raise ValidationError(errors)
        return cls(
            statuses=statuses, priorities=priorities, assignee=assignee, department=department,
            tags=[t.lower() for t in many("tag")], channel=str(data.get("channel") or ""),
            requester=ints["requester"], company=ints["company"], q=str(data.get("q") or "").strip()[:200],
            sort=sort, custom_fields=field_values, field_columns=field_columns,
        )

    def as_dict(self) -> dict:
        return {
            k: v for k, v in self.__dict__.items()
            if v not in ("", [], None, {}) and not (k == "sort" and v == DEFAULT_SORT) and k != "field_columns"
        }


def _custom_field_filters(data, columns: list[str], errors: dict) -> tuple[dict, list[str]]:
    """The ``cf_<key>`` filters (each value checked as the API checks a value of that field) and the
    ``fields`` columns of a query; problems go to ``errors``. One query, only when either is given."""
    prefix = custom_fields.FORM_PREFIX
    keys = [key for key in data.keys() if isinstance(key, str) and key.startswith(prefix)]
    if not keys and not columns:
        return {}, []
    definitions = {d.key: d for d in custom_fields.active_definitions()}
    values: dict = {}
    for key in keys:
        raw = data.getlist(key) if hasattr(data, "getlist") else [data.get(key)]
        text = str(raw[-1] if raw else "").strip()
        found = find_bad_text([text])
        if found:
            errors[key] = found[1]
            continue
        if not text:
            continue
        definition = definitions.get(key[len(prefix):])
        if definition is None:
            errors[key] = _("Unknown custom field.")
            continue
        value = custom_fields.value_from_text(definition, text[:1000])
        try:
            custom_fields.validate_custom_fields({definition.key: value}, definitions=definitions)
        except ValidationError as exc:
            errors[key] = exc.message_dict[f"custom_fields.{definition.key}"][0]
            continue
        values[definition.key] = value
    unknown = [key for key in columns if key not in definitions]
    if unknown:
        errors["fields"] = _("Unknown custom field: %(values)s") % {"values": ", ".join(unknown)}
    return values, list(dict.fromkeys(key for key in columns if key in definitions))


def filter_tickets(user, filters: TicketFilters) -> QuerySet[Ticket]:
    qs = visible_tickets(user)
    staff = is_staff_user(user)
    if filters.tags and not staff:
        # Tags are internal to the team: a filter by them would tell customers which ones their tickets carry.
        raise ValidationError({"tag": _("Only agents can filter by tag.")})
    if filters.statuses:
        if len(filters.statuses) == 1:
            qs = qs.filter(status=filters.statuses[0])
        else:
            qs = qs.filter(status__in=filters.statuses)
    if filters.priorities:
        qs = qs.filter(priority__in=filters.priorities)
    if filters.assignee == "me":
        qs = qs.filter(assignee=user)
    elif filters.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif filters.assignee:
        qs = qs.filter(assignee_id=int(filters.assignee))
    if filters.department == "none":
        qs = qs.filter(department__isnull=True)
    elif filters.department:
        qs = qs.filter(department_id=int(filters.department))
    for tag in filters.tags:
        qs = qs.filter(tags__name=tag)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.requester:
        qs = qs.filter(requester_id=filters.requester)
    if filters.company:
        qs = qs.filter(requester__company_id=filters.company)
    if filters.custom_fields and not staff:
        raise ValidationError({"fields": _("Only agents can filter by custom fields.")})
    for i, (key, value) in enumerate(sorted(filters.custom_fields.items())):
        alias = f"custom_field_{i}"
        qs = qs.alias(**{alias: KeyTransform(key, "custom_fields")}).filter(**{alias: value})
    if filters.q:
        qs = matching_text(qs, filters.q, public_only=not staff)
    return qs


# --- keyset pagination ----------------------------------------------------------------------
def encode_cursor(values: list) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, dt.datetime) else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> list:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        fields = SORTS[sort]
        if not isinstance(values, list) or len(values) != len(fields):
            raise ValueError
        out = []
        for (name, _desc), value in zip(fields, values, strict=True):
            if name.endswith("_at"):
                parsed = parse_datetime(value)
                if parsed is None:
                    raise ValueError
                out.append(parsed)
            else:
                out.append(int(value))
        return out
    except (ValueError, TypeError, json.JSONDecodeError, KeyError):
        raise ValidationError({"cursor": refusals.refusal(
            _("The page cursor is not valid; start again from the first page."), refusals.INVALID_CURSOR)}) from None


def keyset_q(fields: list[tuple[str, bool]], values: list) -> Q:
    """Rows strictly after ``values`` in the (mixed-direction) order ``fields``.

    The first column's bound is repeated on its own (``updated_at <= x AND (...)``): PostgreSQL cannot
    use the OR alone as an index condition and would scan the index from the first row instead.
    """
    q = Q()
    for i, (name, desc) in enumerate(fields):
        clause = Q(**{f"{name}__{'lt' if desc else 'gt'}": values[i]})
        for j in range(i):
            clause &= Q(**{fields[j][0]: values[j]})
        q |= clause
    first, desc = fields[0]
    return Q(**{f"{first}__{'lte' if desc else 'gte'}": values[0]}) & q


@dataclass
class Page:
    items: list
    next_cursor: str | None
    has_more: bool


# The SLA app (pomoc.automation.sla) keeps each ticket's nearest due time in its own table, one row
# per ticket, reached through the reverse relation "sla". A ticket without one sorts after all others.
NO_SLA_DUE = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


def with_sla_due(qs: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Each ticket with ``sla_due_at`` (``NO_SLA_DUE`` when none) and ``sla_paused``, in the list's query."""
    if "sla_due_at" in qs.query.annotations:
        return qs
    return qs.annotate(sla_due_at=Coalesce(F("sla__due_at"), Value(NO_SLA_DUE)), sla_paused=F("sla__paused"))


def paginate(qs: QuerySet, *, sort: str = DEFAULT_SORT, cursor: str | None = None, limit: int | None = None) -> Page:
    fields = SORTS[sort]
    if sort == "sla_due":
        qs = with_sla_due(qs)
    limit = max(1, min(int(limit or settings.POMOC_PAGE_SIZE), MAX_PAGE_SIZE))
    if cursor:
        qs = qs.filter(keyset_q(fields, decode_cursor(cursor, sort)))
    qs = qs.order_by(*[f"-{name}" if desc else name for name, desc in fields])
    rows = list(qs[: limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor([getattr(rows[-1], name) for name, _d in fields]) if has_more and rows else None
    return Page(items=rows, next_cursor=next_cursor, has_more=has_more)


def ticket_list(user, filters: TicketFilters, *, cursor: str | None = None, limit: int | None = None) -> Page:
    qs = filter_tickets(user, filters).select_related("requester", "assignee", "department")
    return paginate(qs, sort=filters.sort, cursor=cursor, limit=limit)


PREVIEW_CHARS = 160


def with_last_message(qs: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Each ticket with ``last_message``: the start of its newest customer message or reply, read in
    the list's own query (one index lookup per row of the page, never one query per row)."""
    newest = (Message.objects.filter(ticket=OuterRef("pk"), kind__in=[MessageKind.CUSTOMER, MessageKind.REPLY])
              .order_by("-created_at", "-id").annotate(start=Substr("body_text", 1, PREVIEW_CHARS)).values("start")[:1])
    return qs.annotate(last_message=Subquery(newest))


def prefetch_tags(tickets: list[Ticket]) -> list[Ticket]:
    """Attach ``tag_names`` to each ticket with one query for the whole page."""
    through = Ticket.tags.through
    names: dict[int, list[str]] = {t.pk: [] for t in tickets}
    for ticket_id, name in through.objects.filter(ticket_id__in=list(names)).values_list("ticket_id", "tag__name"):
        names[ticket_id].append(name)
    for ticket in tickets:
        ticket.tag_names = sorted(names[ticket.pk])
    return tickets


# --- built-in inbox views -------------------------------------------------------------------
def saved_views_for(user) -> QuerySet[SavedView]:
    """The saved views ``user`` may use: their own and the shared ones."""
    return SavedView.objects.filter(Q(owner=user) | Q(shared=True)).select_related("owner")


def builtin_views(user) -> list[dict]:
    """The standard queues every agent has, plus one per department they belong to."""
    active = ",".join(ACTIVE_STATUSES)
    views = [
        {"key": "mine", "name": _("My tickets"), "filters": {"assignee": "me", "status": active}},
        {"key": "unassigned", "name": _("Unassigned"), "filters": {"assignee": "none", "status": active}},
        {"key": "open", "name": _("All open"), "filters": {"status": active}},
        {"key": "pending", "name": _("Pending"), "filters": {"status": Status.PENDING}},
        {"key": "snoozed", "name": _("Snoozed"), "filters": {"status": Status.SNOOZED, "sort": "-updated_at"}},
        {"key": "resolved", "name": _("Resolved"), "filters": {"status": f"{Status.RESOLVED},{Status.CLOSED}"}},
    ]
    if is_staff_user(user):
        for department in user.departments.all():
            views.append({"key": f"dept-{department.pk}", "name": department.name,
                          "filters": {"department": str(department.pk), "status": active}})
    return views


def view_count(user, filters: TicketFilters, cap: int = 1000) -> tuple[int, bool]:
    """How many tickets a view holds, counting at most ``cap`` (shown as "1000+")."""
    qs = filter_tickets(user, filters).order_by()
    n = qs.values("pk")[: cap + 1].count()
    return min(n, cap), n > cap


# --- search ---------------------------------------------------------------------------------
def ticket_text_q(text: str, *, public_only: bool = False) -> Q:
    """Tickets whose number, subject or any message matches ``text``; with ``public_only`` (for
    customers) internal notes and system messages are not searched.

    Every word must appear, in the subject or in any of the messages. Agents on PostgreSQL search
    each ticket's document (``tickets.search_index``: one GIN index), which stays fast for common
    words. Customers, whose few tickets are filtered first, and other databases match the messages
    themselves.
    """
    text = text.strip().lstrip("#")
    q = Q(number=int(text)) if is_id(text) else Q()
    if _searches_documents(public_only):
        return q | Q(search_vector=SearchQuery(text, config="simple"))
    every_word = Q()
    for word in text.split()[:12]:
        messages = _message_matches(word).filter(ticket=OuterRef("pk"))
        if public_only:
            messages = messages.filter(kind__in=[MessageKind.CUSTOMER, MessageKind.REPLY])
        every_word &= Q(subject__icontains=word) | Q(Exists(messages))
    return q | every_word if every_word else q or Q(pk__in=[])


def _searches_documents(public_only: bool) -> bool:
    """Whether a search reads the tickets' search documents (agents on PostgreSQL)."""
    return search_index.enabled() and not public_only


# Up to this many matching tickets are fetched by id through the search index and then sorted; a
# word matching more is common enough that walking the list order finds a page of it at once.
SEARCH_CANDIDATES = 500


def identity_contact_ids(text: str, *, limit: int = 50) -> list[int]:
    """The contacts whose e-mail address or phone number ``text`` is (exactly, once normalised):
    searching "ann@example.com" or "+420 601 123 456" finds that person's tickets, whatever the
    tickets say. Empty when ``text`` is neither."""
    text = text.strip()
    if "@" in text:
        kind = IdentityKind.EMAIL
    elif PHONE_LIKE.fullmatch(text) and (text.startswith(("+", "00")) or len(re.sub(r"\D", "", text)) >= 7):
        kind = IdentityKind.PHONE
    else:
        return []
    try:
        value = normalize_identity(kind, text)
    except ValidationError:
        return []
    return list(Identity.objects.filter(kind=kind, value=value).values_list("contact_id", flat=True)[:limit])


PHONE_LIKE = re.compile(r"\+?[\d\s\-().]{5,30}")


def matching_text(qs: QuerySet[Ticket], text: str, *, public_only: bool = False) -> QuerySet[Ticket]:
    """``qs`` narrowed to the tickets matching ``text`` (see ``ticket_text_q``), in a shape PostgreSQL
    runs fast whether the words are rare or common.

    Given "matching, newest first, one page", PostgreSQL picks between two plans on its estimate of
    how many tickets match: read the matches through the search index and sort them, or walk the
    tickets newest first until a page of matches is found. A wrong estimate (matches bunched in old
    tickets, or in departments the agent does not see) turns the walk into a scan of most tickets. So
    the matches are first fetched through the index, at most SEARCH_CANDIDATES of them: when that
    is all of them, the page is sorted from those ids; when there are more, the words are common and
    the walk is short.
    """
    q = ticket_text_q(text, public_only=public_only)
    contact_ids = identity_contact_ids(text)
    if contact_ids:
        q |= Q(requester_id__in=contact_ids)
    if not _searches_documents(public_only):
        return qs.filter(q)
    ids = list(search_candidates(qs, text))
    if len(ids) <= SEARCH_CANDIDATES:
        return qs.filter(Q(pk__in=ids) | Q(requester_id__in=contact_ids)) if contact_ids else qs.filter(pk__in=ids)
    return qs.filter(q)


def search_candidates(qs: QuerySet[Ticket], text: str) -> QuerySet:
    """The first query of ``matching_text``: ids of up to SEARCH_CANDIDATES + 1 matches, in no order."""
    return qs.filter(ticket_text_q(text)).order_by().values_list("pk", flat=True)[: SEARCH_CANDIDATES + 1]


def _message_matches(text: str) -> QuerySet[Message]:
    """Messages whose text matches, checked row by row: callers narrow the messages down first
    (to one page of tickets, or to a customer's tickets). Full-text words on PostgreSQL, LIKE elsewhere."""
    if connection.vendor == "postgresql":
        return Message.objects.annotate(
            document=SearchVector("body_text", config="simple")
        ).filter(document=SearchQuery(text, config="simple"))
    return Message.objects.filter(body_text__icontains=text)


@dataclass
class SearchResults:
    tickets: list
    messages: list
    contacts: list


def global_search(user, text: str, *, limit: int = 20) -> SearchResults:
    """Tickets, messages and contacts matching ``text`` that ``user`` may see.

    The messages shown are the matching ones of the tickets found (newest first), so finding them
    costs the same whether a word is rare or in every second message.
    """
    text = (text or "").strip()[:200]
    if len(text) < 2 and not text.isdigit():
        return SearchResults([], [], [])
    staff = is_staff_user(user)
    tickets = list(
        matching_text(visible_tickets(user), text, public_only=not staff)
        .select_related("requester", "assignee")
        .order_by("-updated_at", "-id")[:limit]
    )
    matches = _message_matches(text).filter(ticket_id__in=[t.pk for t in tickets])
    if not staff:
        matches = matches.filter(kind__in=[MessageKind.CUSTOMER, MessageKind.REPLY])
    messages = list(matches.select_related("ticket").defer("ticket__search_vector")
                    .order_by("-created_at", "-id")[:limit])
    contacts: list[Contact] = []
    if staff:
        # Two index-served lookups (trigram indexes on PostgreSQL) instead of one OR the planner can't split.
        contact_ids = set(Contact.objects.filter(name__icontains=text).values_list("pk", flat=True)[:200])
        contact_ids.update(
            Identity.objects.filter(value__icontains=text.lower()).values_list("contact_id", flat=True)[:200]
        )
        contacts = list(
            Contact.objects.filter(pk__in=contact_ids).select_related("company").order_by("name", "id")[:limit]
        )
    return SearchResults(tickets=tickets, messages=messages, contacts=contacts)


# --- ticket page ----------------------------------------------------------------------------
def ticket_timeline(user, ticket: Ticket) -> list[Message]:
    """The ticket's messages the user may see, oldest first; ``keeps_original`` tells which a channel
    keeps the original of (e-mail's raw mail store)."""
    originals = Message._meta.get_field("raw_mails").related_model.objects.filter(message=OuterRef("pk"))
    qs = (ticket.messages.select_related("author_user", "author_contact").prefetch_related("attachments")
          .annotate(keeps_original=Exists(originals)))
    if not is_staff_user(user):
        qs = qs.filter(kind__in=[MessageKind.CUSTOMER, MessageKind.REPLY])
    return list(qs.order_by("created_at", "id"))


def requester_other_tickets(user, ticket: Ticket, limit: int = 10) -> list[Ticket]:
    return list(
        visible_tickets(user).filter(requester_id=ticket.requester_id).exclude(pk=ticket.pk)
        .order_by("-updated_at", "-id")[:limit]
    )
