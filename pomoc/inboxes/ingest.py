"""The one ingestion pipeline for e-mail: raw bytes in, a ticket message (or a documented refusal) out.

Two steps, so that nothing that arrives can be lost:

1. ``receive_raw(inbox=, raw=)`` stores the bytes (``RawMail``, status ``pending``) in its own
   short transaction before anything else is tried.
2. ``process(raw_mail_id)`` turns a stored mail into a ticket message. It is idempotent: a mail
   already handled returns the same result again; a pending or unprocessable one is tried again.

``process``: parse → classify → noise (bounce, auto-reply, mailing list, spam) never opens a ticket
(status ``ignored``; a bounce of one of our replies notes that ticket, marks the reply failed and the
address's contact as bouncing) → dedupe by Message-ID per inbox (``duplicate``) → contact by the
From address → threading (``THREADING``, first strategy that finds a ticket wins) → a new ticket or
a customer message on the found one, stored in ONE transaction with the ``RawMail`` marked
``stored``. Anything that raises while parsing or storing (a mail without a usable sender, too many
attachments…) marks the mail ``unprocessable`` with the error; its bytes stay. Database errors
propagate: the caller (the MTA pipe, a worker) retries later.

External ids of mail are Message-IDs with their angle brackets (``<id@host>``), as outgoing replies
store theirs (``pomoc.tickets.delivery``).
"""

from __future__ import annotations

import email
import email.parser
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email import policy
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import F, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from pomoc.channels.email.classify import Classification, Kind, classify, is_from_ourselves
from pomoc.channels.email.config import EmailInboxConfig
from pomoc.channels.email.parsing import ParsedMail, parse_mail
from pomoc.channels.email.quotes import fold_quoted_html
from pomoc.contacts.models import Contact, Identity, IdentityKind
from pomoc.contacts.services import contact_get_or_create
from pomoc.core.models import OrganisationSettings
from pomoc.core.sanitize import text_to_html
from pomoc.inboxes import notices
from pomoc.inboxes.models import Inbox, RawMail, RawMailStatus
from pomoc.tickets import events, search_index, services
from pomoc.tickets.models import Channel, DeliveryState, Message, MessageKind, Ticket

__all__ = ["THREADING", "IngestResult", "ThreadContext", "process", "process_many", "receive_raw"]

DONE = (RawMailStatus.STORED, RawMailStatus.DUPLICATE, RawMailStatus.IGNORED)


@dataclass(frozen=True)
class IngestResult:
    ticket_number: int | None
    message_id: int | None
    created: bool
    duplicate: bool
    classification: str | None
    status: str

    def as_json(self) -> dict:
        """The line ``pomoc mail ingest`` prints (field names of issue 3)."""
        return {"ticket": self.ticket_number, "message": self.message_id, "created": self.created,
                "duplicate": self.duplicate, "classification": self.classification, "status": self.status}


# --- step 1: keep the bytes -------------------------------------------------------------------
def _quick_message_id(raw: bytes) -> str:
    try:
        headers = email.parser.BytesHeaderParser(policy=policy.compat32).parsebytes(raw[:65536])
        value = str(headers.get("Message-ID", "") or "")
    except Exception:
        return ""
    match = re.search(r"<[^<>\s]+>", value)
    return match.group(0)[:500] if match else ""


def receive_raw(*, inbox: Inbox, raw: bytes) -> RawMail:
    """Persist one mail exactly as it arrived (status pending). Only database errors can raise."""
    raw = bytes(raw)
    with transaction.atomic():
        return RawMail.objects.create(
            inbox=inbox, raw=raw, sha256=RawMail.digest(raw), size=len(raw),
            message_id_header=_quick_message_id(raw),
        )


# --- threading --------------------------------------------------------------------------------
@dataclass(frozen=True)
class ThreadContext:
    parsed: ParsedMail
    contact: Contact
    inbox: Inbox


def external_id(message_id: str) -> str:
    """A Message-ID as messages store it: ``<id@host>``."""
    message_id = (message_id or "").strip().strip("<>").strip()
    return f"<{message_id}>"[:500] if message_id else ""


