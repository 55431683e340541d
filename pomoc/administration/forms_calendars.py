"""Forms of the business-hours pages: the week as one line of periods per day, countries as codes."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pomoc.accounts.forms import time_zone_choices
from pomoc.core.text import validate_line

WEEKDAY_NAMES = (_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday"))
QUICK_COUNTRIES = (("CZ", _("Czechia")), ("SK", _("Slovakia")), ("PL", _("Poland")), ("EE", _("Estonia")))
PERIODS_HELP = _("For example 09:00-12:00, 13:00-17:00. Empty: closed all day.")


def split_periods(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


class CalendarForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, validators=[validate_line])
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)
    countries = forms.CharField(
        label=_("Closed on the public holidays of"), required=False, max_length=200, validators=[validate_line],
        help_text=_("Country codes, comma-separated: CZ, PL, EE, SK, or a region such as DE-BY."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for day, label in enumerate(WEEKDAY_NAMES):
            self.fields[f"day_{day}"] = forms.CharField(
                label=label, required=False, max_length=200, validators=[validate_line],
                widget=forms.TextInput(attrs={"aria-describedby": "week-help",
                                              "placeholder": pgettext_lazy("business hours", "closed")}))

    def day_fields(self):
        return [self[f"day_{day}"] for day in range(7)]

    @classmethod
    def initial_for(cls, calendar) -> dict:
        initial = {"name": calendar.name, "time_zone": calendar.time_zone,
                   "countries": ", ".join(calendar.countries)}
        for day in range(7):
            initial[f"day_{day}"] = ", ".join(calendar.hours.get(str(day), []))
        return initial

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"], "time_zone": data["time_zone"],
            "countries": [code.strip() for code in data["countries"].split(",") if code.strip()],
            "hours": {str(day): split_periods(data[f"day_{day}"]) for day in range(7)},
        }


class CalendarDayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(label=_("Name"), required=False, max_length=200, validators=[validate_line])
    hours = forms.CharField(label=_("Open hours that day"), required=False, max_length=200, validators=[validate_line],
                            help_text=_("Empty: closed all day."))
