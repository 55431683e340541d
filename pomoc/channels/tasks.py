"""Channel-neutral background work. Tasks take ids, are idempotent and call a service."""

import datetime as dt

from django.utils import timezone
from django_tasks import task

from pomoc.channels import outbound

MAX_DELIVERY_ATTEMPTS = 6


def retry_delay(attempt: int) -> dt.timedelta:
    """Exponential backoff: 1, 2, 4, 8, 16 minutes between attempts."""
    return dt.timedelta(minutes=2 ** (attempt - 1))


@task(queue_name="mail")
def deliver_message(message_id: int, attempt: int = 1) -> str:
    """Deliver one queued agent reply through its kind's adapter; safe to run twice. A temporary
    failure is retried later; the last attempt marks it failed."""
    retry_at = timezone.now() + retry_delay(attempt)
    result = outbound.deliver(message_id, final_attempt=attempt >= MAX_DELIVERY_ATTEMPTS, retry_at=retry_at)
    if result == outbound.RETRY:
        deliver_message.using(run_after=retry_at).enqueue(message_id, attempt + 1)
    return result
