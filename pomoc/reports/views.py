"""Reports for agents, supervisors and administrators: each sees the tickets they may see."""

import csv

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from pomoc.reports.dashboard import dashboard_for
from pomoc.reports.forms import ReportFilterForm
from pomoc.reports.selectors import report_for
from pomoc.tickets.views_common import staff_required


@staff_required
def overview(request):
    form = ReportFilterForm(request.GET or {"period": "30"})
    report = None
    if form.is_valid():
        start, end = form.period_bounds()
        data = form.cleaned_data
        report = report_for(request.user, start=start, end=end, department=data["department"],
                            channel=data["channel"], calendar=data["calendar"])
        if request.GET.get("format") == "csv":
            return _csv(report, data["first_day"], data["last_day"])
    peak = max((count for _hour, count in report.by_hour), default=0) if report else 0
    return render(request, "reports/overview.html", {"form": form, "report": report, "peak": peak or 1},
                  status=200 if report else 400)


@staff_required
def dashboard(request):
    """Now and today, refreshed live: the whole page, or its figures alone for htmx."""
    board = dashboard_for(request.user)
    template = "reports/_dashboard.html" if request.headers.get("HX-Request") else "reports/dashboard.html"
    return render(request, template, {"board": board})


def _hours(value) -> str:
    return "" if value is None else f"{value.total_seconds() / 3600:.2f}"


def _number(value) -> str:
    return "" if value is None else f"{value:.2f}"


def _csv(report, first_day, last_day) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="pomoc-report-{first_day}-{last_day}.csv"'
    writer = csv.writer(response)
    writer.writerow([_("Metric"), _("Count"), _("Mean (hours)"), _("Median (hours)"), _("90th percentile (hours)")])
    for label, durations in ((_("First response time"), report.first_response), (_("Resolution time"),
                                                                                   report.resolution)):
        writer.writerow([label, durations.count, _hours(durations.mean), _hours(durations.median),
                         _hours(durations.p90)])
    writer.writerow([])
    writer.writerow([_("Metric"), _("Tickets"), _("Of"), _("Share")])
    for label, rate in ((_("Reopen rate"), report.reopen), (_("First contact resolution"), report.fcr)):
        writer.writerow([label, rate.numerator, rate.denominator, "" if rate.value is None else f"{rate.value:.4f}"])
    writer.writerow([])
    surveys = report.surveys
    writer.writerow([_("Survey"), _("Answers"), _("Figure")])
    writer.writerow([_("CSAT (percent satisfied)"), surveys.csat_answers, _number(surveys.csat_percent)])
    writer.writerow([_("CES (mean of 1–7)"), surveys.ces_answers, _number(surveys.ces_average)])
    writer.writerow([_("NPS"), surveys.nps_answers, _number(surveys.nps)])
    writer.writerow([])
    writer.writerow([_("Channel"), _("Tickets opened")])
    writer.writerows(report.by_channel)
    writer.writerow([])
    writer.writerow([_("Department"), _("Tickets opened")])
    writer.writerows(report.by_department)
    writer.writerow([])
    writer.writerow([_("Hour"), _("Tickets opened")])
    writer.writerows(report.by_hour)
    return response
