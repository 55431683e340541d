"""The report's filters: a period, and optionally a department, channel, agent, priority, tag and company,
and a business-hours calendar."""

import datetime as dt

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pomoc.accounts.models import STAFF_ROLES, Department, User
from pomoc.calendars.models import Calendar
from pomoc.contacts.models import Company, Segment
from pomoc.core.ids import IdModelChoiceField
from pomoc.reports.models import Frequency
from pomoc.tickets.models import Channel, Priority, Tag

PERIODS = (("7", _("Last 7 days")), ("30", _("Last 30 days")), ("90", _("Last 90 days")), ("custom", _("From … to …")))
MAX_DAYS = 366


class ReportFilterForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, required=False, initial="30")
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To (including)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.order_by("name"),
                                        required=False, empty_label=_("All departments"))
    channel = forms.ChoiceField(label=_("Channel"), required=False,
                                choices=[("", _("All channels")), *Channel.choices])
    agent = IdModelChoiceField(label=_("Agent"), required=False, empty_label=_("All agents"),
                               queryset=User.objects.filter(role__in=STAFF_ROLES).order_by("first_name", "username"))
    priority = forms.TypedChoiceField(label=_("Priority"), required=False, coerce=int, empty_value=None,
                                      choices=[("", _("All priorities")), *Priority.choices])
    tag = IdModelChoiceField(label=_("Tag"), queryset=Tag.objects.order_by("name"), required=False,
                             empty_label=_("All tags"))
    company = IdModelChoiceField(label=_("Company"), queryset=Company.objects.order_by("name"), required=False,
                                 empty_label=_("All companies"))
    segment = IdModelChoiceField(label=_("Customer segment"), queryset=Segment.objects.order_by("name"),
                                 required=False, empty_label=_("All customers"))
    calendar = forms.ModelChoiceField(label=_("Count time in"), queryset=Calendar.objects.order_by("name"),
                                      required=False, empty_label=_("Wall-clock time"))

    TICKET_FILTERS = ("department", "channel", "agent", "priority", "tag", "company", "segment")

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if start is None or end is None:
                raise forms.ValidationError(_("Choose both dates of the period."))
            if end < start:
                raise forms.ValidationError(_("The period must end after it starts."))
            if (end - start).days >= MAX_DAYS:
                raise forms.ValidationError(_("A period can be at most a year long."))
        else:
            days = int(data.get("period") or "30")
            start, end = today - dt.timedelta(days=days - 1), today
        data["first_day"], data["last_day"] = start, end
        return data

    def ticket_filters(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.TICKET_FILTERS}

    def period_bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The chosen days as ``[start, end)`` in the current time zone."""
        zone = timezone.get_current_timezone()
        first, last = self.cleaned_data["first_day"], self.cleaned_data["last_day"]
        start = dt.datetime.combine(first, dt.time(), tzinfo=zone)
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=zone)
        return start, end


class AgentsFilterForm(forms.Form):
    """The agents page: a period and, optionally, one department."""

    period = forms.ChoiceField(label=_("Period"), choices=PERIODS[:-1], required=False, initial="30")
    department = IdModelChoiceField(label=_("Department"), queryset=Department.objects.order_by("name"),
                                    required=False, empty_label=_("All departments"))

    def period_bounds(self) -> tuple[dt.datetime, dt.datetime]:
        days = int(self.cleaned_data.get("period") or "30")
        zone = timezone.get_current_timezone()
        today = timezone.localdate()
        start = dt.datetime.combine(today - dt.timedelta(days=days - 1), dt.time(), tzinfo=zone)
        return start, dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tzinfo=zone)


class AgentsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class ScheduleForm(forms.Form):
    """E-mail the report with the filters shown, on a schedule (the filters come with the form as
    hidden fields and are checked by ``ReportFilterForm``)."""

    name = forms.CharField(label=_("Name"), max_length=100)
    frequency = forms.ChoiceField(label=_("How often"), choices=Frequency.choices, initial=Frequency.WEEKLY)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    recipients = AgentsField(
        label=_("Recipients"), help_text=_("Each gets the figures of the tickets they may see."),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "recipient-choices"}),
        queryset=User.objects.filter(role__in=STAFF_ROLES, is_active=True).order_by("first_name", "username"))
