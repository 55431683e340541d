"""A generated corpus of conversations delivered in shuffled order, by several workers at once: every
message ends in its conversation's ticket, once, whatever the order of arrival.

Each conversation is a question and replies forming a tree; a reply names its parent in In-Reply-To
and either the whole chain above it in References or only its parent. Two ways in: each mail
delivered and processed at once (``pomoc smtpd``, the pipe), and mail kept first and processed by
the workers' batches (``process_many``, sharded as ``process_pending_mail`` does). Threads against
the real database; on SQLite one worker (it has one writer at a time), on PostgreSQL four. Seeded.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from email.message import EmailMessage

import pytest
from django.db import connection, connections

from pomoc.channels.email.batches import process_many
from pomoc.channels.email.ingest import process, receive_raw
from pomoc.channels.email.models import AwaitedMail, RawMail, RawMailStatus
from pomoc.tickets.models import Message, Ticket

from .helpers import make_inbox

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SEED = 20261206
CONVERSATIONS = 40


def _corpus(rng: random.Random) -> tuple[list[bytes], dict[str, int]]:
    """The mails (in order of writing) and each Message-ID's conversation."""
    mails, conversation_of = [], {}
    for c in range(CONVERSATIONS):
        chains: list[list[str]] = []  # each message's References chain, itself last
        for n in range(1 + rng.randint(2, 6)):
            message_id = f"<c{c}-m{n}@corpus.example>"
            msg = EmailMessage()
            msg["From"] = f"person{rng.randint(0, 4)}.{c}@example.cz"
            msg["To"] = "support@pomoc.example"
            msg["Message-ID"] = message_id
            if chains:
                parent = rng.choice(chains)
                msg["Subject"] = f"Re: Question {c}"
                msg["In-Reply-To"] = parent[-1]
                msg["References"] = " ".join(parent if rng.random() < 0.6 else parent[-1:])
                chains.append([*parent, message_id])
            else:
                msg["Subject"] = f"Question {c}"
                chains.append([message_id])
            msg.set_content(f"Conversation {c}, message {n}.")
            mails.append(msg.as_bytes())
            conversation_of[message_id] = c
    return mails, conversation_of


def _workers() -> int:
    return 4 if connection.vendor == "postgresql" else 1


def _in_threads(shares: list[list], work) -> None:
    errors: list[Exception] = []

    def run(share):
        try:
            work(share)
        except Exception as exc:  # reported below; a thread's exception would be lost
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(share,)) for share in shares]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def _assert_one_ticket_per_conversation(conversation_of: dict[str, int]) -> None:
    rows = list(Message.objects.filter(external_id__endswith="@corpus.example>")
                .values_list("external_id", "ticket_id", "ticket__merged_into_id"))
    assert Counter(key for key, _t, _m in rows) == Counter(list(conversation_of))  # every message once
    assert all(merged is None for _k, _t, merged in rows)  # none left in a merged ticket
    tickets_of: dict[int, set[int]] = {}
    for key, ticket_id, _merged in rows:
        tickets_of.setdefault(conversation_of[key], set()).add(ticket_id)
    split = {c: t for c, t in tickets_of.items() if len(t) > 1}
    assert split == {}, f"{len(split)} of {CONVERSATIONS} conversations in more than one ticket"
    assert len({next(iter(t)) for t in tickets_of.values()}) == CONVERSATIONS  # none shares a ticket
    assert Ticket.objects.filter(merged_into__isnull=True).count() == CONVERSATIONS
    assert set(RawMail.objects.values_list("status", flat=True)) == {RawMailStatus.STORED}
    assert not AwaitedMail.objects.exists()  # every awaited mail arrived


def test_shuffled_delivery_by_several_receivers_threads_every_conversation():
    rng = random.Random(SEED)
    mails, conversation_of = _corpus(rng)
    rng.shuffle(mails)
    inbox = make_inbox()
    workers = _workers()

    def deliver(share):
        for raw in share:
            process(receive_raw(inbox=inbox, raw=raw).pk)

    _in_threads([mails[n::workers] for n in range(workers)], deliver)
    _assert_one_ticket_per_conversation(conversation_of)


def test_shuffled_mail_kept_then_stored_by_batch_workers_threads_every_conversation():
    rng = random.Random(SEED + 1)
    mails, conversation_of = _corpus(rng)
    rng.shuffle(mails)
    inbox = make_inbox()
    ids = [receive_raw(inbox=inbox, raw=raw).pk for raw in mails]
    workers = _workers()

    def work(share):
        for _result in process_many(share):
            pass

    # each worker its share, as process_pending_mail shards them (by id)
    shards = [[pk for pk in ids if pk % workers == n] for n in range(workers)]
    _in_threads(shards, work)
    _assert_one_ticket_per_conversation(conversation_of)
