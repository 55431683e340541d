"""A mail that keeps failing for its own reasons is tried again with backoff and then kept as
unprocessable, while the mails behind it are stored; a database outage leaves everything pending."""

import datetime as dt
import sqlite3

import pytest
from django.db import DataError, IntegrityError, InterfaceError, OperationalError, ProgrammingError
from django.utils import timezone

from pomoc.channels.email import batches, ingest
from pomoc.channels.email.failures import MAX_ATTEMPTS, is_outage, retry_delay
from pomoc.channels.email.ingest import process, receive_raw
from pomoc.channels.email.models import RawMail, RawMailStatus
from pomoc.channels.email.tasks import process_pending_mail
from pomoc.tickets.intake import customer_messages_add
from pomoc.tickets.models import Ticket

from .helpers import mail, make_inbox


class _Cause(Exception):
    def __init__(self, message: str, sqlstate: str | None = None):
        super().__init__(message)
        self.sqlstate = sqlstate


def _wrapped(django_error, message: str, sqlstate: str | None = None, cause: Exception | None = None):
    """A Django database error as Django raises it: the driver's error as its cause."""
    error = django_error(message)
    error.__cause__ = cause if cause is not None else _Cause(message, sqlstate)
    return error


@pytest.mark.parametrize("error", [
    _wrapped(OperationalError, "connection failed: Connection refused"),
    _wrapped(OperationalError, "terminating connection due to administrator command", "57P01"),
    _wrapped(OperationalError, "the database system is shutting down", "57P03"),
    _wrapped(OperationalError, "canceling statement due to lock timeout", "55P03"),
    _wrapped(OperationalError, "deadlock detected", "40P01"),
    _wrapped(OperationalError, "could not serialize access", "40001"),
    _wrapped(OperationalError, "server closed the connection unexpectedly", "08006"),
    _wrapped(InterfaceError, "connection already closed"),
    _wrapped(OperationalError, "database is locked", cause=sqlite3.OperationalError("database is locked")),
    OperationalError("could not connect to server"),
], ids=lambda e: str(e)[:30])
def test_outages_are_the_databases(error):
    assert is_outage(error)


@pytest.mark.parametrize("error", [
    _wrapped(DataError, "PostgreSQL text fields cannot contain NUL (0x00) bytes"),
    _wrapped(DataError, "invalid byte sequence for encoding UTF8", "22021"),
    _wrapped(IntegrityError, "duplicate key value violates unique constraint", "23505"),
    _wrapped(ProgrammingError, "syntax error", "42601"),
    _wrapped(OperationalError, "index row size exceeds maximum", "54000"),
    _wrapped(OperationalError, "no such column: x", cause=sqlite3.OperationalError("no such column: x")),
    RuntimeError("attachment storage failed"),
    UnicodeEncodeError("utf-8", "\udcff", 0, 1, "surrogates not allowed"),
], ids=lambda e: str(e)[:30])
def test_other_failures_are_the_mails(error):
    assert not is_outage(error)


def test_the_backoff_grows():
    assert [retry_delay(n) for n in range(1, MAX_ATTEMPTS)] == [
        dt.timedelta(minutes=m) for m in (1, 4, 16, 64)]


def _cursed(monkeypatch, error: Exception):
    """Storing any mail whose subject holds "Cursed" raises ``error``; the others are stored."""
    def add(items, *args, **kwargs):
        if any("Cursed" in item.subject for item in items):
            raise error
        return customer_messages_add(items, *args, **kwargs)

    monkeypatch.setattr(ingest, "customer_messages_add", add)
    monkeypatch.setattr(batches, "customer_messages_add", add)


def _pending(inbox, subject: str, minutes: int) -> RawMail:
    raw_mail = receive_raw(inbox=inbox, raw=mail(subject=subject))
    RawMail.objects.filter(pk=raw_mail.pk).update(received_at=timezone.now() - dt.timedelta(minutes=minutes))
    return raw_mail


def _due(raw_mail: RawMail) -> None:
    """Time passes: the mail's backoff is over."""
    RawMail.objects.filter(pk=raw_mail.pk).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))


