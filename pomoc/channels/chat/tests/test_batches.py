"""What the chat sockets of a process hand over together: visitors' messages stored set-wise (each
with its own result, in order, the first message and files still the full way), delivered marks in
two statements, the rate limits counted in one trip; and the coalescer that gathers them."""

import asyncio
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pomoc.channels.chat import limits, services
from pomoc.channels.chat.coalesce import Coalescer
from pomoc.channels.chat.models import Conversation, Line, LineState
from pomoc.channels.chat.tests.conftest import SITE
from pomoc.channels.chat.tests.test_end import PNG
from pomoc.tickets.models import Message, MessageKind

pytestmark = pytest.mark.django_db


def chatting(inbox, n):
    """``n`` visitors, each in a conversation that has its ticket (their first message sent)."""
    visitors = []
    for i in range(n):
        visitor = services.session_open(inbox=inbox, page={"url": f"{SITE}/p/{i}"}).visitor
        services.visitor_message(visitor=visitor, client_id=f"first-{i}", body=f"Hello from {i}")
        visitors.append(visitor)
    return visitors


def test_a_batch_keeps_each_message_its_own_result_in_order(inbox, queue):
    a, b, c = chatting(inbox, 3)
    newcomer = services.session_open(inbox=inbox, page={"url": f"{SITE}/new"}).visitor
    upload = services.upload_store(visitor=c, name="photo.png", content=PNG)
    texts = services.VisitorText
    results = services.visitor_messages([
        texts(a, "a-1", "one from a"),
        texts(b, "b-1", "one from b"),
        texts(newcomer, "n-1", "I am new"),           # opens its conversation and ticket: the full way
        texts(a, "a-2", "two from a"),
        texts(c, "c-1", "", [upload.pk]),             # a file: the full way
        texts(c, "c-2", "after the file"),            # and so the next of the same visitor
        texts(b, "first-1", "resent"),                # b's first message again: a resend
        texts(a, "a-1", "the same id twice"),         # within the batch: the first one's line
        texts(b, "", "no id"),
        texts(b, "b-2", "   "),
        texts(b, "b-3", "x" * 5001),
        texts(b, "b\x00-4", "a NUL in the id (PostgreSQL takes no NUL in text)"),
    ])
    kinds = [type(r).__name__ if isinstance(r, services.Refused) else ("dup" if r.duplicate else r.line.seq)
             for r in results]
    assert kinds == [2, 2, 1, 3, 2, 3, "dup", "dup", "Refused", "Refused", "Refused", "Refused"]
    assert [r.code for r in results[8:]] == ["client_id", "empty", "too_long", "client_id"]
    assert results[7].line.pk == results[0].line.pk
    assert results[6].line.body == "Hello from 1"
    assert results[0].line.pending and not results[2].line.pending  # the newcomer's opened its ticket
    assert results[4].line.message.attachments.count() == 1
    assert list(Line.objects.filter(conversation__visitor=a).order_by("seq").values_list("body", flat=True)) == \
        ["Hello from 0", "one from a", "two from a"]
    # the file's message came after c's earlier lines, and the line after it after the file
    c_ticket = Conversation.objects.get(visitor=c).ticket_id
    assert list(Message.objects.filter(ticket_id=c_ticket, kind=MessageKind.CUSTOMER).order_by("id")
                .values_list("body_text", flat=True))[:2] == ["Hello from 2", ""]


def test_a_blocked_visitor_in_a_batch_is_refused_alone(inbox, queue):
    a, b = chatting(inbox, 2)
    b.blocked_at = b.created_at
    results = services.visitor_messages([services.VisitorText(a, "a-1", "fine"),
                                         services.VisitorText(b, "b-1", "blocked")])
    assert results[0].line.seq == 2 and results[1].code == "blocked"


@pytest.mark.parametrize("n", [5, 40])
def test_storing_follow_ups_costs_the_same_statements_for_five_or_forty(inbox, queue, n):
    visitors = chatting(inbox, n)
    with CaptureQueriesContext(connection) as queries:
        results = services.visitor_messages([services.VisitorText(v, "next", "and another") for v in visitors])
    assert all(r.line.seq == 2 for r in results)
    # resends, lock, conversations, lines, the intake flag (the transaction's own statements aside)
    assert len([q for q in queries.captured_queries if q["sql"] not in ("BEGIN", "COMMIT")
                and not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]) == 5


