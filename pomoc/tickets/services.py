"""Every write to tickets and messages goes through these functions.

They validate, write in one transaction and record a TicketEvent for every change; ``dispatch``
hands the events to live updates (and later rules, SLAs, surveys, rollups) after commit. Callers
(pages, API, channels, demo) check access first with ``permissions``. Numbers, attachments, custom
fields, tags and saved views have their own modules.
"""

from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pomoc.accounts.models import Department, Role
from pomoc.contacts.models import Contact
from pomoc.core import refusals
from pomoc.core.plain_text import plain_text
from pomoc.core.sanitize import sanitize_html, text_to_html
from pomoc.tickets import events, replies, search_index
from pomoc.tickets.attachments import NewAttachment, store_attachments, validate_attachments
from pomoc.tickets.copies import clean_addresses
from pomoc.tickets.custom_fields import active_definitions_by_key, validate_custom_fields
from pomoc.tickets.models import (
    ACTIVE_STATUSES,
    REOPENED_BY_CUSTOMER,
    Channel,
    DeliveryState,
    EventType,
    Message,
    MessageKind,
    Priority,
    Status,
    Ticket,
)
from pomoc.tickets.numbers import reserve_ticket_numbers
from pomoc.tickets.signatures import signature_text, with_signature
from pomoc.tickets.tags import tags_get_or_create


def refuse_if_merged(ticket: Ticket) -> None:
    """A merged ticket is read-only: it points to the ticket it was merged into (undo the merge to
    change it again, ``merging.ticket_merge_undo``)."""
    if ticket.merged_into_id:
        raise refusals.conflict("ticket", _("This ticket was merged into #%(number)s and can no longer be changed.")
                                % {"number": ticket.merged_into.number})


def clean_subject(subject: str) -> str:
    subject = " ".join((subject or "").split())
    if not subject:
        raise ValidationError({"subject": _("A ticket needs a subject.")})
    return subject[:300]


def bodies(body_text: str, body_html: str) -> tuple[str, str]:
    html = sanitize_html(body_html) if body_html else text_to_html(body_text or "")
    text = body_text or plain_text(html)
    return text, html


# --- tickets and messages -------------------------------------------------------------------
def ticket_create(
    *,
    requester: Contact,
    subject: str,
    body_text: str = "",
    body_html: str = "",
    channel: str = Channel.EMAIL,
    actor=None,
    message_kind: str = MessageKind.CUSTOMER,
    department: Department | None = None,
    priority: int = Priority.NORMAL,
    assignee=None,
    tags: Iterable[str] = (),
    custom_fields: Mapping | None = None,
    attachments: Iterable[NewAttachment] = (),
    external_id: str = "",
    reply_inbox=None,
    reply_identity=None,
    cc: Iterable[str] | str = (),
    bcc: Iterable[str] | str = (),
    signed: bool = False,
) -> Ticket:
    """Open a ticket with its first message (from the customer, or written by an agent for them).

    ``reply_inbox`` and ``reply_identity`` (one of the requester's identities) are its reply route;
    unset, the channel platform chooses one when a reply is written (``pomoc.channels.routes``).
    With ``message_kind`` reply the agent writes to the customer first: the message is sent through
    that route, with ``cc`` and ``bcc`` copies and (``signed``) the signatures."""
    subject = clean_subject(subject)
    copies = _copies(message_kind, cc, bcc)
    attachments = validate_attachments(attachments)
    fields = validate_custom_fields(custom_fields or {}, partial=False)
    if assignee is not None and assignee.role == Role.CUSTOMER:
        raise refusals.invalid_reference("assignee", _("Tickets can only be assigned to agents."))
    if reply_identity is not None and reply_identity.contact_id != requester.pk:
        raise refusals.invalid_reference("reply_identity",
                                         _("Replies can only go to one of the requester's addresses."))
    with transaction.atomic():
        now = timezone.now()
        ticket = Ticket.objects.create(
            reply_inbox=reply_inbox, reply_identity=reply_identity,
            number=reserve_ticket_numbers(1), subject=subject, channel=channel, requester=requester,
            department=department, priority=priority, assignee=assignee, custom_fields=fields,
            created_at=now, updated_at=now,
            status=Status.OPEN if assignee is not None or message_kind == MessageKind.REPLY else Status.NEW,
            last_customer_message_at=now if message_kind == MessageKind.CUSTOMER else None,
        )
        if tags:
            ticket.tags.set(tags_get_or_create(tags))
        events.ticket_created(ticket, actor)
        route = None
        if message_kind == MessageKind.REPLY:  # an agent writing to the customer first
            route = replies.route_for(ticket)
            if route is None:
                raise refusals.conflict("body", _(
                    "This message has nowhere to go: the customer has no e-mail address or other way to be "
                    "answered. Add one to the contact, or start the ticket with an internal note."))
        message = _add_message(ticket=ticket, kind=message_kind, channel=channel, actor=actor,
                               author_contact=requester if message_kind == MessageKind.CUSTOMER else None,
                               body_text=body_text, body_html=body_html, attachments=attachments,
                               external_id=external_id, now=now, route=route, **copies,
                               signature=_signature(actor, route) if signed and route else "")
        if message.delivery_state == DeliveryState.QUEUED:
            transaction.on_commit(lambda: replies.enqueue_delivery(message.pk))
    return ticket


