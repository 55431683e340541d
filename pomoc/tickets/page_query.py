"""The one query that loads a ticket for its page, and what other apps add to it.

The ticket page shows what several apps know about the ticket (its SLA, whether the agent follows
it, what they last read). Each would cost a query of its own; instead an app registers an
``extender`` (``queryset, user -> queryset``) that joins or annotates what it needs, and reads it
from the ticket when present (falling back to its own query when the ticket came another way).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet

from pomoc.tickets.models import Ticket

Extender = Callable[[QuerySet, object], QuerySet]
_extenders: dict[str, Extender] = {}


def register(name: str, extender: Extender) -> None:
    _extenders[name] = extender


def ticket_page_queryset(user) -> QuerySet[Ticket]:
    """Tickets with what the header, sidebar and reply route show of their related rows, and what
    the registered apps add: one query, plus one for the requester's identities."""
    queryset = (Ticket.objects.select_related("requester", "requester__company", "assignee", "department",
                                              "merged_into")
                .defer("merged_into__search_vector")  # the target's number is all the page shows of it
                .prefetch_related("requester__identities"))
    for extender in _extenders.values():
        queryset = extender(queryset, user)
    return queryset
