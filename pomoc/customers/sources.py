"""What tickets and surveys hold of a person, as sources of the contact's timeline and of its
export, erasure and merge (pomoc.contacts.registry). A new app adds its own the same way; each source
costs one query per timeline page whatever the contact's history.
"""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from pomoc.contacts.models import Contact
from pomoc.contacts.registry import Cursor, PersonalData, TimelineEntry, TimelineSource
from pomoc.core.transactional_files import delete_after_commit
from pomoc.drafts.models import Draft
from pomoc.surveys.models import Answer, Invitation
from pomoc.tickets import search_index
from pomoc.tickets.models import Attachment, Channel, EventType, Message, MessageKind, Ticket, TicketEvent
from pomoc.tickets.permissions import visible_tickets

ERASED_SUBJECT = "—"
# events whose data may quote the person (a subject, a field's value, a delivery error naming an address)
SCRUBBED_EVENTS = {EventType.SUBJECT_CHANGED: ("from", "to"), EventType.CUSTOM_FIELDS_CHANGED: ("from", "to"),
                   EventType.DELIVERY_FAILED: ("error",), EventType.DELIVERY_QUEUED: ("error",)}


def older_than(cursor: Cursor | None, prefix: str, at_field: str) -> Q:
    """Rows strictly after ``cursor`` in the timeline's order (newest first; keys "prefix:000000000042")."""
    if cursor is None:
        return Q()
    same = f"{prefix}:"
    if cursor.key.startswith(same):
        try:
            last = int(cursor.key[len(same):])
        except ValueError:
            last = 0
        same_moment = Q(**{at_field: cursor.at, "pk__lt": last})
    elif same < cursor.key:
        same_moment = Q(**{at_field: cursor.at})
    else:
        same_moment = Q(pk__in=[])
    return Q(**{f"{at_field}__lt": cursor.at}) | same_moment


def key(prefix: str, pk: int) -> str:
    return f"{prefix}:{pk:012d}"


# --- tickets and chats --------------------------------------------------------------------------------
def ticket_entries(contact: Contact, viewer, before: Cursor | None, limit: int) -> list[TimelineEntry]:
    tickets = (visible_tickets(viewer).filter(requester=contact).filter(older_than(before, "ticket", "created_at"))
               .only("pk", "number", "subject", "status", "channel", "created_at")
               .order_by("-created_at", "-pk")[:limit])
    entries = []
    for ticket in tickets:
        chat = ticket.channel == Channel.CHAT
        entries.append(TimelineEntry(
            at=ticket.created_at, key=key("ticket", ticket.pk), kind="chat" if chat else "ticket",
            label=_("Chat") if chat else ticket.get_channel_display(), title=f"#{ticket.number} {ticket.subject}",
            url=reverse("tickets:detail", args=[ticket.number]), status=ticket.get_status_display(),
            extra={"status": ticket.status}))
    return entries


def answer_entries(contact: Contact, viewer, before: Cursor | None, limit: int) -> list[TimelineEntry]:
    visible = Q(ticket__isnull=True) | Q(ticket__in=visible_tickets(viewer).values("pk"))
    answers = (Answer.objects.filter(contact=contact).filter(visible)
               .filter(older_than(before, "answer", "answered_at")).order_by("-answered_at", "-pk")[:limit])
    return [TimelineEntry(at=a.answered_at, key=key("answer", a.pk), kind="answer", label=_("Survey answer"),
                          title=f"{a.get_kind_display()} {a.score}", detail=a.comment[:300]) for a in answers]


TIMELINE = [TimelineSource("tickets", ticket_entries), TimelineSource("survey_answers", answer_entries)]


# --- personal data: tickets and their messages ---------------------------------------------------------
def _export_tickets(contact: Contact) -> list[dict]:
    rows = []
    tickets = Ticket.objects.filter(Q(requester=contact) | Q(participants=contact)).distinct().order_by("pk")
    public = [MessageKind.CUSTOMER, MessageKind.REPLY]
    for ticket in tickets.prefetch_related("messages"):
        rows.append({
            "number": ticket.number, "subject": ticket.subject, "status": ticket.status, "channel": ticket.channel,
            "created_at": ticket.created_at, "requester": ticket.requester_id == contact.pk,
            "messages": [{"kind": m.kind, "channel": m.channel, "created_at": m.created_at, "text": m.body_text,
                          "from_you": m.author_contact_id == contact.pk,
                          "attachments": [a.file_name for a in m.attachments.all()]}
                         for m in ticket.messages.all() if m.kind in public],
        })
    return rows


def _files_tickets(contact: Contact):
    attachments = Attachment.objects.filter(message__author_contact=contact).order_by("pk")
    for attachment in attachments.iterator():
        yield f"{attachment.pk}-{attachment.file_name}", attachment.file