def _copies(kind: str, cc, bcc) -> dict:
    """A reply's checked Cc and Bcc; other kinds of message have none."""
    if kind != MessageKind.REPLY:
        if _given(cc) or _given(bcc):
            raise ValidationError({"cc": _("Only replies to the customer have copies.")})
        return {"cc": [], "bcc": []}
    return {"cc": clean_addresses(cc, field="cc"), "bcc": clean_addresses(bcc, field="bcc")}


def _given(value) -> bool:
    return bool(value.strip() if isinstance(value, str) else list(value or ()))


def _signature(actor, route: replies.ReplyRoute | None) -> str:
    return signature_text(author=actor, inbox_signature=route.signature if route else "")


def _add_message(*, ticket: Ticket, kind: str, channel: str, actor, author_contact, body_text: str,
                 body_html: str, attachments: list[NewAttachment], external_id: str, now,
                 route: replies.ReplyRoute | None = None, cc: list[str] = (), bcc: list[str] = (),
                 signature: str = "") -> Message:
    text, html = bodies(body_text, body_html)
    if not text.strip() and not attachments:
        raise ValidationError({"body": _("A message needs text or an attachment.")})
    text, html = with_signature(text, html, signature)
    # A route that cannot send now (no outgoing mail server): the reply is kept, failed with the way
    # to fix it, and sent again by the agent later; it is never queued as if it could leave.
    problem = route.problem if route else ""
    state = (DeliveryState.FAILED if problem else DeliveryState.QUEUED) if route else DeliveryState.NONE
    message = Message.objects.create(
        ticket=ticket, kind=kind, channel=route.kind if route else channel,
        author_user=actor if getattr(actor, "pk", None) else None,
        author_contact=author_contact, body_text=text, body_html=html, external_id=external_id[:500],
        cc=list(cc), bcc=list(bcc), inbox_id=route.inbox_id if route else None,
        recipient_id=route.identity_id if route else None,
        delivery_state=state, delivery_error=problem[:1000], created_at=now,
    )
    store_attachments((message, item) for item in attachments)
    events.message_added(message, actor)
    if route:
        events.delivery_changed(message, state, problem, actor=actor)
    search_index.refresh([ticket.pk])
    return message


