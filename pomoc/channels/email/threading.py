"""Threading of incoming mail: which ticket a mail belongs to, as an ordered chain of small strategies.

``THREADING = [by_in_reply_to, by_references, by_subject_tag]``: the first that finds a ticket wins.
A Message-ID is looked up among our own outgoing replies and the mail already stored (any inbox);
the subject tag (``[#1234]``) only counts for the ticket's requester or participants, so a stranger
quoting a ticket number never gets into someone else's ticket. A merged ticket leads to the one it
was merged into. Within a batch (``batches.py``) a mail may answer an earlier mail of the same batch
whose ticket is not written yet: ``SameBatch``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from pomoc.channels.email.parsing import ParsedMail
from pomoc.channels.inbound import follow_merges
from pomoc.channels.models import Inbox
from pomoc.contacts.models import Contact
from pomoc.core.models import OrganisationSettings
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

    def ticket_of(self, message_ids: list[str]) -> Target | None:
        return self.known([key for key in (external_id(i) for i in message_ids) if key])


def by_in_reply_to(ctx: ThreadContext) -> Target | None:
    return ctx.ticket_of([ctx.parsed.in_reply_to]) if ctx.parsed.in_reply_to else None


def by_references(ctx: ThreadContext) -> Target | None:
    # the newest reference is the last one
    return ctx.ticket_of(list(reversed(ctx.parsed.references[-50:])))


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


THREADING: list[Callable[[ThreadContext], Target | None]] = [by_in_reply_to, by_references, by_subject_tag]


def find_ticket(ctx: ThreadContext) -> Target | None:
    for strategy in THREADING:
        ticket = strategy(ctx)
        if ticket is not None:
            return ticket
    return None


def thread_keys(parsed: ParsedMail) -> set[str]:
    """The Message-IDs (as stored) a mail answers: In-Reply-To and the newest References."""
    return {external_id(i) for i in [parsed.in_reply_to, *parsed.references[-50:]]} - {""}


# --- senders ----------------------------------------------------------------------------------
