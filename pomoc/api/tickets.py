"""Tickets: list with filters and keyset pages, create, read, change, merge, bulk, timeline."""

import datetime as dt
from typing import Any, Literal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja import Status as HttpStatus
from pydantic import ConfigDict, Field

from pomoc.accounts.models import Department
from pomoc.api.schemas import (
    ERRORS,
    FIRST_MESSAGE_COPIES_RULE,
    MESSAGE_TEXT_RULE,
    AssigneeFilter,
    ChannelFilter,
    ChannelName,
    ContactRef,
    CustomFieldValues,
    DepartmentFilter,
    DepartmentRef,
    Email,
    Id,
    IdText,
    In,
    Line,
    Name,
    PriorityList,
    PriorityName,
    SafeStr,
    SortName,
    StatusList,
    StatusName,
    TagName,
    UserRef,
    contact_ref,
    department_ref,
    require_staff,
    user_ref,
)
from pomoc.contacts.models import Contact, IdentityKind
from pomoc.contacts.services import contact_get_or_create
from pomoc.core import refusals
from pomoc.tickets import merging, permissions, replies, reply_routes, selectors, services
from pomoc.tickets.copies import MAX_COPIES
from pomoc.tickets.models import Channel, EventType, MessageKind, Priority, Ticket

router = Router(tags=["tickets"])
User = get_user_model()
SORT_DESCRIPTION = ", ".join(selectors.SORTS)


class TicketOut(Schema):
    number: int
    subject: str
    status: StatusName
    priority: PriorityName
    channel: str
    requester: ContactRef
    assignee: UserRef | None
    department: DepartmentRef | None
    tags: list[str] = Field(description="Empty for customers: tags are internal to the team.")
    custom_fields: dict[str, Any] = Field(description="Empty for customers.")
    merged_into: int | None = Field(description="Number of the ticket this one was merged into.")
    created_at: dt.datetime
    updated_at: dt.datetime
    first_response_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None


class InboxRef(Schema):
    id: int
    name: str
    address: str


class ReplyRouteOut(Schema):
    kind: str = Field(description="The channel kind the reply leaves by (“email”).")
    inbox: InboxRef | None = Field(description="Null: the installation's default (e-mail: its outgoing mail).")
    identity: int = Field(description="Id of the requester's identity the reply goes to.")
    address: str = Field(description="That identity's address.")


class TicketDetailOut(TicketOut):
    reply_route: ReplyRouteOut | None = Field(
        description="Where a reply goes now (resolved at this moment); null when a reply has nowhere to go, "
                    "and always null for customers.")


REQUESTER_RULE = {
    "anyOf": [
        {"required": ["requester"], "properties": {"requester": {"type": "integer"},
                                                   "requester_email": {"type": "null"}}},
        {"required": ["requester_email"], "properties": {"requester_email": {"type": "string"},
                                                         "requester": {"type": "null"}}},
    ],
}
"""Agents name the requester by contact id or by e-mail address, one of the two (customers neither:
they open tickets for themselves)."""


class TicketPage(Schema):
    items: list[TicketOut]
    next_cursor: str | None


class TicketCreateIn(In):
    model_config = ConfigDict(json_schema_extra={"allOf": [REQUESTER_RULE, MESSAGE_TEXT_RULE,
                                                            FIRST_MESSAGE_COPIES_RULE]})

    requester: Id | None = Field(None, description="Contact id of the requester (or `requester_email`).")
    requester_email: Email | None = Field(None, max_length=320,
                                          description="Found or created as a contact (or `requester`).")
    requester_name: Line = Field("", max_length=200, description="Name for a contact created by e-mail.")
    subject: Name = Field(max_length=300)
    body: SafeStr = Field("", description="Plain text of the first message (or `body_html`).")
    body_html: SafeStr = Field("", description="HTML of the first message; sanitized.")
    channel: ChannelName = Channel.API
    priority: PriorityName = "normal"
    department: Id | None = None
    assignee: Id | None = None
    tags: list[TagName] = Field(default_factory=list, max_length=50)
    custom_fields: CustomFieldValues = Field(default_factory=dict)
    reply_inbox: Id | None = Field(None, description="Id of an active inbox replies leave through.")
    reply_identity: Id | Line | None = Field(
        None, description="The requester's identity replies go to: its id or its address. Default: the "
                          "requester's identity of the inbox's kind.")
    first_message: Literal["customer", "reply"] = Field(
        "customer", description="“customer”: the first message is the customer's request, recorded. “reply”: "
                                "an agent writes to the customer first; the message is sent at once through "
                                "the reply route (`reply_inbox`), and refused when it has nowhere to go.")
    cc: list[Email] = Field(default_factory=list, max_length=MAX_COPIES,
                            description="With `first_message` “reply”: copies (the mail's Cc header).")
    bcc: list[Email] = Field(default_factory=list, max_length=MAX_COPIES,
                             description="With `first_message` “reply”: blind copies (only the mail's envelope).")
    signed: bool = Field(False, description="With `first_message` “reply”: add the signatures under it.")


