"""What the reports page shows: the metrics of the tickets the viewer may see, for the chosen filters,
beside the same figures of the period before; and the tickets behind each figure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from pomoc.accounts.models import Department
from pomoc.calendars.hours import schedule_of
from pomoc.channels.web.selectors import deflections
from pomoc.contacts import segments
from pomoc.core.models import OrganisationSettings
from pomoc.reports import activity, metrics, rollup_read
from pomoc.reports.rollup_read import SlaCompliance
from pomoc.surveys.models import Answer
from pomoc.surveys.selectors import ChannelCsat, SurveyFigures, csat_by_channel, figures, visible_answers
from pomoc.tickets.models import Channel, EventType, MessageKind, Ticket, TicketEvent
from pomoc.tickets.permissions import sees_all_tickets, visible_tickets
from pomoc.timetracking.selectors import handle_times


@dataclass(frozen=True)
class Report:
    period: metrics.Period
    first_response: metrics.Durations
    resolution: metrics.Durations
    reopen: metrics.Rate
    fcr: metrics.Rate
    backlog: metrics.Backlog
    by_channel: list[tuple[str, int]]
    by_department: list[tuple[str, int]]
    by_hour: list[tuple[int, int]]
    business_hours: bool
    surveys: SurveyFigures
    opened: int = 0
    handle_time: metrics.Durations = metrics.Durations(0, None, None, None)
    sla: tuple[SlaCompliance, ...] = ()
    daily: dict = field(default_factory=dict)
    from_rollups: bool = False
    csat_by_channel: tuple[ChannelCsat, ...] = ()
    churn: metrics.Rate | None = None  # None: not for this viewer or these filters
    deflection: Deflection | None = None
    previous: Report | None = None


@dataclass(frozen=True)
class Deflection:
    """Contact-form visits that opened a suggested article, and those of them that sent no form
    (deflections), in total and per day (docs/metrics.md, "Deflection")."""

    visits: int
    deflections: int
    daily: dict[dt.date, tuple[int, int]] = field(default_factory=dict)  # day: (visits, deflections)

    @property
    def rate(self) -> metrics.Rate:
        return metrics.Rate(self.deflections, self.visits)


# Each report filter, as a lookup on tickets and on survey answers (an answer keeps its own department,
# channel, agent and contact; the rest is its ticket's).
TICKET_LOOKUPS = {"department": "department", "channel": "channel", "agent": "assignee", "priority": "priority",
                  "tag": "tags", "company": "requester__company", "segment": "requester__in"}
ANSWER_LOOKUPS = {"department": "department", "channel": "channel", "agent": "agent", "priority": "ticket__priority",
                  "tag": "ticket__tags", "company": "contact__company", "segment": "contact__in"}


def _narrowed(queryset: QuerySet, lookups: dict[str, str], filters: dict) -> QuerySet:
    for name, value in filters.items():
        if value is not None and value != "":
            if name == "segment":  # a saved filter over contacts: its contacts as a subquery
                value = segments.contact_ids(value)
            queryset = queryset.filter(**{lookups[name]: value})
    return queryset


def filtered_tickets(user, **filters) -> QuerySet[Ticket]:
    """The tickets ``user`` may see, narrowed by the report's filters (``TICKET_LOOKUPS``)."""
    return _narrowed(visible_tickets(user), TICKET_LOOKUPS, filters)


def _answers(user, period: metrics.Period, **filters) -> QuerySet[Answer]:
    answers = visible_answers(user).filter(answered_at__gte=period.start, answered_at__lt=period.end)
    return _narrowed(answers, ANSWER_LOOKUPS, filters)


