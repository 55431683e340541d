"""Background work on tickets. Tasks take ids, are idempotent and call a service."""

import datetime as dt

from django.utils import timezone
from django_tasks import task

from pomoc.tickets import delivery
from pomoc.tickets.attachments import sweep_orphan_attachment_files

MAX_DELIVERY_ATTEMPTS = 6


def retry_delay(attempt: int) -> dt.timedelta:
    """Exponential backoff: 1, 2, 4, 8, 16 minutes between attempts."""
    return dt.timedelta(minutes=2 ** (attempt - 1))


@task(queue_name="mail")
def deliver_message(message_id: int, attempt: int = 1) -> str:
    """Deliver one queued agent reply; safe to run twice. A temporary failure is retried later."""
    outcome = delivery.deliver(message_id, final_attempt=attempt >= MAX_DELIVERY_ATTEMPTS)
    if outcome == delivery.RETRY:
        deliver_message.using(run_after=timezone.now() + retry_delay(attempt)).enqueue(message_id, attempt + 1)
    return outcome


@task()
def sweep_attachment_files() -> int:
    """Delete the files of attachments whose transaction never committed (see the service)."""
    return sweep_orphan_attachment_files()
