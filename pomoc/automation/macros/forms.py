from django import forms
from django.utils.translation import gettext_lazy as _

from pomoc.tickets.forms import IdListField


class MacroApplyForm(forms.Form):
    macro = forms.IntegerField(min_value=1, max_value=2**63 - 1, error_messages={
        "required": _("Choose a macro to apply."), "invalid": _("Choose a macro to apply."),
        "min_value": _("Choose a macro to apply."), "max_value": _("Choose a macro to apply.")})


class MacroBulkForm(MacroApplyForm):
    ticket = IdListField(error_messages={"required": _("Select at least one ticket.")})
