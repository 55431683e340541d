"""Periodic jobs, enqueued once per interval for the whole installation.

``pomoc serve`` runs a ``Scheduler`` thread (every instance, on every machine). Every few seconds it
asks which jobs of ``schedule()`` are due and enqueues their task for the background workers. A job
is claimed by one ``UPDATE … WHERE next_run_at <= now`` on its ``PeriodicJob`` row: whichever process
moves the time on enqueues, the others see nothing due, so a job runs once per interval however
many instances run. A job whose last task is still waiting or running is not enqueued again (a
long mail fetch is never doubled), and a job with nothing to do (no mailbox to fetch, no mail left
pending) enqueues nothing, so an idle installation writes no task rows.

Jobs: fetching the IMAP/POP3 inboxes (``POMOC_MAIL_FETCH_INTERVAL`` seconds, 0 turns it off: with
``pomoc mail watch`` running, IDLE brings mail at once), processing mail left pending (every
minute) and deleting attachment files whose transaction never committed (every six hours).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone
from django.utils.module_loading import import_string

from pomoc.core.models import PeriodicJob

logger = logging.getLogger(__name__)

STALE_AFTER = dt.timedelta(minutes=30)  # a task "running" longer than this is taken for lost


@dataclass(frozen=True)
class Periodic:
    name: str
    task: str  # dotted path of a django-tasks task taking no arguments
    every: dt.timedelta
    has_work: Callable[[], bool] = lambda: True


def _mailboxes_to_fetch() -> bool:
    from pomoc.channels.email.fetch import fetching_inboxes

    return bool(fetching_inboxes())


def _mail_left_pending() -> bool:
    from pomoc.inboxes.models import RawMail, RawMailStatus
    from pomoc.inboxes.tasks import PENDING_GRACE

    return RawMail.objects.filter(status=RawMailStatus.PENDING,
                                  received_at__lt=timezone.now() - PENDING_GRACE).exists()


def schedule() -> list[Periodic]:
    jobs = [Periodic("mail.process_pending", "pomoc.inboxes.tasks.process_pending_mail", dt.timedelta(minutes=1),
                     _mail_left_pending)]
    jobs.append(Periodic("attachments.sweep", "pomoc.tickets.tasks.sweep_attachment_files", dt.timedelta(hours=6)))
    if settings.POMOC_MAIL_FETCH_INTERVAL > 0:
        jobs.append(Periodic("mail.fetch", "pomoc.inboxes.tasks.fetch_mailboxes",
                             dt.timedelta(seconds=settings.POMOC_MAIL_FETCH_INTERVAL), _mailboxes_to_fetch))
    return jobs


def _still_busy(job: Periodic, row: PeriodicJob, now: dt.datetime) -> bool:
    """The job's last task is waiting or running (and not so long that it must have been lost)."""
    if not row.last_task_id or row.last_enqueued_at is None or now - row.last_enqueued_at > STALE_AFTER:
        return False
    try:
        return not import_string(job.task).get_result(row.last_task_id).is_finished
    except Exception:  # the result was pruned, or the backend keeps none: not busy
        return False


def run_due(now: dt.datetime | None = None) -> list[str]:
    """Enqueue every job that is due and has work; returns their names."""
    now = now or timezone.now()
    enqueued = []
    for job in schedule():
        row, _created = PeriodicJob.objects.get_or_create(name=job.name, defaults={"next_run_at": now})
        if row.next_run_at > now or _still_busy(job, row, now):
            continue
        claimed = PeriodicJob.objects.filter(name=job.name, next_run_at=row.next_run_at).update(
            next_run_at=now + job.every)
        if not claimed or not job.has_work():  # another process claimed it first, or nothing to do
            continue
        result = import_string(job.task).enqueue()
        PeriodicJob.objects.filter(name=job.name).update(last_enqueued_at=now, last_task_id=str(result.id))
        enqueued.append(job.name)
    return enqueued


class Scheduler:
    """A daemon thread calling ``run_due`` every ``POMOC_SCHEDULER_TICK`` seconds until ``stop()``."""

    def __init__(self, tick: float | None = None):
        self.tick = tick if tick is not None else settings.POMOC_SCHEDULER_TICK
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="pomoc-scheduler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stopping.wait(self.tick):
            close_old_connections()
            try:
                for name in run_due():
                    logger.info("scheduled job %s enqueued", name)
            except Exception:  # the database away: try again at the next tick
                logger.warning("the scheduler could not run its jobs", exc_info=True)
            finally:
                close_old_connections()
