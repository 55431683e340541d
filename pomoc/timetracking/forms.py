from django import forms
from django.utils.translation import gettext_lazy as _

from pomoc.timetracking.services import MAX_MANUAL_MINUTES


class TimeEntryForm(forms.Form):
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=MAX_MANUAL_MINUTES,
                                 widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "minutes"}))
    note = forms.CharField(label=_("What you did"), required=False, max_length=200)
