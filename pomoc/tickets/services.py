"""Every write to tickets, messages and attachments goes through these functions.

They validate, write in one transaction, record TicketEvents and publish live updates after
commit. Callers (pages, API, channels, demo) check access first with ``permissions``.
"""

import datetime as dt
import hashlib
import mimetypes
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pomoc.accounts.models import Department, Role
from pomoc.contacts.models import Contact
from pomoc.core.models import Counter
from pomoc.core.realtime import department_group, publish_on_commit, ticket_group
from pomoc.core.sanitize import html_to_text, sanitize_html, text_to_html
from pomoc.core.transactional_files import delete_unless_committed
from pomoc.tickets import events, replies, search_index
from pomoc.tickets.models import (
    ACTIVE_STATUSES,
    Attachment,
    Channel,
    CustomFieldDefinition,
    CustomFieldType,
    DeliveryState,
    EventType,
    Message,
    MessageKind,
    Priority,
    SavedView,
    Status,
    Tag,
    Ticket,
)
from pomoc.tickets.selectors import TicketFilters

TICKET_COUNTER = "ticket_number"


# --- numbers --------------------------------------------------------------------------------
def reserve_ticket_numbers(count: int = 1) -> int:
    """Reserve ``count`` consecutive ticket numbers; returns the first. Never hands one out twice:
    the counter row stays locked until the caller's transaction ends. One statement (``UPDATE …
    RETURNING``, PostgreSQL and SQLite ≥ 3.35) except the very first time."""
    table = connection.ops.quote_name(Counter._meta.db_table)
    sql = f"UPDATE {table} SET value = value + %s WHERE name = %s RETURNING value"  # noqa: S608 -- model's table
    with connection.cursor() as cursor:
        cursor.execute(sql, [count, TICKET_COUNTER])
        row = cursor.fetchone()
        if row is None:  # the first ticket ever: create the counter (another process may be doing so too)
            with transaction.atomic():
                Counter.objects.get_or_create(name=TICKET_COUNTER, defaults={"value": 1000})
            cursor.execute(sql, [count, TICKET_COUNTER])
            row = cursor.fetchone()
    return row[0] - count + 1


# --- attachments ----------------------------------------------------------------------------
@dataclass
class NewAttachment:
    """An attachment on its way in: a name and either bytes or an open file."""

    file_name: str
    content: bytes | File
    content_type: str = ""
    content_id: str = ""


# Types a browser could run or render as a page are never labelled as such.
DANGEROUS_TYPES = {"text/html", "image/svg+xml", "application/xhtml+xml", "text/xml", "application/xml",
                   "application/javascript", "text/javascript"}