def report_for(user, *, start, end, calendar=None, compare: bool = True, rollups: bool = True,
               backlog_now: metrics.Backlog | None = None, rollup_figures: rollup_read.PeriodFigures | None = None,
               **filters) -> Report:
    """The report of ``[start, end)``; with ``compare``, also the figures of the period of the same
    length just before it (``previous``). Read from the rollups when they can give it exactly
    (``rollup_read.usable``; both periods in one reading), from the tickets otherwise (or with
    ``rollups=False``)."""
    tickets = filtered_tickets(user, **filters)
    period = metrics.Period(start, end)
    schedule = schedule_of(calendar) if calendar is not None else None
    channel_names = dict(Channel.choices)
    departments = dict(Department.objects.values_list("pk", "name"))
    before = start - (end - start)
    figures_, figures_before = rollup_figures, None
    if figures_ is None and rollups and rollup_read.usable(start=start, end=end, calendar=calendar, **filters):
        if compare and rollup_read.usable(start=before, end=start, calendar=calendar, **filters):
            figures_before, figures_ = rollup_read.periods_figures(user, bounds=(before, start, end), **filters)
        else:
            figures_ = rollup_read.period_figures(user, start=start, end=end, **filters)
    if figures_ is None:
        figures_ = direct_figures(tickets, period, schedule)
    backlog_now = backlog_now or metrics.backlog(tickets, at=timezone.now())  # "now": the same for both periods
    previous = None
    if compare:
        previous = report_for(user, start=before, end=start, calendar=calendar, compare=False, rollups=rollups,
                              backlog_now=backlog_now, rollup_figures=figures_before, **filters)
    answers = _answers(user, period, **filters)
    return Report(
        period=period,
        first_response=figures_.first_response,
        resolution=figures_.resolution,
        reopen=figures_.reopen,
        fcr=figures_.fcr,
        backlog=backlog_now,
        by_channel=[(str(channel_names.get(key, key)), count) for key, count in figures_.by_channel],
        by_department=[(departments.get(key, "—"), count) for key, count in figures_.by_department],
        by_hour=[(hour, figures_.by_hour.get(hour, 0)) for hour in range(24)],
        business_hours=schedule is not None,
        surveys=figures(answers),
        csat_by_channel=tuple(csat_by_channel(answers)),
        churn=churn_for(user, period, **filters),
        deflection=deflection_for(user, period, **filters),
        opened=sum(count for _key, count in figures_.by_channel),
        handle_time=figures_.handle_time,
        sla=tuple(figures_.sla),
        daily=figures_.daily,
        from_rollups=not isinstance(figures_, DirectFigures),
        previous=previous,
    )


def _used(filters: dict) -> set[str]:
    return {name for name, value in filters.items() if value is not None and value != ""}


def churn_for(user, period: metrics.Period, **filters) -> metrics.Rate | None:
    """Customer churn of the period (``activity.churn``): a figure about every customer, so only for
    a viewer who sees every ticket and only without filters; None otherwise."""
    if not sees_all_tickets(user) or _used(filters):
        return None
    return activity.churn(period.start, period.end)


def deflection_for(user, period: metrics.Period, **filters) -> Deflection | None:
    """The contact-form visits and deflections of the period in the departments ``user`` sees (the
    rule of ``ticket_visibility_q`` on the form's department). Only a department filter applies (and
    the web channel, whose forms they are); other filters give None."""
    used = _used(filters)
    if used - {"department", "channel"} or ("channel" in used and filters["channel"] != Channel.WEB):
        return None
    department = filters.get("department")
    rows = deflections(start=period.start, end=period.end,
                       department_id=getattr(department, "pk", department) if "department" in used else None)
    if not sees_all_tickets(user):
        mine = set(user.departments.values_list("pk", flat=True))
        department_less = OrganisationSettings.get().agents_see_unassigned_department_less
        rows = [row for row in rows if row["department_id"] in mine
                or (row["department_id"] is None and department_less)]
    daily: dict[dt.date, tuple[int, int]] = {}
    for row in rows:
        visits, deflected = daily.get(row["day"], (0, 0))
        daily[row["day"]] = (visits + row["visits"], deflected + row["deflections"])
    return Deflection(sum(v for v, _d in daily.values()), sum(d for _v, d in daily.values()), daily)


class DirectFigures(rollup_read.PeriodFigures):
    """The period's figures read from the tickets themselves."""


