"""The report's period figures read from the rollups (``pomoc.reports.rollups``): a handful of
aggregate queries over days, whatever the number of tickets.

Used when the rollups can answer exactly: whole days in the installation's time zone, wall-clock
time, and only the filters the rollup keys carry (department, channel, agent, priority). A tag, a
company or a business-hours calendar fall back to reading the tickets (``selectors``)."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connections
from django.db.models import Case, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from pomoc.core.models import OrganisationSettings
from pomoc.reports import metrics
from pomoc.reports.models import (
    BUCKET_MINUTES,
    HOUR_COLUMNS,
    NONE,
    ROLLUP_COLUMNS,
    SLICE_DIMENSIONS,
    DailyRollup,
    DaySlice,
    DayTotal,
    DayVolume,
    RollupState,
)
from pomoc.reports.rollups import zone
from pomoc.tickets.permissions import sees_all_tickets

ROLLUP_FILTERS = tuple(SLICE_DIMENSIONS)


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


def _day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(zone()).date()


def _visible_departments(user) -> list[int]:
    """The departments (``NONE``: none) whose tickets a viewer who does not see every ticket sees,
    besides their own (``ticket_visibility_q`` on the rollup keys)."""
    departments = list(user.departments.values_list("pk", flat=True))
    if OrganisationSettings.get().agents_see_unassigned_department_less:
        departments.append(NONE)
    return departments


def _key_value(value):
    return getattr(value, "pk", value)


def visible_rows(user, model, first: dt.date, after: dt.date, **filters) -> QuerySet:
    """The rollup rows of the days ``[first, after)`` for the tickets ``user`` may see
    (``ticket_visibility_q`` on the rollup keys), narrowed by the filters."""
    rows = model.objects.filter(day__gte=first, day__lt=after)
    if not sees_all_tickets(user):
        rows = rows.filter(Q(department_id__in=_visible_departments(user)) | Q(agent_id=user.pk))
    for name in _filtered_by(filters):
        rows = rows.filter(**{SLICE_DIMENSIONS[name]: _key_value(filters[name])})
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
    """The figures of ``[start, end)`` from the rollups (``periods_figures`` of one period)."""
    return periods_figures(user, bounds=(start, end), **filters)[0]


def periods_figures(user, *, bounds: Sequence[dt.datetime], **filters) -> list[PeriodFigures]:
    """The figures of each period between consecutive ``bounds`` (whole days in order: the period
    before and the period shown) from the rollups, read together: one grouped query for the sums of
    every period over the smallest rows that hold them (``_sum_sources``; two for an agent), and two
    grouped queries over the narrow ``DayVolume`` rows of the viewer and filters for the days,
    channels and departments."""
    days = [_day(moment) for moment in bounds]
    sums = _sums(_sum_sources(user, days[0], days[-1], filters), days, ROLLUP_COLUMNS)
    volumes = _by_day_channel_department(visible_rows(user, DayVolume, days[0], days[-1], **filters), days)
    return [_figures(period_sums, *volume) for period_sums, volume in zip(sums, volumes, strict=True)]


def _sum_sources(user, first: dt.date, after: dt.date, filters: dict) -> list[QuerySet]:
    """The rows whose column sums are the figures of the days ``[first, after)``, the fewest that
    hold them: ``DayTotal`` (one row a day) for a viewer who sees every ticket and filters nothing;
    the ``DaySlice`` rows of the one filter's value; for a viewer who sees their departments' tickets
    and their own, the slices of those departments and the wide rows of their own tickets in the
    other departments; the wide ``DailyRollup`` rows of the viewer and filters otherwise (two
    filters, or an agent who filters)."""
    used = _filtered_by(filters)
    days = {"day__gte": first, "day__lt": after}
    if sees_all_tickets(user):
        if not used:
            return [DayTotal.objects.filter(**days)]
        if len(used) == 1:
            (name,) = used
            return [DaySlice.objects.filter(dimension=name, value=str(_key_value(filters[name])), **days)]
    elif not used:
        departments = _visible_departments(user)
        own = DailyRollup.objects.filter(agent_id=user.pk, **days).exclude(department_id__in=departments)
        if not departments:
            return [own]
        return [DaySlice.objects.filter(dimension="department", value__in=[str(pk) for pk in departments], **days),
                own]
    return [visible_rows(user, DailyRollup, first, after, **filters)]


def _figures(sums: dict[str, int], daily: dict[dt.date, Day], channels: dict[str, int],
             departments: dict[int, int]) -> PeriodFigures:
    return PeriodFigures(
        first_response=from_histogram(_histogram(sums, "frt"), sums["frt_seconds"]),
        resolution=from_histogram(_histogram(sums, "resolution"), sums["resolution_seconds"]),
        handle_time=from_histogram(_histogram(sums, "handle"), sums["handle_seconds"]),
        reopen=metrics.Rate(sums["reopened"], sums["resolved"]),
        fcr=metrics.Rate(sums["fcr"], sums["resolved"]),
        by_channel=[(c, n) for c, n in sorted(channels.items()) if n],
        by_department=[(None if d == NONE else d, n) for d, n in sorted(departments.items()) if n],
        by_hour={hour: sums[column] for hour, column in enumerate(HOUR_COLUMNS) if sums[column]},
        sla=[SlaCompliance(target, sums[f"sla_{target}_met"], sums[f"sla_{target}_breached"])
             for target in ("first_response", "next_response", "resolution")],
        daily=daily,
    )


def _period_of(days: list[dt.date]) -> Case | Value:
    """The index of the period (between consecutive ``days``) a row's day falls in, in SQL."""
    whens = [When(day__lt=bound, then=Value(index)) for index, bound in enumerate(days[1:-1])]
    return Case(*whens, default=Value(len(days) - 2)) if whens else Value(0)