def _follow_merges(ticket: Ticket | None) -> Ticket | None:
    hops = 0
    while ticket is not None and ticket.merged_into_id and hops < 20:
        ticket = Ticket.objects.get(pk=ticket.merged_into_id)
        hops += 1
    return ticket


def _ticket_by_message_ids(ids: list[str]) -> Ticket | None:
    """The ticket of the first of ``ids`` that is one of our messages (outgoing or stored incoming)."""
    keys = [key for key in (external_id(i) for i in ids) if key]
    if not keys:
        return None
    found = {
        m.external_id: m.ticket
        for m in Message.objects.filter(external_id__in=keys, channel=Channel.EMAIL).select_related("ticket")
    }
    for key in keys:
        if key in found:
            return _follow_merges(found[key])
    return None


def by_in_reply_to(ctx: ThreadContext) -> Ticket | None:
    return _ticket_by_message_ids([ctx.parsed.in_reply_to]) if ctx.parsed.in_reply_to else None


def by_references(ctx: ThreadContext) -> Ticket | None:
    # the newest reference is the last one
    return _ticket_by_message_ids(list(reversed(ctx.parsed.references[-50:])))


def subject_tag_pattern(prefix: str) -> re.Pattern:
    return re.compile(r"\[\s*" + re.escape(prefix) + r"\s*(\d{1,18})\s*\]", re.IGNORECASE)


def by_subject_tag(ctx: ThreadContext) -> Ticket | None:
    """``[#1234]`` in the subject, only when the sender is that ticket's requester or a participant:
    a stranger quoting a ticket number never gets into someone else's ticket."""
    if "[" not in (ctx.parsed.subject or ""):
        return None  # most mail: no need to read the organisation's tag prefix
    prefix = OrganisationSettings.get().ticket_tag_prefix or "#"
    for match in subject_tag_pattern(prefix).finditer(ctx.parsed.subject or ""):
        ticket = Ticket.objects.filter(number=int(match.group(1))).first()
        if ticket is None:
            continue
        if ticket.requester_id == ctx.contact.pk or ticket.participants.filter(pk=ctx.contact.pk).exists():
            return _follow_merges(ticket)
    return None


THREADING: list[Callable[[ThreadContext], Ticket | None]] = [by_in_reply_to, by_references, by_subject_tag]


def find_ticket(ctx: ThreadContext) -> Ticket | None:
    for strategy in THREADING:
        ticket = strategy(ctx)
        if ticket is not None:
            return ticket
    return None


# --- step 2: process --------------------------------------------------------------------------
def _first_message_id(ticket_id: int) -> int | None:
    return Message.objects.filter(ticket_id=ticket_id).order_by("created_at", "id").values_list("id", flat=True).first()


def _result_of(raw_mail: RawMail) -> IngestResult:
    message = raw_mail.message
    ticket_number = message.ticket.number if message is not None else None
    created = bool(
        raw_mail.status == RawMailStatus.STORED and message is not None
        and _first_message_id(message.ticket_id) == message.pk
    )
    return IngestResult(
        ticket_number=ticket_number, message_id=message.pk if message is not None else None, created=created,
        duplicate=raw_mail.status == RawMailStatus.DUPLICATE, classification=raw_mail.classification or None,
        status=raw_mail.status,
    )


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        detail = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in exc.message_dict.items()) \
            if hasattr(exc, "error_dict") else " ".join(map(str, exc.messages))
        return f"ValidationError: {detail}"[:4000]
    return f"{type(exc).__name__}: {exc}"[:4000]


def _unprocessable(raw_mail_id: int, error: str, classification: str = "") -> IngestResult:
    with transaction.atomic():
        raw_mail = RawMail.objects.select_for_update().only("id", "status", "classification").get(pk=raw_mail_id)
        if raw_mail.status in DONE:  # someone else stored it meanwhile
            return _result_of(RawMail.objects.select_related("message__ticket").get(pk=raw_mail_id))
        raw_mail.status = RawMailStatus.UNPROCESSABLE
        raw_mail.error = error
        raw_mail.classification = classification or raw_mail.classification
        raw_mail.processed_at = timezone.now()
        raw_mail.attempts = F("attempts") + 1
        raw_mail.save(update_fields=["status", "error", "classification", "processed_at", "attempts"])
    return IngestResult(ticket_number=None, message_id=None, created=False, duplicate=False,
                        classification=raw_mail.classification or None, status=RawMailStatus.UNPROCESSABLE)