def test_delivered_marks_of_many_conversations_in_one_statement_and_only_changes_heard(
        inbox, queue, django_capture_on_commit_callbacks, monkeypatch):
    a, b, c = chatting(inbox, 3)
    for v in (a, b, c):
        services.visitor_message(visitor=v, client_id="second", body="second")
    conversations = {v.pk: Conversation.objects.get(visitor=v) for v in (a, b, c)}
    Line.objects.filter(conversation=conversations[c.pk]).update(state=LineState.READ)  # never back to delivered
    sent = []
    monkeypatch.setattr(services, "publish_on_commit", lambda sends: sent.extend(sends))
    marks = [(conversations[a.pk].pk, a.pk, 1), (conversations[a.pk].pk, a.pk, 2),
             (conversations[b.pk].pk, b.pk, 1), (conversations[c.pk].pk, c.pk, 2)]
    with CaptureQueriesContext(connection) as queries:
        assert services.visitor_lines_seen_many(marks, state=LineState.DELIVERED) == 3
    assert len(queries.captured_queries) == 1
    assert Line.objects.get(conversation__visitor=a, seq=2).state == LineState.DELIVERED
    assert Line.objects.get(conversation__visitor=b, seq=2).state == LineState.SENT
    assert set(Line.objects.filter(conversation__visitor=c).values_list("state", flat=True)) == {LineState.READ}
    from pomoc.channels.chat.groups import visitor_group

    assert sorted((groups[0], frame["seq"]) for groups, frame in sent) == \
        sorted([(visitor_group(a.pk), 2), (visitor_group(b.pk), 1)])
    assert services.visitor_lines_seen_many(marks, state=LineState.DELIVERED) == 0  # nothing new: nothing heard
    assert len(sent) == 2


@pytest.mark.parametrize("cache", ["locmem", "redis"])
def test_the_rate_limits_of_many_visitors_counted_at_once(settings, cache):
    from pomoc.testing.services import redis_reachable, redis_url, require_service

    run = uuid.uuid4().hex[:8]  # keys of this run only
    if cache == "redis":
        require_service("Redis", redis_reachable(), hint="apt-get install redis-server")
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                       "LOCATION": redis_url(), "KEY_PREFIX": f"test-limits-{run}"}}
    else:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                       "LOCATION": f"limits-{run}"}}
    visitors = [(900001, "10.9.0.1", 2), (900002, "10.9.0.1", 2), (900003, None, 1)]
    assert limits.allow_many(scope="t", visitors=visitors) == [0, 0, 0]
    assert limits.allow_many(scope="t", visitors=visitors[:1]) == [0]  # a's second: within 2
    waits = limits.allow_many(scope="t", visitors=visitors)
    # a's third is over its own 2; b's second is within its 2 but the address has seen 5 > 4; c's second > 1
    assert [bool(w) for w in waits] == [True, True, True]
    assert limits.allow_many(scope="t", visitors=[(900004, "10.9.0.2", 2)]) == [0]  # another address


def test_the_coalescer_gathers_what_arrives_while_it_stores():
    calls: list[list[int]] = []

    async def flush(items):
        calls.append(list(items))
        await asyncio.sleep(0.01)
        return [ValueError(f"bad {i}") if i == 13 else i * 10 for i in items]

    async def main():
        coalescer = Coalescer(flush, limit=50, parallel=1)
        first = await coalescer.submit(1)  # a quiet moment: alone, at once
        storing = asyncio.ensure_future(coalescer.submit(2))
        await asyncio.sleep(0.001)  # 2 is being stored: the others arrive meanwhile
        results = await asyncio.gather(storing, *(coalescer.submit(i) for i in range(3, 40)),
                                       return_exceptions=True)
        return first, results

    first, results = asyncio.run(main())
    assert first == 10 and calls[0] == [1]
    assert [type(r).__name__ if isinstance(r, Exception) else r for r in results] == \
        [i * 10 if i != 13 else "ValueError" for i in range(2, 40)]  # one bad item fails alone
    assert calls[1] == [2] and calls[2] == list(range(3, 40))  # the rest waited for one trip together


def test_a_failing_flush_fails_its_batch_and_the_next_one_goes_on():
    async def flush(items):
        if 0 in items:
            raise RuntimeError("database away")
        return items

    async def main():
        coalescer = Coalescer(flush, parallel=1)
        failed = await asyncio.gather(coalescer.submit(0), return_exceptions=True)
        return failed, await coalescer.submit(5)

    failed, after = asyncio.run(main())
    assert isinstance(failed[0], RuntimeError) and after == 5
