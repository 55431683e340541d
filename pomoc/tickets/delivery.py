"""Outbound delivery of agent replies. Replies are stored first; delivery happens afterwards.

The e-mail channel issue replaces the transport with per-inbox SMTP; the states and the
never-silently-dropped promise stay the same.
"""

import logging
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction

from pomoc.contacts.models import IdentityKind
from pomoc.tickets.models import DeliveryState, Message

logger = logging.getLogger(__name__)


def deliver(message_id: int) -> str:
    with transaction.atomic():
        message = (
            Message.objects.select_for_update().select_related("ticket", "ticket__requester")
            .filter(pk=message_id).first()
        )
        if message is None or message.delivery_state != DeliveryState.QUEUED:
            return "skipped"
        ticket = message.ticket
        recipient = ticket.requester.identities.filter(kind=IdentityKind.EMAIL).values_list("value", flat=True).first()
        if not recipient:
            message.delivery_state = DeliveryState.FAILED
            message.delivery_error = "The requester has no e-mail address."
            message.save(update_fields=["delivery_state", "delivery_error"])
            return "failed"
        domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "localhost"
        message_id_header = message.external_id or make_msgid(domain=domain)
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
        try:
            mail.send()
        except Exception as exc:  # the reason is shown to the agent; the reply stays
            message.delivery_state = DeliveryState.FAILED
            message.delivery_error = str(exc)[:1000]
            message.save(update_fields=["delivery_state", "delivery_error"])
            logger.warning("delivery of message %s failed: %s", message.pk, type(exc).__name__)
            return "failed"
        message.delivery_state = DeliveryState.SENT
        message.delivery_error = ""
        message.external_id = message_id_header
        message.save(update_fields=["delivery_state", "delivery_error", "external_id"])
    return "sent"
