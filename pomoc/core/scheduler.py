"""Periodic jobs, enqueued once per interval for the whole installation.

``pomoc serve`` runs a ``Scheduler`` thread (every instance, on every machine). Every few seconds it
asks which jobs of ``schedule()`` are due and enqueues their task for the background workers. A job
is claimed by one ``UPDATE … WHERE next_run_at <= now`` on its ``PeriodicJob`` row: whichever process
moves the time on enqueues, the others see nothing due, so a job runs once per interval however
many instances run. A job whose last task is still waiting or running is not enqueued again (a
long mail fetch is never doubled), and a job with nothing to do (no mailbox to fetch, no mail left
pending) enqueues nothing, so an idle installation writes no task rows.

Jobs are registered by the apps that own them (``register`` in their ``AppConfig.ready``): the
e-mail channel fetches the IMAP/POP3 inboxes (``POMOC_MAIL_FETCH_INTERVAL`` seconds, 0 turns it off:
with ``pomoc mail watch`` running, IDLE brings mail at once) and processes mail left pending (every
minute); tickets delete attachment files whose transaction never committed (every six hours).
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


_JOBS: dict[str, Callable[[], Periodic | None]] = {}


def register(name: str, job: Callable[[], Periodic | None]) -> None:
    """Register a periodic job from the app that owns it (its ``AppConfig.ready``). ``job`` is called
    at every tick and returns the ``Periodic`` (or None while it is switched off by a setting)."""
    _JOBS[name] = job


def schedule() -> list[Periodic]:
    return [job for job in (make() for make in _JOBS.values()) if job is not None]


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
