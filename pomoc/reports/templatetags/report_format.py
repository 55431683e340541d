"""Figures on the reports page in the reader's language: durations in days, hours and minutes, shares
as percentages with the locale's decimal separator."""

import datetime as dt

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def duration(value: dt.timedelta | None) -> str:
    if value is None:
        return "—"
    minutes = round(value.total_seconds() / 60)
    if minutes < 1:
        return _("under a minute")
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if days:
        parts.append(ngettext("%(count)d day", "%(count)d days", days) % {"count": days})
    if hours:
        parts.append(ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours})
    if minutes and not days:
        parts.append(ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes})
    return " ".join(parts)


@register.filter
def percent(rate) -> str:
    if rate is None or rate.value is None:
        return "—"
    return f"{number_format(rate.value * 100, decimal_pos=1, use_l10n=True)} %"


@register.filter
def bar_width(count: int, peak: int) -> int:
    """A bar's length in tenths of the longest (the CSP allows no inline styles: classes w0…w10)."""
    return round(10 * count / peak) if peak else 0


@register.filter
def achievement_label(value: str) -> str:
    from pomoc.reports.models import Achievement

    return str(Achievement(value).label) if value in Achievement.values else value


@register.filter
def sla_target(value: str) -> str:
    from pomoc.automation.sla.models import Target

    return str(dict(Target.choices).get(value, value))


@register.filter
def index(sequence, position: int):
    """``sequence[position]``, or None when there is none (the period before may be missing)."""
    try:
        return sequence[position]
    except (IndexError, TypeError, KeyError):
        return None


@register.filter
def channel_label(value: str) -> str:
    """A channel's name in the reader's language (a CSAT answer about no ticket has none)."""
    from pomoc.tickets.models import Channel

    return str(dict(Channel.choices).get(value, value or "—"))
