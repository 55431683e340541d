"""The one ingestion pipeline for e-mail: raw bytes in, a ticket message (or a documented refusal) out.

Two steps, so that nothing that arrives can be lost:

1. ``receive_raw(inbox=, raw=)`` stores the bytes (``RawMail``, status ``pending``) in its own
   short transaction before anything else is tried.
2. ``process(raw_mail_id)`` turns a stored mail into a ticket message. It is idempotent: a mail
   already handled returns the same result again; a pending or unprocessable one is tried again.

``process``: parse → classify → noise (bounce, auto-reply, mailing list, spam) never opens a ticket
(status ``ignored``; a bounce of one of our replies notes that ticket, marks the reply failed and the
address's contact as bouncing; an automatic reply to one of our mails is noted in its ticket) →
dedupe by Message-ID per inbox (``duplicate``) → contact by the sender's address (a contact without
an address when the mail has no usable one) → threading (``threading.THREADING``, first strategy
that finds a ticket wins) → a new ticket or a customer message on the found one (``tickets.intake``), stored in
ONE transaction with the ``RawMail`` marked ``stored``. A mail refused for what it is (too many
attachments, bytes with no sender and no header of a mail…: a ``ValidationError``) is marked
``unprocessable`` with the error; its bytes stay. Any other failure of one mail (a value the
database refuses, attachment storage failing, a bug) is recorded by ``failed``: the mail stays
pending and is tried again with backoff (``RawMail.next_attempt_at``), and after
``failures.MAX_ATTEMPTS`` attempts it is kept as ``unprocessable`` with the error. Only a database
outage (``failures.is_outage``) propagates: the caller (the MTA pipe, a worker) retries later.

Text that no database can store (NUL, lone surrogates) is cleaned by ``parsing.parse_mail``. A mail
over the inbox's ``max_message_bytes`` is never parsed whole: only its header block is read
(``header_block``) to classify it and answer its sender (``notices``).

Threading is ``threading.py``; ``batches.process_many(ids)`` (the workers) does what ``process``
does for many mails at once, with the same outcome per mail.

External ids of mail are Message-IDs with their angle brackets (``<id@host>``), as outgoing replies
store theirs (``pomoc.channels.email.outbound``).
"""

from __future__ import annotations

import email
import email.parser
import re
from dataclasses import dataclass
from email import policy
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from pomoc.channels.email import notices
from pomoc.channels.email.classify import Classification, Kind, classify, is_from_ourselves
from pomoc.channels.email.config import EmailInboxConfig
from pomoc.channels.email.failures import MAX_ATTEMPTS, is_outage, retry_delay
from pomoc.channels.email.mime_policy import INCOMING
from pomoc.channels.email.models import RawMail, RawMailStatus
from pomoc.channels.email.parsing import (
    REPAIRED,
    ParsedMail,
    header_block,
    message_ids,
    parse_mail,
    repaired_message,
    storable_text,
)
from pomoc.channels.email.threading import (
    SameBatch,
    Target,
    ThreadContext,
    await_answered,
    awaiting_tickets,
    by_in_reply_to,
    by_references,
    external_id,
    find_ticket,
    gather_awaiting,
    lock_message_ids,
    thread_keys,
    tickets_in_database,
)
from pomoc.channels.inbound import InboundMessage, incoming
from pomoc.channels.models import Inbox
from pomoc.contacts.models import Contact, Identity, IdentityKind
from pomoc.contacts.services import contacts_by_email, identities_mark_bounced, is_valid_email
from pomoc.core.quotes import fold_quoted_html
from pomoc.tickets import services
from pomoc.tickets.attachments import NewAttachment
from pomoc.tickets.intake import Incoming, customer_messages_add
from pomoc.tickets.models import Channel, Message, MessageKind, Ticket

__all__ = ["IngestResult", "process", "receive_raw"]

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
        headers = email.parser.BytesHeaderParser(policy=policy.compat32).parsebytes(header_block(raw))
        value = str(headers.get("Message-ID", "") or "")
    except Exception:
        return ""
    ids = message_ids(value)
    return external_id(ids[0]) if ids else ""


