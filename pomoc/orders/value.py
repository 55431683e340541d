"""What a customer is worth and how healthy the relationship is, each figure explained.

Definitions (the same words are in docs/metrics.md):

- **Realised CLV**, per currency: the sum of ``total − refunded`` over the customer's paid orders
  (status paid, shipped, delivered or refunded). Currencies are never converted: a customer who paid
  in EUR and CZK has two figures, shown side by side, largest first.
- **Predicted CLV**, per currency: average order value × purchase frequency × expected lifetime,
  where frequency is paid orders per year over the time since the first paid order (at least one
  year) and the expected lifetime is ``POMOC_CLV_LIFETIME_YEARS`` (default 3).
- **Churn**: a customer churned in a period of ``CHURN_DAYS`` (90 days) if they were active (placed
  an order or opened a ticket) in the period before it and not in it.
- **Health**, 0–100: 50 plus the contributions listed in ``health``; each is shown with its reason.

Everything for one customer is read in a fixed number of queries, however many orders and tickets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Avg, Count, F, Max, Min, Q, Sum
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pomoc.orders.models import PAID_STATUSES, Order, OrderStatus
from pomoc.surveys.models import Answer
from pomoc.tickets.models import EventType, Ticket, TicketEvent

CHURN_DAYS = 90
RECENT_DAYS = 90
YEAR = dt.timedelta(days=365)
HEALTH_BASE = 50


def lifetime_years() -> Decimal:
    return Decimal(str(getattr(settings, "POMOC_CLV_LIFETIME_YEARS", 3)))


@dataclass
class Money:
    currency: str
    amount: Decimal


@dataclass
class Contribution:
    """One reason for a health score: ``points`` added (or taken, when negative), and why."""

    label: str
    points: int
    detail: str


@dataclass
class CustomerValue:
    realised: list[Money] = field(default_factory=list)
    predicted: list[Money] = field(default_factory=list)
    paid_orders: int = 0
    first_order_at: dt.datetime | None = None
    last_order_at: dt.datetime | None = None


@dataclass
class Health:
    score: int
    contributions: list[Contribution]


@dataclass
class Facts:
    """What value, churn and health are computed from (read in ``facts``)."""

    now: dt.datetime
    by_currency: list[dict]
    orders_total: int = 0  # every order, whatever its status
    orders_last_year: int = 0
    orders_before: int = 0  # orders placed more than a year ago
    orders_this_period: int = 0
    orders_previous_period: int = 0
    last_order_at: dt.datetime | None = None
    tickets_recent: int = 0
    tickets_this_period: int = 0
    tickets_previous_period: int = 0
    last_ticket_at: dt.datetime | None = None
    csat_average: float | None = None
    csat_count: int = 0
    nps_latest: int | None = None
    sla_breaches: int = 0


def facts(contact, *, now: dt.datetime | None = None) -> Facts:
    """Everything about ``contact`` the figures need, in five queries."""
    now = now or timezone.now()
    period = dt.timedelta(days=CHURN_DAYS)
    recent = now - dt.timedelta(days=RECENT_DAYS)
    orders = Order.objects.filter(contact=contact)
    paid = Q(status__in=PAID_STATUSES)
    by_currency = list(orders.filter(paid).values("currency").annotate(
        value=Sum(F("total") - F("refunded")), count=Count("id"), first=Min("placed_at"), last=Max("placed_at"),
    ).order_by("currency"))
    live = ~Q(status=OrderStatus.CANCELLED)
    counts = orders.aggregate(
        all=Count("id"),
        last_year=Count("id", filter=live & Q(placed_at__gte=now - YEAR, placed_at__lte=now)),
        before=Count("id", filter=live & Q(placed_at__lt=now - YEAR)),
        this_period=Count("id", filter=live & Q(placed_at__gte=now - period, placed_at__lte=now)),
        previous_period=Count("id", filter=live & Q(placed_at__gte=now - 2 * period, placed_at__lt=now - period)),
        last=Max("placed_at", filter=live & Q(placed_at__lte=now)),
    )
    # Returns are tickets Pomoc opened for the customer, not the customer asking for help again.
    tickets = Ticket.objects.filter(requester=contact, return_request__isnull=True, merged_into__isnull=True)
    ticket_counts = tickets.aggregate(
        recent=Count("id", filter=Q(created_at__gte=recent, created_at__lte=now)),
        this_period=Count("id", filter=Q(created_at__gte=now - period, created_at__lte=now)),
        previous_period=Count("id", filter=Q(created_at__gte=now - 2 * period, created_at__lt=now - period)),
        last=Max("created_at", filter=Q(created_at__lte=now)),
    )
    answers = Answer.objects.filter(contact=contact, answered_at__gte=now - YEAR, answered_at__lte=now)
    csat = answers.filter(kind="csat").aggregate(average=Avg("score"), count=Count("id"))
    nps = answers.filter(kind="nps").order_by("-answered_at", "-id").values_list("score", flat=True).first()
    breaches = TicketEvent.objects.filter(ticket__requester=contact, type=EventType.SLA_BREACHED,
                                          at__gte=recent, at__lte=now).count()
    return Facts(
        now=now, by_currency=by_currency,
        orders_total=counts["all"], orders_last_year=counts["last_year"], orders_before=counts["before"],
        orders_this_period=counts["this_period"], orders_previous_period=counts["previous_period"],
        last_order_at=counts["last"],
        tickets_recent=ticket_counts["recent"], tickets_this_period=ticket_counts["this_period"],
        tickets_previous_period=ticket_counts["previous_period"], last_ticket_at=ticket_counts["last"],
        csat_average=float(csat["average"]) if csat["average"] is not None else None, csat_count=csat["count"],
        nps_latest=nps, sla_breaches=breaches,
    )


# --- value --------------------------------------------------------------------------------------
def value_of(f: Facts) -> CustomerValue:
    result = CustomerValue()
    for row in f.by_currency:
        realised = Decimal(row["value"] or 0).quantize(Decimal("0.01"))
        result.realised.append(Money(row["currency"], realised))
        result.paid_orders += row["count"]
        years = max(Decimal((f.now - row["first"]).total_seconds()) / Decimal(YEAR.total_seconds()), Decimal(1))
        average = realised / row["count"]
        frequency = row["count"] / years
        predicted = (average * frequency * lifetime_years()).quantize(Decimal("0.01"))
        result.predicted.append(Money(row["currency"], predicted))
        result.first_order_at = min(filter(None, (result.first_order_at, row["first"])))
        result.last_order_at = max(filter(None, (result.last_order_at, row["last"])))
    result.realised.sort(key=lambda m: (-m.amount, m.currency))
    result.predicted.sort(key=lambda m: (-m.amount, m.currency))
    return result


# --- churn --------------------------------------------------------------------------------------
def is_churned(f: Facts) -> bool:
    """Active (an order or a ticket) in the previous period of CHURN_DAYS, and not in this one."""
    before = f.orders_previous_period + f.tickets_previous_period
    now = f.orders_this_period + f.tickets_this_period
    return before > 0 and now == 0


def churn(*, end: dt.datetime | None = None, days: int = CHURN_DAYS) -> tuple[int, int]:
    """(customers churned in the period of ``days`` ending at ``end``, customers active in the period
    before it): the churn rate is the first over the second. Two queries per kind of activity."""
    end = end or timezone.now()
    period = dt.timedelta(days=days)
    start, previous = end - period, end - 2 * period

    def active(since, until) -> set[int]:
        ids = set(Order.objects.filter(placed_at__gte=since, placed_at__lt=until).exclude(
            status=OrderStatus.CANCELLED).values_list("contact_id", flat=True).distinct())
        ids |= set(Ticket.objects.filter(created_at__gte=since, created_at__lt=until, return_request__isnull=True,
                                         merged_into__isnull=True).values_list("requester_id", flat=True).distinct())
        return ids

    base = active(previous, start)
    return len(base - active(start, end)), len(base)


# --- health -------------------------------------------------------------------------------------
def health(f: Facts) -> Health:
    """50, plus or minus each contribution, within 0–100."""
    parts: list[Contribution] = []

    volume = f.tickets_recent
    if volume == 0:
        parts.append(Contribution(_("Ticket volume"), 10,
                                  _("no tickets in the last %(days)d days") % {"days": RECENT_DAYS}))
    else:
        points = 0 if volume <= 2 else (-10 if volume <= 5 else -20)
        parts.append(Contribution(_("Ticket volume"), points,
                                  ngettext("%(count)d ticket in the last %(days)d days",
                                           "%(count)d tickets in the last %(days)d days", volume)
                                  % {"count": volume, "days": RECENT_DAYS}))

    if f.csat_average is not None:
        points = round((f.csat_average - 3) * 10)
        parts.append(Contribution(_("Satisfaction (CSAT)"), points,
                                  ngettext("average %(average)s of 5 from %(count)d answer",
                                           "average %(average)s of 5 from %(count)d answers", f.csat_count)
                                  % {"average": number_format(f.csat_average, 1), "count": f.csat_count}))
    if f.nps_latest is not None:
        points = 10 if f.nps_latest >= 9 else (0 if f.nps_latest >= 7 else -15)
        parts.append(Contribution(_("Recommendation (NPS)"), points, _("last answer %(score)d of 10")
                                  % {"score": f.nps_latest}))
    if f.sla_breaches:
        parts.append(Contribution(_("SLA breaches"), -min(20, 5 * f.sla_breaches),
                                  ngettext("%(count)d missed target in the last %(days)d days",
                                           "%(count)d missed targets in the last %(days)d days", f.sla_breaches)
                                  % {"count": f.sla_breaches, "days": RECENT_DAYS}))

    last = max(filter(None, (f.last_order_at, f.last_ticket_at)), default=None)
    if last is None:
        parts.append(Contribution(_("Recency"), -10, _("never ordered or wrote")))
    else:
        days = (f.now - last).days
        points = 10 if days <= RECENT_DAYS else (0 if days <= 365 else -20)
        parts.append(Contribution(_("Recency"), points, ngettext("last order or ticket %(days)d day ago",
                                                                 "last order or ticket %(days)d days ago", days)
                                  % {"days": days}))

    if f.orders_last_year:
        parts.append(Contribution(_("Order activity"), 10 if f.orders_last_year >= 3 else 5,
                                  ngettext("%(count)d order in the last year", "%(count)d orders in the last year",
                                           f.orders_last_year) % {"count": f.orders_last_year}))
    elif f.orders_before:
        parts.append(Contribution(_("Order activity"), -10,
                                  ngettext("no order in the last year, %(count)d before",
                                           "no order in the last year, %(count)d before", f.orders_before)
                                  % {"count": f.orders_before}))
    score = max(0, min(100, HEALTH_BASE + sum(p.points for p in parts)))
    return Health(score=score, contributions=parts)
