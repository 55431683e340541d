"""Business hours: calendars with their week, public holidays and days set by hand."""

import datetime as dt

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pomoc.accounts.permissions import manage_view
from pomoc.administration.forms_calendars import (
    PERIODS_HELP,
    QUICK_COUNTRIES,
    CalendarDayForm,
    CalendarForm,
    split_periods,
)
from pomoc.administration.views import _page, _read_only, _write
from pomoc.calendars import services
from pomoc.calendars.hours import closed_days
from pomoc.calendars.models import Calendar

ALIASES = {f"hours.{day}": f"day_{day}" for day in range(7)}


def _holiday_language() -> str | None:
    language = get_language() or ""
    return {"en": "en_US"}.get(language, language) or None


@manage_view(supervisors_may_read=True)
def calendars(request):
    items = Calendar.objects.order_by("name")
    return _page(request, "administration/calendars.html", "calendars", {"calendars": items})


@manage_view(supervisors_may_read=True)
def calendar_edit(request, pk: int | None = None):
    calendar = get_object_or_404(Calendar.objects.prefetch_related("days"), pk=pk) if pk is not None else None
    initial = CalendarForm.initial_for(calendar) if calendar else {
        "time_zone": request.user.time_zone or timezone.get_current_timezone_name(),
        **{f"day_{day}": "09:00-17:00" for day in range(5)},
    }
    data = request.POST or None
    if data is not None and data.get("add_country"):  # one click: the country's holidays join the calendar
        data = data.copy()
        data["countries"] = ", ".join(filter(None, [data.get("countries", "").strip(), data["add_country"]]))
    form = CalendarForm(data, initial=initial)
    if not request.can_manage:
        _read_only(form)
    if request.method == "POST" and form.is_valid():
        values = form.service_values()
        saved = _write(form, lambda: services.calendar_create(**values) if calendar is None
                       else services.calendar_update(calendar=calendar, changes=values), aliases=ALIASES)
        if saved is not None:
            messages.success(request, _("Calendar %(name)s saved.") % {"name": saved.name})
            return redirect("administration:calendar", saved.pk)
    context = {"form": form, "calendar": calendar, "quick_countries": QUICK_COUNTRIES,
               "day_form": CalendarDayForm(), "periods_help": PERIODS_HELP}
    if calendar is not None:
        year = timezone.localdate().year
        context["years"] = [(y, closed_days(calendar, y, language=_holiday_language())) for y in (year, year + 1)]
    return _page(request, "administration/calendar_form.html", "calendars", context)


@manage_view()
@require_POST
def calendar_day_add(request, pk: int):
    calendar = get_object_or_404(Calendar, pk=pk)
    form = CalendarDayForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        day = _write(form, lambda: services.calendar_day_set(calendar=calendar, date=data["date"], name=data["name"],
                                                            hours=split_periods(data["hours"])))
        if day is not None:
            messages.success(request, _("%(date)s set.") % {"date": date_format(data["date"], "SHORT_DATE_FORMAT")})
            return redirect("administration:calendar", calendar.pk)
    for field, errors in form.errors.items():
        for error in errors:
            messages.error(request, f"{form.fields[field].label}: {error}" if field in form.fields else error)
    return redirect("administration:calendar", calendar.pk)


@manage_view()
@require_POST
def calendar_day_remove(request, pk: int, date: str):
    calendar = get_object_or_404(Calendar, pk=pk)
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        messages.error(request, _("Enter a valid date."))
        return redirect("administration:calendar", calendar.pk)
    services.calendar_day_remove(calendar=calendar, date=day)
    messages.success(request, _("%(date)s follows the week again.") % {"date": date_format(day, "SHORT_DATE_FORMAT")})
    return redirect("administration:calendar", calendar.pk)