def receive_raw(*, inbox: Inbox, raw: bytes) -> RawMail:
    """Persist one mail exactly as it arrived (status pending). Only database errors can raise."""
    raw = bytes(raw)
    with transaction.atomic():
        return RawMail.objects.create(
            inbox=inbox, raw=raw, sha256=RawMail.digest(raw), size=len(raw),
            message_id_header=_quick_message_id(raw),
        )


_SALVAGE_ADDRESS = re.compile(r"[^\s<>()\[\]\\,;:\"@]+@[^\s<>()\[\]\\,;:\"@]+\.[^\s<>()\[\]\\,;:\"@]+")


def sender_address(parsed: ParsedMail) -> str:
    """The sender's address as contacts store it, or "" when the mail has none we can use: the
    parsed one, else an address found inside a malformed header (``big bug bb@bug.com``)."""
    address = (parsed.from_email or "").strip().lower()
    if is_valid_email(address):
        return address
    for candidate in _SALVAGE_ADDRESS.findall(address):
        if is_valid_email(candidate):
            return candidate
    return ""


def _sender_name(parsed: ParsedMail) -> str:
    """The display name; for a sender without a usable address, whatever the From header held."""
    return (parsed.from_name or "").strip()[:200] or (parsed.from_email or "").strip()[:200] \
        or _("(unknown sender)")


def _nameless(contact: Contact, parsed: ParsedMail) -> None:
    if not contact.name and parsed.from_name:
        contact.name = parsed.from_name.strip()[:200]
        Contact.objects.filter(pk=contact.pk).update(name=contact.name)


def _contact_without_address(parsed: ParsedMail) -> Contact:
    """Mail without a usable sender address still becomes a ticket (nothing is lost); its contact
    has no e-mail identity, so replies say why they cannot be sent and an agent can add one."""
    return Contact.objects.create(name=_sender_name(parsed))


def _storable(parsed: ParsedMail) -> bool:
    """A usable sender, or at least the headers of a mail: bytes with neither (no headers at all)
    are kept as unprocessable instead of opening a ticket of noise."""
    return bool(sender_address(parsed) or parsed.subject or parsed.date or parsed.to or parsed.cc
                or parsed.in_reply_to or parsed.references)


def _sender_of(mail: Mail, contacts: dict[str, Contact] | None = None) -> Contact:
    """The contact of the mail's sender (``contacts``: the batch's, by address; else looked up or
    created now); a contact without an address when the mail has none we can use."""
    parsed = mail.parsed
    address = sender_address(parsed)
    if not address:
        if not _storable(parsed):
            raise ValidationError(_("The mail has no sender address and no mail headers: it is not an e-mail "
                                    "message."))
        return _contact_without_address(parsed)
    contact = (contacts if contacts is not None else contacts_by_email([(address, parsed.from_name)]))[address]
    _nameless(contact, parsed)
    return contact


# --- results ----------------------------------------------------------------------------------
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


def _stored_result(raw_mail_id: int) -> IngestResult:
    return _result_of(RawMail.objects.select_related("message__ticket").get(pk=raw_mail_id))


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        detail = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in exc.message_dict.items()) \
            if hasattr(exc, "error_dict") else " ".join(map(str, exc.messages))
        return storable_text(f"ValidationError: {detail}"[:4000])
    return storable_text(f"{type(exc).__name__}: {exc}"[:4000])


def _kept_copy_of(raw_mail: RawMail) -> int | None:
    """An earlier mail of the same inbox kept as unprocessable that this one is a copy of (the same
    Message-ID, or the same bytes): the MTA delivered it again."""
    same = Q(sha256=raw_mail.sha256)
    if raw_mail.message_id_header:
        same |= Q(message_id_header=raw_mail.message_id_header)
    return (RawMail.objects.filter(same, inbox_id=raw_mail.inbox_id, status=RawMailStatus.UNPROCESSABLE,
                                   pk__lt=raw_mail.pk).order_by("pk").values_list("pk", flat=True).first())


