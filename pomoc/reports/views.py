"""Reports for agents, supervisors and administrators: each sees the tickets they may see."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from pomoc.reports import export
from pomoc.reports.dashboard import dashboard_for
from pomoc.reports.forms import AgentsFilterForm, ReportFilterForm
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
    return render(request, "reports/overview.html", {"form": form, "report": report, "peak": peak or 1,
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
