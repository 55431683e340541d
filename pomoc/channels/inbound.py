"""The channel-neutral inbound pipeline: what a customer sends through any kind → ticket messages.

A kind's inbound adapter (a webhook view, a poller, a chat consumer) turns what arrives into
``InboundMessage`` objects and hands them to ``receive(inbox=, messages=)``. For each message, in
order, inside ONE transaction per call:

1. dedupe: a message with the same ``external_id`` already stored through this inbox is returned as
   a duplicate and nothing is stored (``Message.external_id`` is unique per inbox: two inboxes of a
   kind may use the same ids);
2. contact: the sender's identity ``(identity_kind, identity_value)``, normalized, finds its contact
   or creates one (``contacts.services.contact_get_or_create``);
3. threading: the strategies in ``threading``, in order, each ``(ThreadContext) -> Ticket | None``;
   the first ticket found wins. ``DEFAULT_THREADING`` is ``(by_thread_key,)``; a kind prepends its
   own strategies and adds ``latest_open_ticket(hours=N)`` when its conversations have no key;
4. store: no ticket found opens one (department = the inbox's, reply route = this inbox and the
   sender's identity); the message, its attachments and its events are written through
   ``tickets.intake.customer_messages_add``, whose live updates go out after the commit.

A message that does not validate (no external id, an identity that is not one, no text and no
attachment, too many or too large attachments…) is rolled back to its savepoint and reported in its
``InboundResult.error``; the others are stored. Database errors propagate (the whole call is rolled
back): the adapter answers its provider with an error and the provider delivers again, which the
dedupe makes harmless. The adapter acknowledges only after ``receive`` returned, so a crash between
the two loses nothing: the redelivery finds the message stored and returns it as a duplicate.

Each message is threaded after the ones before it in the call are written, so a strategy reading
the database (the thread key, the requester's latest ticket) sees them: a conversation's first and
second message in one webhook call end in one ticket. One inbox's calls are stored one after the
other (the inbox row is locked): two messages of a new conversation arriving at once never open two
tickets. Webhook and chat traffic comes a few messages at a time; a kind importing thousands at once
would batch like e-mail does.

**Set-wise.** A call of more than one message, each with a ``thread_key``, whose every strategy has
a set-wise form (its attribute ``many``: ``(list[ThreadContext]) -> list[Ticket | None]``;
``by_thread_key`` has one, ``latest_open_ticket`` has none) is stored at once, in one savepoint and
a handful of queries whatever its size (the live chat's intake hands 50 conversations' lines at a
time): the duplicates in one query, the senders' identities in one per identity kind (a new sender
created as above), the first message of each key threaded by the strategies set-wise and the later
ones of that key put with it (its ticket, or the ticket it opens), everything stored by one
``customer_messages_add``. The results are those of the steps above, message by message. A message
that does not validate, or a value the database refuses (``ValidationError``, ``DataError``,
``IntegrityError``), rolls that savepoint back and the call is stored one message at a time as
above, so that it alone gets its error; other database errors propagate.

**Where the thread key lives.** ``Message.thread_key`` (with a partial index on ``(inbox,
thread_key)``, empty keys left out). The key belongs to a message, not to a ticket: one ticket can
hold several conversations (a second chat session the agent merged in, a provider conversation that
was split), and "the open ticket of this conversation" is exactly "the ticket of the newest message
of this inbox carrying the key". A kind's own raw store would make every kind need a table and make
the neutral strategy not neutral; a ticket column would hold one key per ticket and lose it on merge.

**E-mail.** E-mail keeps its own front half (``pomoc.channels.email.ingest``): the raw bytes stored
first in ``RawMail`` and processed from there (statuses, retries), classification (bounces,
auto-replies, lists never open tickets), dedupe that also recognises our own outgoing Message-IDs
(stored without an inbox), threading by In-Reply-To / References / subject tag with waiting for
questions still pending, and batches of up to 50 mails stored with a few statements for all
(contacts, lookups and the raw-mail marks in bulk). Its hot path must not pay for a savepoint and a
handful of lookups per mail. What it shares with every kind: the common shape (each mail becomes an
``InboundMessage``), the conversion to what the ticket core stores (``incoming``) and the storing
step (``customer_messages_add``). Its new tickets keep choosing their reply route when a reply is
written (``pomoc.channels.routes``: the inbox of the first message), as before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from pomoc.channels.models import Inbox
from pomoc.contacts.models import Contact, Identity
from pomoc.contacts.services import contact_get_or_create, normalize_identity
from pomoc.tickets.attachments import NewAttachment
from pomoc.tickets.intake import Incoming, customer_messages_add
from pomoc.tickets.models import UNRESOLVED_STATUSES, Message, Ticket

__all__ = ["DEFAULT_THREADING", "InboundMessage", "InboundResult", "ThreadContext", "by_thread_key", "incoming",
           "latest_open_ticket", "receive"]

EXTERNAL_ID_MAX = 500
THREAD_KEY_MAX = 200
SUBJECT_FROM_TEXT = 80  # a message without a subject (chat, SMS) names its ticket by its first words


@dataclass(kw_only=True)
class InboundMessage:
    """One customer message as any kind's inbound adapter hands it over.

    ``external_id`` is required: the provider's message id (mail Message-ID, chat client id…),
    unique per inbox, the key that makes redelivery harmless. ``thread_key`` is the kind's
    conversation key (a chat session, a provider's conversation id), "" when it has none. ``meta``
    holds what the kind's own threading strategies read (headers, provider fields); the pipeline
    does not store it (a kind that must keep its raw input keeps it in its own table, as e-mail does).
    ``received_at``: when the provider says it was sent (default: now); the timeline records when
    Pomoc stored it.
    """

    identity_kind: str  # an IdentityKind
    identity_value: str
    external_id: str
    name: str = ""
    subject: str = ""
    text: str = ""
    html: str = ""
    attachments: list[NewAttachment] = field(default_factory=list)
    thread_key: str = ""
    meta: dict = field(default_factory=dict)
    received_at: dt.datetime | None = None


@dataclass(frozen=True)
class InboundResult:
    """What happened to one message: stored (``created`` when it opened its ticket), a duplicate of
    the stored ``message``, or refused with ``error`` (nothing stored)."""

    external_id: str
    message: Message | None = None
    ticket: Ticket | None = None
    created: bool = False
    duplicate: bool = False
    error: str = ""

    @property
    def stored(self) -> bool:
        return self.message is not None and not self.duplicate


@dataclass(frozen=True)
class ThreadContext:
    inbox: Inbox
    message: InboundMessage
    contact: Contact
    identity: Identity
    now: dt.datetime  # the message's received_at, else now


Strategy = Callable[[ThreadContext], Ticket | None]
# A strategy's optional set-wise form, its attribute ``many``: the tickets of many contexts at once, in
# order (None where it finds none), in a few queries whatever their number.
ManyStrategy = Callable[[list[ThreadContext]], list[Ticket | None]]


def follow_merges(ticket: Ticket | None) -> Ticket | None:
    """The ticket a merged ticket was merged into (at most 20 hops), else ``ticket`` itself."""
    hops = 0
    while ticket is not None and ticket.merged_into_id and hops < 20:
        ticket = Ticket.objects.filter(pk=ticket.merged_into_id).first()
        hops += 1
    return ticket


def _open_one(newest: Message | None) -> Ticket | None:
    ticket = follow_merges(newest.ticket) if newest is not None else None
    return ticket if ticket is not None and ticket.status in UNRESOLVED_STATUSES else None


def by_thread_key(ctx: ThreadContext) -> Ticket | None:
    """The open ticket of the newest message of this inbox carrying the same ``thread_key`` (a merged
    ticket leads to the one it was merged into). A resolved conversation starts a new ticket."""
    key = ctx.message.thread_key
    if not key:
        return None
    return _open_one(Message.objects.filter(inbox=ctx.inbox, thread_key=key).order_by("-id")
                     .select_related("ticket").first())


def _by_thread_keys(contexts: list[ThreadContext]) -> list[Ticket | None]:
    """``by_thread_key`` for many contexts: one query for all the keys of an inbox (the newest message
    per key: the greatest id of each key's group), then the merges followed one by one (rare)."""
    newest: dict[tuple[int, str], Message] = {}
    for inbox_id in {ctx.inbox.pk for ctx in contexts}:
        keys = {ctx.message.thread_key for ctx in contexts if ctx.inbox.pk == inbox_id and ctx.message.thread_key}
        if not keys:
            continue
        last_ids = (Message.objects.filter(inbox_id=inbox_id, thread_key__in=keys).order_by()
                    .values("thread_key").annotate(last=Max("id")).values("last"))
        newest.update(((inbox_id, m.thread_key), m) for m in
                      Message.objects.filter(pk__in=last_ids).select_related("ticket").order_by())
    tickets = {key: _open_one(message) for key, message in newest.items()}
    return [tickets.get((ctx.inbox.pk, ctx.message.thread_key)) for ctx in contexts]


by_thread_key.many = _by_thread_keys


def latest_open_ticket(*, hours: float) -> Strategy:
    """A strategy for kinds whose messages carry no conversation key (SMS, a plain web form): the
    requester's open ticket that last heard from them through this inbox within ``hours``."""

    def by_latest_open_ticket(ctx: ThreadContext) -> Ticket | None:
        return (Ticket.objects.filter(requester=ctx.contact, status__in=UNRESOLVED_STATUSES, merged_into__isnull=True,
                                      last_customer_message_at__gte=ctx.now - dt.timedelta(hours=hours),
                                      messages__inbox=ctx.inbox)
                .order_by("-last_customer_message_at", "-id").first())

    by_latest_open_ticket.__qualname__ = f"latest_open_ticket(hours={hours})"
    return by_latest_open_ticket


DEFAULT_THREADING: tuple[Strategy, ...] = (by_thread_key,)


def _subject(message: InboundMessage) -> str:
    if message.subject:
        return message.subject
    first_line = next((line.strip() for line in message.text.splitlines() if line.strip()), "")
    if len(first_line) > SUBJECT_FROM_TEXT:
        first_line = first_line[:SUBJECT_FROM_TEXT].rsplit(" ", 1)[0] + "…"
    return first_line or _("(no subject)")


def incoming(message: InboundMessage, *, inbox: Inbox, contact: Contact, identity: Identity | None = None,
             ticket: Ticket | None = None, joins: int | None = None) -> Incoming:
    """What the ticket core stores for ``message`` (every kind, e-mail included): a customer message
    on ``ticket`` (or on the ticket of the batch's item ``joins``), else a new ticket in the inbox's
    department whose replies go back through ``inbox`` to ``identity`` (when given)."""
    opens = ticket is None and joins is None
    return Incoming(
        contact=contact, channel=inbox.kind, subject=_subject(message), body_text=message.text,
        body_html=message.html, attachments=list(message.attachments), external_id=message.external_id,
        department=inbox.department, ticket=ticket, joins=joins,
        reply_inbox=inbox if opens and identity is not None else None,
        reply_identity=identity if opens else None,
        extra={"inbox": inbox, "thread_key": message.thread_key},
    )


def _reason(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{name}: {' '.join(map(str, errors))}" for name, errors in exc.message_dict.items())
    return " ".join(map(str, exc.messages))


def _checked(message: InboundMessage) -> tuple[str, str]:
    """The message's external id and normalized identity value; ValidationError when unusable."""
    key = message.external_id or ""  # the provider's, as it is: a redelivery brings the same
    if not key.strip():
        raise ValidationError({"external_id": _("A message needs the provider's id (external id).")})
    if len(key) > EXTERNAL_ID_MAX or len(message.thread_key) > THREAD_KEY_MAX:
        raise ValidationError({"external_id": _("The message's id or conversation key is too long.")})
    return key, normalize_identity(message.identity_kind, message.identity_value)


def _duplicate(inbox: Inbox, key: str) -> InboundResult | None:
    existing = (Message.objects.filter(inbox=inbox, external_id=key).select_related("ticket")
                .order_by("id").first())
    if existing is None:
        return None
    return InboundResult(external_id=key, message=existing, ticket=existing.ticket, duplicate=True)


def _without_nul(message: InboundMessage) -> None:
    """NUL characters, which PostgreSQL cannot store in text, become U+FFFD: the message is kept."""
    for name in ("name", "subject", "text", "html", "thread_key"):
        value = getattr(message, name)
        if "\x00" in value:
            setattr(message, name, value.replace("\x00", "\ufffd"))


def _store(inbox: Inbox, message: InboundMessage, threading: Sequence[Strategy]) -> InboundResult:
    _without_nul(message)
    key, value = _checked(message)
    known = _duplicate(inbox, key)
    if known is not None:
        return known
    contact, _created = contact_get_or_create(kind=message.identity_kind, value=value, name=message.name)
    identity = Identity.objects.get(kind=message.identity_kind, value=value)
    context = ThreadContext(inbox=inbox, message=message, contact=contact, identity=identity,
                            now=message.received_at or timezone.now())
    ticket = next((found for strategy in threading if (found := strategy(context)) is not None), None)
    stored = customer_messages_add([incoming(message, inbox=inbox, contact=contact, identity=identity,
                                             ticket=ticket)])[0]
    return InboundResult(external_id=key, message=stored.message, ticket=stored.ticket, created=stored.created)


def _receive_one(inbox: Inbox, message: InboundMessage, threading: Sequence[Strategy]) -> InboundResult:
    try:
        with transaction.atomic():  # a savepoint: a refused message leaves nothing behind
            return _store(inbox, message, threading)
    except ValidationError as exc:
        return InboundResult(external_id=message.external_id, error=_reason(exc))
    except DataError as exc:  # a value the database refuses (e.g. a NUL in the provider's id): this one only
        return InboundResult(external_id=message.external_id,
                             error=_("The database cannot store this message: %(error)s")
                             % {"error": type(exc).__name__})
    except IntegrityError:
        # the same id stored meanwhile by a writer that does not take the inbox lock (the lock
        # serializes ``receive`` calls): look again, it is a duplicate now
        known = _duplicate(inbox, message.external_id or "")
        if known is None:
            raise
        return known


def _many_forms(threading: Sequence[Strategy]) -> list[ManyStrategy] | None:
    forms = [getattr(strategy, "many", None) for strategy in threading]
    return forms if all(form is not None for form in forms) else None


def _store_many(inbox: Inbox, messages: Sequence[InboundMessage], forms: list[ManyStrategy]) -> list[InboundResult]:
    """``_store`` for every message at once (see "Set-wise" in the module docstring); raises what
    ``_store`` would raise for any one of them, and the caller stores them one by one instead."""
    checked = []
    for message in messages:
        _without_nul(message)
        checked.append(_checked(message))
    stored: dict[str, Message] = {}  # the first stored per id, as ``_duplicate`` finds it
    for known in (Message.objects.filter(inbox=inbox, external_id__in={key for key, _value in checked})
                  .select_related("ticket").order_by("id")):
        stored.setdefault(known.external_id, known)
    first_of: dict[str, int] = {}  # an id repeated in the call: a duplicate of its first message
    new = []  # indexes of the messages to store
    for index, (key, _value) in enumerate(checked):
        if key not in stored and key not in first_of:
            first_of[key] = index
            new.append(index)

    # contacts: one query per identity kind; a new sender is created as ``_store`` creates it (rare)
    identities: dict[tuple[str, str], Identity] = {}

    def look_up(wanted: dict[str, set[str]]) -> None:
        for kind, values in wanted.items():
            identities.update(((kind, i.value), i) for i in Identity.objects.select_related("contact")
                              .filter(kind=kind, value__in=values))

    wanted: dict[str, set[str]] = {}
    for index in new:
        wanted.setdefault(messages[index].identity_kind, set()).add(checked[index][1])
    look_up(wanted)
    created: dict[str, set[str]] = {}
    for index in new:
        kind, value = messages[index].identity_kind, checked[index][1]
        if (kind, value) not in identities and value not in created.get(kind, ()):
            contact_get_or_create(kind=kind, value=value, name=messages[index].name)
            created.setdefault(kind, set()).add(value)
    look_up(created)

    # threading: the first message of each thread key by the strategies, the later ones with it
    contexts: dict[int, ThreadContext] = {}
    leader: dict[int, int] = {}  # a message → the first message of its key in this call
    first_of_thread: dict[str, int] = {}
    for index in new:
        message = messages[index]
        leader[index] = first_of_thread.setdefault(message.thread_key, index)
        if leader[index] == index:
            identity = identities[(message.identity_kind, checked[index][1])]
            contexts[index] = ThreadContext(inbox=inbox, message=message, contact=identity.contact,
                                            identity=identity, now=message.received_at or timezone.now())
    found: dict[int, Ticket | None] = dict.fromkeys(contexts)
    for form in forms:
        unthreaded = [index for index, ticket in found.items() if ticket is None]
        if not unthreaded:
            break
        for index, ticket in zip(unthreaded, form([contexts[i] for i in unthreaded]), strict=True):
            found[index] = ticket

    items, position = [], {}
    for index in new:
        message = messages[index]
        identity = identities[(message.identity_kind, checked[index][1])]
        first = leader[index]
        ticket = found[first]  # the first of the key opens one (None) or joins one; the later ones follow it
        joins = position[first] if first != index and ticket is None else None
        position[index] = len(items)
        items.append(incoming(message, inbox=inbox, contact=identity.contact, identity=identity, ticket=ticket,
                              joins=joins))
    written = customer_messages_add(items)

    results = []
    for index, (key, _value) in enumerate(checked):
        if key in stored:
            known = stored[key]
            results.append(InboundResult(external_id=key, message=known, ticket=known.ticket, duplicate=True))
        elif first_of[key] != index:
            earlier = written[position[first_of[key]]]
            results.append(InboundResult(external_id=key, message=earlier.message, ticket=earlier.ticket,
                                         duplicate=True))
        else:
            done = written[position[index]]
            results.append(InboundResult(external_id=key, message=done.message, ticket=done.ticket,
                                         created=done.created))
    return results


def receive(*, inbox: Inbox, messages: Sequence[InboundMessage],
            threading: Sequence[Strategy] = DEFAULT_THREADING) -> list[InboundResult]:
    """Store ``messages`` that arrived through ``inbox`` (see the module docstring); one result per
    message, in order. Database errors propagate and store nothing."""
    with transaction.atomic():
        # one inbox's messages are threaded and stored one call after the other
        list(Inbox.objects.select_for_update().filter(pk=inbox.pk).values_list("pk", flat=True))
        forms = _many_forms(threading)
        if len(messages) > 1 and forms is not None and all(message.thread_key for message in messages):
            try:
                with transaction.atomic():  # a savepoint: one refused message leaves nothing of the others
                    return _store_many(inbox, messages, forms)
            except (ValidationError, DataError, IntegrityError):
                pass  # one by one, each in its savepoint: the refused one gets its error, the others are stored
        return [_receive_one(inbox, message, threading) for message in messages]
