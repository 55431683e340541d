"""Periodic jobs: enqueued once per interval for the whole installation, only when there is work,
never while the job's last task is still waiting or running."""

import datetime as dt
import threading

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from pomoc.channels.email.ingest import receive_raw
from pomoc.channels.email.models import RawMail, RawMailStatus
from pomoc.channels.email.tests.helpers import mail, make_inbox
from pomoc.channels.models import Inbox
from pomoc.core import scheduler
from pomoc.core.models import PeriodicJob
from pomoc.tickets.models import Ticket

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "mail"]}}


@pytest.fixture
def db_tasks(settings):
    """Tasks wait in the database (as in production) instead of running at once; the sweep of
    attachment files (due every six hours, always) has run a moment ago."""
    settings.TASKS = DB_TASKS
    PeriodicJob.objects.create(name="attachments.sweep", next_run_at=timezone.now() + dt.timedelta(hours=6))
    return settings


def _pending_mail(age=dt.timedelta(minutes=5)) -> RawMail:
    raw_mail = receive_raw(inbox=make_inbox(), raw=mail(subject="Left pending"))
    RawMail.objects.filter(pk=raw_mail.pk).update(received_at=timezone.now() - age)
    return raw_mail


def _fetching_inbox() -> Inbox:
    return Inbox.objects.create(name="Fetched", address="fetched@pomoc.example",
                                config={"fetch": "imap", "imap_host": "127.0.0.1", "imap_username": "u"})


@pytest.mark.django_db
def test_nothing_to_do_enqueues_nothing(db_tasks):
    assert scheduler.run_due() == []
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_a_due_job_with_work_is_enqueued_once_per_interval(db_tasks):
    _pending_mail()
    _fetching_inbox()
    now = timezone.now()
    assert sorted(scheduler.run_due(now)) == ["mail.fetch", "mail.process_pending"]
    assert sorted(DBTaskResult.objects.values_list("task_path", flat=True)) == [
        "pomoc.channels.email.tasks.fetch_mailboxes", "pomoc.channels.email.tasks.process_pending_mail"]
    DBTaskResult.objects.update(status="SUCCESSFUL")  # a worker ran them
    assert scheduler.run_due(now + dt.timedelta(seconds=30)) == []  # not due yet
    assert sorted(scheduler.run_due(now + dt.timedelta(seconds=61))) == ["mail.fetch", "mail.process_pending"]


@pytest.mark.django_db
def test_young_pending_mail_is_left_to_its_receiver(db_tasks):
    _pending_mail(age=dt.timedelta(seconds=5))
    assert scheduler.run_due() == []


@pytest.mark.django_db
def test_a_job_whose_task_still_waits_is_not_enqueued_again(db_tasks):
    _pending_mail()
    now = timezone.now()
    assert scheduler.run_due(now) == ["mail.process_pending"]
    later = now + dt.timedelta(minutes=5)
    assert scheduler.run_due(later) == []  # the first one is still READY: no second one behind it
    assert DBTaskResult.objects.count() == 1
    # a task "waiting" for longer than STALE_AFTER is taken for lost
    assert scheduler.run_due(now + scheduler.STALE_AFTER + dt.timedelta(minutes=1)) == ["mail.process_pending"]


@pytest.mark.django_db
def test_mail_fetching_can_be_turned_off(db_tasks):
    db_tasks.POMOC_MAIL_FETCH_INTERVAL = 0
    _fetching_inbox()
    assert scheduler.run_due() == []


@pytest.mark.django_db
def test_the_attachment_sweep_runs_every_six_hours(settings):
    settings.TASKS = DB_TASKS
    now = timezone.now()
    assert scheduler.run_due(now) == ["attachments.sweep"]
    DBTaskResult.objects.update(status="SUCCESSFUL")
    assert scheduler.run_due(now + dt.timedelta(hours=5)) == []
    assert scheduler.run_due(now + dt.timedelta(hours=6, seconds=1)) == ["attachments.sweep"]


@pytest.mark.django_db
def test_with_tasks_run_at_once_the_job_does_its_work():
    """The test settings' immediate backend: the pending mail is processed by the enqueue itself."""
    PeriodicJob.objects.create(name="attachments.sweep", next_run_at=timezone.now() + dt.timedelta(hours=6))
    raw_mail = _pending_mail()
    # the new ticket's events then give the report rollups work of their own
    assert scheduler.run_due() in (["mail.process_pending"], ["mail.process_pending", "reports.rollups"])
    assert RawMail.objects.get(pk=raw_mail.pk).status == RawMailStatus.STORED and Ticket.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_instances_ticking_at_once_enqueue_a_job_once(db_tasks):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises them by locking the file)")
    _pending_mail()
    now = timezone.now()
    PeriodicJob.objects.create(name="mail.process_pending", next_run_at=now)
    barrier = threading.Barrier(4)
    names: list[list[str]] = []

    def instance():
        try:
            barrier.wait()
            names.append(scheduler.run_due(now))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=instance) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(n for found in names for n in found) == ["mail.process_pending"]
    assert DBTaskResult.objects.count() == 1


def test_the_thread_ticks_until_stopped(monkeypatch):
    ticks = threading.Event()
    monkeypatch.setattr(scheduler, "run_due", lambda: ticks.set() or [])
    thread = scheduler.Scheduler(tick=0.01)
    thread.start()
    assert ticks.wait(5)
    thread.stop()
    assert not thread._thread.is_alive()