def direct_figures(tickets: QuerySet[Ticket], period: metrics.Period, schedule) -> DirectFigures:
    zone = timezone.get_current_timezone()
    return DirectFigures(
        first_response=metrics.first_response_times(tickets, period, schedule=schedule),
        resolution=metrics.resolution_times(tickets, period, schedule=schedule),
        handle_time=handle_time(tickets, period),
        reopen=metrics.reopen_rate(tickets, period),
        fcr=metrics.first_contact_resolution(tickets, period),
        by_channel=metrics.volume(tickets, period, by="channel"),
        by_department=metrics.volume(tickets, period, by="department"),
        by_hour=dict(metrics.volume(tickets, period, by="hour", time_zone=zone)),
        sla=sla_compliance(tickets, period),
        daily=direct_daily(tickets, period),
    )


def direct_daily(tickets: QuerySet[Ticket], period: metrics.Period) -> dict[dt.date, rollup_read.Day]:
    """Tickets opened per day (by channel) and their first responses, in the current time zone (one query)."""
    zone = timezone.get_current_timezone()
    days: dict[dt.date, rollup_read.Day] = {}
    for created, answered, channel in (metrics.measured(tickets)
                                       .filter(created_at__gte=period.start, created_at__lt=period.end)
                                       .values_list("created_at", "first_response_at", "channel")):
        day = days.setdefault(created.astimezone(zone).date(), rollup_read.Day())
        day.opened += 1
        day.channels[channel] = day.channels.get(channel, 0) + 1
        if answered is not None:
            day.answered += 1
            day.frt_seconds += max(int((answered - created).total_seconds()), 0)
    return days


def sla_compliance(tickets: QuerySet[Ticket], period: metrics.Period) -> list[SlaCompliance]:
    """Per target, the ``sla_met`` and ``sla_breached`` events dated in the period (one query)."""
    counts = {(target, type_): n for target, type_, n in (
        TicketEvent.objects.filter(ticket__in=metrics.measured(tickets).values("pk"),
                                   type__in=(EventType.SLA_MET, EventType.SLA_BREACHED),
                                   at__gte=period.start, at__lt=period.end)
        .values("data__target", "type").annotate(n=Count("pk")).values_list("data__target", "type", "n")
        .order_by())}
    return [SlaCompliance(target, counts.get((target, EventType.SLA_MET), 0),
                          counts.get((target, EventType.SLA_BREACHED), 0))
            for target in ("first_response", "next_response", "resolution")]


def handle_time(tickets: QuerySet[Ticket], period: metrics.Period) -> metrics.Durations:
    """AHT: the handle time (time tracking: measured and entered by hand) of the tickets resolved in
    the period; a ticket nobody tracked time on is left out (one query)."""
    resolved = metrics.measured(tickets).filter(resolved_at__gte=period.start, resolved_at__lt=period.end)
    seconds = handle_times(resolved.values("pk"))
    return metrics.summarize(dt.timedelta(seconds=value) for value in seconds.values())


# --- the tickets behind a figure ----------------------------------------------------------------
DRILL_DOWNS = ("opened", "answered", "resolved", "reopened", "fcr", "backlog")
DRILL_DOWN_LIMIT = 200


def tickets_behind(user, metric: str, *, start, end, **filters) -> tuple[list[Ticket], int]:
    """The tickets a figure counts (the first ``DRILL_DOWN_LIMIT``, newest first) and how many there are."""
    tickets = metrics.measured(filtered_tickets(user, **filters))
    opened = Q(created_at__gte=start, created_at__lt=end)
    resolved = Q(resolved_at__gte=start, resolved_at__lt=end)
    if metric == "opened":
        chosen = tickets.filter(opened)
    elif metric == "answered":
        chosen = tickets.filter(opened, first_response_at__isnull=False)
    elif metric == "resolved":
        chosen = tickets.filter(resolved)
    elif metric == "reopened":
        chosen = tickets.filter(resolved, reopen_count__gt=0)
    elif metric == "fcr":
        chosen = (tickets.filter(resolved, reopen_count=0)
                  .annotate(replies=Count("messages", filter=Q(messages__kind=MessageKind.REPLY))).filter(replies=1))
    elif metric == "backlog":
        chosen = tickets.filter(status__in=metrics.UNRESOLVED_STATUSES)
    else:
        raise ValueError(metric)
    total = chosen.count()
    rows = list(chosen.select_related("requester", "assignee", "department")
                .order_by("-created_at", "-pk")[:DRILL_DOWN_LIMIT])
    return rows, total
