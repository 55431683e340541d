from django import forms
from django.utils.translation import gettext_lazy as _

from pomoc.notifications.models import NotificationKind


class PreferencesForm(forms.Form):
    email_kinds = forms.MultipleChoiceField(
        label=_("By e-mail"), required=False, choices=NotificationKind.choices, widget=forms.CheckboxSelectMultiple,
        help_text=_("Several notifications are sent together in one mail; those you have already read in "
                    "Pomoc are left out."))
