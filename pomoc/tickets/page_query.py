"""The one query that loads a ticket for its page, and what other apps add to it.

The ticket page shows what several apps know about the ticket (its SLA, whether the agent follows
it, what they last read). Each would cost a query of its own; instead an app registers an
``extender`` (``queryset, user -> queryset``) that joins or annotates what it needs, and reads it
from the ticket when present (falling back to its own query when the ticket came another way).

What only the sidebar shows is registered with ``sidebar=True``: the page asks for its sidebar
afterwards (``views_ticket.sidebar_partial``), so the page's own query leaves those out, and the
sidebar's leaves out what only the main column (header, conversation, composer) reads. Every join
costs PostgreSQL planning time (the planner weighs each join order and index), and every subquery
Python time to build: with all of them the query took longer to plan than to run.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import OuterRef, QuerySet, Subquery

from pomoc.tickets.models import Ticket

Extender = Callable[[QuerySet, object], QuerySet]
_extenders: dict[str, Extender] = {}
_sidebar_extenders: dict[str, Extender] = {}


def register(name: str, extender: Extender, *, sidebar: bool = False) -> None:
    """Add ``extender`` to the ticket page's query: for the page's main column, or with ``sidebar`` for
    the sidebar only."""
    (_sidebar_extenders if sidebar else _extenders)[name] = extender
    (_extenders if sidebar else _sidebar_extenders).pop(name, None)


def ticket_page_queryset(user, *, main: bool = True, sidebar: bool = True) -> QuerySet[Ticket]:
    """Tickets with what the header, reply route and sidebar show of their related rows, and what
    the registered apps add: one query, plus one for the requester's identities. Without ``main``
    or ``sidebar``, what only that part of the page reads is left out."""
    related = ["requester", "assignee", "department"]
    if sidebar:
        related.append("requester__company")
    # A merged ticket's page names its target by number, all it shows of it: a subquery, not a join
    # of a second ticket row (the ticket table's joins cost the planner most).
    queryset = (Ticket.objects.select_related(*related).prefetch_related("requester__identities")
                .annotate(merged_into_number=Subquery(Ticket.objects.filter(pk=OuterRef("merged_into_id"))
                                                      .values("number")[:1])))
    for extender in (_extenders.values() if main else ()):
        queryset = extender(queryset, user)
    for extender in (_sidebar_extenders.values() if sidebar else ()):
        queryset = extender(queryset, user)
    return queryset
