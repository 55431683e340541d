"""Active customers per day, the cheap daily aggregate churn reads (docs/metrics.md, "Churn").

A customer is active on a day when they opened a ticket (not a return, not merged away) or placed an
order (not cancelled) that day, in ``TIME_ZONE``. ``refresh_days`` makes a day's rows again from the
tickets and orders of that day (idempotent); the rollup job calls it for the days of the tickets it
refreshes and the days marked by order changes (``mark_order_day``), ``rebuild`` for every day.
Churn of a period then reads these rows: one query, however many tickets and orders there are."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Count, Exists, OuterRef
from django.db.models.functions import TruncDate

from pomoc.orders.models import Order, OrderStatus
from pomoc.reports import metrics
from pomoc.reports.models import ActivityDirtyDay, CustomerDay
from pomoc.tickets.models import Ticket


def zone() -> dt.tzinfo:
    """Days in the installation's ``TIME_ZONE``, as the rollups'."""
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _bounds(first: dt.date, after: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = zone()
    return (dt.datetime.combine(first, dt.time(), tzinfo=tz), dt.datetime.combine(after, dt.time(), tzinfo=tz))


def _active(first: dt.date, after: dt.date) -> set[tuple[dt.date, int]]:
    """(day, contact) of the tickets opened and the orders placed in ``[first, after)`` (two queries)."""
    start, end = _bounds(first, after)
    tickets = (Ticket.objects.filter(created_at__gte=start, created_at__lt=end, merged_into__isnull=True,
                                     return_request__isnull=True, requester__isnull=False)
               .annotate(d=TruncDate("created_at", tzinfo=zone())).values_list("d", "requester_id").distinct())
    orders = (Order.objects.filter(placed_at__gte=start, placed_at__lt=end).exclude(status=OrderStatus.CANCELLED)
              .annotate(d=TruncDate("placed_at", tzinfo=zone())).values_list("d", "contact_id").distinct())
    return set(tickets) | set(orders)


def refresh_days(days: Iterable[dt.date]) -> None:
    """Make the rows of ``days`` again from their tickets and orders."""
    days = sorted(set(days))
    for day in days:
        CustomerDay.objects.filter(day=day).delete()
        CustomerDay.objects.bulk_create([CustomerDay(day=d, contact_id=c) for d, c in _active(day, day
                                         + dt.timedelta(days=1))], ignore_conflicts=True, batch_size=2000)
    ActivityDirtyDay.objects.filter(day__in=days).delete()


def rebuild(*, chunk_days: int = 31) -> None:
    """Every day again, a month of tickets and orders at a time."""
    CustomerDay.objects.all().delete()
    ActivityDirtyDay.objects.all().delete()
    firsts = [value for value in (Ticket.objects.order_by("created_at").values_list("created_at", flat=True).first(),
                                  Order.objects.order_by("placed_at").values_list("placed_at", flat=True).first())
              if value is not None]
    if not firsts:
        return
    tz = zone()
    day = min(firsts).astimezone(tz).date()
    last = dt.datetime.now(tz).date() + dt.timedelta(days=1)
    while day <= last:
        after = day + dt.timedelta(days=chunk_days)
        CustomerDay.objects.bulk_create([CustomerDay(day=d, contact_id=c) for d, c in _active(day, after)],
                                        ignore_conflicts=True, batch_size=2000)
        day = after


def mark_order_day(placed_at: dt.datetime | None) -> None:
    if placed_at is not None:
        ActivityDirtyDay.objects.get_or_create(day=placed_at.astimezone(zone()).date())


def dirty_days() -> list[dt.date]:
    return list(ActivityDirtyDay.objects.values_list("day", flat=True)[:1000])


def churn(start: dt.datetime, end: dt.datetime) -> metrics.Rate:
    """Customers active in the period of the same length before ``[start, end)`` and not in it (the
    numerator), of those active before (the denominator); whole days in ``TIME_ZONE``. One query."""
    tz = zone()
    first, after = start.astimezone(tz).date(), end.astimezone(tz).date()
    before_first = first - (after - first)
    again = CustomerDay.objects.filter(contact_id=OuterRef("contact_id"), day__gte=first, day__lt=after)
    row = (CustomerDay.objects.filter(day__gte=before_first, day__lt=first)
           .aggregate(active=Count("contact_id", distinct=True),
                      churned=Count("contact_id", distinct=True, filter=~Exists(again))))
    return metrics.Rate(row["churned"], row["active"])
