"""Events to their subscribers, once, after commit: live updates, then rules, SLA timers, surveys
and report rollups (see DOMAIN.md, "Dispatch").

``events.py`` hands every event it saves to ``recorded``. Outside a transaction the subscribers run
at once; inside one, they run after the outermost transaction commits and never if it (or the
savepoint the events were written in) rolls back.

Coalescing: the events of one transaction are buffered on the database connection and every
recording call registers a ``transaction.on_commit`` flush. Django drops the flushes registered
inside a savepoint that rolls back, so a flush that runs belongs to a committed transaction; the
first one to run takes the whole buffer and the others find it empty. Which buffered events are
still alive cannot be told from the buffer alone (a savepoint rolled back after the last recording
call leaves its events there), so the flush reads the buffered ids back from the database — the
rows that exist are exactly the committed ones — in the one query that also loads their tickets
(number, department) for the subscribers. Each subscriber is therefore called once per committed
transaction with all of its events, in insertion order.

A failing subscriber is logged and the next one still runs; the write has already committed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import router, transaction

from pomoc.tickets.models import TicketEvent

logger = logging.getLogger(__name__)

# The order slots, fixed: live updates first, report rollups last.
LIVE_UPDATES = 0
RULES = 10
SLA_TIMERS = 20
SURVEYS = 30
REPORT_ROLLUPS = 40

Subscriber = Callable[[list[TicketEvent]], None]


@dataclass(order=True)
class _Registration:
    order: int
    sequence: int
    name: str = field(compare=False)
    func: Subscriber = field(compare=False)


_subscribers: list[_Registration] = []
_sequence = 0


def register(name: str, func: Subscriber, *, order: int) -> None:
    """Call ``func(events)`` after every commit that recorded events. Lower ``order`` runs first
    (equal orders in registration order); registering a ``name`` again replaces it."""
    global _sequence
    unregister(name)
    _sequence += 1
    _subscribers.append(_Registration(order=order, sequence=_sequence, name=name, func=func))
    _subscribers.sort()


def unregister(name: str) -> None:
    _subscribers[:] = [r for r in _subscribers if r.name != name]


def subscribers() -> list[str]:
    """The registered names, in the order they are called."""
    return [r.name for r in _subscribers]


class _Buffer:
    """The ids recorded in the current transaction of one connection, with the flushes that
    Django keeps for them in ``run_on_commit`` (to forget those of rolled-back transactions)."""

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.flushes: list[Callable[[], None]] = []


def _buffer(connection) -> _Buffer:
    buffer = getattr(connection, "_pomoc_dispatch", None)
    if buffer is None:
        buffer = connection._pomoc_dispatch = _Buffer()
    return buffer


def recorded(events: list[TicketEvent]) -> None:
    """Hand saved events (with pks) to the subscribers: now in autocommit, else after commit."""
    events = [e for e in events if e.pk is not None]
    if not events:
        return
    using = router.db_for_write(TicketEvent)
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        _dispatch([e.pk for e in events], using)
        return
    buffer = _buffer(connection)
    pending = {id(func) for _sids, func, _robust in connection.run_on_commit}
    if not any(id(flush) in pending for flush in buffer.flushes):
        # None of the earlier flushes will run (their transaction or savepoint rolled back): start afresh.
        buffer.ids, buffer.flushes = [], []

    def flush() -> None:
        ids, buffer.ids, buffer.flushes = buffer.ids, [], []
        _dispatch(ids, using)

    buffer.ids.extend(e.pk for e in events)
    buffer.flushes.append(flush)
    transaction.on_commit(flush, using=using)


def _dispatch(ids: list[int], using: str) -> None:
    if not ids or not _subscribers:
        return
    try:
        events = list(TicketEvent.objects.using(using).filter(pk__in=set(ids)).select_related("ticket")
                      .order_by("pk"))
    except Exception:  # the write committed; losing its after-effects must not turn it into an error
        logger.exception("could not read back %d ticket events to dispatch", len(ids))
        return
    if events:
        run(events)


def run(events: list[TicketEvent]) -> None:
    """Call every subscriber in order with ``events``; one failing never stops the next."""
    for registration in list(_subscribers):
        try:
            registration.func(events)
        except Exception:
            logger.exception("ticket event subscriber %s failed on %d events", registration.name, len(events))
