"""Live updates: publish events to websocket groups, only after the transaction commits."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def ticket_group(ticket_id: int) -> str:
    return f"ticket.{ticket_id}"


def department_group(department_id: int | None) -> str:
    return f"inbox.dept.{department_id or 'none'}"


def _send(group: str, payload: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, {"type": "pomoc.event", "payload": payload})
    except Exception:  # a realtime hiccup must never break a write that already committed
        logger.exception("realtime publish to %s failed", group)


def publish_on_commit(groups: list[str], payload: dict) -> None:
    """Send ``payload`` to every group once the current transaction has committed."""

    def send() -> None:
        for group in groups:
            _send(group, payload)

    transaction.on_commit(send)
