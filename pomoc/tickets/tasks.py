"""Background work on tickets. Tasks take ids, are idempotent and call a service."""

import logging

from django_tasks import task

from pomoc.tickets import delivery

logger = logging.getLogger(__name__)


@task(queue_name="mail")
def deliver_message(message_id: int) -> str:
    """Deliver one queued agent reply through its channel; safe to run twice."""
    return delivery.deliver(message_id)
