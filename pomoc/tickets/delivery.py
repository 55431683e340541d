"""Outbound delivery of agent replies. Replies are stored first; delivery happens afterwards.

The e-mail channel issue replaces the transport with per-inbox SMTP; the states and the
never-silently-dropped promise stay the same: a reply is queued, then sent, or retried with
backoff and finally marked failed with the reason, visible to the agent, who can retry it.
"""

import logging
from email.utils import make_msgid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils.translation import gettext as _

from pomoc.contacts.models import IdentityKind
from pomoc.tickets.models import DeliveryState, Message

logger = logging.getLogger(__name__)

SENT, FAILED, RETRY, SKIPPED = "sent", "failed", "retry", "skipped"


def _build_mail(message: Message, recipient: str, message_id_header: str) -> EmailMultiAlternatives:
    ticket = message.ticket
    mail = EmailMultiAlternatives(
        subject=f"[#{ticket.number}] {ticket.subject}",
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
        headers={"Message-ID": message_id_header},
    )
    mail.attach_alternative(message.body_html, "text/html")
    for attachment in message.attachments.all():
        with attachment.file.open("rb") as fh:
            mail.attach(attachment.file_name, fh.read(), attachment.content_type)
    return mail


def deliver(message_id: int, *, final_attempt: bool = False) -> str:
    """Send one queued reply. Returns SENT, FAILED, RETRY (temporary failure) or SKIPPED."""
    with transaction.atomic():
        message = (
            Message.objects.select_for_update().select_related("ticket", "ticket__requester")
            .filter(pk=message_id).first()
        )
        if message is None or message.delivery_state != DeliveryState.QUEUED:
            return SKIPPED
        recipient = (
            message.ticket.requester.identities.filter(kind=IdentityKind.EMAIL)
            .values_list("value", flat=True).first()
        )
        if not recipient:
            _mark(message, DeliveryState.FAILED, "The requester has no e-mail address.")
            return FAILED
        domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "localhost"
        # The Message-ID is fixed before the first attempt so that a retry can never thread apart.
        if not message.external_id:
            message.external_id = make_msgid(domain=domain)
            message.save(update_fields=["external_id"])
        try:
            _build_mail(message, recipient, message.external_id).send()
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}"[:1000]
            logger.warning("delivery of message %s failed: %s", message.pk, type(exc).__name__)
            if final_attempt:
                _mark(message, DeliveryState.FAILED, reason)
                return FAILED
            _mark(message, DeliveryState.QUEUED, reason)
            return RETRY
        _mark(message, DeliveryState.SENT, "")
    return SENT


def _mark(message: Message, state: str, error: str) -> None:
    message.delivery_state = state
    message.delivery_error = error
    message.save(update_fields=["delivery_state", "delivery_error"])


def retry_delivery(message: Message) -> Message:
    """Queue a failed reply again (the agent's "Retry" button, after fixing what failed)."""
    from pomoc.tickets.tasks import deliver_message

    updated = Message.objects.filter(pk=message.pk, delivery_state=DeliveryState.FAILED).update(
        delivery_state=DeliveryState.QUEUED
    )
    if not updated:
        raise ValidationError({"message": _("Only a reply whose delivery failed can be sent again.")})
    transaction.on_commit(lambda: deliver_message.enqueue(message.pk))
    message.refresh_from_db()
    return message
