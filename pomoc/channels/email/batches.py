"""Batched ingestion for the workers: many stored mails at once, the same outcome as one by one.

``process_many(ids)`` reads up to ``BATCH`` pending mails (at most ``BATCH_BYTES`` of them) and
stores the human mail among them in ONE transaction with a few statements for all of them
(``_store_together``: contacts, ticket numbers, tickets, messages, attachments, events,
participants, search documents and the raw mails' new status). Threading inside a batch may point
at an earlier mail of the same batch (``threading.SameBatch``); a reply whose question is still
pending elsewhere waits for the next batch; a mail that tickets await (its replies came first:
``threading``, both directions) is stored alone right after the batch. Noise, mail that cannot be
stored, and every mail of a batch that fails for any reason (a deadlock too) go through
``ingest.process`` one by one, so the outcome per mail is the same either way.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db import connection, transaction
from django.utils import timezone

from pomoc.channels.email.classify import Kind
from pomoc.channels.email.ingest import (  # the per-mail steps this module runs for many mails at once
    DONE,
    QUESTION_CHAIN_LIMIT,
    IngestResult,
    Mail,
    _decide_alone,
    _duplicate,
    _finished,
    _incoming,
    _prepare,
    _result_of,
    _sender_of,
    _storable,
    _stored_result,
    sender_address,
)
from pomoc.channels.email.models import AwaitedMail, RawMail, RawMailStatus
from pomoc.channels.email.threading import (
    SameBatch,
    Target,
    ThreadContext,
    await_answered,
    find_ticket,
    lock_message_ids,
    thread_keys,
)
from pomoc.channels.inbound import follow_merges
from pomoc.contacts.models import Contact
from pomoc.contacts.services import contacts_by_email
from pomoc.core.upsert import typed_values
from pomoc.tickets.intake import Incoming, customer_messages_add
from pomoc.tickets.models import Channel, Message, Ticket

BATCH = 50  # mails stored in one transaction by process_many
BATCH_BYTES = 16 * 1024 * 1024  # ...and at most this many bytes of them read at once


def _save_finished(raw_mails: list[RawMail]) -> None:
    """``_finish`` for many mails in one statement. (``bulk_update`` builds a CASE per row and
    field: about 2 ms of Python per mail.) ``UPDATE … FROM (VALUES …)``: PostgreSQL and SQLite ≥ 3.33."""
    if not raw_mails:
        return
    table = connection.ops.quote_name(RawMail._meta.db_table)
    values = typed_values(RawMail, ["id", "status", "message", "classification", "message_id_header"], len(raw_mails))
    params = [value for r in raw_mails for value in (r.pk, r.status, r.message_id, r.classification,
                                                      r.message_id_header)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = v.column2, message_id = v.column3, classification = v.column4, "  # noqa: S608 -- names from the model, values bound
            f"message_id_header = v.column5, error = '', processed_at = %s, attempts = {table}.attempts + 1, "
            f"next_attempt_at = NULL "
            f"FROM ({values}) AS v WHERE {table}.id = v.column1",
            [timezone.now(), *params],
        )


# --- many at once -----------------------------------------------------------------------------
def process_many(raw_mail_ids: list[int]) -> Iterator[IngestResult]:
    """``process`` each mail (a worker's share), storing the human mail of up to ``BATCH`` of them
    in one transaction. One result per mail. A mail answering one still pending elsewhere (another
    worker has it in hand) waits for the next batch, by when that one is usually stored; after
    the last batch it is processed alone (questions first). A mail that fails for its own reasons
    is recorded and the others go on (``ingest.failed``); only a database outage stops it (it
    propagates; what is not stored yet stays pending)."""
    sizes = dict(RawMail.objects.filter(pk__in=raw_mail_ids).values_list("id", "size"))
    waiting: list[Mail] = []
    chunk: list[int] = []
    for raw_mail_id in [pk for pk in raw_mail_ids if pk in sizes]:
        if chunk and (len(chunk) >= BATCH or sum(sizes[pk] for pk in chunk) + sizes[raw_mail_id] > BATCH_BYTES):
            results, waiting = _process_chunk(chunk, waiting)
            yield from results
            chunk = []
        chunk.append(raw_mail_id)
    if chunk:
        results, waiting = _process_chunk(chunk, waiting)
        yield from results
    for mail in waiting:
        yield _decide_alone(mail, frozenset())


def _process_chunk(raw_mail_ids: list[int], waiting: list[Mail]) -> tuple[list[IngestResult], list[Mail]]:
    """Results of these mails in their order (then of the waiting ones stored now), and the mails
    still waiting."""
    loaded = RawMail.objects.select_related("inbox", "message__ticket").in_bulk(raw_mail_ids)
    results: dict[int, IngestResult] = {}
    together: list[Mail] = list(waiting)
    for raw_mail_id in raw_mail_ids:
        raw_mail = loaded[raw_mail_id]
        if raw_mail.status in DONE:
            results[raw_mail_id] = _result_of(raw_mail)
            continue
        mail = _prepare(raw_mail)
        if isinstance(mail, IngestResult):
            results[raw_mail_id] = mail
        elif mail.verdict.kind != Kind.HUMAN or not _storable(mail.parsed):
            # noise (rare; a bounce reads and writes on its own) or not a mail at all
            results[raw_mail_id] = _decide_alone(mail, frozenset())
        else:
            together.append(mail)
    waiting = []
    if together:
        together.sort(key=lambda m: (m.raw_mail.received_at, m.raw_mail.pk))  # questions before their answers
        try:
            with transaction.atomic():
                stored, waiting, alone = _store_together(together)
            results.update(stored)
        except Exception:
            # one mail does not validate, another process stored one of them meanwhile, or the batch
            # met another in a deadlock: one by one, so that one mail never holds up the others (when
            # the database is away, the first of them raises and everything not stored stays pending)
            results.update((mail.raw_mail.pk, _decide_alone(mail, frozenset())) for mail in together)
            waiting, alone = [], []
        # mails that tickets await (they arrived after their replies): stored alone, tickets merged
        results.update((mail.raw_mail.pk, _decide_alone(mail, frozenset())) for mail in alone)
    ordered = [results.pop(pk) for pk in raw_mail_ids if pk in results]
    return ordered + list(results.values()), waiting


class _BatchLookup:
    """What deciding about a batch of mails reads from the database, read at once: the stored
    messages with their Message-IDs or the ones they answer, those messages' tickets, and the mails
    still pending that they answer; plus the mails of the batch itself, as they are taken in."""

    def __init__(self, mails: list[Mail]):
        own = {m.key for m in mails if m.key}
        answered = set().union(*(thread_keys(m.parsed) for m in mails))
        # pending first, messages second: a question stored by another process between the two
        # reads is found among the messages (the order ``_decide`` looks in, too)
        batch_ids = [m.raw_mail.pk for m in mails]
        asked = sorted(answered - own)
        self.pending = set(
            RawMail.objects.filter(message_id_header__in=asked, status=RawMailStatus.PENDING)
            .exclude(pk__in=batch_ids).values_list("inbox_id", "message_id_header")
        ) if asked else set()
        rows = list(Message.objects.filter(external_id__in=sorted(own | answered), channel=Channel.EMAIL)
                    .order_by("id").values_list("external_id", "inbox_id", "id", "ticket_id"))
        self.stored: dict[str, list[tuple[int | None, int]]] = {}  # key → [(inbox, message)]
        ticket_of: dict[str, int] = {}
        for key, inbox_id, message_id, ticket_id in rows:
            self.stored.setdefault(key, []).append((inbox_id, message_id))
            ticket_of.setdefault(key, ticket_id)
        # mails of the batch that tickets await (they arrived after their replies): stored alone
        self.awaited = set(AwaitedMail.objects.filter(message_id_header__in=sorted(own))
                           .values_list("message_id_header", flat=True)) if own else set()
        tickets = Ticket.objects.in_bulk(set(ticket_of.values()))
        self.tickets = {key: follow_merges(tickets[pk]) for key, pk in ticket_of.items()}
        self.taken: dict[str, int] = {}  # key → index of the batch's item that stores it
        self.waiting: set[str] = set()  # keys of the batch's mails left for one-by-one processing

    def known(self, keys: list[str]) -> Target | None:
        for key in keys:
            if key in self.tickets:
                return self.tickets[key]
            if key in self.taken:
                return SameBatch(self.taken[key])
        return None

    def duplicate_of(self, mail: Mail) -> int | None:
        """A stored message with this mail's Message-ID from its inbox or from us, else None."""
        for inbox_id, message_id in self.stored.get(mail.key, ()):
            if inbox_id in (None, mail.inbox.pk):
                return message_id
        return None

    def awaiting(self, _key: str) -> Target | None:
        return None  # the batch's mails that tickets await are stored alone (``awaited``)

    def answers_unknown(self, mail: Mail) -> set[str]:
        """The Message-IDs the mail answers when none of them is stored or stored by the batch."""
        keys = thread_keys(mail.parsed)
        return set() if any(key in self.stored or key in self.taken for key in keys) else keys

    def answers_pending(self, mail: Mail) -> bool:
        keys = thread_keys(mail.parsed)
        return bool(keys & self.waiting) or any((mail.inbox.pk, key) in self.pending for key in keys)


def _store_together(mails: list[Mail]) -> tuple[dict[int, IngestResult], list[Mail], list[Mail]]:
    """Inside one transaction: lock the mails, then store each as ``_decide`` would, with the reads
    and writes of all of them together. Returns the results, the mails left waiting (they answer a
    mail still pending elsewhere) and the mails to store alone (tickets await them)."""
    locked = set(RawMail.objects.select_for_update().filter(pk__in=[m.raw_mail.pk for m in mails])
                 .exclude(status__in=DONE).values_list("id", flat=True))
    stored_elsewhere = [m.raw_mail.pk for m in mails if m.raw_mail.pk not in locked]  # meanwhile, by another
    mails = [m for m in mails if m.raw_mail.pk in locked]
    lock_message_ids(set().union(*({m.key} | thread_keys(m.parsed) for m in mails)))  # as ``_decide`` does
    lookup = _BatchLookup(mails)
    alone: list[Mail] = []
    awaits: list[tuple[int, str]] = []  # (item index, Message-ID its ticket awaits)
    contacts = contacts_by_email({(a, m.parsed.from_name) for m in mails if (a := sender_address(m.parsed))})
    results: dict[int, IngestResult] = {}
    waiting: list[Mail] = []
    items: list[Incoming] = []
    item_mails: list[Mail] = []
    copies: list[tuple[Mail, int]] = []  # a second copy of a mail of the batch: (mail, that item's index)
    senders: dict[int, Contact] = {}
    queue, final = mails, False
    for round_ in range(QUESTION_CHAIN_LIMIT):
        # a mail answering one further down the batch (or one postponed) goes after it: the next
        # round; mails that answer each other in a circle, or a chain too long, are taken as they
        # come in a last round
        final = final or round_ == QUESTION_CHAIN_LIMIT - 1
        unhandled = {m.key for m in queue}
        postponed: list[Mail] = []
        for mail in queue:
            unhandled.discard(mail.key)
            duplicate = lookup.duplicate_of(mail)
            if duplicate is not None:
                results[mail.raw_mail.pk] = _duplicate(mail.raw_mail, mail, duplicate)
                continue
            taken = lookup.taken.get(mail.key) if mail.key else None
            if taken is not None and item_mails[taken].inbox.pk == mail.inbox.pk:
                copies.append((mail, taken))
                continue
            if mail.key in lookup.awaited:
                alone.append(mail)
                lookup.waiting.add(mail.key)  # what answers it waits for the next batch
                continue
            contact = senders.get(mail.raw_mail.pk) or _sender_of(mail, contacts)
            senders[mail.raw_mail.pk] = contact
            target = find_ticket(ThreadContext(parsed=mail.parsed, contact=contact, inbox=mail.inbox,
                                               known=lookup.known, awaited_by=lookup.awaiting))
            if target is None and not final and thread_keys(mail.parsed) & unhandled:
                postponed.append(mail)
                unhandled.add(mail.key)  # what answers this one waits too
                continue
            if target is None and lookup.answers_pending(mail):
                waiting.append(mail)
                lookup.waiting.add(mail.key)
                continue
            awaits.extend((len(items), key) for key in sorted(lookup.answers_unknown(mail)))
            if mail.key:
                lookup.taken.setdefault(mail.key, len(items))
            items.append(_incoming(mail, contact, target))
            item_mails.append(mail)
        if not postponed:
            break
        final = len(postponed) == len(queue)  # no progress: a circle
        queue = postponed
    stored = customer_messages_add(items)
    await_answered((stored[index].ticket, key) for index, key in awaits)
    finished = []
    for mail, done in zip(item_mails, stored, strict=True):
        finished.append(_finished(mail.raw_mail, RawMailStatus.STORED, done.message, mail.kind, mail.key))
        results[mail.raw_mail.pk] = IngestResult(done.ticket.number, done.message.pk, done.created, False, mail.kind,
                                                 RawMailStatus.STORED)
    for mail, index in copies:
        done = stored[index]
        finished.append(_finished(mail.raw_mail, RawMailStatus.DUPLICATE, done.message, mail.kind, mail.key))
        results[mail.raw_mail.pk] = IngestResult(done.ticket.number, done.message.pk, False, True, mail.kind,
                                                 RawMailStatus.DUPLICATE)
    _save_finished(finished)
    for raw_mail_id in stored_elsewhere:
        results[raw_mail_id] = _stored_result(raw_mail_id)
    return results, waiting, alone