def message_add(
    *,
    ticket: Ticket,
    kind: str,
    actor=None,
    author_contact: Contact | None = None,
    body_text: str = "",
    body_html: str = "",
    channel: str | None = None,
    attachments: Iterable[NewAttachment] = (),
    external_id: str = "",
    automatic: bool = False,
    cc: Iterable[str] | str = (),
    bcc: Iterable[str] | str = (),
    signed: bool = False,
) -> Message:
    """Add a customer message, agent reply or internal note, and move the ticket on accordingly.

    A customer writing again reopens a resolved ticket and wakes a pending one; the first agent
    reply stamps the first response time and opens a new ticket. A reply is stored only when the
    ticket has a reply route (``pomoc.tickets.replies``), queued, and delivered after commit.
    An ``automatic`` reply (a rule's acknowledgement) is sent the same way but is no response by a
    person: it neither stamps the first response time nor opens the ticket. A reply may carry ``cc``
    and ``bcc`` copies (e-mail addresses) and, ``signed``, the agent's and the inbox's signatures
    (``pomoc.tickets.signatures``). Forwards have their own service (``forwarding``).
    """
    if kind not in MessageKind.values or kind in (MessageKind.SYSTEM, MessageKind.FORWARD):
        raise ValidationError({"kind": _("Unknown message kind.")})
    if kind in (MessageKind.REPLY, MessageKind.NOTE) and (actor is None or actor.role == Role.CUSTOMER):
        raise ValidationError({"kind": _("Only agents write replies and internal notes.")})
    attachments = validate_attachments(attachments)
    copies = _copies(kind, cc, bcc)
    if ticket.merged_into_id:
        raise ValidationError({"ticket": _("This ticket was merged into #%(number)s; write there.")
                               % {"number": ticket.merged_into.number}})
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        route = None
        if kind == MessageKind.REPLY:
            route = replies.route_for(ticket)
            if route is None:
                raise refusals.conflict("body", _(
                    "This reply has nowhere to go: the customer has no e-mail address or other way to be "
                    "answered. Add one to the contact, or write an internal note instead."))
        now = timezone.now()
        if kind == MessageKind.CUSTOMER and author_contact is None:
            author_contact = ticket.requester
        message = _add_message(ticket=ticket, kind=kind, channel=channel or ticket.channel, actor=actor,
                               author_contact=author_contact if kind == MessageKind.CUSTOMER else None,
                               body_text=body_text, body_html=body_html, attachments=attachments,
                               external_id=external_id, now=now, route=route, **copies,
                               signature=_signature(actor, route) if signed and kind == MessageKind.REPLY else "")
        update = {"updated_at": now}
        if kind == MessageKind.CUSTOMER:
            update["last_customer_message_at"] = now
            if ticket.status in REOPENED_BY_CUSTOMER:
                change_status(ticket, Status.OPEN, actor, now, update)
        elif kind == MessageKind.REPLY and not automatic:
            if ticket.first_response_at is None:
                update["first_response_at"] = now
            if ticket.status == Status.NEW:
                change_status(ticket, Status.OPEN, actor, now, update)
        Ticket.objects.filter(pk=ticket.pk).update(**update)
        for key, value in update.items():
            setattr(ticket, key, value)
        if message.delivery_state == DeliveryState.QUEUED:
            transaction.on_commit(lambda: replies.enqueue_delivery(message.pk))
    return message


def system_note_add(*, ticket: Ticket, text: str, channel: str, inbox=None, external_id: str = "") -> Message:
    """A note by Pomoc itself in ``ticket`` (an automatic reply or a bounce noticed): it neither reopens
    nor answers anything. ``external_id`` (unique per inbox) makes a redelivered notice harmless."""
    with transaction.atomic():
        note = Message.objects.create(
            ticket=ticket, kind=MessageKind.SYSTEM, channel=channel, body_text=text, body_html=text_to_html(text),
            external_id=external_id[:500], inbox=inbox, created_at=timezone.now(),
        )
        events.message_added(note, None)
        search_index.refresh([ticket.pk])
    return note


def automatic_reply_add(*, ticket: Ticket, body_text: str, body_html: str = "",
                        attachments: Iterable[NewAttachment] = ()) -> Message:
    """A reply Pomoc writes by itself (an acknowledgement, a reminder, a rating request): stored and
    delivered like an agent's reply, through the ticket's reply route, but by nobody, so it is no
    first response and changes no status. Refused (``conflict``) when the ticket has no route."""
    attachments = validate_attachments(attachments)
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        route = replies.route_for(ticket)
        if route is None:
            raise refusals.conflict("body", _("This reply has nowhere to go: the customer has no e-mail address "
                                              "or other way to be answered."))
        now = timezone.now()
        message = _add_message(ticket=ticket, kind=MessageKind.REPLY, channel=ticket.channel, actor=None,
                               author_contact=None, body_text=body_text, body_html=body_html,
                               attachments=attachments, external_id="", now=now, route=route)
        Ticket.objects.filter(pk=ticket.pk).update(updated_at=now)
        if message.delivery_state == DeliveryState.QUEUED:
            transaction.on_commit(lambda: replies.enqueue_delivery(message.pk))
    return message