def _raw(queryset: QuerySet) -> list[tuple]:
    """The rows of ``queryset`` as the database gives them: no per-row field converters (a year is
    thousands of rows of plain integers)."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _sums(sources: list[QuerySet], days: list[dt.date], columns: tuple[str, ...]) -> list[dict[str, int]]:
    """Each column summed over the rows of ``sources`` for each period between consecutive ``days``:
    one grouped statement per source, written from the plain column list around the filter Django
    compiles (180 columns cost more to compile through the ORM than the database takes to add up a
    year of day totals)."""
    out = [dict.fromkeys(columns, 0) for _ in days[1:]]
    for rows in sources:
        connection = connections[rows.db]
        where, params = rows.query.get_compiler(connection=connection).compile(rows.query.where)
        quote = connection.ops.quote_name
        day = f"{quote(rows.model._meta.db_table)}.{quote('day')}"
        whens = " ".join(f"WHEN {day} < %s THEN {index}" for index in range(len(days) - 2))
        period = f"CASE {whens} ELSE {len(days) - 2} END" if whens else "0"
        # Column and table names from the model; the bounds and the filter's values as parameters.
        sql = (f"SELECT {period}, {', '.join(f'SUM({quote(c)})' for c in columns)} "  # noqa: S608
               f"FROM {quote(rows.model._meta.db_table)} WHERE {where} GROUP BY 1")
        with connection.cursor() as cursor:
            cursor.execute(sql, [*days[1:-1], *params])
            for index, *values in cursor.fetchall():
                sums = out[int(index)]
                for name, value in zip(columns, values, strict=True):
                    sums[name] += int(value or 0)
    return out


def _by_day_channel_department(rows: QuerySet, days: list[dt.date]
                               ) -> list[tuple[dict[dt.date, Day], dict[str, int], dict[int, int]]]:
    """Per day (with its channels), per channel and per department, for each period between
    consecutive ``days``: two grouped queries, by day and channel (days × channels rows) and by
    period and department."""
    periods: list[tuple[dict[dt.date, Day], dict[str, int], dict[int, int]]] = [({}, {}, {}) for _ in days[1:]]
    by_day_channel = (rows.values("day", "channel").annotate(o=Sum("opened"), a=Sum("answered"), s=Sum("frt_seconds"))
                      .filter(o__gt=0).values_list("day", "channel", "o", "a", "s").order_by())
    for day, channel, opened, answered, seconds in _raw(by_day_channel):
        if isinstance(day, str):  # SQLite gives the date as text
            day = dt.date.fromisoformat(day)
        daily, channels, _departments = periods[bisect.bisect_right(days, day) - 1]
        entry = daily.setdefault(day, Day())
        entry.opened += int(opened)
        entry.answered += int(answered)
        entry.frt_seconds += int(seconds)
        channels[channel] = channels.get(channel, 0) + int(opened)
        entry.channels[channel] = entry.channels.get(channel, 0) + int(opened)
    by_department = (rows.annotate(period=_period_of(days)).values("period", "department_id")
                     .annotate(o=Sum("opened")).filter(o__gt=0).values_list("period", "department_id", "o").order_by())
    for index, department, opened in _raw(by_department):
        periods[int(index)][2][department] = int(opened)
    return periods
