"""The report as a table for spreadsheets: CSV and XLSX from the same rows.

A text cell that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return: a department or channel named ``=HYPERLINK(…)``) is written with a leading
apostrophe, so it stays text. Numbers are written as numbers."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _


def channel_label(value: str) -> str:
    from pomoc.tickets.models import Channel

    return str(dict(Channel.choices).get(value, value or "—"))


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _hours(value) -> float | str:
    return "" if value is None else round(value.total_seconds() / 3600, 2)


def _number(value) -> float | str:
    return "" if value is None else round(value, 2)


def rows(report) -> list[list]:
    """Sections of rows, separated by empty rows; the first row of each section is its header."""
    out: list[list] = [[_("Metric"), _("Count"), _("Mean (hours)"), _("Median (hours)"), _("90th percentile (hours)")]]
    for label, durations in ((_("First response time"), report.first_response),
                             (_("Resolution time"), report.resolution), (_("Handle time (AHT)"), report.handle_time)):
        out.append([label, durations.count, _hours(durations.mean), _hours(durations.median), _hours(durations.p90)])
    out += [[], [_("Metric"), _("Tickets"), _("Of"), _("Share")]]
    for label, rate in ((_("Reopen rate"), report.reopen), (_("First contact resolution"), report.fcr)):
        out.append([label, rate.numerator, rate.denominator, "" if rate.value is None else round(rate.value, 4)])
    surveys = report.surveys
    out += [[], [_("Survey"), _("Answers"), _("Figure")],
            [_("CSAT (percent satisfied)"), surveys.csat_answers, _number(surveys.csat_percent)],
            [_("CES (mean of 1–7)"), surveys.ces_answers, _number(surveys.ces_average)],
            [_("NPS"), surveys.nps_answers, _number(surveys.nps)]]
    out += [[], [_("Channel"), _("CSAT answers"), _("Satisfied"), _("CSAT (percent satisfied)")]]
    for row in report.csat_by_channel:
        out.append([channel_label(row.channel), row.answers, row.satisfied, _number(row.percent)])
    out += [[], [_("Metric"), _("Count"), _("Of"), _("Share")]]
    if report.churn is not None:
        out.append([_("Customer churn"), report.churn.numerator, report.churn.denominator,
                    "" if report.churn.value is None else round(report.churn.value, 4)])
    if report.deflection is not None:
        rate = report.deflection.rate
        out.append([_("Deflection"), rate.numerator, rate.denominator,
                    "" if rate.value is None else round(rate.value, 4)])
    out += [[], [_("Channel"), _("Tickets opened")], *map(list, report.by_channel)]
    out += [[], [_("Department"), _("Tickets opened")], *map(list, report.by_department)]
    out += [[], [_("Hour"), _("Tickets opened")], *map(list, report.by_hour)]
    if report.deflection is not None and report.deflection.daily:
        out += [[], [_("Day"), _("Visits that opened an article"), _("Deflections")]]
        out += [[day.isoformat(), visits, deflected]
                for day, (visits, deflected) in sorted(report.deflection.daily.items())]
    return [[neutralise(cell) for cell in row] for row in out]


def as_csv(table: list[list]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(table)
    return buffer.getvalue().encode("utf-8")


def as_xlsx(table: list[list], *, title: str) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    # strings_to_formulas off: no text cell is ever a formula, whatever it starts with
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_numbers": False, "strings_to_urls": False})
    sheet = workbook.add_worksheet(title[:31])
    bold = workbook.add_format({"bold": True})
    header = True
    for index, row in enumerate(table):
        if not row:
            header = True
            continue
        for column, cell in enumerate(row):
            sheet.write(index, column, cell, bold if header else None)
        header = False
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 4, 16)
    workbook.close()
    return buffer.getvalue()