def _sniff_type(head: bytes, file_name: str, declared: str) -> str:
    signatures = [
        (b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF8", "image/gif"),
        (b"%PDF-", "application/pdf"), (b"PK\x03\x04", "application/zip"),
    ]
    for magic, kind in signatures:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    guessed = declared or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
    return "application/octet-stream" if guessed.lower() in DANGEROUS_TYPES else guessed.lower()[:100]


def clean_file_name(name: str) -> str:
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*\r\n\t').strip(" .")
    return name[:255] or "attachment"


def validate_attachments(attachments: Iterable[NewAttachment]) -> list[NewAttachment]:
    attachments = list(attachments)
    if len(attachments) > settings.MAX_ATTACHMENTS_PER_MESSAGE:
        raise ValidationError({"attachments": _("At most %(n)d attachments per message.")
                               % {"n": settings.MAX_ATTACHMENTS_PER_MESSAGE}})
    for item in attachments:
        size = len(item.content) if isinstance(item.content, bytes) else item.content.size
        if size > settings.MAX_ATTACHMENT_BYTES:
            raise ValidationError({"attachments": _("“%(name)s” is larger than the limit of %(limit)d MB.")
                                   % {"name": clean_file_name(item.file_name),
                                      "limit": settings.MAX_ATTACHMENT_BYTES // (1024 * 1024)}})
    return attachments


def _written(message: Message, item: NewAttachment) -> Attachment:
    """The attachment's row (not saved yet) with its file written to storage."""
    digest = hashlib.sha256()
    if isinstance(item.content, bytes):
        data = ContentFile(item.content)
        digest.update(item.content)
        head = item.content[:16]
        size = len(item.content)
    else:
        data = item.content
        data.seek(0)
        head = data.read(16)
        data.seek(0)
        for chunk in data.chunks():
            digest.update(chunk)
        data.seek(0)
        size = data.size
    attachment = Attachment(
        message=message,
        file_name=clean_file_name(item.file_name),
        content_type=_sniff_type(head, item.file_name, item.content_type),
        size=size,
        sha256=digest.hexdigest(),
        content_id=item.content_id.strip("<>")[:255],
    )
    attachment.file.save(attachment.public_id, data, save=False)
    return attachment


ORPHAN_AGE = dt.timedelta(hours=1)


def sweep_orphan_attachment_files(*, older_than: dt.timedelta = ORPHAN_AGE) -> int:
    """Delete attachment files no row names that are older than ``older_than``; returns how many.

    A file is written inside the transaction that inserts its row (``store_attachments``) and is
    deleted again when that transaction rolls back, but a process killed in between (SIGKILL, power
    cut) deletes nothing: its row is gone, its file stays. Nothing still in progress is that old."""
    storage = Attachment._meta.get_field("file").storage
    cutoff = timezone.now() - older_than
    removed = 0
    try:
        folders, _files = storage.listdir("attachments")
    except FileNotFoundError:
        return 0
    for folder in folders:
        names = [f"attachments/{folder}/{name}" for name in storage.listdir(f"attachments/{folder}")[1]]
        named = set(Attachment.objects.filter(file__in=names).values_list("file", flat=True))
        for name in names:
            if name not in named and storage.get_modified_time(name) < cutoff:
                storage.delete(name)
                removed += 1
    return removed


def store_attachments(pairs: Iterable[tuple[Message, NewAttachment]]) -> list[Attachment]:
    """Write the files and insert their rows (one statement). A file whose row fails, or rolls back
    later with the transaction around it, is deleted again."""
    attachments: list[Attachment] = []
    try:
        for message, item in pairs:
            attachments.append(_written(message, item))
        Attachment.objects.bulk_create(attachments)
    except BaseException:
        for attachment in attachments:
            attachment.file.storage.delete(attachment.file.name)
        raise
    for attachment in attachments:
        storage, name = attachment.file.storage, attachment.file.name
        delete_unless_committed(storage, name, still_referenced=Attachment.objects.filter(file=name).exists)
    return attachments



# --- validation -----------------------------------------------------------------------------
def validate_custom_fields(values: Mapping, *, partial: bool = True) -> dict:
    """Values checked against the active field definitions; unknown keys are an error."""
    definitions = {d.key: d for d in CustomFieldDefinition.objects.filter(active=True)}
    errors: dict[str, str] = {}
    cleaned: dict = {}
    for key, value in values.items():
        definition = definitions.get(key)
        if definition is None:
            errors[key] = _("Unknown custom field.")
            continue
        if value is None or value == "":
            if definition.required:
                errors[key] = _("This field is required.")
            continue
        kind = definition.type
        ok = (
            (kind == CustomFieldType.TEXT and isinstance(value, str) and len(value) <= 1000)
            or (kind == CustomFieldType.NUMBER and isinstance(value, int | float) and not isinstance(value, bool))
            or (kind == CustomFieldType.BOOLEAN and isinstance(value, bool))
            or (kind == CustomFieldType.CHOICE and value in definition.choices)
        )
        if kind == CustomFieldType.DATE and isinstance(value, str):
            try:
                dt.date.fromisoformat(value)
                ok = True
            except ValueError:
                ok = False
        if not ok:
            errors[key] = _("Not a valid value for a field of type “%(type)s”.") % {"type": kind}
            continue
        cleaned[key] = value
    if not partial:
        for key, definition in definitions.items():
            if definition.required and key not in cleaned:
                errors.setdefault(key, _("This field is required."))
    if errors:
        raise ValidationError({f"custom_fields.{k}": v for k, v in errors.items()})
    return cleaned


def clean_subject(subject: str) -> str:
    subject = " ".join((subject or "").split())
    if not subject:
        raise ValidationError({"subject": _("A ticket needs a subject.")})
    return subject[:300]


def bodies(body_text: str, body_html: str) -> tuple[str, str]:
    html = sanitize_html(body_html) if body_html else text_to_html(body_text or "")
    text = body_text or html_to_text(html)
    return text, html


# --- live updates ---------------------------------------------------------------------------
def _publish(ticket: Ticket, event: str, actor=None, **extra) -> None:
    payload = {"event": event, "ticket": ticket.pk, "number": ticket.number,
               "actor": getattr(actor, "pk", None), **extra}
    publish_on_commit([ticket_group(ticket.pk), department_group(ticket.department_id)], payload)


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
) -> Ticket:
    """Open a ticket with its first message (from the customer, or written by an agent for them).

    ``reply_inbox`` and ``reply_identity`` (one of the requester's identities) are its reply route;
    unset, the channel platform chooses one when a reply is written (``pomoc.channels.routes``)."""
    subject = clean_subject(subject)
    attachments = validate_attachments(attachments)
    fields = validate_custom_fields(custom_fields or {}, partial=False)
    if assignee is not None and assignee.role == Role.CUSTOMER:
        raise ValidationError({"assignee": _("Tickets can only be assigned to agents.")})
    if reply_identity is not None and reply_identity.contact_id != requester.pk:
        raise ValidationError({"reply_identity": _("Replies can only go to one of the requester's addresses.")})
    with transaction.atomic():
        now = timezone.now()
        ticket = Ticket.objects.create(
            reply_inbox=reply_inbox, reply_identity=reply_identity,
            number=reserve_ticket_numbers(1), subject=subject, channel=channel, requester=requester,
            department=department, priority=priority, assignee=assignee, custom_fields=fields,
            created_at=now, updated_at=now,
            status=Status.OPEN if assignee is not None else Status.NEW,
            last_customer_message_at=now if message_kind == MessageKind.CUSTOMER else None,
        )
        if tags:
            ticket.tags.set(tags_get_or_create(tags))
        events.ticket_created(ticket, actor)
        route = None
        if message_kind == MessageKind.REPLY:  # an agent writing to the customer first
            route = replies.route_for(ticket)
            if route is None:
                raise ValidationError({"body": _(
                    "This message has nowhere to go: the customer has no e-mail address or other way to be "
                    "answered. Add one to the contact, or start the ticket with an internal note.")})
        message = _add_message(ticket=ticket, kind=message_kind, channel=channel, actor=actor,
                               author_contact=requester if message_kind == MessageKind.CUSTOMER else None,
                               body_text=body_text, body_html=body_html, attachments=attachments,
                               external_id=external_id, now=now, route=route)
        if message.delivery_state == DeliveryState.QUEUED:
            transaction.on_commit(lambda: replies.enqueue_delivery(message.pk))
    _publish(ticket, "ticket.created", actor)
    return ticket


def _add_message(*, ticket: Ticket, kind: str, channel: str, actor, author_contact, body_text: str,
                 body_html: str, attachments: list[NewAttachment], external_id: str, now,
                 route: replies.ReplyRoute | None = None) -> Message:
    text, html = bodies(body_text, body_html)
    if not text.strip() and not attachments:
        raise ValidationError({"body": _("A message needs text or an attachment.")})
    message = Message.objects.create(
        ticket=ticket, kind=kind, channel=route.kind if route else channel,
        author_user=actor if getattr(actor, "pk", None) else None,
        author_contact=author_contact, body_text=text, body_html=html, external_id=external_id[:500],
        inbox_id=route.inbox_id if route else None,
        recipient_id=route.identity_id if route else None,
        delivery_state=DeliveryState.QUEUED if route else DeliveryState.NONE,
        created_at=now,
    )
    store_attachments((message, item) for item in attachments)
    events.message_added(message, actor)
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
) -> Message:
    """Add a customer message, agent reply or internal note, and move the ticket on accordingly.

    A customer writing again reopens a resolved ticket and wakes a pending one; the first agent
    reply stamps the first response time and opens a new ticket. A reply is stored only when the
    ticket has a reply route (``pomoc.tickets.replies``), queued, and delivered after commit.
    """
    if kind not in MessageKind.values or kind == MessageKind.SYSTEM:
        raise ValidationError({"kind": _("Unknown message kind.")})
    if kind in (MessageKind.REPLY, MessageKind.NOTE) and (actor is None or actor.role == Role.CUSTOMER):
        raise ValidationError({"kind": _("Only agents write replies and internal notes.")})
    attachments = validate_attachments(attachments)
    if ticket.merged_into_id:
        raise ValidationError({"ticket": _("This ticket was merged into #%(number)s; write there.")
                               % {"number": ticket.merged_into.number}})
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        route = None
        if kind == MessageKind.REPLY:
            route = replies.route_for(ticket)
            if route is None:
                raise ValidationError({"body": _(
                    "This reply has nowhere to go: the customer has no e-mail address or other way to be "
                    "answered. Add one to the contact, or write an internal note instead.")})
        now = timezone.now()
        if kind == MessageKind.CUSTOMER and author_contact is None:
            author_contact = ticket.requester
        message = _add_message(ticket=ticket, kind=kind, channel=channel or ticket.channel, actor=actor,
                               author_contact=author_contact if kind == MessageKind.CUSTOMER else None,
                               body_text=body_text, body_html=body_html, attachments=attachments,
                               external_id=external_id, now=now, route=route)
        update = {"updated_at": now}
        if kind == MessageKind.CUSTOMER:
            update["last_customer_message_at"] = now
            if ticket.status in (Status.RESOLVED, Status.CLOSED, Status.PENDING):
                change_status(ticket, Status.OPEN, actor, now, update)
        elif kind == MessageKind.REPLY:
            if ticket.first_response_at is None:
                update["first_response_at"] = now
            if ticket.status == Status.NEW:
                change_status(ticket, Status.OPEN, actor, now, update)
        Ticket.objects.filter(pk=ticket.pk).update(**update)
        for key, value in update.items():
            setattr(ticket, key, value)
        if message.delivery_state == DeliveryState.QUEUED:
            transaction.on_commit(lambda: replies.enqueue_delivery(message.pk))
    _publish(ticket, "message.added", actor, message=message.pk, kind=kind)
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
    _publish(ticket, "message.added", None, message=note.pk, kind=MessageKind.SYSTEM)
    return note


def message_delivery_mark(*, message: Message, state: str, error: str = "") -> Message:
    """Record a reply's delivery outcome (``queued`` again after a temporary failure, ``sent``,
    ``failed`` with the reason), shown live to the agents on its ticket."""
    message.delivery_state = state
    message.delivery_error = error
    message.save(update_fields=["delivery_state", "delivery_error"])
    ticket = message.ticket
    publish_on_commit([ticket_group(ticket.pk)], {"event": "message.delivery", "ticket": ticket.pk,
                                                   "number": ticket.number, "actor": None, "message": message.pk,
                                                   "state": state})
    return message


def message_delivery_retry(message: Message) -> Message:
    """Queue a failed reply again (the agent's "Send again", after fixing what failed)."""
    updated = Message.objects.filter(pk=message.pk, delivery_state=DeliveryState.FAILED).update(
        delivery_state=DeliveryState.QUEUED
    )
    if not updated:
        raise ValidationError({"message": _("Only a reply whose delivery failed can be sent again.")})
    transaction.on_commit(lambda: replies.enqueue_delivery(message.pk))
    message.refresh_from_db()
    return message


def ticket_reply_route_set(*, ticket: Ticket, actor, inbox, identity) -> Ticket:
    """Choose where replies on ``ticket`` go: ``inbox`` (None: the usual one for the identity's kind)
    and ``identity``, one of the requester's. The choice is checked by resolving it."""
    if identity is not None and identity.contact_id != ticket.requester_id:
        raise ValidationError({"reply_identity": _("Replies can only go to one of the requester's addresses.")})
    with transaction.atomic():
        Ticket.objects.filter(pk=ticket.pk).update(reply_inbox=inbox, reply_identity=identity)
        ticket.reply_inbox, ticket.reply_identity = inbox, identity
        route = replies.route_for(ticket)
        if identity is not None and (route is None or route.identity_id != identity.pk
                                     or (inbox is not None and route.inbox_id != inbox.pk)):
            raise ValidationError({"reply_inbox": _("Replies cannot go to %(address)s through this inbox.")
                                   % {"address": identity.value}})
        events.field_changed(ticket, EventType.REPLY_ROUTE_CHANGED, actor,
                             None, {"inbox": getattr(inbox, "pk", None), "identity": getattr(identity, "pk", None)})
    _publish(ticket, "ticket.updated", actor, fields=["reply_route"])
    return ticket


def change_status(ticket: Ticket, status: str, actor, now, update: dict) -> None:
    old = ticket.status
    if old == status:
        return
    update["status"] = status
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
    events.field_changed(ticket, EventType.STATUS_CHANGED, actor, old, status)


def tags_get_or_create(names: Iterable[str]) -> list[Tag]:
    cleaned = sorted({" ".join(str(n).split()).lower()[:50] for n in names if str(n).strip()})
    existing = {t.name: t for t in Tag.objects.filter(name__in=cleaned)}
    missing = [Tag(name=n) for n in cleaned if n not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {t.name: t for t in Tag.objects.filter(name__in=cleaned)}
    return [existing[n] for n in cleaned]


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
    if "status" in changes and changes["status"] not in Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    if "priority" in changes and changes["priority"] not in Priority.values:
        raise ValidationError({"priority": _("Unknown priority.")})
    assignee = changes.get("assignee")
    if assignee is not None and (assignee.role == Role.CUSTOMER or not assignee.is_active):
        raise ValidationError({"assignee": _("Tickets can only be assigned to active agents.")})
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        old_department = ticket.department_id
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
            removed = [k for k, v in incoming.items() if v is None]
            cleaned = validate_custom_fields({k: v for k, v in incoming.items() if v is not None})
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
    if update:
        _publish(ticket, "ticket.updated", actor, fields=sorted(update))
        if "department" in update and old_department != ticket.department_id:
            publish_on_commit([department_group(old_department)],
                              {"event": "ticket.updated", "ticket": ticket.pk, "number": ticket.number,
                               "actor": getattr(actor, "pk", None), "fields": ["department"]})
    return ticket


def tickets_bulk_update(*, tickets: Iterable[Ticket], actor, changes: Mapping) -> int:
    """The same changes on many tickets, each with its own events. Returns how many changed."""
    count = 0
    for ticket in tickets:
        ticket_update(ticket=ticket, actor=actor, changes=changes)
        count += 1
    return count


def ticket_merge(*, source: Ticket, target: Ticket, actor) -> Ticket:
    """Move every message of ``source`` into ``target`` and close ``source`` as merged."""
    if source.pk == target.pk:
        raise ValidationError({"target": _("A ticket cannot be merged into itself.")})
    if source.merged_into_id or target.merged_into_id:
        raise ValidationError({"target": _("A merged ticket cannot be merged again.")})
    with transaction.atomic():
        source, target = (Ticket.objects.select_for_update().get(pk=pk) for pk in (source.pk, target.pk))
        now = timezone.now()
        moved = Message.objects.filter(ticket=source).update(ticket=target)
        target.participants.add(source.requester, *source.participants.all())
        target.tags.add(*source.tags.all())
        events.merged(target, source, actor)
        update: dict = {"merged_into": target, "updated_at": now}
        change_status(source, Status.CLOSED, actor, now, update)
        for key, value in update.items():
            setattr(source, key, value)
        source.save(update_fields=list(update))
        target.updated_at = now
        target.save(update_fields=["updated_at"])
        search_index.refresh([source.pk, target.pk])
    _publish(source, "ticket.updated", actor, fields=["merged_into", "status"])
    _publish(target, "message.added", actor, moved=moved)
    return target


def message_split(*, message: Message, actor, subject: str = "") -> Ticket:
    """Move one customer message (and its attachments) out into a new ticket of its own."""
    if message.kind != MessageKind.CUSTOMER:
        raise ValidationError({"message": _("Only customer messages can be split into a new ticket.")})
    source = message.ticket
    if source.messages.count() < 2:
        raise ValidationError({"message": _("A ticket's only message cannot be split off.")})
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
    _publish(source, "ticket.updated", actor, fields=["messages"])
    _publish(new_ticket, "ticket.created", actor)
    return new_ticket


# --- tags -----------------------------------------------------------------------------------
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


def _clean_tag_name(name: str, *, exclude_pk: int | None = None) -> str:
    normalized = " ".join(str(name or "").split()).lower()[:50]
    if not normalized:
        raise ValidationError({"name": _("This field cannot be blank.")})
    if Tag.objects.filter(name=normalized).exclude(pk=exclude_pk).exists():
        raise ValidationError({"name": _("A tag with this name already exists.")})
    return normalized


def _clean_tag_color(color: str) -> str:
    color = (color or "").strip()
    if color and not COLOR_RE.match(color):
        raise ValidationError({"color": _("Use a colour like #1e90ff.")})
    return color.lower()


def tag_create(*, name: str, color: str = "") -> Tag:
    """A new tag; names are stored lowercase with single spaces, like ``tags_get_or_create`` does."""
    color = _clean_tag_color(color)
    (tag,) = tags_get_or_create([_clean_tag_name(name)])
    if color:
        tag.color = color
        tag.save(update_fields=["color"])
    return tag


def tag_update(*, tag: Tag, changes: Mapping) -> Tag:
    """Rename or recolour a tag (only the keys given: ``name``, ``color``); tickets keep it."""
    fields = []
    if "color" in changes:
        color = _clean_tag_color(changes["color"])
        if color:
            tag.color = color
            fields.append("color")
    if "name" in changes:
        tag.name = _clean_tag_name(changes["name"], exclude_pk=tag.pk)
        fields.append("name")
    if fields:
        tag.save(update_fields=fields)
    return tag


# --- saved views ----------------------------------------------------------------------------
VIEW_FILTER_KEYS = ("status", "priority", "assignee", "department", "tag", "channel", "q", "sort", "requester",
                    "company")


def clean_view_filters(filters: Mapping) -> dict:
    """Only the keys the inbox understands, each checked the way the ticket list checks it."""
    errors = {f"filters.{key}": _("Unknown filter.") for key in filters if key not in VIEW_FILTER_KEYS}
    cleaned: dict = {}
    for key, value in filters.items():
        if key not in VIEW_FILTER_KEYS:
            continue
        if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
            value = ",".join(str(v) for v in value)
        if not isinstance(value, str | int) or isinstance(value, bool):
            errors[f"filters.{key}"] = _("Use a text value or a list of them.")
            continue
        if str(value).strip():
            cleaned[key] = str(value).strip()
    try:
        TicketFilters.from_mapping(cleaned)
    except ValidationError as exc:
        errors.update({f"filters.{k}": v for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_view_name(name: str) -> str:
    name = (name or "").strip()[:100]
    if not name:
        raise ValidationError({"name": _("This field cannot be blank.")})
    return name


def saved_view_create(*, owner, name: str, filters: Mapping, shared: bool = False) -> SavedView:
    """A named inbox filter of ``owner``'s; ``shared`` shows it to every agent."""
    return SavedView.objects.create(owner=owner, name=_clean_view_name(name), filters=clean_view_filters(filters),
                                    shared=shared)


def saved_view_update(*, view: SavedView, changes: Mapping) -> SavedView:
    """Change only the keys given: ``name``, ``filters``, ``shared``. Callers check that the actor owns it."""
    if "name" in changes:
        view.name = _clean_view_name(changes["name"])
    if "filters" in changes:
        view.filters = clean_view_filters(changes["filters"] or {})
    if "shared" in changes:
        view.shared = bool(changes["shared"])
    view.save()
    return view