def _erase_tickets(contact: Contact) -> int:
    """Blank the person's messages (all messages of their own tickets: replies quote them), drop
    their attachments and raw mail, and scrub the subjects; tickets, messages and events stay, so
    every metric counts as before."""
    own = list(Ticket.objects.filter(requester=contact).values_list("pk", flat=True))
    messages = Message.objects.filter(Q(ticket_id__in=own) | Q(author_contact=contact))
    message_ids = list(messages.values_list("pk", flat=True))
    attachments = list(Attachment.objects.filter(message_id__in=message_ids))
    files = [a.file.name for a in attachments if a.file]
    touched = Message.objects.filter(pk__in=message_ids).update(
        body_text="", body_html="", cc=[], bcc=[], forward_to=[], delivery_error="")
    touched += Attachment.objects.filter(pk__in=[a.pk for a in attachments]).delete()[0]
    # the raw mail kept of each message (its headers name the person), where the e-mail channel keeps it
    touched += sum(m.objects.filter(message_id__in=message_ids).delete()[0] for m in _raw_models())
    touched += Ticket.objects.filter(pk__in=own).update(subject=ERASED_SUBJECT, custom_fields={})
    for event in TicketEvent.objects.filter(ticket_id__in=own, type__in=list(SCRUBBED_EVENTS)):
        event.data = {k: ("" if k in SCRUBBED_EVENTS[event.type] else v) for k, v in event.data.items()}
        TicketEvent.objects.filter(pk=event.pk).update(data=event.data)
        touched += 1
    touched += Draft.objects.filter(ticket_id__in=own).delete()[0]
    Ticket.participants.through.objects.filter(contact_id=contact.pk).delete()
    if search_index.enabled():
        search_index.refresh(own + list(messages.values_list("ticket_id", flat=True).distinct()))

    # a file that cannot be deleted is logged; the attachment sweep removes what is left
    delete_after_commit(Attachment._meta.get_field("file").storage, files)
    return touched


def _raw_models() -> list:
    """Models that keep a message's raw source (a ``message`` foreign key and a ``raw`` field), found by
    their shape: the customer side never names a channel kind."""
    from django.apps import apps

    return [m for m in apps.get_models() if {f.name for f in m._meta.get_fields()} >= {"message", "raw"}
            and m._meta.get_field("message").related_model is Message]


def _move_tickets(source: Contact, target: Contact) -> dict:
    tickets = list(Ticket.objects.filter(requester=source).values_list("pk", flat=True))
    messages = list(Message.objects.filter(author_contact=source).values_list("pk", flat=True))
    through = Ticket.participants.through
    participating = list(through.objects.filter(contact_id=source.pk).values_list("ticket_id", flat=True))
    already = set(through.objects.filter(contact_id=target.pk, ticket_id__in=participating)
                  .values_list("ticket_id", flat=True))
    Ticket.objects.filter(pk__in=tickets).update(requester=target)
    Message.objects.filter(pk__in=messages).update(author_contact=target)
    through.objects.filter(contact_id=source.pk).delete()
    added = [t for t in participating if t not in already]
    through.objects.bulk_create([through(ticket_id=t, contact_id=target.pk) for t in added])
    return {"tickets": tickets, "messages": messages, "participating": participating, "participants_added": added}


def _restore_tickets(target: Contact, source: Contact, record: dict) -> None:
    Ticket.objects.filter(pk__in=record.get("tickets", []), requester=target).update(requester=source)
    Message.objects.filter(pk__in=record.get("messages", []), author_contact=target).update(author_contact=source)
    through = Ticket.participants.through
    through.objects.filter(contact_id=target.pk, ticket_id__in=record.get("participants_added", [])).delete()
    existing = set(Ticket.objects.filter(pk__in=record.get("participating", [])).values_list("pk", flat=True))
    through.objects.bulk_create([through(ticket_id=t, contact_id=source.pk) for t in existing], ignore_conflicts=True)


# --- personal data: survey answers and invitations ---------------------------------------------------
def _export_answers(contact: Contact) -> list[dict]:
    return [{"kind": a.kind, "score": a.score, "comment": a.comment, "answered_at": a.answered_at,
             "ticket": a.ticket.number if a.ticket_id else None}
            for a in Answer.objects.filter(contact=contact).select_related("ticket").order_by("pk")]


def _erase_answers(contact: Contact) -> int:
    # the score stays (reports count it); the words go
    return Answer.objects.filter(contact=contact).update(comment="") + \
        Invitation.objects.filter(contact=contact).update(send_error="")


def _move_answers(source: Contact, target: Contact) -> dict:
    answers = list(Answer.objects.filter(contact=source).values_list("pk", flat=True))
    invitations = list(Invitation.objects.filter(contact=source).values_list("pk", flat=True))
    Answer.objects.filter(pk__in=answers).update(contact=target)
    Invitation.objects.filter(pk__in=invitations).update(contact=target)
    return {"answers": answers, "invitations": invitations}


def _restore_answers(target: Contact, source: Contact, record: dict) -> None:
    Answer.objects.filter(pk__in=record.get("answers", []), contact=target).update(contact=source)
    Invitation.objects.filter(pk__in=record.get("invitations", []), contact=target).update(contact=source)


PERSONAL_DATA = [
    PersonalData("tickets", export=_export_tickets, erase=_erase_tickets, files=_files_tickets,
                 move=_move_tickets, restore=_restore_tickets),
    PersonalData("survey_answers", export=_export_answers, erase=_erase_answers,
                 move=_move_answers, restore=_restore_answers),
]
