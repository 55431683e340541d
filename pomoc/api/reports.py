"""The reports' numbers: the same figures as the reports page, for the tickets the caller may see."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from pomoc.accounts.models import Department, User
from pomoc.api.schemas import ERRORS, ChannelFilter, Id, require_staff
from pomoc.calendars.models import Calendar
from pomoc.contacts.models import Company
from pomoc.core import refusals
from pomoc.reports.selectors import report_for
from pomoc.tickets.models import Priority, Tag

router = Router()
MAX_DAYS = 366


class DurationsOut(Schema):
    count: int
    mean_seconds: float | None
    median_seconds: float | None
    p90_seconds: float | None


class RateOut(Schema):
    count: int
    of: int
    share: float | None


class SurveysOut(Schema):
    csat_answers: int
    csat_percent: float | None
    ces_answers: int
    ces_average: float | None
    nps_answers: int
    nps: float | None


class ChannelCsatOut(Schema):
    channel: str
    answers: int
    satisfied: int
    csat_percent: float | None


class FiguresOut(Schema):
    start: dt.datetime
    end: dt.datetime
    opened: int
    first_response: DurationsOut
    resolution: DurationsOut
    handle_time: DurationsOut
    reopen: RateOut
    first_contact_resolution: RateOut
    surveys: SurveysOut
    csat_by_channel: list[ChannelCsatOut]
    churn: RateOut | None = Field(description="Customers active in the period before and not in this one, of "
                                              "those active before; null unless the caller sees every ticket "
                                              "and filters nothing.")
    deflection: RateOut | None = Field(description="Contact-form visits that opened a suggested article and "
                                                   "sent no form, of those visits; null with filters other than "
                                                   "department and the web channel.")


class ReportOut(FiguresOut):
    business_hours: bool
    backlog: int
    previous: FiguresOut


def _seconds(value) -> float | None:
    return None if value is None else value.total_seconds()


def _figures(report) -> dict:
    def durations(d):
        return {"count": d.count, "mean_seconds": _seconds(d.mean), "median_seconds": _seconds(d.median),
                "p90_seconds": _seconds(d.p90)}

    def rate(r):
        return {"count": r.numerator, "of": r.denominator, "share": r.value}

    s = report.surveys
    return {"start": report.period.start, "end": report.period.end, "opened": report.opened,
            "first_response": durations(report.first_response), "resolution": durations(report.resolution),
            "handle_time": durations(report.handle_time),
            "reopen": rate(report.reopen), "first_contact_resolution": rate(report.fcr),
            "surveys": {"csat_answers": s.csat_answers, "csat_percent": s.csat_percent, "ces_answers": s.ces_answers,
                        "ces_average": s.ces_average, "nps_answers": s.nps_answers, "nps": s.nps},
            "csat_by_channel": [{"channel": row.channel, "answers": row.answers, "satisfied": row.satisfied,
                                 "csat_percent": row.percent} for row in report.csat_by_channel],
            "churn": rate(report.churn) if report.churn is not None else None,
            "deflection": rate(report.deflection.rate) if report.deflection is not None else None}


def _object(model, pk, field: str, queryset=None):
    if pk is None:
        return None
    found = (queryset if queryset is not None else model.objects).filter(pk=pk).first()
    if found is None:
        raise refusals.invalid_reference(field, _("Nothing has this id."))
    return found


@router.get("/reports/summary", response={200: ReportOut, **ERRORS}, tags=["reports"],
            summary="The report's figures for a period")
def summary(
    request,
    start: dt.date | None = Query(None, description="First day (in the caller's time zone); default: "
                                                    "`days` days ending today."),
    days: int = Query(30, ge=1, le=MAX_DAYS, description="Length of the period in days."),
    department: Id | None = Query(None),
    channel: ChannelFilter | None = Query(None),
    agent: Id | None = Query(None, description="Assignee's user id."),
    priority: int | None = Query(None, ge=min(Priority.values), le=max(Priority.values),
                                 description="1 low … 4 urgent."),
    tag: Id | None = Query(None, description="Tag id."),
    company: Id | None = Query(None, description="Company id (the requester's)."),
    calendar: Id | None = Query(None, description="Count durations in this calendar's business hours."),
):
    """Opened tickets, first response and resolution times, reopen rate, first contact resolution and
    survey figures of the period (see docs/metrics.md), with the same figures of the period just before."""
    require_staff(request.auth)
    zone = timezone.get_current_timezone()
    first = start or timezone.localdate() - dt.timedelta(days=days - 1)
    period_start = dt.datetime.combine(first, dt.time(), tzinfo=zone)
    filters = {
        "department": _object(Department, department, "department"),
        "channel": channel or "",
        "agent": _object(User, agent, "agent"),
        "priority": priority,
        "tag": _object(Tag, tag, "tag"),
        "company": _object(Company, company, "company"),
    }
    report = report_for(request.auth, start=period_start, end=period_start + dt.timedelta(days=days),
                        calendar=_object(Calendar, calendar, "calendar"), **filters)
    return {**_figures(report), "business_hours": report.business_hours, "backlog": report.backlog.total,
            "previous": _figures(report.previous)}
