"""Forwarding: one message of a ticket, or its whole conversation, by e-mail to any address.

A forward is a message of its own on the ticket (kind ``forward``): the agent's words (and
signatures) above the forwarded messages, with their attachments, to ``forward_to`` with optional
Cc and Bcc. Customers never see it (it is not a public kind). It leaves like a reply (stored first,
queued, delivered after commit by the channel platform) through the ticket's e-mail inbox, else the
installation's outgoing mail, and never changes the ticket's status or response times.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from pomoc.accounts.models import Role
from pomoc.core.sanitize import text_to_html
from pomoc.tickets import events, replies, search_index
from pomoc.tickets.attachments import NewAttachment, store_attachments, validate_attachments
from pomoc.tickets.copies import clean_addresses
from pomoc.tickets.models import Channel, DeliveryState, Message, MessageKind, Ticket
from pomoc.tickets.services import bodies
from pomoc.tickets.signatures import signature_text, with_signature

FORWARDABLE_KINDS = (MessageKind.CUSTOMER, MessageKind.REPLY)


def forwarded_messages(ticket: Ticket, message: Message | None) -> list[Message]:
    """What a forward carries: ``message``, or every customer message and reply of ``ticket``."""
    if message is not None:
        if message.ticket_id != ticket.pk or message.kind not in FORWARDABLE_KINDS:
            raise ValidationError({"message": _("Only customer messages and replies of this ticket can be forwarded.")})
        return [message]
    found = list(ticket.messages.filter(kind__in=FORWARDABLE_KINDS).select_related("author_user", "author_contact")
                 .prefetch_related("attachments").order_by("created_at", "id"))
    if not found:
        raise ValidationError({"message": _("This ticket has no messages to forward.")})
    return found


def _header(message: Message) -> dict[str, str]:
    when = formats.date_format(timezone.localtime(message.created_at), "DATETIME_FORMAT")
    return {"title": _("---------- Forwarded message ----------"),
            "from": _("From: %(name)s") % {"name": message.author_name or _("System")},
            "date": _("Date: %(date)s") % {"date": when}}


def forwarded_bodies(ticket: Ticket, messages: list[Message]) -> tuple[str, str]:
    """The forwarded part of a forward, as text and as HTML (the messages' sanitized HTML, quoted)."""
    subject = _("Subject: %(subject)s") % {"subject": ticket.subject}
    texts, parts = [], []
    for message in messages:
        head = _header(message)
        texts.append("\n".join([head["title"], head["from"], head["date"], subject, "", message.body_text.strip()]))
        lines = (head["title"], head["from"], head["date"], subject)
        quoted = message.body_html or text_to_html(message.body_text)
        head_html = "<br>".join(html.escape(line) for line in lines)
        parts.append(f"<p>{head_html}</p><blockquote>{quoted}</blockquote>")
    return "\n\n".join(texts), "".join(parts)


def _copied_attachments(messages: list[Message]) -> list[NewAttachment]:
    copied = []
    for message in messages:
        for attachment in message.attachments.all():
            with attachment.file.open("rb") as fh:
                copied.append(NewAttachment(file_name=attachment.file_name, content=fh.read(),
                                            content_type=attachment.content_type, content_id=attachment.content_id))
    return copied


def message_forward(
    *,
    ticket: Ticket,
    actor,
    to: Iterable[str] | str,
    message: Message | None = None,
    body_text: str = "",
    body_html: str = "",
    cc: Iterable[str] | str = (),
    bcc: Iterable[str] | str = (),
    attachments: Iterable[NewAttachment] = (),
    signed: bool = False,
) -> Message:
    """Forward ``message`` (one of ``ticket``'s customer messages or replies) or, without it, the whole
    conversation to the addresses ``to`` by e-mail, with the agent's words, ``cc``/``bcc`` copies and
    (``signed``) signatures; their attachments go along. Stored as queued and delivered after commit."""
    if actor is None or actor.role == Role.CUSTOMER:
        raise ValidationError({"to": _("Only agents forward messages.")})
    recipients = clean_addresses(to, field="to")
    if not recipients:
        raise ValidationError({"to": _("Give at least one address to forward to.")})
    copies = {"cc": clean_addresses(cc, field="cc"), "bcc": clean_addresses(bcc, field="bcc")}
    if ticket.merged_into_id:
        raise ValidationError({"ticket": _("This ticket was merged into #%(number)s; write there.")
                               % {"number": ticket.merged_into.number}})
    forwarded = forwarded_messages(ticket, message)
    new_files = list(attachments)
    files = validate_attachments([*new_files, *_copied_attachments(forwarded)])
    route = replies.route_for(ticket)
    by_mail = route if route is not None and route.kind == Channel.EMAIL else None
    text, html_part = bodies(body_text, body_html) if (body_text or body_html) else ("", "")
    if signed:
        text, html_part = with_signature(text, html_part, signature_text(
            author=actor, inbox_signature=by_mail.signature if by_mail else ""))
    quoted_text, quoted_html = forwarded_bodies(ticket, forwarded)
    text = f"{text.rstrip()}\n\n{quoted_text}" if text.strip() else quoted_text
    problem = by_mail.problem if by_mail else ""
    state = DeliveryState.FAILED if problem else DeliveryState.QUEUED
    with transaction.atomic():
        now = timezone.now()
        forward = Message.objects.create(
            ticket=ticket, kind=MessageKind.FORWARD, channel=Channel.EMAIL, author_user=actor,
            body_text=text, body_html=html_part + quoted_html, forward_to=recipients, **copies,
            inbox_id=by_mail.inbox_id if by_mail else None, delivery_state=state, delivery_error=problem[:1000],
            created_at=now,
        )
        store_attachments((forward, item) for item in files)
        events.message_added(forward, actor)
        events.delivery_changed(forward, state, problem, actor=actor)
        Ticket.objects.filter(pk=ticket.pk).update(updated_at=now)
        search_index.refresh([ticket.pk])
        if state == DeliveryState.QUEUED:
            transaction.on_commit(lambda: replies.enqueue_delivery(forward.pk))
    return forward
