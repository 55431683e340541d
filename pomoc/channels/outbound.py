"""Delivery of agent replies, the same for every channel kind.

A reply is stored first (``pomoc.tickets.services.message_add``: state ``queued``, its route's inbox
and recipient) and handed to ``tasks.deliver_message`` after commit. ``deliver`` locks it, asks its
kind's outbound adapter (``registry.ChannelKind.outbound``) to send it and records the outcome:
``sent`` (with a note when some copies were refused), ``queued`` again with the reason after a
temporary failure (the task retries with backoff), or ``failed`` with the reason, visible to the
agent, who can send it again (``pomoc.tickets.services.message_delivery_retry``). Nothing is silently dropped.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext

from django.db import connection, transaction
from django.utils.translation import gettext as _

from pomoc.channels import registry
from pomoc.channels import services as channel_services
from pomoc.tickets import services
from pomoc.tickets.models import DeliveryState, Message

logger = logging.getLogger(__name__)

SENT, FAILED, RETRY, SKIPPED = "sent", "failed", "retry", "skipped"


def _send_guard():
    """Where rows can be locked (PostgreSQL) the reply stays locked while it is sent, so two workers
    never send it twice. SQLite's write transactions lock the whole database (``IMMEDIATE``), which
    must not wait on a remote server: there the reply is sent outside a transaction (one worker per
    SQLite installation; adapters make a second send recognisable, e-mail by its fixed Message-ID)."""
    return transaction.atomic() if connection.features.has_select_for_update else nullcontext()


def _adapter(message: Message) -> registry.OutboundAdapter:
    key = message.inbox.kind if message.inbox_id else message.channel
    kind = registry.get(key)
    if kind is None or kind.outbound is None:
        raise registry.DeliveryFailed(
            _("Replies through “%(kind)s” cannot be sent by this installation.") % {"kind": key}, temporary=False)
    return kind.outbound


def deliver(message_id: int, *, final_attempt: bool = False, retry_at=None) -> str:
    """Send one queued reply. Returns SENT, FAILED, RETRY (temporary failure: ``retry_at`` is when the
    caller tries again, shown to the agent) or SKIPPED. The inbox's sending state (failing since when,
    the last error: the administration's list of inboxes) follows each outcome."""
    with _send_guard():
        message = (
            Message.objects.select_for_update(of=("self",))
            .select_related("ticket", "ticket__requester", "inbox", "recipient")
            .filter(pk=message_id).first()
        )
        if message is None or message.delivery_state != DeliveryState.QUEUED:
            return SKIPPED
        try:
            note = _adapter(message).deliver(message)
        except registry.DeliveryFailed as exc:
            logger.warning("delivery of message %s failed (%s)", message.pk,
                           "temporary" if exc.temporary else "permanent")
            channel_services.inbox_sending_record(inbox_id=message.inbox_id, error=exc.reason)
            if exc.temporary and not final_attempt:
                _mark(message, DeliveryState.QUEUED, exc.reason, retry_at)
                return RETRY
            _mark(message, DeliveryState.FAILED, exc.reason)
            return FAILED
        channel_services.inbox_sending_record(inbox_id=message.inbox_id, error="")
        _mark(message, DeliveryState.SENT, (note or "")[:1000])
    return SENT


def _mark(message: Message, state: str, error: str, retry_at=None) -> None:
    services.message_delivery_mark(message=message, state=state, error=error, retry_at=retry_at)