class ReplyRouteIn(In):
    inbox: Id | None = Field(None, description="Id of an active inbox; null: the usual one for the identity.")
    identity: Id | Line | None = Field(
        None, description="The requester's identity (id or address); null: theirs of the inbox's kind. Both "
                          "null: Pomoc chooses again (the inbox the customer wrote to, else the department's…).")


class TicketPatchIn(In):
    subject: Name = Field(None, max_length=300)
    status: StatusName = None
    priority: PriorityName = None
    assignee: Id | None = None
    department: Id | None = None
    tags: list[TagName] = Field(None, max_length=50)
    custom_fields: CustomFieldValues = None


class MergeIn(In):
    target: Id = Field(description="Number of the ticket to merge into.")


class BulkIn(In):
    numbers: list[Id] = Field(min_length=1, max_length=200)
    changes: TicketPatchIn


class BulkOut(Schema):
    updated: int


class EventOut(Schema):
    id: int
    type: str
    actor: UserRef | None
    data: dict[str, Any]
    at: dt.datetime


# --- serializing ----------------------------------------------------------------------------
def ticket_out(ticket: Ticket, user, tag_names: list[str] | None = None) -> dict:
    staff = permissions.is_staff_user(user)
    if tag_names is None:
        tag_names = getattr(ticket, "tag_names", None)
    if tag_names is None and staff:
        tag_names = sorted(ticket.tags.values_list("name", flat=True))
    return {
        "number": ticket.number,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority_key,
        "channel": ticket.channel,
        "requester": contact_ref(ticket.requester),
        "assignee": user_ref(ticket.assignee, for_staff=staff),
        "department": department_ref(ticket.department),
        "tags": tag_names if staff else [],
        "custom_fields": ticket.custom_fields if staff else {},
        "merged_into": ticket.merged_into.number if ticket.merged_into_id else None,
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
        "first_response_at": ticket.first_response_at,
        "resolved_at": ticket.resolved_at,
        "closed_at": ticket.closed_at,
    }


def reply_route_out(ticket: Ticket, user) -> dict | None:
    if not permissions.is_staff_user(user):
        return None  # which inbox answers is the team's business
    shown = reply_routes.route_choice(ticket).current
    if shown is None:
        return None
    route = shown.route
    inbox = ({"id": route.inbox_id, "name": shown.inbox_name, "address": shown.inbox_address}
             if route.inbox_id else None)
    return {"kind": route.kind, "inbox": inbox, "identity": route.identity_id, "address": route.address}


def ticket_detail_out(ticket: Ticket, user) -> dict:
    """One ticket, with where a reply goes (lists leave that out: it costs queries per ticket)."""
    return {**ticket_out(ticket, user), "reply_route": reply_route_out(ticket, user)}


def tickets_out(tickets: list[Ticket], user) -> list[dict]:
    """A page of tickets with a fixed number of queries, whatever its size."""
    selectors.prefetch_tags(tickets)
    prefetch_related_objects(tickets, "requester__identities", "merged_into")
    return [ticket_out(t, user) for t in tickets]


def load_ticket(user, number: int) -> Ticket:
    ticket = permissions.access_ticket_by_number(user, number)
    prefetch_related_objects([ticket], "requester__identities")
    return ticket


# --- resolving ids --------------------------------------------------------------------------
def resolve_department(department_id: int | None) -> Department | None:
    if department_id is None:
        return None
    department = Department.objects.filter(pk=department_id).first()
    if department is None:
        raise refusals.invalid_reference("department", _("Unknown department."))
    return department


def resolve_assignee(user_id: int | None):
    if user_id is None:
        return None
    assignee = User.objects.filter(pk=user_id).first()
    if assignee is None or not permissions.is_staff_user(assignee):
        raise refusals.invalid_reference("assignee", _("Tickets can only be assigned to active agents."))
    return assignee


def changes_from(payload: TicketPatchIn) -> dict:
    """The service's ``changes`` mapping, holding only the keys the client sent."""
    sent = payload.model_dump(exclude_unset=True)
    for key in ("subject", "status", "priority", "tags", "custom_fields"):
        if key in sent and sent[key] is None:
            raise ValidationError({key: _("This field cannot be null.")})
    changes: dict = {}
    for key, value in sent.items():
        if key == "priority":
            changes[key] = Priority.from_name(value).value
        elif key == "assignee":
            changes[key] = resolve_assignee(value)
        elif key == "department":
            changes[key] = resolve_department(value)
        else:
            changes[key] = value
    return changes


