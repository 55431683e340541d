from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from pomoc.accounts.models import Department
from pomoc.automation.canned.models import Scope
from pomoc.automation.canned.permissions import manages_team_canned


class CannedForm(forms.Form):
    """The editor: name, who uses it, the main text and one optional text per language (the files
    come as ``attachments`` beside it, read by the view)."""

    name = forms.CharField(label=_("Shortcut"), max_length=51,
                           help_text=_("Type # and this name in the reply box to insert it."))
    scope = forms.ChoiceField(label=_("Who can use it"), choices=Scope.choices)
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.order_by("name"),
                                        required=False)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=_("Used for customers whose language has no text of its own below."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not manages_team_canned(user):
            self.fields["scope"].choices = [(Scope.PERSONAL, Scope.PERSONAL.label)]
            del self.fields["department"]
        for code, label in settings.LANGUAGES:
            self.fields[f"variant_{code}"] = forms.CharField(
                label=_("Text in %(language)s") % {"language": label}, required=False,
                widget=forms.Textarea(attrs={"rows": 4, "class": "variant"}))

    def variants(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(f"variant_{code}", "") for code, _label in settings.LANGUAGES}

    def variant_fields(self):
        return [self[f"variant_{code}"] for code, _label in settings.LANGUAGES]
