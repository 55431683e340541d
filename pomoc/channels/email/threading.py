"""Threading of incoming mail: which ticket a mail belongs to, as an ordered chain of small strategies.

``THREADING = [by_in_reply_to, by_references, by_awaiting_ticket, by_subject_tag]``: the first that
finds a ticket wins. A Message-ID is looked up among our own outgoing replies and the mail already
stored (any inbox); the subject tag (``[#1234]``) only counts for the ticket's requester or
participants, so a stranger quoting a ticket number never gets into someone else's ticket. A merged
ticket leads to the one it was merged into. Within a batch (``batches.py``) a mail may answer an
earlier mail of the same batch whose ticket is not written yet: ``SameBatch``.

**Both directions.** MTAs deliver in any order, so a reply can arrive before the mail it answers.
A mail none of whose In-Reply-To/References is stored leaves those Message-IDs behind as
``AwaitedMail`` rows of the ticket it went to (``await_answered``). When one of them arrives, it
joins the oldest ticket awaiting it (``by_awaiting_ticket``: the ticket whose number the customer
may have seen in our replies already) and every other ticket awaiting it is merged into the ticket
it went to (``gather_awaiting``, the ticket merge service: a merge event on both tickets, all their
messages moved). So one conversation ends in one ticket whatever the order of arrival; messages
keep the order in which they arrived.

**Races.** Two mails of one conversation stored at once by two workers must see each other: each
transaction first takes a lock on every Message-ID the mail carries or names (``lock_message_ids``:
PostgreSQL transaction-level advisory locks, taken in one order; SQLite's writers are serialized by
its ``IMMEDIATE`` transactions already), and only then reads. Whichever commits second finds the first.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection

from pomoc.channels.email.models import AwaitedMail
from pomoc.channels.email.parsing import ParsedMail
from pomoc.channels.inbound import follow_merges
from pomoc.channels.models import Inbox
from pomoc.contacts.models import Contact
from pomoc.core.models import OrganisationSettings
from pomoc.tickets import services
from pomoc.tickets.models import Channel, Message, Ticket


@dataclass(frozen=True)
class SameBatch:
    """The ticket of an earlier mail of the batch being stored (its ``index``): not written yet."""

    index: int


Target = Ticket | SameBatch


def external_id(message_id: str) -> str:
    """A Message-ID as messages store it: ``<id@host>``."""
    message_id = (message_id or "").strip().strip("<>").strip()
    return f"<{message_id}>"[:500] if message_id else ""


def tickets_in_database(keys: list[str]) -> Target | None:
    """The ticket of the first of ``keys`` (Message-IDs as stored) that is one of our messages
    (outgoing, or incoming already stored)."""
    if not keys:
        return None
    found = {
        m.external_id: m.ticket
        for m in Message.objects.filter(external_id__in=keys, channel=Channel.EMAIL).select_related("ticket")
    }
    for key in keys:
        if key in found:
            return follow_merges(found[key])
    return None


@dataclass(frozen=True)
class ThreadContext:
    parsed: ParsedMail
    contact: Contact
    inbox: Inbox
    # Message-IDs (as stored) → the ticket of the first that is known; a batch looks in what it
    # read at once and in its own earlier mails
    known: Callable[[list[str]], Target | None] = tickets_in_database
    # a Message-ID (as stored) → the oldest ticket awaiting that mail; a batch stores such mail alone
    awaited_by: Callable[[str], Target | None] = lambda key: oldest_awaiting(key)  # noqa: E731 -- defined below

    def ticket_of(self, message_ids: list[str]) -> Target | None:
        return self.known([key for key in (external_id(i) for i in message_ids) if key])


def by_in_reply_to(ctx: ThreadContext) -> Target | None:
    return ctx.ticket_of([ctx.parsed.in_reply_to]) if ctx.parsed.in_reply_to else None


def by_references(ctx: ThreadContext) -> Target | None:
    # the newest reference is the last one
    return ctx.ticket_of(list(reversed(ctx.parsed.references[-50:])))


def awaiting_tickets(message_id: str) -> list[Ticket]:
    """The tickets that await the mail with this Message-ID (as stored), oldest first, each
    followed through its merges; none twice."""
    key = external_id(message_id)
    if not key:
        return []
    ids = list(AwaitedMail.objects.filter(message_id_header=key).values_list("ticket_id", flat=True))
    if not ids:  # nearly every mail: one look in the index
        return []
    tickets: dict[int, Ticket] = {}
    for ticket in Ticket.objects.filter(pk__in=ids).order_by("created_at", "pk"):
        final = follow_merges(ticket)
        if final is not None:
            tickets.setdefault(final.pk, final)
    return list(tickets.values())


def oldest_awaiting(message_id: str) -> Ticket | None:
    return next(iter(awaiting_tickets(message_id)), None)


def by_awaiting_ticket(ctx: ThreadContext) -> Target | None:
    """The oldest ticket opened (or joined) by a reply that arrived before this mail."""
    key = external_id(ctx.parsed.message_id)
    return ctx.awaited_by(key) if key else None


def subject_tag_pattern(prefix: str) -> re.Pattern:
    return re.compile(r"\[\s*" + re.escape(prefix) + r"\s*(\d{1,18})\s*\]", re.IGNORECASE)


def by_subject_tag(ctx: ThreadContext) -> Target | None:
    """``[#1234]`` in the subject, only when the sender is that ticket's requester or a participant:
    a stranger quoting a ticket number never gets into someone else's ticket."""
    if "[" not in (ctx.parsed.subject or "") or ctx.contact.pk is None:
        return None  # most mail: no need to read the organisation's tag prefix
    prefix = OrganisationSettings.get().ticket_tag_prefix or "#"
    for match in subject_tag_pattern(prefix).finditer(ctx.parsed.subject or ""):
        ticket = Ticket.objects.filter(number=int(match.group(1))).first()
        if ticket is None:
            continue
        if ticket.requester_id == ctx.contact.pk or ticket.participants.filter(pk=ctx.contact.pk).exists():
            return follow_merges(ticket)
    return None


THREADING: list[Callable[[ThreadContext], Target | None]] = [
    by_in_reply_to, by_references, by_awaiting_ticket, by_subject_tag]


def find_ticket(ctx: ThreadContext) -> Target | None:
    for strategy in THREADING:
        ticket = strategy(ctx)
        if ticket is not None:
            return ticket
    return None


def thread_keys(parsed: ParsedMail) -> set[str]:
    """The Message-IDs (as stored) a mail answers: In-Reply-To and the newest References."""
    return {external_id(i) for i in [parsed.in_reply_to, *parsed.references[-50:]]} - {""}


def await_answered(awaited: Iterable[tuple[Ticket, str]]) -> None:
    """Each ticket awaits the mail with that Message-ID (as stored): the ones a mail stored in it
    answers, none of which was stored when it arrived. One statement."""
    rows = [AwaitedMail(message_id_header=key, ticket=ticket) for ticket, key in awaited if key]
    if rows:
        AwaitedMail.objects.bulk_create(rows, ignore_conflicts=True)


def gather_awaiting(ticket: Ticket, message_id: str, awaiting: list[Ticket] | None = None) -> list[Ticket]:
    """The mail with ``message_id`` was stored in ``ticket``: every other ticket that awaited it
    (``awaiting``, when read already) is merged into ``ticket`` (the ticket merge service records it
    on both), and nothing awaits it any more. Returns the tickets merged."""
    key = external_id(message_id)
    awaiting = awaiting_tickets(key) if awaiting is None and key else awaiting or []
    if not awaiting:
        return []
    others = [t for t in awaiting if t.pk != ticket.pk]
    if others:
        # one order with every other writer of tickets (``intake.customer_messages_add``)
        list(Ticket.objects.select_for_update().filter(pk__in=[ticket.pk, *(t.pk for t in others)]).order_by("pk")
             .values_list("pk", flat=True))
    merged = []
    for other in others:
        other = follow_merges(Ticket.objects.get(pk=other.pk))
        if other is not None and other.pk != ticket.pk:
            services.ticket_merge(source=other, target=ticket, actor=None)
            merged.append(other)
    AwaitedMail.objects.filter(message_id_header=key).delete()
    return merged


LOCK_SPACE = 0x6D61696C  # "mail": the first key of our advisory locks, the second is the Message-ID's CRC-32


def lock_message_ids(keys: set[str]) -> None:
    """Inside a transaction: wait until no other transaction is threading a mail with one of these
    Message-IDs (as stored), and keep them for this one until it ends (see the module)."""
    keys = {key for key in keys if key}
    if not keys or connection.vendor != "postgresql":
        return  # SQLite: one writer at a time already
    hashes = sorted({zlib.crc32(key.encode("utf-8", "surrogatepass")) - 2 ** 31 for key in keys})
    with connection.cursor() as cursor:
        # one statement, locks taken left to right in one global order: no deadlock between two of these
        cursor.execute("SELECT " + ", ".join(["pg_advisory_xact_lock(%s, %s)"] * len(hashes)),  # noqa: S608 -- placeholders only
                       [value for h in hashes for value in (LOCK_SPACE, h)])


# --- senders ----------------------------------------------------------------------------------