def requester_for(user, payload: TicketCreateIn) -> Contact:
    if not permissions.is_staff_user(user):
        own = getattr(user, "contact", None)
        if own is None:
            raise permissions.PermissionDenied(_("Your account is not linked to a contact."))
        if payload.requester is not None and payload.requester != own.pk:
            raise permissions.PermissionDenied(_("Customers can only open tickets for themselves."))
        if payload.requester_email is not None and not own.identities.filter(
            kind=IdentityKind.EMAIL, value=payload.requester_email.strip().lower()
        ).exists():
            raise permissions.PermissionDenied(_("Customers can only open tickets for themselves."))
        return own
    if (payload.requester is None) == (payload.requester_email is None):
        raise ValidationError({"requester": _("Give either “requester” (a contact id) or “requester_email”.")})
    if payload.requester is not None:
        contact = Contact.objects.filter(pk=payload.requester).first()
        if contact is None:
            raise refusals.invalid_reference("requester", _("Unknown contact."))
        return contact
    try:
        contact, _created = contact_get_or_create(
            kind=IdentityKind.EMAIL, value=payload.requester_email, name=payload.requester_name
        )
    except ValidationError as exc:
        raise ValidationError({"requester_email": exc.messages}) from None
    return contact


STAFF_ONLY_CREATE_FIELDS = ("priority", "department", "assignee", "tags", "custom_fields", "channel", "reply_inbox",
                            "reply_identity", "first_message", "cc", "bcc", "signed")


def resolve_reply_route(requester: Contact, inbox_id: int | None, identity: int | str | None):
    """The (inbox, identity) a client named: an active inbox that can send, and one of the requester's
    identities (by default theirs of that inbox's kind)."""
    option = None
    if inbox_id is not None:
        option = next((o for o in replies.reply_inboxes() if o.inbox_id == inbox_id), None)
        if option is None:
            raise refusals.invalid_reference("reply_inbox", _("No active inbox with this id can send replies."))
    chosen = reply_routes.identity_of(requester, identity) if identity is not None else None
    if option is None:
        return None, chosen
    inbox, default_identity = reply_routes.initial_route(requester=requester, option=option)
    return inbox, chosen or default_identity


# --- endpoints ------------------------------------------------------------------------------
@router.get("/tickets", response={200: TicketPage, **ERRORS}, summary="List tickets")
def list_tickets(
    request,
    status: StatusList | None = Query(None, description="Comma-separated statuses, or “active”."),
    priority: PriorityList | None = Query(None, description="Comma-separated: low, normal, high, urgent."),
    assignee: AssigneeFilter | None = Query(None, description="“me”, “none” or a user id."),
    department: DepartmentFilter | None = Query(None, description="“none” or a department id."),
    tag: Line | None = Query(None, description="Tag name; repeat or comma-separate for all of several."),
    channel: ChannelFilter | None = None,
    requester: IdText | None = Query(None, description="Contact id."),
    company: IdText | None = Query(None, description="Company id."),
    q: SafeStr | None = Query(None, description="Text in the number, subject or messages."),
    sort: SortName | None = Query(None, description=SORT_DESCRIPTION),
    cursor: SafeStr | None = Query(None, description="next_cursor of the previous page (a refusal of one "
                                                     "has the type `invalid_cursor`)."),
    limit: int | None = Query(None, ge=1, le=selectors.MAX_PAGE_SIZE),
):
    filters = selectors.TicketFilters.from_mapping(request.GET)
    page = selectors.ticket_list(request.auth, filters, cursor=cursor, limit=limit)
    return {"items": tickets_out(page.items, request.auth), "next_cursor": page.next_cursor}


@router.post("/tickets", response={201: TicketDetailOut, **ERRORS}, summary="Open a ticket")
def create_ticket(request, payload: TicketCreateIn):
    user = request.auth
    staff = permissions.is_staff_user(user)
    if not staff:
        sent = payload.model_fields_set & set(STAFF_ONLY_CREATE_FIELDS)
        if sent:
            raise permissions.PermissionDenied(
                _("Customers cannot set: %(fields)s") % {"fields": ", ".join(sorted(sent))}
            )
    with transaction.atomic():
        requester = requester_for(user, payload)
        reply_inbox, reply_identity = resolve_reply_route(requester, payload.reply_inbox, payload.reply_identity)
        ticket = services.ticket_create(
            requester=requester,
            subject=payload.subject,
            body_text=payload.body,
            body_html=payload.body_html,
            channel=payload.channel,
            actor=user,
            department=resolve_department(payload.department),
            priority=Priority.from_name(payload.priority).value,
            assignee=resolve_assignee(payload.assignee),
            tags=payload.tags,
            custom_fields=payload.custom_fields,
            reply_inbox=reply_inbox,
            reply_identity=reply_identity,
            message_kind=MessageKind.REPLY if payload.first_message == "reply" else MessageKind.CUSTOMER,
            cc=payload.cc, bcc=payload.bcc, signed=payload.signed,
        )
    ticket = Ticket.objects.select_related("requester", "assignee", "department").get(pk=ticket.pk)
    return HttpStatus(201, ticket_detail_out(ticket, user))


