"""Customer messages arriving from a channel, many at once.

A mail worker stores a whole batch of incoming mail in one transaction. Each item has the effects
``services.ticket_create`` (a new ticket) or ``services.message_add(kind=CUSTOMER)`` (a message on
a ticket) would have, in the order given, but the batch costs a handful of queries instead of a
dozen per message: ticket numbers reserved together, tickets, messages and events inserted in one
statement each, the joined tickets locked and moved on together, the search documents rebuilt in
one statement; ``dispatch`` hands all of the batch's events to live updates in one go after commit.

Any item that does not validate raises before anything is written (the caller then stores the
batch one by one, so that one bad message never holds up the others).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from pomoc.accounts.models import Department
from pomoc.contacts.models import Contact, Identity
from pomoc.tickets import events, search_index
from pomoc.tickets.attachments import NewAttachment, store_attachments, validate_attachments
from pomoc.tickets.models import (
    REOPENED_BY_CUSTOMER,
    DeliveryState,
    Message,
    MessageKind,
    Priority,
    Status,
    Ticket,
    TicketEvent,
)
from pomoc.tickets.numbers import reserve_ticket_numbers
from pomoc.tickets.services import bodies, change_status, clean_subject


@dataclass
class Incoming:
    """One customer message on its way in.

    ``ticket``: the ticket it joins (a threading result); ``joins``: else the index of an earlier
    item of the same batch whose ticket it joins (a reply arriving with its question); neither:
    it opens a ticket with ``subject`` in ``department`` and, when given, the reply route
    ``reply_inbox`` + ``reply_identity`` (one of ``contact``'s identities; unset, the channel platform
    chooses one when a reply is written).
    """

    contact: Contact
    channel: str
    subject: str = ""
    body_text: str = ""
    body_html: str = ""
    attachments: list[NewAttachment] = field(default_factory=list)
    external_id: str = ""
    department: Department | None = None
    ticket: Ticket | None = None
    joins: int | None = None
    reply_inbox: Model | None = None  # an inboxes.Inbox (tickets never import a channel)
    reply_identity: Identity | None = None
    extra: dict = field(default_factory=dict)  # Message fields the channel sets (e.g. ``inbox``)


@dataclass(frozen=True)
class Stored:
    message: Message
    ticket: Ticket
    created: bool


def _validated(items: list[Incoming]) -> list[tuple[str, str, list[NewAttachment]]]:
    checked = []
    for index, item in enumerate(items):
        if item.ticket is None and item.joins is None:
            item.subject = clean_subject(item.subject)
            if item.reply_identity is not None and item.reply_identity.contact_id != item.contact.pk:
                raise ValidationError({"reply_identity": _("Replies can only go to one of the requester's "
                                                           "addresses.")})
        elif item.joins is not None and not 0 <= item.joins < index:
            raise ValueError(f"item {index} joins item {item.joins}, which is not an earlier one")
        elif item.ticket is not None and item.ticket.merged_into_id:
            raise ValidationError({"ticket": _("This ticket was merged into #%(number)s; write there.")
                                   % {"number": item.ticket.merged_into.number}})
        attachments = validate_attachments(item.attachments)
        text, html = bodies(item.body_text, item.body_html)
        if not text.strip() and not attachments:
            raise ValidationError({"body": _("A message needs text or an attachment.")})
        checked.append((text, html, attachments))
    return checked


def customer_messages_add(items: list[Incoming]) -> list[Stored]:
    """Store every item (see the module); one result per item, in order. Validation errors raise
    before anything is written; database errors roll the whole batch back."""
    if not items:
        return []
    checked = _validated(items)
    with transaction.atomic():
        now = timezone.now()
        locked = _locked_targets(items)
        opening = [i for i in items if i.ticket is None and i.joins is None]
        first_number = reserve_ticket_numbers(len(opening)) if opening else 0
        new_tickets = Ticket.objects.bulk_create([
            Ticket(number=first_number + n, subject=item.subject, channel=item.channel, requester=item.contact,
                   department=item.department, priority=Priority.NORMAL, custom_fields={}, created_at=now,
                   updated_at=now, status=Status.NEW, last_customer_message_at=now,
                   reply_inbox=item.reply_inbox, reply_identity=item.reply_identity)
            for n, item in enumerate(opening)
        ])
        opened = iter(new_tickets)
        tickets: list[Ticket] = []
        for item in items:
            if item.ticket is not None:
                tickets.append(locked[item.ticket.pk])
            elif item.joins is not None:
                tickets.append(tickets[item.joins])
            else:
                tickets.append(next(opened))
        messages = Message.objects.bulk_create([
            Message(ticket=ticket, kind=MessageKind.CUSTOMER, channel=item.channel, author_contact=item.contact,
                    body_text=text, body_html=html, external_id=item.external_id[:500],
                    delivery_state=DeliveryState.NONE, created_at=now, **item.extra)
            for item, ticket, (text, html, _attachments) in zip(items, tickets, checked, strict=True)
        ])
        store_attachments((message, attachment) for message, (_text, _html, attachments)
                          in zip(messages, checked, strict=True) for attachment in attachments)
        participant_events = _add_participants(items, tickets)
        events.record_many([events.ticket_created_event(t, None) for t in new_tickets]
                           + [events.message_added_event(m, None) for m in messages] + participant_events)
        _move_on(list({t.pk: t for t in locked.values()}.values()), now)
        search_index.refresh(t.pk for t in tickets)
        created_ids = {t.pk for t in new_tickets}
    seen: set[int] = set()
    results = []
    for message, ticket in zip(messages, tickets, strict=True):
        results.append(Stored(message=message, ticket=ticket, created=ticket.pk in created_ids
                              and ticket.pk not in seen))
        seen.add(ticket.pk)
    return results


def _locked_targets(items: list[Incoming]) -> dict[int, Ticket]:
    """The tickets the items join, locked, by the pk the items name. A ticket merged meanwhile (after
    threading found it, before this lock) leads to the one it was merged into, so that no message
    lands in a merged ticket."""
    wanted = {i.ticket.pk for i in items if i.ticket is not None}
    # one order: no deadlock between two batches
    locked = Ticket.objects.select_for_update().order_by("pk").in_bulk(wanted)
    for pk in wanted:
        ticket, hops = locked[pk], 0
        while ticket.merged_into_id and hops < 20:
            into = ticket.merged_into_id
            ticket = locked.get(into) or Ticket.objects.select_for_update().get(pk=into)
            hops += 1
        locked[pk] = ticket
    return locked


def _move_on(joined: list[Ticket], now) -> None:
    """What a customer writing does to a ticket that existed before the batch: it is updated, a
    resolved, closed or pending one opens again (with its status event)."""
    plain: list[int] = []
    for ticket in joined:
        update = {"updated_at": now, "last_customer_message_at": now}
        if ticket.status in REOPENED_BY_CUSTOMER:
            change_status(ticket, Status.OPEN, None, now, update)
            Ticket.objects.filter(pk=ticket.pk).update(**update)
        else:
            plain.append(ticket.pk)
        for key, value in update.items():
            setattr(ticket, key, value)
    if plain:
        Ticket.objects.filter(pk__in=plain).update(updated_at=now, last_customer_message_at=now)


def _add_participants(items: list[Incoming], tickets: list[Ticket]) -> list[TicketEvent]:
    """Copy on each ticket the senders who are not its requester; the events (not saved yet) of
    those who were not copied on it before."""
    through = Ticket.participants.through
    by_pk = {t.pk: t for t in tickets}
    links = {(t.pk, i.contact.pk) for i, t in zip(items, tickets, strict=True) if i.contact.pk != t.requester_id}
    if not links:
        return []
    existing = set(through.objects.filter(ticket_id__in={t for t, _c in links}, contact_id__in={c for _t, c in links})
                   .values_list("ticket_id", "contact_id"))
    new = sorted(links - existing)
    through.objects.bulk_create([through(ticket_id=t, contact_id=c) for t, c in new], ignore_conflicts=True)
    return [events.participant_added_event(by_pk[t], c, None) for t, c in new]
