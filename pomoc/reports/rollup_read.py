"""The report's period figures read from the rollups (``pomoc.reports.rollups``): a handful of
aggregate queries over days, whatever the number of tickets.

Used when the rollups can answer exactly: whole days in the installation's time zone, wall-clock
time, and only the filters the rollup keys carry (department, channel, agent, priority). A tag, a
company or a business-hours calendar fall back to reading the tickets (``selectors``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connections
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from pomoc.core.models import OrganisationSettings
from pomoc.reports import metrics
from pomoc.reports.models import (
    BUCKET_MINUTES,
    HOUR_COLUMNS,
    NONE,
    ROLLUP_COLUMNS,
    DailyRollup,
    DayTotal,
    DayVolume,
    RollupState,
)
from pomoc.reports.rollups import zone
from pomoc.tickets.permissions import sees_all_tickets

ROLLUP_FILTERS = ("department", "channel", "agent", "priority")


@dataclass(frozen=True)
class SlaCompliance:
    """Met and breached counts of one target in the period."""

    target: str
    met: int
    breached: int

    @property
    def value(self) -> float | None:
        total = self.met + self.breached
        return self.met / total if total else None


@dataclass(frozen=True)
class PeriodFigures:
    first_response: metrics.Durations
    resolution: metrics.Durations
    handle_time: metrics.Durations
    reopen: metrics.Rate
    fcr: metrics.Rate
    by_channel: list[tuple[str, int]]
    by_department: list[tuple[int | None, int]]
    by_hour: dict[int, int]
    sla: list[SlaCompliance]
    daily: dict[dt.date, Day] = field(default_factory=dict)


@dataclass
class Day:
    """One day's tickets opened (by channel) and the first responses of those tickets."""

    opened: int = 0
    answered: int = 0
    frt_seconds: int = 0
    channels: dict[str, int] = field(default_factory=dict)


def usable(*, start: dt.datetime, end: dt.datetime, calendar=None, **filters) -> bool:
    """Whether the rollups can give this report exactly."""
    if not getattr(settings, "POMOC_REPORT_ROLLUPS", True) or calendar is not None:
        return False
    if any(filters.get(name) not in (None, "") for name in filters if name not in ROLLUP_FILTERS):
        return False
    if str(timezone.get_current_timezone()) != settings.TIME_ZONE:
        return False  # hours of the day in another zone than the rollups'
    tz = zone()
    if any(moment.astimezone(tz).time() != dt.time() for moment in (start, end)):
        return False  # not whole days
    return RollupState.objects.filter(pk=1, advanced_at__isnull=False).exists()


def _days(start: dt.datetime, end: dt.datetime) -> tuple[dt.date, dt.date]:
    tz = zone()
    return start.astimezone(tz).date(), end.astimezone(tz).date()


def visible_rows(user, model, start: dt.datetime, end: dt.datetime, **filters) -> QuerySet:
    """The rollup rows of the period for the tickets ``user`` may see (``ticket_visibility_q`` on the
    rollup keys), narrowed by the filters."""
    first, after = _days(start, end)
    rows = model.objects.filter(day__gte=first, day__lt=after)
    if not sees_all_tickets(user):
        q = Q(department_id__in=list(user.departments.values_list("pk", flat=True))) | Q(agent_id=user.pk)
        if OrganisationSettings.get().agents_see_unassigned_department_less:
            q |= Q(department_id=NONE)
        rows = rows.filter(q)
    for name in ROLLUP_FILTERS:
        value = filters.get(name)
        if value is None or value == "":
            continue
        column = {"department": "department_id", "agent": "agent_id"}.get(name, name)
        rows = rows.filter(**{column: getattr(value, "pk", value)})
    return rows


