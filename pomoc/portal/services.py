"""Writes a customer makes on their tickets in the portal. Each goes through the ticket services, so
the agent sees a portal reply as a customer message (channel web) with its events, and a close or
reopen as a status change by the customer, in the ticket's history."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from pomoc.tickets import services as ticket_services
from pomoc.tickets.attachments import NewAttachment
from pomoc.tickets.models import Channel, Message, MessageKind, Status, Ticket

REPLY_MAX = 20_000
CLOSED = (Status.RESOLVED, Status.CLOSED)


def portal_reply(*, user, ticket: Ticket, text: str, attachments: Iterable[NewAttachment] = ()) -> Message:
    """A customer message on ``ticket`` written in the portal (a resolved ticket opens again)."""
    if len(text or "") > REPLY_MAX:
        raise ValidationError({"body": _("At most %(count)s characters.") % {"count": REPLY_MAX}})
    return ticket_services.message_add(ticket=ticket, kind=MessageKind.CUSTOMER, actor=user,
                                       author_contact=getattr(user, "contact", None) or ticket.requester,
                                       body_text=text or "", channel=Channel.WEB, attachments=list(attachments))


def portal_close(*, user, ticket: Ticket) -> Ticket:
    """The customer says their request is solved: the ticket is resolved."""
    if ticket.status in CLOSED:
        return ticket
    return ticket_services.ticket_update(ticket=ticket, actor=user, changes={"status": Status.RESOLVED})


def portal_reopen(*, user, ticket: Ticket) -> Ticket:
    """The customer needs more help with a resolved or closed request: it is open again."""
    if ticket.status not in CLOSED:
        return ticket
    return ticket_services.ticket_update(ticket=ticket, actor=user, changes={"status": Status.OPEN})