def _our_addresses(inbox: Inbox, config: EmailInboxConfig) -> list[str]:
    return [a.lower() for a in [inbox.address, *config.extra_addresses, parseaddr(settings.DEFAULT_FROM_EMAIL)[1]]
            if a]


def _existing_messages(inbox: Inbox, key: str):
    """The stored messages with this Message-ID: ones that came through this inbox, or our own
    outgoing mail (no inbox) coming back; oldest first."""
    return (Message.objects.filter(external_id=key, channel=Channel.EMAIL)
            .filter(Q(inbox=inbox) | Q(inbox__isnull=True)).order_by("id"))


def _locked_with_duplicate(raw_mail_id: int, inbox: Inbox, key: str) -> RawMail:
    """The mail's row, locked, with ``duplicate_of`` (the id of a stored message with the same
    Message-ID, or None): one round trip for both."""
    return (
        RawMail.objects.select_for_update()
        .annotate(duplicate_of=Subquery(_existing_messages(inbox, key).values("id")[:1]))
        .only("id", "status", "inbox_id").get(pk=raw_mail_id)
    )


def _finish(raw_mail: RawMail, status: str, message: Message | None, classification: str, key: str) -> None:
    raw_mail.status = status
    raw_mail.message = message
    raw_mail.classification = classification
    raw_mail.message_id_header = key
    raw_mail.error = ""
    raw_mail.processed_at = timezone.now()
    raw_mail.attempts = F("attempts") + 1
    raw_mail.save(update_fields=["status", "message", "classification", "message_id_header", "error",
                                 "processed_at", "attempts"])


def _bounce(raw_mail: RawMail, classification: Classification, key: str) -> Message | None:
    """Mark the bouncing addresses' contacts and note the ticket whose reply bounced (if ours)."""
    permanent = not classification.status.startswith("4")
    failed = [a.strip().lower() for a in classification.failed_recipients if a and "@" in a]
    original = (
        Message.objects.filter(external_id=external_id(classification.original_message_id or ""),
                               channel=Channel.EMAIL)
        .exclude(external_id="").select_related("ticket", "ticket__requester").order_by("id").first()
        if classification.original_message_id else None
    )
    if permanent and failed:
        contact_ids = Identity.objects.filter(kind=IdentityKind.EMAIL, value__in=failed).values_list("contact_id")
        Contact.objects.filter(pk__in=contact_ids).update(bounced=True)
    elif permanent and original is not None and original.kind == MessageKind.REPLY:
        Contact.objects.filter(pk=original.ticket.requester_id).update(bounced=True)
    if original is None:
        return None
    reason = _("The mail to %(recipients)s could not be delivered%(status)s.") % {
        "recipients": ", ".join(failed) or _("the customer"),
        "status": f" ({classification.status})" if classification.status else "",
    }
    if original.kind == MessageKind.REPLY and original.delivery_state == DeliveryState.SENT and permanent:
        Message.objects.filter(pk=original.pk).update(delivery_state=DeliveryState.FAILED,
                                                      delivery_error=reason[:1000])
    now = timezone.now()
    note = Message.objects.create(
        ticket=original.ticket, kind=MessageKind.SYSTEM, channel=Channel.EMAIL, body_text=reason,
        body_html=text_to_html(reason), external_id=key, inbox=raw_mail.inbox, created_at=now,
    )
    events.message_added(note, None)
    search_index.refresh([original.ticket_id])
    return note


def _attachments(parsed: ParsedMail) -> list[services.NewAttachment]:
    return [services.NewAttachment(file_name=a.file_name, content=a.content, content_type=a.content_type,
                                   content_id=a.content_id) for a in parsed.attachments]