def bounce_record(*, message: Message, addresses: Iterable[str], contact_ids: Iterable[int], permanent: bool,
                  status: str, text: str, channel: str, inbox=None, external_id: str = "") -> Message:
    """Mail about ``message``'s ticket bounced: a permanent bounce of a sent reply fails it with the
    reason; the bounce is recorded (``identity_bounced``) and noted in the ticket. Returns the note."""
    with transaction.atomic():
        if message.is_outgoing and message.delivery_state == DeliveryState.SENT and permanent:
            message_delivery_mark(message=message, state=DeliveryState.FAILED, error=text[:1000])
        events.identity_bounced(message.ticket, addresses=addresses, contact_ids=contact_ids, message_id=message.pk,
                                permanent=permanent, status=status)
        return system_note_add(ticket=message.ticket, text=text, channel=channel, inbox=inbox,
                               external_id=external_id)


def message_delivery_mark(*, message: Message, state: str, error: str = "", retry_at=None) -> Message:
    """Record a reply's delivery outcome (``queued`` again after a temporary failure, with the time of
    the next attempt ``retry_at``; ``sent``; ``failed`` with the reason) and its event, shown live to
    the agents on its ticket."""
    with transaction.atomic():
        message.delivery_state = state
        message.delivery_error = error
        message.save(update_fields=["delivery_state", "delivery_error"])
        events.delivery_changed(message, state, error, retry_at=retry_at if state == DeliveryState.QUEUED else None)
    return message


def message_external_id_set(*, message: Message, external_id: str) -> Message:
    """Fix an outgoing reply's id at its channel before the first attempt (e-mail: its Message-ID), so a
    retry can never send it as another message. Set once; an id already fixed is kept."""
    if not message.external_id:
        Message.objects.filter(pk=message.pk, external_id="").update(external_id=external_id[:500])
        message.external_id = Message.objects.values_list("external_id", flat=True).get(pk=message.pk)
    return message


def message_delivery_retry(message: Message, *, actor=None) -> Message:
    """Queue a failed reply again (the agent's "Send again", after fixing what failed)."""
    with transaction.atomic():
        updated = Message.objects.filter(pk=message.pk, delivery_state=DeliveryState.FAILED).update(
            delivery_state=DeliveryState.QUEUED
        )
        if not updated:
            raise refusals.conflict("message", _("Only a reply whose delivery failed can be sent again."))
        message.refresh_from_db()
        events.delivery_changed(message, DeliveryState.QUEUED, actor=actor)
        transaction.on_commit(lambda: replies.enqueue_delivery(message.pk))
    return message


def ticket_reply_route_set(*, ticket: Ticket, actor, inbox, identity) -> Ticket:
    """Choose where replies on ``ticket`` go: ``inbox`` (None: the usual one for the identity's kind)
    and ``identity``, one of the requester's. The choice is checked by resolving it."""
    refuse_if_merged(ticket)
    if identity is not None and identity.contact_id != ticket.requester_id:
        raise refusals.invalid_reference("reply_identity",
                                         _("Replies can only go to one of the requester's addresses."))
    with transaction.atomic():
        before = {"inbox": ticket.reply_inbox_id, "identity": ticket.reply_identity_id}
        Ticket.objects.filter(pk=ticket.pk).update(reply_inbox=inbox, reply_identity=identity)
        ticket.reply_inbox, ticket.reply_identity = inbox, identity
        route = replies.route_for(ticket)
        if identity is not None and (route is None or route.identity_id != identity.pk
                                     or (inbox is not None and route.inbox_id != inbox.pk)):
            raise refusals.invalid_reference(
                "reply_inbox", _("Replies cannot go to %(address)s through this inbox.") % {"address": identity.value})
        events.field_changed(ticket, EventType.REPLY_ROUTE_CHANGED, actor,
                             before, {"inbox": getattr(inbox, "pk", None), "identity": getattr(identity, "pk", None)})
    return ticket