def _unprocessable(raw_mail_id: int, error: str, classification: str = "") -> IngestResult:
    """Keep the mail as unprocessable with ``error``; a redelivered copy of a mail kept so already
    is marked a duplicate of it instead (its bytes stay too), so the list does not grow per delivery."""
    with transaction.atomic():
        raw_mail = (RawMail.objects.select_for_update()
                    .only("id", "status", "classification", "inbox_id", "sha256", "message_id_header")
                    .get(pk=raw_mail_id))
        if raw_mail.status in DONE:  # someone else stored it meanwhile
            return _stored_result(raw_mail_id)
        copy_of = _kept_copy_of(raw_mail)
        if copy_of is not None:
            error = _("A copy of raw mail %(id)d, which is kept as unprocessable: %(error)s") % {
                "id": copy_of, "error": error}
        raw_mail.status = RawMailStatus.DUPLICATE if copy_of is not None else RawMailStatus.UNPROCESSABLE
        raw_mail.error = storable_text(error)
        raw_mail.classification = classification or raw_mail.classification
        raw_mail.processed_at = timezone.now()
        raw_mail.attempts = F("attempts") + 1
        raw_mail.next_attempt_at = None
        raw_mail.save(update_fields=["status", "error", "classification", "processed_at", "attempts",
                                     "next_attempt_at"])
    return IngestResult(ticket_number=None, message_id=None, created=False, duplicate=copy_of is not None,
                        classification=raw_mail.classification or None, status=raw_mail.status)


def failed(raw_mail_id: int, exc: Exception, classification: str = "") -> IngestResult:
    """Record a failed attempt at one mail that is not a database outage (``failures.is_outage``):
    a refusal of the mail itself (``ValidationError``) keeps it as unprocessable at once; anything
    else leaves it pending for another attempt after ``failures.retry_delay``, and the
    ``MAX_ATTEMPTS``-th failure keeps it as unprocessable with the error (a mail already kept as
    unprocessable, tried again by an administrator, stays so). Only this mail is held up."""
    if isinstance(exc, ValidationError):
        return _unprocessable(raw_mail_id, _error_text(exc), classification)
    error = _error_text(exc)
    with transaction.atomic():
        raw_mail = (RawMail.objects.select_for_update().only("id", "status", "attempts", "classification")
                    .get(pk=raw_mail_id))
        if raw_mail.status in DONE:  # someone else stored it meanwhile
            return _stored_result(raw_mail_id)
        if raw_mail.attempts + 1 >= MAX_ATTEMPTS or raw_mail.status == RawMailStatus.UNPROCESSABLE:
            # the last attempt, or an administrator trying a kept mail again: it stays kept
            return _unprocessable(raw_mail_id, _("Failed %(count)d times; last error: %(error)s")
                                  % {"count": raw_mail.attempts + 1, "error": error}, classification)
        raw_mail.attempts += 1
        raw_mail.status = RawMailStatus.PENDING
        raw_mail.error = error
        raw_mail.classification = classification or raw_mail.classification
        raw_mail.next_attempt_at = timezone.now() + retry_delay(raw_mail.attempts)
        raw_mail.save(update_fields=["attempts", "status", "error", "classification", "next_attempt_at"])
    return IngestResult(ticket_number=None, message_id=None, created=False, duplicate=False,
                        classification=raw_mail.classification or None, status=RawMailStatus.PENDING)


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


def _finished(raw_mail: RawMail, status: str, message: Message | None, classification: str, key: str) -> RawMail:
    raw_mail.status = status
    raw_mail.message = message
    raw_mail.classification = classification
    raw_mail.message_id_header = key
    raw_mail.error = ""
    raw_mail.processed_at = timezone.now()
    raw_mail.attempts = F("attempts") + 1
    raw_mail.next_attempt_at = None
    return raw_mail


FINISHED_FIELDS = ["status", "message", "classification", "message_id_header", "error", "processed_at", "attempts",
                   "next_attempt_at"]


def _finish(raw_mail: RawMail, status: str, message: Message | None, classification: str, key: str) -> None:
    _finished(raw_mail, status, message, classification, key).save(update_fields=FINISHED_FIELDS)


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
    marked: list[Identity] = []
    if permanent and failed:
        marked = identities_mark_bounced(kind=IdentityKind.EMAIL, values=failed)
    elif permanent and original is not None and original.kind == MessageKind.REPLY:
        marked = identities_mark_bounced(
            kind=IdentityKind.EMAIL, identity_ids=[original.recipient_id] if original.recipient_id
            else Identity.objects.filter(contact_id=original.ticket.requester_id,
                                         kind=IdentityKind.EMAIL).values_list("pk", flat=True))
    if original is None:
        return None
    reason = _("The mail to %(recipients)s could not be delivered%(status)s.") % {
        "recipients": ", ".join(failed) or _("the customer"),
        "status": f" ({classification.status})" if classification.status else "",
    }
    return services.bounce_record(
        message=original, addresses=failed or [i.value for i in marked], contact_ids=[i.contact_id for i in marked],
        permanent=permanent, status=classification.status, text=reason, channel=Channel.EMAIL, inbox=raw_mail.inbox,
        external_id=key)


