from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from pomoc.accounts.services import time_zone_names
from pomoc.core.text import SingleLineFieldsMixin

User = get_user_model()


def time_zone_choices() -> list[tuple[str, str]]:
    # "Area/City" names and UTC; legacy aliases such as "EST5EDT" only clutter the list.
    offered = [name for name in time_zone_names() if "/" in name and not name.startswith(("Etc/", "SystemV/"))]
    return [("", _("Organisation default")), ("UTC", "UTC")] + [(name, name) for name in offered]


def language_choices() -> list[tuple[str, str]]:
    return [("", _("Browser language"))] + list(settings.LANGUAGES)


class PreferencesForm(SingleLineFieldsMixin, forms.ModelForm):
    """What every user may change about themselves."""

    single_line_fields = ("first_name", "last_name", "email")

    language = forms.ChoiceField(label=_("Language"), required=False, choices=language_choices)
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False, choices=time_zone_choices)

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "language", "time_zone"]
    # Saved through pomoc.accounts.services.user_update, which checks the e-mail address and time zone.
