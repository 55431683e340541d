import functools
import zoneinfo

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

User = get_user_model()


@functools.cache
def _zone_names() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


def time_zone_choices() -> list[tuple[str, str]]:
    # "Area/City" names and UTC; legacy aliases such as "EST5EDT" only clutter the list.
    offered = [name for name in _zone_names() if "/" in name and not name.startswith(("Etc/", "SystemV/"))]
    return [("", _("Organisation default")), ("UTC", "UTC")] + [(name, name) for name in offered]


def language_choices() -> list[tuple[str, str]]:
    return [("", _("Browser language"))] + list(settings.LANGUAGES)


def validate_time_zone(value: str) -> str:
    if not value:
        return ""
    if value not in _zone_names():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value}) from None
    return value


def validate_unique_email(value: str, *, exclude_pk=None) -> str:
    """E-mail addresses identify people for password resets: one account per address."""
    value = (value or "").strip()
    if not value:
        return value
    qs = User.objects.filter(email__iexact=value)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise ValidationError(_("Another user already has this e-mail address."))
    return value


class PreferencesForm(forms.ModelForm):
    """What every user may change about themselves."""

    language = forms.ChoiceField(label=_("Language"), required=False, choices=language_choices)
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False, choices=time_zone_choices)

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "language", "time_zone"]

    def clean_email(self):
        return validate_unique_email(self.cleaned_data.get("email", ""), exclude_pk=self.instance.pk)

    def clean_time_zone(self):
        return validate_time_zone(self.cleaned_data.get("time_zone", ""))
