"""The form of an SLA policy: conditions, targets as durations ("4h", "1d 2h", "90m"), actions."""

import re

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from pomoc.accounts.models import Department, Role
from pomoc.calendars.models import Calendar
from pomoc.contacts.models import Company
from pomoc.core.text import validate_line
from pomoc.tickets.models import Channel, Priority

DURATION_HELP = _("For example 30m, 4h, 1d 4h (a day is 24 hours of the calendar's open time). Empty: no target.")
_UNITS = {"d": 24 * 60, "h": 60, "m": 1}
_PART = re.compile(r"(\d{1,6})\s*([dhm])")


def parse_duration(text: str) -> int | None:
    """"1d 4h 30m" → minutes; a bare number is minutes; "" is None. ValueError when it is not one."""
    text = text.strip().lower()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if not re.fullmatch(r"(\s*\d{1,6}\s*[dhm])+\s*", text):
        raise ValueError(text)
    return sum(int(number) * _UNITS[unit] for number, unit in _PART.findall(text))


def format_duration(minutes: int | None) -> str:
    if not minutes:
        return ""
    parts = []
    for unit, size in _UNITS.items():
        if minutes >= size:
            parts.append(f"{minutes // size}{unit}")
            minutes %= size
    return " ".join(parts)


class DurationField(forms.Field):
    widget = forms.TextInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"placeholder": "4h", "size": 10, "maxlength": 40}))
        super().__init__(**kwargs)

    def to_python(self, value):
        text = str(value or "")
        if len(text) > 40 or "\x00" in text:
            raise ValidationError(_("Write a duration like 30m, 4h or 1d 4h."))
        try:
            return parse_duration(text)
        except ValueError:
            raise ValidationError(_("Write a duration like 30m, 4h or 1d 4h.")) from None


def _people():
    return get_user_model().objects.filter(is_active=True, role__in=[Role.SUPERVISOR, Role.ADMINISTRATOR]).order_by(
        "username")


class SlaPolicyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, validators=[validate_line])
    position = forms.IntegerField(label=_("Order"), min_value=0, max_value=10_000, initial=0,
                                  help_text=_("The first active policy whose conditions all match a ticket is "
                                              "its policy; lower numbers are tried first."))
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    priorities = forms.TypedMultipleChoiceField(label=_("Priorities"), required=False, coerce=int,
                                                choices=Priority.choices, widget=forms.CheckboxSelectMultiple)
    channels = forms.MultipleChoiceField(label=_("Channels"), required=False, choices=Channel.choices,
                                         widget=forms.CheckboxSelectMultiple)
    departments = forms.ModelMultipleChoiceField(label=_("Departments"), required=False,
                                                 queryset=Department.objects.order_by("name"),
                                                 widget=forms.CheckboxSelectMultiple)
    companies = forms.ModelMultipleChoiceField(label=_("Customer companies"), required=False,
                                               queryset=Company.objects.order_by("name", "id"),
                                               help_text=_("Tickets of these companies' contacts."))
    calendar = forms.ModelChoiceField(label=_("Business hours"), required=False, queryset=Calendar.objects.all(),
                                      empty_label=_("Round the clock"))
    first_response_minutes = DurationField(label=_("First response within"), help_text=DURATION_HELP)
    next_response_minutes = DurationField(label=_("Next response within"),
                                          help_text=_("Each later customer message waiting for an answer."))
    resolution_minutes = DurationField(label=_("Resolution within"))
    warn_minutes = DurationField(label=_("Warn before a breach"),
                                 help_text=_("The assignee (or the supervisors) are told this long before a "
                                             "target is missed."))
    escalate_department = forms.ModelChoiceField(label=_("Move to department"), required=False,
                                                 queryset=Department.objects.order_by("name"), empty_label=_("Keep it"))
    escalate_to = forms.ModelChoiceField(label=_("Assign to"), required=False, queryset=_people(),
                                         empty_label=_("Keep it"))
    raise_priority = forms.BooleanField(label=_("Raise the priority one step"), required=False)
    notify = forms.BooleanField(label=_("Notify the department's supervisors"), required=False, initial=True)
    notify_outside_hours = forms.BooleanField(label=_("Notify outside business hours too"), required=False,
                                              help_text=_("Otherwise warnings and breach notices wait until "
                                                          "the calendar opens."))

    CONDITIONS = ("priorities", "channels", "departments", "companies")
    TARGETS = ("calendar", "first_response_minutes", "next_response_minutes", "resolution_minutes", "warn_minutes")
    ACTIONS = ("escalate_department", "escalate_to", "raise_priority", "notify", "notify_outside_hours")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["escalate_to"].queryset = _people()
        self.fields["escalate_to"].label_from_instance = lambda user: user.display_name

    def group(self, names):
        return [self[name] for name in names]

    def conditions(self):
        return self.group(self.CONDITIONS)

    def targets(self):
        return self.group(self.TARGETS)

    def actions(self):
        return self.group(self.ACTIONS)

    @classmethod
    def initial_for(cls, policy) -> dict:
        initial = {name: getattr(policy, name) for name in ("name", "position", "active", "priorities", "channels",
                                                             "calendar", "escalate_department", "escalate_to",
                                                             "raise_priority", "notify", "notify_outside_hours")}
        for name in ("first_response_minutes", "next_response_minutes", "resolution_minutes", "warn_minutes"):
            initial[name] = format_duration(getattr(policy, name))
        initial["departments"] = list(policy.departments.all())
        initial["companies"] = list(policy.companies.all())
        return initial

    def service_values(self) -> dict:
        return dict(self.cleaned_data)