def change_status(ticket: Ticket, status: str, actor, now, update: dict) -> None:
    old = ticket.status
    if old == status:
        return
    update["status"] = status
    if old == Status.SNOOZED:
        update["snoozed_until"] = None
    if status == Status.RESOLVED:
        update["resolved_at"] = now
    elif status == Status.CLOSED:
        update["closed_at"] = now
        if not ticket.resolved_at:
            update["resolved_at"] = now
    elif old in (Status.RESOLVED, Status.CLOSED) and status in ACTIVE_STATUSES:
        update["reopen_count"] = ticket.reopen_count + 1
        update["resolved_at"] = None
        update["closed_at"] = None
    # at the time the change writes into the ticket (``updated_at``), not a moment later
    events.field_changed(ticket, EventType.STATUS_CHANGED, actor, old, status, at=now)


TICKET_CHANGE_FIELDS = ("subject", "status", "priority", "assignee", "department", "tags", "custom_fields")


def ticket_update(*, ticket: Ticket, actor, changes: Mapping) -> Ticket:
    """Apply the given changes (only the keys present) with one event per changed field.

    ``changes`` may hold: subject (str), status (Status value), priority (Priority value),
    assignee (User or None), department (Department or None), tags (names), custom_fields (dict,
    merged into the current values; a None value removes a field).
    """
    unknown = set(changes) - set(TICKET_CHANGE_FIELDS)
    if unknown:
        raise ValidationError({k: _("Unknown field.") for k in sorted(unknown)})
    refuse_if_merged(ticket)
    if "status" in changes and changes["status"] not in Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    if changes.get("status") == Status.SNOOZED and ticket.status != Status.SNOOZED:
        raise ValidationError(
            {"status": _("Snooze the ticket until a date instead (it needs to know when to wake up).")})
    if "priority" in changes and changes["priority"] not in Priority.values:
        raise ValidationError({"priority": _("Unknown priority.")})
    assignee = changes.get("assignee")
    if assignee is not None and (assignee.role == Role.CUSTOMER or not assignee.is_active):
        raise refusals.invalid_reference("assignee", _("Tickets can only be assigned to active agents."))
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        now = timezone.now()
        update: dict = {}
        if "subject" in changes:
            subject = clean_subject(changes["subject"])
            if subject != ticket.subject:
                events.field_changed(ticket, EventType.SUBJECT_CHANGED, actor, ticket.subject, subject)
                update["subject"] = subject
        if "status" in changes:
            change_status(ticket, changes["status"], actor, now, update)
        if "priority" in changes and changes["priority"] != ticket.priority:
            events.field_changed(ticket, EventType.PRIORITY_CHANGED, actor, ticket.priority, changes["priority"])
            update["priority"] = changes["priority"]
        if "assignee" in changes and getattr(assignee, "pk", None) != ticket.assignee_id:
            events.field_changed(ticket, EventType.ASSIGNED, actor, ticket.assignee_id, getattr(assignee, "pk", None))
            update["assignee"] = assignee
            if assignee is not None and ticket.status == Status.NEW and "status" not in update:
                change_status(ticket, Status.OPEN, actor, now, update)
        if "department" in changes:
            department = changes["department"]
            if getattr(department, "pk", None) != ticket.department_id:
                events.field_changed(ticket, EventType.DEPARTMENT_CHANGED, actor, ticket.department_id,
                                     getattr(department, "pk", None))
                update["department"] = department
        if "custom_fields" in changes:
            incoming = dict(changes["custom_fields"] or {})
            # None or "" clears a field; validate_custom_fields refuses that for a required one. The value
            # of a retired (inactive) field may still be cleared.
            removed = [k for k, v in incoming.items() if v is None or v == ""]
            definitions = active_definitions_by_key()
            retired = {k for k in removed if k not in definitions and k in ticket.custom_fields}
            cleaned = validate_custom_fields({k: v for k, v in incoming.items() if k not in retired},
                                             definitions=definitions)
            merged = {**ticket.custom_fields, **cleaned}
            for key in removed:
                merged.pop(key, None)
            if merged != ticket.custom_fields:
                events.field_changed(ticket, EventType.CUSTOM_FIELDS_CHANGED, actor, ticket.custom_fields, merged)
                update["custom_fields"] = merged
        if "tags" in changes:
            new_tags = tags_get_or_create(changes["tags"])
            old_names = sorted(ticket.tags.values_list("name", flat=True))
            new_names = sorted(t.name for t in new_tags)
            if old_names != new_names:
                ticket.tags.set(new_tags)
                events.field_changed(ticket, EventType.TAGS_CHANGED, actor, old_names, new_names)
                update["updated_at"] = now
        if update:
            update["updated_at"] = now
            for key, value in update.items():
                setattr(ticket, key, value)
            ticket.save(update_fields=list(update))
            if "subject" in update:
                search_index.refresh([ticket.pk])
    return ticket