def _system_note(raw_mail: RawMail, ticket: Ticket, text: str, key: str) -> Message:
    """A note in the ticket about automatic mail: it neither reopens nor answers anything."""
    return services.system_note_add(ticket=ticket, text=text, channel=Channel.EMAIL, inbox=raw_mail.inbox,
                                    external_id=key)


AUTOMATIC_REPLY_CHARS = 4000


def _automatic_reply(raw_mail: RawMail, mail: Mail) -> Message | None:
    """An automatic reply (out of office…) to one of our mails is noted in that ticket, so that the
    agent sees it ("away until Monday"); it never reopens the ticket and is never answered. Only
    the Message-ID headers count here, not a ticket tag in the subject."""
    if mail.verdict.reason.startswith("loop:"):
        return None
    context = ThreadContext(parsed=mail.parsed, contact=Contact(), inbox=mail.inbox)
    ticket = by_in_reply_to(context) or by_references(context)
    if not isinstance(ticket, Ticket):
        return None
    sender = sender_address(mail.parsed) or _sender_name(mail.parsed)
    text = mail.parsed.text.strip()
    if len(text) > AUTOMATIC_REPLY_CHARS:
        text = text[:AUTOMATIC_REPLY_CHARS] + "…"
    heading = _("Automatic reply from %(sender)s:") % {"sender": sender}
    return _system_note(raw_mail, ticket, f"{heading}\n\n{text}" if text else heading, key=mail.key)


def inbound_message(mail: Mail) -> InboundMessage:
    """The mail in the shape every kind hands over (``pomoc.channels.inbound``)."""
    parsed = mail.parsed
    # quoted history folded into <details> before the services sanitize the HTML (the markers are in class/id)
    text, html = parsed.text, fold_quoted_html(parsed.html)
    attachments = [NewAttachment(file_name=a.file_name, content=a.content, content_type=a.content_type,
                                          content_id=a.content_id) for a in parsed.attachments]
    if not text.strip() and not html.strip() and not attachments:
        text = _("(empty message)")
    return InboundMessage(
        identity_kind=IdentityKind.EMAIL, identity_value=parsed.from_email or "", name=parsed.from_name or "",
        external_id=mail.key, subject=parsed.subject or _("(no subject)"), text=text, html=html,
        attachments=attachments, received_at=mail.raw_mail.received_at,
    )


def _incoming(mail: Mail, contact: Contact, target: Target | None) -> Incoming:
    """What the mail adds: a message on ``target``, or a new ticket in the inbox's department (its
    reply route chosen when a reply is written: ``pomoc.channels.routes``)."""
    return incoming(inbound_message(mail), inbox=mail.inbox, contact=contact,
                    ticket=target if isinstance(target, Ticket) else None,
                    joins=target.index if isinstance(target, SameBatch) else None)


# --- step 2: process --------------------------------------------------------------------------
QUESTION_CHAIN_LIMIT = 20  # questions processed first, one inside the other, at most


@dataclass
class Mail:
    """A kept mail, parsed and classified: what deciding about it needs."""

    raw_mail: RawMail
    parsed: ParsedMail
    verdict: Classification
    key: str  # its Message-ID as messages store it

    @property
    def inbox(self) -> Inbox:
        return self.raw_mail.inbox

    @property
    def kind(self) -> str:
        return str(self.verdict.kind)


class QuestionsFirst(Exception):  # noqa: N818 -- a signal inside the pipeline, not an error
    """The mail answers mails kept but not processed yet: process those first, then this one again."""

    def __init__(self, raw_mail_ids: list[int]):
        super().__init__(raw_mail_ids)
        self.raw_mail_ids = raw_mail_ids