@pytest.mark.django_db
def test_a_failing_mail_is_retried_with_backoff_then_unprocessable_and_the_others_are_stored(monkeypatch):
    _cursed(monkeypatch, RuntimeError("attachment storage failed"))
    inbox = make_inbox()
    cursed = _pending(inbox, "Cursed mail", minutes=30)
    behind = [_pending(inbox, f"Behind {i}", minutes=10) for i in range(3)]

    before = timezone.now()
    assert process_pending_mail.call() == {"pending": 1, "stored": 3}
    cursed.refresh_from_db()
    assert cursed.status == RawMailStatus.PENDING and cursed.attempts == 1
    assert "attachment storage failed" in cursed.error
    assert before + retry_delay(1) <= cursed.next_attempt_at <= timezone.now() + retry_delay(1)
    assert {r.status for r in RawMail.objects.filter(pk__in=[b.pk for b in behind])} == {RawMailStatus.STORED}

    assert process_pending_mail.call() == {}  # still waiting for its next attempt

    for attempt in range(2, MAX_ATTEMPTS):
        _due(cursed)
        assert process_pending_mail.call() == {"pending": 1}
        cursed.refresh_from_db()
        assert cursed.attempts == attempt and cursed.next_attempt_at > timezone.now() + retry_delay(attempt) \
            - dt.timedelta(seconds=30)
    _due(cursed)
    assert process_pending_mail.call() == {"unprocessable": 1}
    cursed.refresh_from_db()
    assert cursed.status == RawMailStatus.UNPROCESSABLE and cursed.attempts == MAX_ATTEMPTS
    assert cursed.next_attempt_at is None and "attachment storage failed" in cursed.error
    assert process_pending_mail.call() == {}
    assert Ticket.objects.count() == 3

    # shown to administrators as before, and processed again after a fix
    monkeypatch.undo()
    assert process(cursed.pk).status == RawMailStatus.STORED
    cursed.refresh_from_db()
    assert cursed.error == "" and cursed.next_attempt_at is None


@pytest.mark.django_db
def test_a_database_error_of_one_mail_does_not_stop_the_queue(monkeypatch):
    _cursed(monkeypatch, _wrapped(DataError, "value too long for type character varying(255)", "22001"))
    inbox = make_inbox()
    cursed = _pending(inbox, "Cursed mail", minutes=30)
    _pending(inbox, "Behind", minutes=10)

    assert process_pending_mail.call() == {"pending": 1, "stored": 1}
    cursed.refresh_from_db()
    assert cursed.attempts == 1 and "DataError" in cursed.error


@pytest.mark.django_db
def test_the_pipe_and_process_record_the_failure_instead_of_raising(monkeypatch):
    _cursed(monkeypatch, RuntimeError("attachment storage failed"))
    raw_mail = receive_raw(inbox=make_inbox(), raw=mail(subject="Cursed"))
    result = process(raw_mail.pk)
    assert result.status == RawMailStatus.PENDING and result.ticket_number is None


@pytest.mark.django_db
def test_an_outage_leaves_every_mail_pending_and_counts_no_attempt(monkeypatch):
    _cursed(monkeypatch, _wrapped(OperationalError, "terminating connection due to administrator command",
                                  "57P01"))
    inbox = make_inbox()
    cursed = _pending(inbox, "Cursed mail", minutes=30)
    _pending(inbox, "Cursed too", minutes=10)

    assert process_pending_mail.call() == {"retry_later": 2}
    cursed.refresh_from_db()
    assert cursed.status == RawMailStatus.PENDING and cursed.attempts == 0 and cursed.next_attempt_at is None
    with pytest.raises(OperationalError):
        process(cursed.pk)


@pytest.mark.django_db
def test_a_failure_outside_any_one_mail_falls_back_to_one_by_one(monkeypatch):
    inbox = make_inbox()
    mails = [_pending(inbox, f"Mail {i}", minutes=10) for i in range(3)]

    def broken(ids):
        raise RuntimeError("a bug in batching")
        yield  # pragma: no cover

    monkeypatch.setattr("pomoc.channels.email.tasks.process_many", broken)
    assert process_pending_mail.call() == {"stored": 3}
    assert {RawMail.objects.get(pk=m.pk).status for m in mails} == {RawMailStatus.STORED}


@pytest.mark.django_db
def test_a_kept_mail_tried_again_by_an_administrator_stays_kept_when_it_fails(monkeypatch):
    raw_mail = receive_raw(inbox=make_inbox(), raw=mail(subject="Cursed"))
    RawMail.objects.filter(pk=raw_mail.pk).update(status=RawMailStatus.UNPROCESSABLE, attempts=1, error="old")
    _cursed(monkeypatch, RuntimeError("attachment storage failed"))
    assert process(raw_mail.pk).status == RawMailStatus.UNPROCESSABLE
    raw_mail.refresh_from_db()
    assert raw_mail.attempts == 2 and "attachment storage failed" in raw_mail.error


@pytest.mark.django_db
def test_the_scheduler_waits_for_the_next_attempt_too(monkeypatch):
    from pomoc.channels.email.kind import _mail_left_pending

    _cursed(monkeypatch, RuntimeError("attachment storage failed"))
    cursed = _pending(make_inbox(), "Cursed mail", minutes=30)
    assert _mail_left_pending()
    process_pending_mail.call()
    assert not _mail_left_pending()  # waiting for its next attempt: nothing to enqueue
    _due(cursed)
    assert _mail_left_pending()