def from_histogram(counts: list[int], total_seconds: int) -> metrics.Durations:
    """Count, mean (exact, from the sum), median and 90th percentile (nearest rank, as
    ``metrics.summarize``) of a histogram: one count per ``BUCKET_MINUTES`` bucket; a percentile is
    the lower bound of its bucket."""
    count = sum(counts)
    if not count:
        return metrics.Durations(0, None, None, None)

    def nth(rank: int) -> int:  # the value (seconds) at 0-based ``rank``
        seen = 0
        for index, n in enumerate(counts):
            seen += n
            if rank < seen:
                return BUCKET_MINUTES[index] * 60
        return BUCKET_MINUTES[-1] * 60

    middle = count // 2
    median = nth(middle) if count % 2 else (nth(middle - 1) + nth(middle)) / 2
    p90 = nth(max(0, -(-9 * count // 10) - 1))
    return metrics.Durations(count, dt.timedelta(seconds=total_seconds / count), dt.timedelta(seconds=median),
                             dt.timedelta(seconds=p90))


def _histogram(sums: dict, measure: str) -> list[int]:
    return [sums[f"{measure}_b{index}"] for index in range(len(BUCKET_MINUTES))]


def _filtered_by(filters: dict) -> set[str]:
    return {name for name in ROLLUP_FILTERS if filters.get(name) not in (None, "")}


def period_figures(user, *, start: dt.datetime, end: dt.datetime, **filters) -> PeriodFigures:
    """The period's figures from the rollups: three queries, over the smallest rows that hold them.

    The sums: ``DayTotal`` (one row a day) for a viewer who sees every ticket and filters nothing,
    the wide ``DailyRollup`` rows of the viewer and filters otherwise. The days, channels and
    departments: the narrow ``DayVolume`` rows of the viewer and filters (``visible_rows``)."""
    rows = visible_rows(user, DailyRollup, start, end, **filters)
    first, after = _days(start, end)
    if sees_all_tickets(user) and not _filtered_by(filters):
        rows = DayTotal.objects.filter(day__gte=first, day__lt=after)
    sums = _sums(rows, ROLLUP_COLUMNS)
    daily, channels, departments = _by_day_channel_department(visible_rows(user, DayVolume, start, end, **filters))
    by_channel = [(c, n) for c, n in sorted(channels.items()) if n]
    by_department = [(None if d == NONE else d, n) for d, n in sorted(departments.items()) if n]
    return PeriodFigures(
        first_response=from_histogram(_histogram(sums, "frt"), sums["frt_seconds"]),
        resolution=from_histogram(_histogram(sums, "resolution"), sums["resolution_seconds"]),
        handle_time=from_histogram(_histogram(sums, "handle"), sums["handle_seconds"]),
        reopen=metrics.Rate(sums["reopened"], sums["resolved"]),
        fcr=metrics.Rate(sums["fcr"], sums["resolved"]),
        by_channel=by_channel,
        by_department=by_department,
        by_hour={hour: sums[column] for hour, column in enumerate(HOUR_COLUMNS) if sums[column]},
        sla=[SlaCompliance(target, sums[f"sla_{target}_met"], sums[f"sla_{target}_breached"])
             for target in ("first_response", "next_response", "resolution")],
        daily=daily,
    )


def _raw(queryset: QuerySet) -> list[tuple]:
    """The rows of ``queryset`` as the database gives them: no per-row field converters (a year is
    thousands of rows of plain integers)."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _sums(rows: QuerySet, columns: tuple[str, ...]) -> dict[str, int]:
    """Each column summed over ``rows`` in one statement, its text built from the plain column list
    (180 ``Sum`` expressions cost more to compile than the database takes to add up a year)."""
    sql, params = rows.order_by().values_list(*columns).query.sql_with_params()
    quote = connections[rows.db].ops.quote_name
    # Column names from the model; the filtered rows as a subquery with its parameters.
    outer = f"SELECT {', '.join(f'SUM({quote(c)})' for c in columns)} FROM ({sql}) AS r"  # noqa: S608
    with connections[rows.db].cursor() as cursor:
        cursor.execute(outer, params)
        values = cursor.fetchone()
    return {name: int(value or 0) for name, value in zip(columns, values, strict=True)}


def _by_day_channel_department(rows: QuerySet) -> tuple[dict[dt.date, Day], dict[str, int], dict[int, int]]:
    """Per day (with its channels), per channel and per department: two grouped queries, by day and
    channel (days × channels rows) and by department."""
    days: dict[dt.date, Day] = {}
    channels: dict[str, int] = {}
    departments: dict[int, int] = {}
    by_day_channel = (rows.values("day", "channel").annotate(o=Sum("opened"), a=Sum("answered"), s=Sum("frt_seconds"))
                      .filter(o__gt=0).values_list("day", "channel", "o", "a", "s").order_by())
    for day, channel, opened, answered, seconds in _raw(by_day_channel):
        if isinstance(day, str):  # SQLite gives the date as text
            day = dt.date.fromisoformat(day)
        entry = days.setdefault(day, Day())
        entry.opened += int(opened)
        entry.answered += int(answered)
        entry.frt_seconds += int(seconds)
        channels[channel] = channels.get(channel, 0) + int(opened)
        entry.channels[channel] = entry.channels.get(channel, 0) + int(opened)
    for department, opened in _raw(rows.values("department_id").annotate(o=Sum("opened")).filter(o__gt=0)
                                   .values_list("department_id", "o").order_by()):
        departments[department] = int(opened)
    return days, channels, departments
