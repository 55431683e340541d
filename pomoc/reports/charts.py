"""Charts of the reports page, drawn on the server as SVG: the geometry here, the markup in
``reports/_chart.html`` (a title and a description for screen readers, the figures in a table
beneath, colours from classes in the stylesheet: no inline style, so the CSP holds)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from pomoc.tickets.models import Channel

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 28
MAX_LABELS = 7
SERIES_CLASSES = 6  # chart-s0 … chart-s5 in app.css


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    label: str


@dataclass
class Chart:
    key: str
    title: str
    description: str
    unit: str
    days: list[dt.date]
    series: list[tuple[str, str, list[float | None]]]  # (name, css class, one value per day)
    lines: list[tuple[str, str]] = field(default_factory=list)  # (css class, polyline points)
    dots: list[tuple[float, float, str, str]] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    ticks: list[tuple[float, str]] = field(default_factory=list)  # (y, label)
    labels: list[tuple[float, dt.date]] = field(default_factory=list)  # (x, day)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    plot_bottom: int = HEIGHT - BOTTOM
    plot_right: int = WIDTH - RIGHT
    empty_text: str = ""  # shown instead of an empty chart (default: no tickets in the period)

    @property
    def rows(self) -> list[tuple[dt.date, list[float | None]]]:
        """The table beneath: one row per day, one cell per series."""
        return [(day, [values[index] for _n, _c, values in self.series]) for index, day in enumerate(self.days)]

    @property
    def empty(self) -> bool:
        return not any(value for _n, _c, values in self.series for value in values)


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _axes(chart: Chart, top: float, fmt) -> tuple:
    plot_h = chart.plot_bottom - TOP
    plot_w = chart.plot_right - chart.left
    count = max(len(chart.days), 1)
    step = plot_w / count

    def y_of(value: float) -> float:
        return round(chart.plot_bottom - plot_h * value / top, 1)

    chart.ticks = [(y_of(top * i / 4), fmt(top * i / 4)) for i in range(5)]
    every = max(1, math.ceil(count / MAX_LABELS))
    chart.labels = [(round(chart.left + step * (i + 0.5), 1), day)
                    for i, day in enumerate(chart.days) if i % every == 0]
    return step, y_of


def _number(value: float) -> str:
    return f"{value:g}"


def line_chart(key: str, title: str, description: str, unit: str, days: list[dt.date],
               series: list[tuple[str, list[float | None]]]) -> Chart:
    chart = Chart(key, title, description, unit, days,
                  [(name, f"chart-s{i % SERIES_CLASSES}", values) for i, (name, values) in enumerate(series)])
    top = _nice_max(max((v for _n, values in series for v in values if v is not None), default=0))
    step, y_of = _axes(chart, top, _number)
    for name, css, values in chart.series:
        points = []
        for index, value in enumerate(values):
            if value is None:
                continue
            x = round(chart.left + step * (index + 0.5), 1)
            points.append(f"{x},{y_of(value)}")
            chart.dots.append((x, y_of(value), css, f"{name}: {_number(round(value, 2))}"))
        if points:
            chart.lines.append((css, " ".join(points)))
    if len(days) > 62:
        chart.dots = []  # a year of dots is noise; the line and the table say it
    return chart


def stacked_chart(key: str, title: str, description: str, unit: str, days: list[dt.date],
                  series: list[tuple[str, list[float | None]]]) -> Chart:
    chart = Chart(key, title, description, unit, days,
                  [(name, f"chart-s{i % SERIES_CLASSES}", values) for i, (name, values) in enumerate(series)])
    totals = [sum(values[i] or 0 for _n, values in series) for i in range(len(days))]
    top = _nice_max(max(totals, default=0))
    step, y_of = _axes(chart, top, _number)
    width = max(round(step * 0.7, 1), 1)
    for index, day in enumerate(days):
        base = 0.0
        for name, css, values in chart.series:
            value = values[index] or 0
            if not value:
                continue
            y_top, y_base = y_of(base + value), y_of(base)
            chart.bars.append(Bar(round(chart.left + step * index + (step - width) / 2, 1), y_top, width,
                                  round(y_base - y_top, 1), css, f"{day.isoformat()} {name}: {_number(value)}"))
            base += value
    return chart


def report_charts(report) -> list[Chart]:
    """Volume over time, first response time over time, and volume by channel per day."""
    first, after = timezone.localtime(report.period.start).date(), timezone.localtime(report.period.end).date()
    days = [first + dt.timedelta(days=i) for i in range((after - first).days)]
    daily = report.daily
    opened = [float(daily[d].opened) if d in daily else 0.0 for d in days]
    frt = [round(daily[d].frt_seconds / daily[d].answered / 3600, 2) if d in daily and daily[d].answered else None
           for d in days]
    names = dict(Channel.choices)
    channels = sorted({c for d in daily.values() for c in d.channels})
    by_channel = [(str(names.get(c, c)), [float(daily[d].channels.get(c, 0)) if d in daily else 0.0 for d in days])
                  for c in channels]
    charts = [
        line_chart("volume", _("Tickets opened per day"),
                   _("A line of the number of tickets opened on each day of the period."), _("tickets"), days,
                   [(_("Tickets opened"), opened)]),
        line_chart("frt", _("First response time per day (mean, hours)"),
                   _("A line of the mean first response time, in hours, of the tickets opened on each day."),
                   _("hours"), days, [(_("Mean first response time (hours)"), frt)]),
        stacked_chart("channels", _("Tickets opened per day by channel"),
                      _("Stacked bars: for each day, the tickets opened through each channel."), _("tickets"), days,
                      by_channel),
    ]
    deflection = getattr(report, "deflection", None)
    if deflection is not None:
        chart = line_chart(
            "deflection", _("Contact-form visits and deflections per day"),
            _("Two lines: for each day, the contact-form visits that opened a suggested article, and those of "
              "them that sent no form (deflections)."), _("visits"), days,
            [(_("Visits that opened an article"), [float(deflection.daily.get(d, (0, 0))[0]) for d in days]),
             (_("Deflections"), [float(deflection.daily.get(d, (0, 0))[1]) for d in days])])
        chart.empty_text = _("No contact-form visit opened a suggested article in this period.")
        charts.append(chart)
    return charts
