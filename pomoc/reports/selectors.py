"""What the reports page shows: the metrics of the tickets the viewer may see, for the chosen filters."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from pomoc.accounts.models import Department
from pomoc.calendars.hours import schedule_of
from pomoc.reports import metrics
from pomoc.surveys.selectors import SurveyFigures, figures, visible_answers
from pomoc.tickets.models import Channel
from pomoc.tickets.permissions import visible_tickets


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


def report_for(user, *, start, end, department=None, channel: str = "", calendar=None) -> Report:
    tickets = visible_tickets(user)
    if department is not None:
        tickets = tickets.filter(department=department)
    if channel:
        tickets = tickets.filter(channel=channel)
    period = metrics.Period(start, end)
    schedule = schedule_of(calendar) if calendar is not None else None
    zone = timezone.get_current_timezone()
    channel_names = dict(Channel.choices)
    departments = dict(Department.objects.values_list("pk", "name"))
    hours = dict(metrics.volume(tickets, period, by="hour", time_zone=zone))
    answers = visible_answers(user).filter(answered_at__gte=start, answered_at__lt=end)
    if department is not None:
        answers = answers.filter(department=department)
    if channel:
        answers = answers.filter(channel=channel)
    return Report(
        period=period,
        first_response=metrics.first_response_times(tickets, period, schedule=schedule),
        resolution=metrics.resolution_times(tickets, period, schedule=schedule),
        reopen=metrics.reopen_rate(tickets, period),
        fcr=metrics.first_contact_resolution(tickets, period),
        backlog=metrics.backlog(tickets, at=timezone.now()),
        by_channel=[(str(channel_names.get(key, key)), count) for key, count in metrics.volume(tickets, period,
                                                                                              by="channel")],
        by_department=[(departments.get(key, "—"), count)
                       for key, count in metrics.volume(tickets, period, by="department")],
        by_hour=[(hour, hours.get(hour, 0)) for hour in range(24)],
        business_hours=schedule is not None,
        surveys=figures(answers),
    )