def _store(raw_mail: RawMail, parsed: ParsedMail, key: str, classification: str,
           chain: frozenset[int] | None) -> tuple[Message, bool]:
    """Contact, threading and the message; called inside the transaction that marks the mail stored.
    Raises ``QuestionsFirst`` when no ticket was found but the mail answers one still pending
    (``chain``: see ``_pending_questions``; None: do not look)."""
    inbox = raw_mail.inbox
    contact, _created = contact_get_or_create(kind=IdentityKind.EMAIL, value=parsed.from_email,
                                              name=parsed.from_name)
    if not contact.name and parsed.from_name:
        Contact.objects.filter(pk=contact.pk).update(name=parsed.from_name.strip()[:200])
    # quoted history folded into <details> before the services sanitize the HTML (the markers are in class/id)
    text, html, attachments = parsed.text, fold_quoted_html(parsed.html), _attachments(parsed)
    if not text.strip() and not html.strip() and not attachments:
        text = _("(empty message)")
    context = ThreadContext(parsed=parsed, contact=contact, inbox=inbox)
    ticket = find_ticket(context)
    if ticket is None and chain is not None and _thread_keys(parsed):
        questions = _pending_questions(raw_mail, parsed, chain)
        if questions:
            raise QuestionsFirst(questions)
        # a question committed by another worker between the two looks is found by this one
        ticket = find_ticket(context)
    if ticket is not None:
        message = services.message_add(
            ticket=ticket, kind=MessageKind.CUSTOMER, author_contact=contact, body_text=text, body_html=html,
            channel=Channel.EMAIL, attachments=attachments, external_id=key,
        )
        if contact.pk != ticket.requester_id:
            ticket.participants.add(contact)
        created = False
    else:
        ticket = services.ticket_create(
            requester=contact, subject=parsed.subject or _("(no subject)"), body_text=text, body_html=html,
            channel=Channel.EMAIL, department=inbox.department, attachments=attachments, external_id=key,
        )
        message = ticket.messages.get()
        created = True
    Message.objects.filter(pk=message.pk).update(inbox=inbox)
    message.inbox = inbox
    _finish(raw_mail, RawMailStatus.STORED, message, classification, key)
    return message, created


QUESTION_CHAIN_LIMIT = 20  # questions processed first, one inside the other, at most
PRELOAD = 20  # mails read from the database at once by process_many


class QuestionsFirst(Exception):  # noqa: N818 -- a signal inside the pipeline, not an error
    """The mail answers mails kept but not processed yet: process those first, then this one again."""

    def __init__(self, raw_mail_ids: list[int]):
        super().__init__(raw_mail_ids)
        self.raw_mail_ids = raw_mail_ids


def _thread_keys(parsed: ParsedMail) -> set[str]:
    return {external_id(i) for i in [parsed.in_reply_to, *parsed.references[-50:]]} - {""}


def _pending_questions(raw_mail: RawMail, parsed: ParsedMail, chain: frozenset[int]) -> list[int]:
    """The mails of this inbox that this one answers and that are kept but still pending (their
    receiver is busy with them or died, or a worker has them queued), oldest first. Asked only when
    threading found no ticket, so a usual reply costs nothing extra. ``chain`` holds the mails being
    processed further up, so two mails that name each other never go round in circles."""
    if len(chain) >= QUESTION_CHAIN_LIMIT:
        return []
    return list(
        RawMail.objects.filter(inbox_id=raw_mail.inbox_id, message_id_header__in=_thread_keys(parsed),
                               status=RawMailStatus.PENDING)
        .exclude(pk__in=chain).order_by("received_at", "id").values_list("id", flat=True)
    )


def process(raw_mail_id: int) -> IngestResult:
    """Turn one stored mail into a ticket message. Idempotent; database errors propagate."""
    return _process(raw_mail_id, frozenset())


