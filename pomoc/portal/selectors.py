"""Reads of the portal's ticket pages: a flat number of queries however many tickets or messages."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from pomoc.core.quotes import split_quoted
from pomoc.core.sanitize import text_to_html
from pomoc.portal.access import portal_messages, portal_tickets
from pomoc.tickets.models import Status, Ticket

PAGE_SIZE = 25

# What a customer reads as their request's state (the agents' finer statuses mean nothing to them).
CUSTOMER_STATES = {
    Status.NEW: ("open", _("Received")),
    Status.OPEN: ("open", _("In progress")),
    Status.PENDING: ("waiting", _("Waiting for your reply")),
    Status.SNOOZED: ("open", _("In progress")),
    Status.RESOLVED: ("solved", _("Solved")),
    Status.CLOSED: ("solved", _("Solved")),
}


def customer_state(status: str) -> tuple[str, str]:
    return CUSTOMER_STATES.get(status, ("open", _("In progress")))


@dataclass
class TicketPage:
    tickets: list[Ticket]
    page: int
    has_next: bool


def my_tickets(user, *, page: int = 1, show: str = "all") -> TicketPage:
    """The customer's tickets, newest activity first, one page at a time (one query)."""
    qs: QuerySet[Ticket] = portal_tickets(user).select_related("requester")
    if show == "open":
        qs = qs.exclude(status__in=[Status.RESOLVED, Status.CLOSED])
    elif show == "solved":
        qs = qs.filter(status__in=[Status.RESOLVED, Status.CLOSED])
    page = max(page, 1)
    start = (page - 1) * PAGE_SIZE
    rows = list(qs.order_by("-updated_at", "-id")[start:start + PAGE_SIZE + 1])
    for ticket in rows:
        ticket.customer_state = customer_state(ticket.status)
    return TicketPage(tickets=rows[:PAGE_SIZE], page=page, has_next=len(rows) > PAGE_SIZE)


def conversation(ticket: Ticket) -> list:
    """The ticket's customer messages and agent replies, oldest first (two queries). Each carries
    ``portal_html``: its text without the quoted earlier mail, escaped, links made clickable."""
    rows = list(portal_messages(ticket))
    for message in rows:
        visible, _folded = split_quoted(message.body_text or "")
        message.portal_html = text_to_html(visible.strip() or message.body_text or "")
    return rows