def tickets_bulk_update(*, tickets: Iterable[Ticket], actor, changes: Mapping) -> int:
    """The same changes on many tickets, each with its own events. Returns how many changed."""
    count = 0
    for ticket in tickets:
        ticket_update(ticket=ticket, actor=actor, changes=changes)
        count += 1
    return count


def ticket_merge(*, source: Ticket, target: Ticket, actor) -> Ticket:
    """Move every message of ``source`` into ``target`` and close ``source`` as merged.

    The two ``merged`` events record exactly what moved (messages, participants and tags new to
    ``target``) and what ``source`` was before, so that ``merging.ticket_merge_undo`` can put it back."""
    if source.pk == target.pk:
        raise refusals.conflict("target", _("A ticket cannot be merged into itself."))
    if source.merged_into_id or target.merged_into_id:
        raise refusals.conflict("target", _("A merged ticket cannot be merged again."))
    with transaction.atomic():
        source, target = (Ticket.objects.select_for_update().get(pk=pk) for pk in (source.pk, target.pk))
        now = timezone.now()
        moved = sorted(Message.objects.filter(ticket=source).values_list("pk", flat=True))
        Message.objects.filter(pk__in=moved).update(ticket=target)
        joining = {source.requester_id, *source.participants.values_list("pk", flat=True)}
        new_participants = joining - set(target.participants.values_list("pk", flat=True))
        target.participants.add(*joining)
        events.participants_added(target, new_participants, actor)
        old_tags = sorted(target.tags.values_list("name", flat=True))
        target.tags.add(*source.tags.all())
        new_tags = sorted(target.tags.values_list("name", flat=True))
        if new_tags != old_tags:
            events.field_changed(target, EventType.TAGS_CHANGED, actor, old_tags, new_tags)
        before = {"status": source.status, "snoozed_until": _iso(source.snoozed_until),
                  "resolved_at": _iso(source.resolved_at), "closed_at": _iso(source.closed_at)}
        events.merged(target, source, actor, moved={
            "messages": moved, "participants": sorted(new_participants),
            "tags": sorted(set(new_tags) - set(old_tags))}, before=before)
        update: dict = {"merged_into": target, "updated_at": now}
        change_status(source, Status.CLOSED, actor, now, update)
        for key, value in update.items():
            setattr(source, key, value)
        source.save(update_fields=list(update))
        target.updated_at = now
        target.save(update_fields=["updated_at"])
        search_index.refresh([source.pk, target.pk])
    return target


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def message_split(*, message: Message, actor, subject: str = "") -> Ticket:
    """Move one customer message (and its attachments) out into a new ticket of its own."""
    if message.kind != MessageKind.CUSTOMER:
        raise refusals.conflict("message", _("Only customer messages can be split into a new ticket."))
    source = message.ticket
    refuse_if_merged(source)
    if source.messages.count() < 2:
        raise refusals.conflict("message", _("A ticket's only message cannot be split off."))
    with transaction.atomic():
        now = timezone.now()
        new_ticket = Ticket.objects.create(
            number=reserve_ticket_numbers(1), subject=clean_subject(subject or source.subject),
            channel=message.channel, requester=message.author_contact or source.requester,
            department=source.department, priority=source.priority, created_at=now, updated_at=now,
            last_customer_message_at=message.created_at,
        )
        events.ticket_created(new_ticket, actor)
        Message.objects.filter(pk=message.pk).update(ticket=new_ticket)
        events.split(source, new_ticket, message.pk, actor)
        Ticket.objects.filter(pk=source.pk).update(updated_at=now)
        search_index.refresh([source.pk, new_ticket.pk])
    return new_ticket
