"""A reply that is processed while its question is still pending (kept, not yet processed) joins
the question's ticket: the question is processed first, whoever gets to it."""

import threading

import pytest
from django.db import connection, connections

from pomoc.channels.email.ingest import process, receive_raw
from pomoc.channels.email.models import RawMail, RawMailStatus
from pomoc.tickets.models import Ticket

from .helpers import mail, make_inbox


def _question_and_reply(inbox, n=1):
    question = receive_raw(inbox=inbox, raw=mail(message_id=f"<question-{n}@example.cz>", subject=f"Printer {n}"))
    reply = receive_raw(inbox=inbox, raw=mail(
        message_id=f"<reply-{n}@example.cz>", subject=f"Re: Printer {n}", text="Still broken.",
        in_reply_to=f"<question-{n}@example.cz>", references=f"<question-{n}@example.cz>",
    ))
    return question, reply


@pytest.mark.django_db
def test_a_reply_processed_before_its_pending_question_joins_the_questions_ticket():
    inbox = make_inbox()
    question, reply = _question_and_reply(inbox)

    answered = process(reply.pk)
    asked = process(question.pk)  # already done by then: the same result again

    assert not answered.created and answered.status == "stored"
    assert asked.created and asked.ticket_number == answered.ticket_number
    assert Ticket.objects.count() == 1
    assert Ticket.objects.get().messages.count() == 2
    question.refresh_from_db()
    assert question.status == RawMailStatus.STORED


@pytest.mark.django_db
def test_a_chain_of_pending_mails_is_processed_oldest_first():
    inbox = make_inbox()
    first = receive_raw(inbox=inbox, raw=mail(message_id="<a@example.cz>"))
    second = receive_raw(inbox=inbox, raw=mail(message_id="<b@example.cz>", in_reply_to="<a@example.cz>"))
    third = receive_raw(inbox=inbox, raw=mail(message_id="<c@example.cz>", in_reply_to="<b@example.cz>",
                                              references="<a@example.cz> <b@example.cz>"))

    result = process(third.pk)

    assert Ticket.objects.count() == 1 and Ticket.objects.get().number == result.ticket_number
    assert set(RawMail.objects.values_list("status", flat=True)) == {RawMailStatus.STORED}
    assert process(first.pk).created and not process(second.pk).created


@pytest.mark.django_db
def test_two_pending_mails_naming_each_other_do_not_go_round_in_circles():
    inbox = make_inbox()
    one = receive_raw(inbox=inbox, raw=mail(message_id="<one@example.cz>", in_reply_to="<two@example.cz>"))
    two = receive_raw(inbox=inbox, raw=mail(message_id="<two@example.cz>", in_reply_to="<one@example.cz>"))

    result = process(one.pk)

    assert result.status == "stored"
    two.refresh_from_db()
    assert two.status == RawMailStatus.STORED
    assert Ticket.objects.count() == 1  # two was processed first (a new ticket), one joined it


@pytest.mark.django_db
def test_a_pending_question_in_another_inbox_is_left_to_its_own_receiver():
    inbox, other = make_inbox(), make_inbox(name="Sales", address="sales@pomoc.example")
    question = receive_raw(inbox=other, raw=mail(message_id="<q@example.cz>"))
    reply = receive_raw(inbox=inbox, raw=mail(message_id="<r@example.cz>", in_reply_to="<q@example.cz>"))

    process(reply.pk)

    question.refresh_from_db()
    assert question.status == RawMailStatus.PENDING


@pytest.mark.django_db(transaction=True)
def test_workers_processing_replies_and_questions_at_once_thread_every_reply():
    if connection.vendor != "postgresql":
        pytest.skip("needs row locks between connections (PostgreSQL); SQLite runs one writer at a time")
    inbox = make_inbox()
    pairs = [_question_and_reply(inbox, n) for n in range(12)]
    # each worker takes the mails in a different order: replies first, questions first
    orders = [[m.pk for pair in pairs for m in reversed(pair)], [m.pk for pair in pairs for m in pair]]
    errors = []

    def work(ids):
        try:
            for raw_mail_id in ids:
                process(raw_mail_id)
        except Exception as exc:  # reported below; a thread's exception would be lost
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(ids,)) for ids in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Ticket.objects.count() == 12
    for question, reply in pairs:
        question.refresh_from_db()
        reply.refresh_from_db()
        assert question.status == reply.status == RawMailStatus.STORED
        assert question.message.ticket_id == reply.message.ticket_id
