"""Service metrics, each exactly as ``docs/metrics.md`` defines it, the same for every channel.

Every function takes the tickets to measure (a queryset: all of them, a department's, an agent's,
one channel's; ``measured`` drops merged tickets, which no metric counts) and a period, and reads
the ticket's timestamps with a fixed number of queries, whatever the number of tickets. Durations
are wall-clock time, or open time of a business-hours calendar when one is given
(``pomoc.calendars``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, Min, Q, QuerySet
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay

from pomoc.calendars.schedule import Schedule
from pomoc.tickets.models import UNRESOLVED_STATUSES, MessageKind, Ticket


@dataclass(frozen=True)
class Period:
    """``[start, end)``, aware datetimes."""

    start: dt.datetime
    end: dt.datetime

    def __post_init__(self):
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("a period needs aware datetimes")
        if self.end < self.start:
            raise ValueError("a period ends after it starts")


@dataclass(frozen=True)
class Durations:
    count: int
    mean: dt.timedelta | None
    median: dt.timedelta | None
    p90: dt.timedelta | None


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        """A share from 0 to 1; None when nothing was measured."""
        return self.numerator / self.denominator if self.denominator else None


def measured(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Merged tickets count on the ticket they were merged into, never on their own."""
    return tickets.filter(merged_into__isnull=True)


def summarize(values: Iterable[dt.timedelta]) -> Durations:
    """Count, mean, median and 90th percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    if not ordered:
        return Durations(0, None, None, None)
    total = sum(ordered, dt.timedelta())
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    p90 = ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]
    return Durations(len(ordered), total / len(ordered), median, p90)


def _elapsed(start: dt.datetime, end: dt.datetime, schedule: Schedule | None) -> dt.timedelta:
    if schedule is None:
        return max(end - start, dt.timedelta())
    return schedule.open_time_between(start, end)


def first_response_times(tickets: QuerySet[Ticket], period: Period, *,
                         schedule: Schedule | None = None) -> Durations:
    """FRT: ``first_response_at − created_at`` of the tickets opened in the period that have a first
    response (one query)."""
    rows = (measured(tickets)
            .filter(created_at__gte=period.start, created_at__lt=period.end, first_response_at__isnull=False)
            .values_list("created_at", "first_response_at"))
    return summarize(_elapsed(created, answered, schedule) for created, answered in rows)


def resolution_times(tickets: QuerySet[Ticket], period: Period, *, schedule: Schedule | None = None) -> Durations:
    """Resolution time: ``resolved_at − created_at`` of the tickets resolved in the period (a reopened
    ticket counts to its latest resolution; one query)."""
    rows = (measured(tickets).filter(resolved_at__gte=period.start, resolved_at__lt=period.end)
            .values_list("created_at", "resolved_at"))
    return summarize(_elapsed(created, resolved, schedule) for created, resolved in rows)


def _resolved_in(tickets: QuerySet[Ticket], period: Period) -> QuerySet[Ticket]:
    return measured(tickets).filter(resolved_at__gte=period.start, resolved_at__lt=period.end)


def reopen_rate(tickets: QuerySet[Ticket], period: Period) -> Rate:
    """Share of the tickets resolved in the period that were reopened at least once (one query)."""
    counts = _resolved_in(tickets, period).aggregate(
        total=Count("pk"), reopened=Count("pk", filter=Q(reopen_count__gt=0)))
    return Rate(counts["reopened"], counts["total"])


def first_contact_resolution(tickets: QuerySet[Ticket], period: Period) -> Rate:
    """FCR: share of the tickets resolved in the period with exactly one agent reply and never
    reopened (two queries)."""
    resolved = _resolved_in(tickets, period)
    total = resolved.count()
    single = (resolved.filter(reopen_count=0)
              .annotate(replies=Count("messages", filter=Q(messages__kind=MessageKind.REPLY)))
              .filter(replies=1).count())
    return Rate(single, total)


AGE_BUCKETS = (dt.timedelta(hours=24), dt.timedelta(days=3), dt.timedelta(days=7))
"""Backlog ages: under a day, one to three days, three to seven, older."""


@dataclass(frozen=True)
class Backlog:
    total: int
    by_status: dict[str, int]
    by_age: tuple[int, ...]  # one count per AGE_BUCKETS bound, then the older ones
    oldest_created_at: dt.datetime | None


def backlog(tickets: QuerySet[Ticket], *, at: dt.datetime) -> Backlog:
    """The unresolved tickets (new, open, pending, snoozed) now, by status and by age (one query).

    Grouped by status and reading only the creation time (no id, no row): on PostgreSQL an
    index-only scan of ``ticket_unresolved``, whose predicate is this one, for any viewer or filter
    the rollups take (department, channel, agent, priority are in the index)."""
    active = measured(tickets).filter(status__in=UNRESOLVED_STATUSES)
    younger = {f"age_{index}": Count("created_at", filter=Q(created_at__gt=at - bound))
               for index, bound in enumerate(AGE_BUCKETS)}
    rows = {row["status"]: row for row in active.values("status").annotate(
        total=Count("created_at"), oldest=Min("created_at"), **younger).order_by()}
    total = sum(row["total"] for row in rows.values())
    cumulative = [sum(row[f"age_{index}"] for row in rows.values()) for index in range(len(AGE_BUCKETS))]
    by_age = tuple(b - a for a, b in zip([0, *cumulative], [*cumulative, total], strict=True))
    return Backlog(total=total,
                   by_status={status: rows[status]["total"] if status in rows else 0 for status in UNRESOLVED_STATUSES},
                   by_age=by_age, oldest_created_at=min((row["oldest"] for row in rows.values()), default=None))


VOLUME_DIMENSIONS = {
    "channel": F("channel"),
    "department": F("department_id"),
    "agent": F("assignee_id"),
}


def volume(tickets: QuerySet[Ticket], period: Period, *, by: str, time_zone: dt.tzinfo | None = None
           ) -> list[tuple[object, int]]:
    """Tickets opened in the period, counted by ``channel``, ``department`` (id), ``agent`` (the
    assignee's id), ``hour`` (0–23) or ``weekday`` (1 = Monday … 7) in ``time_zone`` (one query).
    Keys with no ticket are left out; None is "none" (no department, unassigned)."""
    opened = measured(tickets).filter(created_at__gte=period.start, created_at__lt=period.end)
    if by == "hour":
        key = ExtractHour("created_at", tzinfo=time_zone)
    elif by == "weekday":
        key = ExtractIsoWeekDay("created_at", tzinfo=time_zone)
    elif by in VOLUME_DIMENSIONS:
        key = VOLUME_DIMENSIONS[by]
    else:
        raise ValueError(f"unknown dimension {by!r}")
    rows = opened.annotate(key=key).values("key").annotate(count=Count("pk")).order_by("key")
    return [(row["key"], row["count"]) for row in rows]