def _pending_questions(raw_mail: RawMail, parsed: ParsedMail, chain: frozenset[int]) -> list[int]:
    """The mails of this inbox that this one answers and that are kept but still pending (their
    receiver is busy with them or died, or a worker has them queued), oldest first. Asked only when
    threading found no ticket, so a usual reply costs nothing extra. ``chain`` holds the mails being
    processed further up, so two mails that name each other never go round in circles."""
    if len(chain) >= QUESTION_CHAIN_LIMIT:
        return []
    return list(
        RawMail.objects.filter(inbox_id=raw_mail.inbox_id, message_id_header__in=thread_keys(parsed),
                               status=RawMailStatus.PENDING)
        .exclude(pk__in=chain).order_by("received_at", "id").values_list("id", flat=True)
    )


def _oversize(raw_mail: RawMail, config: EmailInboxConfig) -> IngestResult:
    """A mail over the inbox's limit: kept as unprocessable, never parsed whole. Only its header
    block is read (``header_block``), to classify it (automatic mail is never answered) and for the
    notice to its sender (``notices``)."""
    classification = ""
    try:
        head = header_block(raw_mail.raw)
        msg = email.message_from_bytes(head, policy=INCOMING)
        ours = _our_addresses(raw_mail.inbox, config)
        verdict = classify(msg, our_addresses=ours)
        if verdict.kind == Kind.HUMAN and is_from_ourselves(msg, ours):
            verdict = Classification(Kind.AUTO_REPLY, "loop:from-ourselves")
        classification = str(verdict.kind)
    except Exception:  # classify promises never to raise: belt and braces, and no notice then
        classification = ""
    result = _unprocessable(raw_mail.pk, _("The mail is larger than the inbox's limit of %(limit)d bytes.")
                            % {"limit": config.max_message_bytes}, classification)
    if result.status == RawMailStatus.UNPROCESSABLE:  # not for a copy delivered again: told once
        notices.oversize_notice_later(raw_mail.pk, classification=classification)  # kept, not lost: tell them
    return result


def _prepare(raw_mail: RawMail) -> Mail | IngestResult:
    """Parse and classify (no transaction); a result already when the mail cannot be stored. A mail
    over the inbox's size limit is never parsed whole (``_oversize``)."""
    inbox = raw_mail.inbox
    config = EmailInboxConfig.from_dict(inbox.config)
    if raw_mail.size > config.max_message_bytes or len(raw_mail.raw) > config.max_message_bytes:
        return _oversize(raw_mail, config)
    raw = bytes(raw_mail.raw)
    try:
        msg = email.message_from_bytes(raw, policy=INCOMING)
        parsed = parse_mail(raw, message=msg)
        if any(defect.startswith(REPAIRED) for defect in parsed.defects):
            msg = repaired_message(raw) or msg  # classified on the headers the parser recovered
        ours = _our_addresses(inbox, config)
        verdict = classify(msg, our_addresses=ours)
        if verdict.kind == Kind.HUMAN and is_from_ourselves(msg, ours):
            # our own mail coming back (a loop): never a ticket, never answered
            verdict = Classification(Kind.AUTO_REPLY, "loop:from-ourselves")
    except Exception as exc:  # both promise never to raise: belt and braces
        return _unprocessable(raw_mail.pk, _error_text(exc))
    return Mail(raw_mail=raw_mail, parsed=parsed, verdict=verdict, key=external_id(parsed.message_id))


def process(raw_mail_id: int) -> IngestResult:
    """Turn one stored mail into a ticket message. Idempotent. A database outage propagates
    (``failures.is_outage``: the mail stays pending); any other failure is this mail's own and is
    recorded (``failed``: pending for a later attempt, or unprocessable after the last one)."""
    try:
        return _process(raw_mail_id, frozenset())
    except Exception as exc:
        if is_outage(exc):
            raise
        return failed(raw_mail_id, exc)


def _process(raw_mail_id: int, chain: frozenset[int], raw_mail: RawMail | None = None) -> IngestResult:
    if raw_mail is None:
        raw_mail = RawMail.objects.select_related("inbox", "message__ticket").get(pk=raw_mail_id)
    if raw_mail.status in DONE:
        return _result_of(raw_mail)
    mail = _prepare(raw_mail)
    return mail if isinstance(mail, IngestResult) else _decide_alone(mail, chain)