@router.get("/tickets/{int:number}", response={200: TicketDetailOut, **ERRORS}, summary="Read a ticket")
def get_ticket(request, number: int):
    return ticket_detail_out(load_ticket(request.auth, number), request.auth)


@router.patch("/tickets/{int:number}", response={200: TicketDetailOut, **ERRORS}, summary="Change a ticket")
def update_ticket(request, number: int, payload: TicketPatchIn):
    ticket = load_ticket(request.auth, number)
    permissions.require_can_work_on(request.auth, ticket)
    ticket = services.ticket_update(ticket=ticket, actor=request.auth, changes=changes_from(payload))
    return ticket_detail_out(ticket, request.auth)


@router.put("/tickets/{int:number}/reply-route", response={200: TicketDetailOut, **ERRORS},
            summary="Choose where replies go")
def set_reply_route(request, number: int, payload: ReplyRouteIn):
    require_staff(request.auth)
    ticket = load_ticket(request.auth, number)
    permissions.require_can_work_on(request.auth, ticket)
    inbox, identity = resolve_reply_route(ticket.requester, payload.inbox, payload.identity)
    if inbox is not None and identity is None:
        raise refusals.invalid_reference("identity", _("The requester has no address this inbox can reply to."))
    services.ticket_reply_route_set(ticket=ticket, actor=request.auth, inbox=inbox, identity=identity)
    return ticket_detail_out(load_ticket(request.auth, number), request.auth)


@router.post("/tickets/{int:number}/merge", response={200: TicketDetailOut, **ERRORS},
             summary="Merge this ticket into another")
def merge_ticket(request, number: int, payload: MergeIn):
    source = load_ticket(request.auth, number)
    permissions.require_can_work_on(request.auth, source)
    target = load_ticket(request.auth, payload.target)
    target = services.ticket_merge(source=source, target=target, actor=request.auth)
    return ticket_detail_out(load_ticket(request.auth, target.number), request.auth)


@router.post("/tickets/{int:number}/merge/undo", response={200: TicketDetailOut, **ERRORS},
             summary="Undo this ticket's merge into another")
def undo_merge(request, number: int):
    """Within the undo window (``POMOC_MERGE_UNDO_MINUTES``) after the merge: the messages, participants
    and tags it moved go back, and this ticket gets back its status. Later: 422 ``conflict``."""
    source = load_ticket(request.auth, number)
    permissions.require_can_work_on(request.auth, source)
    merging.ticket_merge_undo(source=source, actor=request.auth)
    return ticket_detail_out(load_ticket(request.auth, number), request.auth)


@router.post("/tickets/bulk", response={200: BulkOut, **ERRORS}, summary="Change many tickets at once")
def bulk_update(request, payload: BulkIn):
    require_staff(request.auth)
    numbers = sorted(set(payload.numbers))
    tickets = list(permissions.visible_tickets(request.auth).filter(number__in=numbers).order_by("number"))
    missing = sorted(set(numbers) - {t.number for t in tickets})
    if missing:
        message = _("Not found: %(numbers)s") % {"numbers": ", ".join(map(str, missing))}
        raise refusals.invalid_reference("numbers", message)
    changes = changes_from(payload.changes)
    # One transaction: a change that fails on the tenth ticket leaves the first nine untouched.
    with transaction.atomic():
        count = services.tickets_bulk_update(tickets=tickets, actor=request.auth, changes=changes)
    return {"updated": count}


@router.get("/tickets/{int:number}/events", response={200: list[EventOut], **ERRORS}, summary="Ticket history")
def ticket_events(request, number: int):
    require_staff(request.auth)
    ticket = load_ticket(request.auth, number)
    events = ticket.events.select_related("actor").order_by("at", "id")
    return [{"id": e.pk, "type": e.type, "actor": user_ref(e.actor), "data": event_data(e), "at": e.at}
            for e in events]


def _priority_name(value):
    try:
        return Priority(value).key
    except ValueError:
        return value


def event_data(event) -> dict:
    """Event data as stored, except that priorities are names here as everywhere in the API."""
    data = dict(event.data)
    if event.type == EventType.PRIORITY_CHANGED:
        for key in ("from", "to"):
            if key in data:
                data[key] = _priority_name(data[key])
    elif event.type == EventType.CREATED and "priority" in data:
        data["priority"] = _priority_name(data["priority"])
    return data
