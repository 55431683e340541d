"""The ticket messages of visitor lines stored ahead of them.

A visitor's message in a conversation that has its ticket is stored as a ``pending`` line in one
short transaction (its ``seq``, the socket's acknowledgement, the agent's frame) and its ticket
message is made right after by the intake task, set-wise, through the same inbound pipeline as
any other message (``inbound.receive``, deduplicated by ``external_id``). The line is the raw
input, as the stored raw mail is for e-mail: once stored, nothing is lost; a line the task has not
reached (a worker stopped, a task lost) is taken by the next task or by the sweep.

One task per burst, not per line: the line that finds ``ChatInbox.intake_queued`` unset sets it and
enqueues the task in its own transaction (so a stored line always has a task or a sweep coming);
the task clears it before it reads the pending lines, so a line stored after that read queues
another.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import connection, transaction
from django.utils import timezone

from pomoc.channels import inbound
from pomoc.channels.chat.models import ChatInbox, Conversation, Line
from pomoc.channels.models import Inbox
from pomoc.contacts.models import IdentityKind
from pomoc.core.upsert import typed_values

logger = logging.getLogger(__name__)

BATCH = 50  # lines per transaction (the inbox stays locked while they are stored)
SWEEP_AFTER = dt.timedelta(seconds=30)  # a pending line older than this was missed by its task


def external_id(visitor_key: str, client_id: str) -> str:
    """A visitor's message id, unique per inbox: the client's id scoped to its visitor, so nobody can
    collide with (and be acknowledged as) another visitor's message."""
    return f"chat:{visitor_key}:{client_id}"


def queue(inbox_id: int) -> None:
    """Call in the transaction that stored a pending line of ``inbox_id``."""
    from pomoc.channels.chat import tasks

    if ChatInbox.objects.filter(inbox_id=inbox_id, intake_queued=False).update(intake_queued=True):
        tasks.intake.enqueue(inbox_id)


def run(*, inbox_id: int, conversation_id: int | None = None, older_than: dt.datetime | None = None,
        batches: int = 50) -> int:
    """Make the ticket messages of the inbox's pending lines (or of one conversation's), oldest first,
    ``BATCH`` a transaction; how many lines were taken."""
    if conversation_id is None:
        ChatInbox.objects.filter(inbox_id=inbox_id).update(intake_queued=False)  # before the read: see queue()
    done = 0
    for _batch in range(batches):
        taken = _batch_run(inbox_id=inbox_id, conversation_id=conversation_id, older_than=older_than)
        done += taken
        if taken < BATCH:
            break
    return done


def _batch_run(*, inbox_id: int, conversation_id: int | None, older_than: dt.datetime | None) -> int:
    with transaction.atomic():
        # one intake of an inbox at a time (the pipeline takes the same lock): the lines are read
        # after it, never locked themselves (the agents' read marks update them meanwhile)
        inbox = Inbox.objects.select_for_update().filter(pk=inbox_id).first()
        pending = Line.objects.filter(pending=True, conversation__inbox_id=inbox_id)
        if conversation_id is not None:
            pending = pending.filter(conversation_id=conversation_id)
        if older_than is not None:
            pending = pending.filter(created_at__lt=older_than)
        lines = list(pending.select_related("conversation__visitor").only(*_READ).order_by("id")[:BATCH])
        if lines:
            _store(inbox, lines)
            _save_taken(lines)
    return len(lines)


# what the intake reads of a line, its conversation and visitor (not the visitor's pages and the rest)
_READ = ("seq", "body", "client_id", "created_at", "message", "intake_error", "conversation__ticket",
         "conversation__visitor__key", "conversation__visitor__name")


def _save_taken(lines: list[Line]) -> None:
    """The lines taken, with their message or error, in one ``UPDATE … FROM (VALUES …)``:
    ``bulk_update`` builds a CASE per line and field, a third of the worker's time under chat load."""
    table = connection.ops.quote_name(Line._meta.db_table)
    values = typed_values(Line, ["id", "message", "intake_error"], len(lines))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET pending = %s, message_id = v.column2, intake_error = v.column3 "  # noqa: S608 -- names from the model, values bound
            f"FROM ({values}) AS v WHERE {table}.id = v.column1",
            [False, *(value for line in lines for value in (line.pk, line.message_id, line.intake_error))])


def _store(inbox: Inbox, lines: list[Line]) -> None:
    results = inbound.receive(inbox=inbox, messages=[inbound.InboundMessage(
        identity_kind=IdentityKind.CHAT, identity_value=line.conversation.visitor.key,
        external_id=external_id(line.conversation.visitor.key, line.client_id), name=line.conversation.visitor.name,
        text=line.body, thread_key=line.conversation.thread_key, received_at=line.created_at,
    ) for line in lines])
    linked = dict(Line.objects.filter(message_id__in=[r.message.pk for r in results if r.duplicate and r.message])
                  .values_list("message_id", "pk"))
    moved: dict[int, int] = {}
    for line, result in zip(lines, results, strict=True):
        line.pending = False
        if result.error:
            line.intake_error = result.error[:500]
            logger.warning("chat: line %s of conversation %s made no ticket message: %s",
                           line.seq, line.conversation_id, result.error)
            continue
        if linked.get(result.message.pk, line.pk) != line.pk:
            continue  # the same message sent twice as two lines (two tabs): the first line has it
        line.message = result.message
        if line.conversation.ticket_id != result.ticket.pk:
            line.conversation.ticket_id = moved[line.conversation_id] = result.ticket.pk
    for conversation_id, ticket_id in moved.items():  # threaded elsewhere (a merged ticket's target)
        Conversation.objects.filter(pk=conversation_id).update(ticket_id=ticket_id)


def sweep() -> int:
    """Pending lines their task missed (a stopped worker, a lost task): the periodic job."""
    older_than = timezone.now() - SWEEP_AFTER
    inbox_ids = sorted(set(Line.objects.filter(pending=True, created_at__lt=older_than)
                           .values_list("conversation__inbox_id", flat=True)))
    return sum(run(inbox_id=inbox_id, older_than=older_than) for inbox_id in inbox_ids)


def sweep_has_work() -> bool:
    return Line.objects.filter(pending=True, created_at__lt=timezone.now() - SWEEP_AFTER).exists()
