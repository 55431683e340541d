from django import forms
from django.utils.translation import gettext_lazy as _

from pomoc.notifications.models import NotificationKind


class PreferencesForm(forms.Form):
    email_kinds = forms.MultipleChoiceField(
        label=_("By e-mail"), required=False, choices=NotificationKind.choices, widget=forms.CheckboxSelectMultiple,
        help_text=_("Several notifications are sent together in one mail; those you have already read in "
                    "Pomoc are left out."))
    chat_ring = forms.BooleanField(
        label=_("Ring when a visitor waits in the chat queue"), required=False,
        help_text=_("A ringing sound and a notification of their own, unlike ticket notifications. "
                    "Off: waiting chats no longer ring for you (they still show on Live chats)."))