def _decide_alone(mail: Mail, chain: frozenset[int]) -> IngestResult:
    """Store one mail in its own transaction (first processing the questions it answers, when
    they are kept but still pending)."""
    raw_mail_id, inbox = mail.raw_mail.pk, mail.inbox
    look_for_questions: frozenset[int] | None = chain | {raw_mail_id}
    while True:
        try:
            with transaction.atomic():
                # the lock serializes workers on this mail; the bytes were read already, not again
                raw_mail = _locked_with_duplicate(raw_mail_id, inbox, mail.key)
                raw_mail.inbox = inbox
                if raw_mail.status in DONE:  # another process got there first
                    return _stored_result(raw_mail_id)
                return _decide(raw_mail, mail, look_for_questions)
        except QuestionsFirst as first:
            for question_id in first.raw_mail_ids:  # whoever stores a question first, the others wait on its lock
                _process(question_id, look_for_questions)
            look_for_questions = None  # then this mail again, once
        except Exception as exc:
            if is_outage(exc):
                raise
            return failed(raw_mail_id, exc, mail.kind)


def _duplicate(raw_mail: RawMail, mail: Mail, message_id: int) -> IngestResult:
    """The mail is a copy of the stored message ``message_id``: marked so, nothing added."""
    existing = Message.objects.select_related("ticket").get(pk=message_id)
    _finish(raw_mail, RawMailStatus.DUPLICATE, existing, mail.kind, mail.key)
    return IngestResult(existing.ticket.number, existing.pk, False, True, mail.kind, RawMailStatus.DUPLICATE)


def _decide(raw_mail: RawMail, mail: Mail, chain: frozenset[int] | None) -> IngestResult:
    """Inside the transaction holding the mail's lock: duplicate, noise, or a ticket message.
    Raises ``QuestionsFirst`` when no ticket was found but the mail answers one still pending
    (``chain``: see ``_pending_questions``; None: do not look)."""
    kind, key = mail.kind, mail.key
    if raw_mail.duplicate_of is not None:
        return _duplicate(raw_mail, mail, raw_mail.duplicate_of)
    if mail.verdict.kind != Kind.HUMAN:
        note = (_bounce(raw_mail, mail.verdict, key) if mail.verdict.kind == Kind.BOUNCE
                else _automatic_reply(raw_mail, mail) if mail.verdict.kind == Kind.AUTO_REPLY else None)
        _finish(raw_mail, RawMailStatus.IGNORED, note, kind, key)
        return IngestResult(note.ticket.number if note else None, note.pk if note else None, False, False, kind,
                            RawMailStatus.IGNORED)
    answered = thread_keys(mail.parsed)
    lock_message_ids({key, *answered})  # before reading: a mail of this conversation stored meanwhile is seen
    contact = _sender_of(mail)
    awaiting = awaiting_tickets(key)  # read once: for threading and for the merge after storing
    answers_stored: list[Target] = []  # what the In-Reply-To/References lookups found

    def known(keys: list[str]) -> Target | None:
        found = tickets_in_database(keys)
        if found is not None:
            answers_stored.append(found)
        return found

    context = ThreadContext(parsed=mail.parsed, contact=contact, inbox=mail.inbox, known=known,
                            awaited_by=lambda _key: awaiting[0] if awaiting else None)
    ticket = find_ticket(context)
    if ticket is None and chain is not None and answered:
        questions = _pending_questions(raw_mail, mail.parsed, chain)
        if questions:
            raise QuestionsFirst(questions)
        # a question committed by another worker between the two looks is found by this one
        ticket = find_ticket(context)
    stored = customer_messages_add([_incoming(mail, contact, ticket)])[0]
    gather_awaiting(stored.ticket, key, awaiting)  # the tickets that awaited this mail are merged in
    if answered and not answers_stored:  # none of the mails it answers is here yet: its ticket awaits them
        await_answered((stored.ticket, answer) for answer in sorted(answered))
    _finish(raw_mail, RawMailStatus.STORED, stored.message, kind, key)
    return IngestResult(stored.ticket.number, stored.message.pk, stored.created, False, kind, RawMailStatus.STORED)

