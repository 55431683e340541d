"""A port: who opened which ticket, and which tickets in a list have a customer message their
assignee has not opened yet.

The notifications app keeps the read state and installs itself here at start-up (as channels
install ``replies``); without it nothing is recorded and nothing is marked unread.
"""

from collections.abc import Callable

_opened: Callable | None = None
_mark: Callable | None = None


def install(*, opened: Callable, mark: Callable) -> None:
    """``opened(user, ticket)`` records a visit; ``mark(tickets)`` sets ``ticket.unread`` on each."""
    global _opened, _mark
    _opened, _mark = opened, mark


def opened(user, ticket) -> None:
    if _opened is not None:
        _opened(user, ticket)


def mark(tickets: list) -> list:
    """Set ``unread`` on every ticket of a page (False when nobody installed the read state)."""
    for ticket in tickets:
        ticket.unread = False
    if _mark is not None and tickets:
        _mark(tickets)
    return tickets
