import functools

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from pomoc.accounts.services import time_zone_names
from pomoc.core.text import SingleLineFieldsMixin

User = get_user_model()


@functools.cache
def offered_time_zones() -> tuple[str, ...]:
    # "Area/City" names and UTC; legacy aliases such as "EST5EDT" only clutter the list.
    return ("UTC", *(name for name in time_zone_names() if "/" in name and not name.startswith(("Etc/", "SystemV/"))))


def time_zone_choices() -> list[tuple[str, str]]:
    return [("", _("Organisation default"))] + [(name, name) for name in offered_time_zones()]


def language_choices() -> list[tuple[str, str]]:
    """Each language named in itself ("čeština", "polski"), so that whoever cannot read the current
    one still finds their own."""
    return [("", _("Browser language"))] + [
        (code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES
    ]


class TimeZoneInput(forms.TextInput):
    """A text field the browser completes from the list of time zones (a <datalist>): type "Tall"
    or "Prague" and pick, instead of scrolling through some 400 names."""

    def __init__(self, attrs=None):
        super().__init__({"list": "time-zone-names", "autocomplete": "off", "spellcheck": "false",
                          "class": "tz-search", **(attrs or {})})

    def render(self, name, value, attrs=None, renderer=None):
        return format_html("{}{}", super().render(name, value, attrs, renderer), time_zone_datalist())


@functools.cache
def time_zone_datalist() -> str:
    """The same for everyone: built once per process (escaping some 400 names took longer than the
    rest of the preferences page)."""
    options = format_html_join("", '<option value="{}"></option>', ((zone,) for zone in offered_time_zones()))
    return format_html('<datalist id="time-zone-names">{}</datalist>', options)


class PreferencesForm(SingleLineFieldsMixin, forms.ModelForm):
    """What every user may change about themselves."""

    single_line_fields = ("first_name", "last_name", "email")

    language = forms.ChoiceField(label=_("Language"), required=False, choices=language_choices)
    time_zone = forms.CharField(
        label=_("Time zone"), required=False, max_length=64, widget=TimeZoneInput(
            attrs={"placeholder": _("Organisation default")}),
        help_text=_("Type part of a city's or region's name and pick it from the list; leave empty for the "
                    "organisation's default."))

    signature = forms.CharField(
        label=_("Signature"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("Jana Nováková\nSupport team")}),
        help_text=_("Plain text added under your replies and forwards (you can leave it out per message); "
                    "the inbox's signature follows it."))

    def clean_time_zone(self):
        value = (self.cleaned_data.get("time_zone") or "").strip()
        if value and value not in offered_time_zones() and value not in time_zone_names():
            raise forms.ValidationError(_("“%(value)s” is not a known time zone.") % {"value": value})
        return value

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "language", "time_zone", "signature"]
    # Saved through pomoc.accounts.services.user_update, which checks the e-mail address and time zone.
