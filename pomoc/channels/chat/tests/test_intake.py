"""A visitor's follow-up is stored and acknowledged as a pending line; the intake task makes its
ticket message right after, one task for a burst, in the chat's order; the sweep takes what a task
missed; nothing is lost or doubled."""

import datetime as dt

import pytest
from django.utils import timezone

from pomoc.channels.chat import intake, services, tasks
from pomoc.channels.chat.models import ChatInbox, Conversation, Line
from pomoc.channels.chat.tests.test_end import PNG
from pomoc.core import scheduler
from pomoc.tickets.models import Message, MessageKind

pytestmark = pytest.mark.django_db


def customer_texts(ticket_id):
    return list(Message.objects.filter(ticket_id=ticket_id, kind=MessageKind.CUSTOMER).order_by("id")
                .values_list("body_text", flat=True))


def test_a_follow_up_is_acknowledged_before_its_ticket_message_and_one_task_takes_the_burst(visitor, queue):
    first = services.visitor_message(visitor=visitor, client_id="c-1", body="Hello").line
    assert first.message_id is not None and not first.pending  # the first opens the ticket at once
    lines = [services.visitor_message(visitor=visitor, client_id=f"c-{n}", body=f"Line {n}").line for n in (2, 3, 4)]
    assert [line.seq for line in lines] == [2, 3, 4] and all(line.pending for line in lines)
    ticket_id = Conversation.objects.get(visitor=visitor).ticket_id
    assert customer_texts(ticket_id) == ["Hello"]
    queued = [r for r in queue.results if r.task.func == tasks.intake.func]
    assert len(queued) == 1 and queued[0].args == [visitor.inbox_id]  # one task for the burst

    assert tasks.intake.func(visitor.inbox_id) == 3
    assert customer_texts(ticket_id) == ["Hello", "Line 2", "Line 3", "Line 4"]
    stored = list(Line.objects.filter(pk__in=[line.pk for line in lines]).order_by("seq"))
    assert not any(line.pending for line in stored) and all(line.message_id for line in stored)
    assert ChatInbox.objects.get(inbox_id=visitor.inbox_id).intake_queued is False

    # after the task read them, the next line queues a task of its own
    services.visitor_message(visitor=visitor, client_id="c-5", body="Line 5")
    assert len([r for r in queue.results if r.task.func == tasks.intake.func]) == 2


def test_a_resent_pending_line_is_not_doubled_and_a_second_run_makes_nothing_twice(visitor, queue):
    services.visitor_message(visitor=visitor, client_id="c-1", body="Hello")
    line = services.visitor_message(visitor=visitor, client_id="c-2", body="Again").line
    resent = services.visitor_message(visitor=visitor, client_id="c-2", body="Again")
    assert resent.duplicate and resent.line.pk == line.pk
    assert intake.run(inbox_id=visitor.inbox_id) == 1
    assert intake.run(inbox_id=visitor.inbox_id) == 0
    # a second run that read the line before the first one stored it (two workers) keeps its message
    message_id = Line.objects.get(pk=line.pk).message_id
    Line.objects.filter(pk=line.pk).update(pending=True)
    assert intake.run(inbox_id=visitor.inbox_id) == 1
    assert Line.objects.get(pk=line.pk).message_id == message_id
    assert customer_texts(Conversation.objects.get(visitor=visitor).ticket_id) == ["Hello", "Again"]


def test_an_agent_answering_in_the_chat_comes_after_what_the_visitor_wrote(visitor, department, queue):
    from pomoc.channels.chat.tests.conftest import make_agent

    services.visitor_message(visitor=visitor, client_id="c-1", body="Hello")
    services.visitor_message(visitor=visitor, client_id="c-2", body="Still there?")
    conversation = Conversation.objects.get(visitor=visitor)
    reply = services.reply_as_agent(conversation=conversation, agent=make_agent(department), body="Yes!")
    texts = list(Message.objects.filter(ticket_id=reply.ticket_id).order_by("created_at", "id")
                 .values_list("body_text", flat=True))
    assert texts == ["Hello", "Still there?", "Yes!"]