def process_many(raw_mail_ids: list[int]) -> Iterator[IngestResult]:
    """``process`` each mail in turn (a worker's batch), reading them from the database a few at a
    time. Stops at the first database error (it propagates)."""
    for start in range(0, len(raw_mail_ids), PRELOAD):
        chunk = raw_mail_ids[start:start + PRELOAD]
        loaded = RawMail.objects.select_related("inbox", "message__ticket").in_bulk(chunk)
        for raw_mail_id in chunk:
            if raw_mail_id in loaded:
                yield _process(raw_mail_id, frozenset(), loaded[raw_mail_id])


def _process(raw_mail_id: int, chain: frozenset[int], raw_mail: RawMail | None = None) -> IngestResult:
    if raw_mail is None:
        raw_mail = RawMail.objects.select_related("inbox", "message__ticket").get(pk=raw_mail_id)
    if raw_mail.status in DONE:
        return _result_of(raw_mail)
    raw = bytes(raw_mail.raw)
    inbox = raw_mail.inbox
    config = EmailInboxConfig.from_dict(inbox.config)
    try:
        msg = email.message_from_bytes(raw, policy=policy.default)
        parsed = parse_mail(raw, message=msg)
        ours = _our_addresses(inbox, config)
        verdict = classify(msg, our_addresses=ours)
        if verdict.kind == Kind.HUMAN and is_from_ourselves(msg, ours):
            # our own mail coming back (a loop): never a ticket, never answered
            verdict = Classification(Kind.AUTO_REPLY, "loop:from-ourselves")
    except Exception as exc:  # both promise never to raise: belt and braces
        return _unprocessable(raw_mail_id, _error_text(exc))
    kind = str(verdict.kind)
    if len(raw) > config.max_message_bytes:
        result = _unprocessable(raw_mail_id, _("The mail is larger than the inbox's limit of %(limit)d bytes.")
                                % {"limit": config.max_message_bytes}, kind)
        notices.oversize_notice_later(raw_mail_id, classification=kind)  # kept, not lost: tell the sender
        return result
    key = external_id(parsed.message_id)
    look_for_questions: frozenset[int] | None = chain | {raw_mail_id}
    while True:
        try:
            with transaction.atomic():
                # the lock serializes workers on this mail; the bytes were read above, not again
                raw_mail = _locked_with_duplicate(raw_mail_id, inbox, key)
                raw_mail.inbox = inbox
                if raw_mail.status in DONE:  # another process got there first
                    result = None
                else:
                    result = _decide(raw_mail, parsed, verdict, key, kind, look_for_questions)
        except QuestionsFirst as first:
            for question_id in first.raw_mail_ids:  # whoever stores a question first, the others wait on its lock
                _process(question_id, look_for_questions)
            look_for_questions = None  # then this mail again, once
            continue
        except DatabaseError:
            raise
        except Exception as exc:
            return _unprocessable(raw_mail_id, _error_text(exc), kind)
        break
    if result is None:
        return _result_of(RawMail.objects.select_related("message__ticket").get(pk=raw_mail_id))
    return result


def _decide(raw_mail: RawMail, parsed: ParsedMail, verdict: Classification, key: str, kind: str,
            chain: frozenset[int] | None) -> IngestResult:
    """Inside the transaction holding the mail's lock: duplicate, noise, or a ticket message."""
    if raw_mail.duplicate_of is not None:
        existing = Message.objects.select_related("ticket").get(pk=raw_mail.duplicate_of)
        _finish(raw_mail, RawMailStatus.DUPLICATE, existing, kind, key)
        return IngestResult(existing.ticket.number, existing.pk, False, True, kind, RawMailStatus.DUPLICATE)
    if verdict.kind != Kind.HUMAN:
        note = _bounce(raw_mail, verdict, key) if verdict.kind == Kind.BOUNCE else None
        _finish(raw_mail, RawMailStatus.IGNORED, note, kind, key)
        return IngestResult(note.ticket.number if note else None, note.pk if note else None, False, False, kind,
                            RawMailStatus.IGNORED)
    message, created = _store(raw_mail, parsed, key, kind, chain)
    return IngestResult(message.ticket.number, message.pk, created, False, kind, RawMailStatus.STORED)
