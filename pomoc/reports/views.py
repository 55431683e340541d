"""Reports for agents, supervisors and administrators: each sees the tickets they may see."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pomoc.reports import export, schedules
from pomoc.reports.charts import report_charts
from pomoc.reports.dashboard import dashboard_for
from pomoc.reports.forms import AgentsFilterForm, ReportFilterForm, ScheduleForm
from pomoc.reports.performance import agent_figures, point_rules, progress_of
from pomoc.reports.selectors import DRILL_DOWN_LIMIT, DRILL_DOWNS, report_for, tickets_behind
from pomoc.tickets.views_common import staff_required


@staff_required
def overview(request):
    form = ReportFilterForm(request.GET or {"period": "30"})
    report = None
    if form.is_valid():
        start, end = form.period_bounds()
        data = form.cleaned_data
        report = report_for(request.user, start=start, end=end, calendar=data["calendar"], **form.ticket_filters())
        export = request.GET.get("format")
        if export in ("csv", "xlsx"):
            return _export(report, export, data["first_day"], data["last_day"])
    peak = max((count for _hour, count in report.by_hour), default=0) if report else 0
    can_schedule = schedules.can_schedule(request.user)
    return render(request, "reports/overview.html", {"form": form, "report": report, "peak": peak or 1,
                                                     "charts": report_charts(report) if report else [],
                                                     "can_schedule": can_schedule,
                                                     "schedule_form": ScheduleForm(initial={
                                                         "language": get_language(), "recipients": [request.user]})
                                                     if can_schedule else None,
                                                     "subscriptions": _subscriptions(request.user),
                                                     "schedule_filters": _hidden_filters(form) if report else [],
                                                     "query": _query_without(request, "format", "metric")},
                  status=200 if report else 400)


@staff_required
def tickets(request):
    """The tickets behind one figure of the report (same filters)."""
    form = ReportFilterForm(request.GET or {"period": "30"})
    metric = request.GET.get("metric", "")
    if not form.is_valid() or metric not in DRILL_DOWNS:
        return render(request, "reports/tickets.html", {"form": form, "error": True}, status=400)
    start, end = form.period_bounds()
    rows, total = tickets_behind(request.user, metric, start=start, end=end, **form.ticket_filters())
    return render(request, "reports/tickets.html", {
        "form": form, "metric": metric, "tickets": rows, "total": total, "limit": DRILL_DOWN_LIMIT,
        "query": _query_without(request, "format", "metric")})


@staff_required
def agents(request):
    """Agent performance: each visible agent's figures, points and badges; the viewer's own progress."""
    form = AgentsFilterForm(request.GET or {"period": "30"})
    if not form.is_valid():
        return render(request, "reports/agents.html", {"form": form}, status=400)
    start, end = form.period_bounds()
    rows = agent_figures(request.user, start=start, end=end, department=form.cleaned_data["department"])
    mine = next((row for row in rows if row.agent.pk == request.user.pk), None)
    return render(request, "reports/agents.html", {
        "form": form, "rows": rows, "mine": mine, "progress": progress_of(mine), "rules": point_rules()})


@staff_required
def dashboard(request):
    """Now and today, refreshed live: the whole page, or its figures alone for htmx."""
    board = dashboard_for(request.user)
    template = "reports/_dashboard.html" if request.headers.get("HX-Request") else "reports/dashboard.html"
    return render(request, template, {"board": board})


def _query_without(request, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _export(report, kind: str, first_day, last_day) -> HttpResponse:
    table = export.rows(report)
    name = f"pomoc-report-{first_day}-{last_day}"
    if kind == "xlsx":
        response = HttpResponse(export.as_xlsx(table, title=_("Report")),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        response = HttpResponse(export.as_csv(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


def _hidden_filters(form) -> list[tuple[str, str]]:
    return [(name, str(getattr(value, "pk", value))) for name, value in form.ticket_filters().items()
            if value is not None and value != ""]


def _subscriptions(user):
    if not schedules.can_schedule(user):
        return []
    return list(user.report_subscriptions.prefetch_related("recipients").order_by("name", "pk"))


@staff_required
@require_POST
def schedule_create(request):
    """E-mail the report with the filters shown, on a schedule (supervisors and administrators)."""
    if not schedules.can_schedule(request.user):
        raise Http404
    filters = ReportFilterForm({**request.POST.dict(), "period": "30"})
    form = ScheduleForm(request.POST)
    if not form.is_valid() or not filters.is_valid():
        errors = [str(e) for field in form.errors.values() for e in field] + \
            [str(e) for field in filters.errors.values() for e in field]
        return render(request, "reports/schedule_error.html", {"errors": errors}, status=400)
    data = form.cleaned_data
    try:
        schedules.subscription_create(owner=request.user, name=data["name"], frequency=data["frequency"],
                                      language=data["language"], filters=filters.ticket_filters(),
                                      recipients=data["recipients"])
    except ValidationError as error:
        return render(request, "reports/schedule_error.html", {"errors": error.messages}, status=400)
    messages.success(request, _("The report will be e-mailed on schedule."))
    return redirect(f"{reverse('reports:overview')}#schedules")


@staff_required
@require_POST
def schedule_delete(request, subscription_id):
    schedules.subscription_delete(schedules.access_subscription(request.user, subscription_id))
    messages.success(request, _("The scheduled report was removed."))
    return redirect(f"{reverse('reports:overview')}#schedules")