def test_a_message_with_a_file_waits_for_the_pending_lines_before_it(visitor, queue):
    services.visitor_message(visitor=visitor, client_id="c-1", body="Hello")
    services.visitor_message(visitor=visitor, client_id="c-2", body="Before the photo")
    upload = services.upload_store(visitor=visitor, name="photo.png", content=PNG)
    with_file = services.visitor_message(visitor=visitor, client_id="c-3", body="The photo", upload_ids=[upload.pk])
    assert with_file.line.message_id is not None
    assert customer_texts(with_file.line.message.ticket_id) == ["Hello", "Before the photo", "The photo"]
    assert not Line.objects.filter(pending=True).exists()


def test_the_sweep_takes_lines_their_task_missed(visitor, queue):
    services.visitor_message(visitor=visitor, client_id="c-1", body="Hello")
    line = services.visitor_message(visitor=visitor, client_id="c-2", body="Lost task").line
    assert not intake.sweep_has_work()  # young: its task is on the way
    Line.objects.filter(pk=line.pk).update(created_at=timezone.now() - dt.timedelta(minutes=2))
    assert intake.sweep_has_work()
    job = next(job for job in scheduler.schedule() if job.name == "chat.intake_sweep")
    assert job.has_work()
    assert tasks.intake_sweep.func() == 1
    line.refresh_from_db()
    assert not line.pending and line.message.body_text == "Lost task"
    assert not intake.sweep_has_work()


def test_a_line_threaded_into_another_ticket_moves_its_conversation(visitor, queue):
    from pomoc.testing.factories import UserFactory, make_ticket
    from pomoc.tickets.services import ticket_merge

    services.visitor_message(visitor=visitor, client_id="c-1", body="Hello")
    conversation = Conversation.objects.get(visitor=visitor)
    target = make_ticket()
    ticket_merge(source=conversation.ticket, target=target, actor=UserFactory(role="administrator"))
    line = services.visitor_message(visitor=visitor, client_id="c-2", body="After the merge").line
    intake.run(inbox_id=visitor.inbox_id)
    line.refresh_from_db()
    conversation.refresh_from_db()
    assert line.message.ticket_id == target.pk and conversation.ticket_id == target.pk


def test_the_immediate_queue_makes_the_ticket_message_at_once(visitor):
    """With the tests' immediate task backend (and the embedded worker soon after) nothing waits."""
    services.visitor_message(visitor=visitor, client_id="c-1", body="Hello")
    line = services.visitor_message(visitor=visitor, client_id="c-2", body="Now").line
    line.refresh_from_db()
    assert not line.pending and line.message.body_text == "Now"


def test_the_intake_costs_the_same_statements_for_five_lines_or_forty(visitor, queue):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    services.visitor_message(visitor=visitor, client_id="c-0", body="Hello")
    counts = []
    for size in (5, 40):
        for n in range(size):
            services.visitor_message(visitor=visitor, client_id=f"c-{size}-{n}", body=f"Line {size}/{n}")
        with CaptureQueriesContext(connection) as queries:
            assert intake.run(inbox_id=visitor.inbox_id) == size
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]
    assert not Line.objects.filter(pending=True).exists()
    assert Line.objects.filter(message__isnull=True).count() == 0


def test_lines_taken_keep_each_its_message_or_its_error(visitor, queue):
    services.visitor_message(visitor=visitor, client_id="c-0", body="Hello")
    lines = [services.visitor_message(visitor=visitor, client_id=f"c-{n}", body=f"Line {n}").line for n in (1, 2, 3)]
    message = Message.objects.filter(kind=MessageKind.CUSTOMER).first()
    Line.objects.filter(message=message).update(message=None)  # free for this test's line
    lines[0].message, lines[1].intake_error, lines[2].intake_error = message, "too long ✂", ""
    intake._save_taken(lines)
    stored = list(Line.objects.filter(pk__in=[line.pk for line in lines]).order_by("seq"))
    assert [(line.pending, line.message_id, line.intake_error) for line in stored] == \
        [(False, message.pk, ""), (False, None, "too long ✂"), (False, None, "")]
    intake._save_taken(lines[1:])  # every message NULL: PostgreSQL must not take the column for text
    assert Line.objects.get(pk=lines[1].pk).intake_error == "too long ✂"
