"""Forms of the survey pages: one kind's settings (questions per language) and a new campaign."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from pomoc.channels.models import Inbox, InboxKind
from pomoc.contacts.models import Company, Segment
from pomoc.core.text import validate_line
from pomoc.surveys import texts
from pomoc.surveys.models import SCALES


class SurveyForm(forms.Form):
    enabled = forms.BooleanField(label=_("Ask customers"), required=False)
    min_interval_days = forms.IntegerField(
        label=_("Ask the same person at most once in (days)"), min_value=0, max_value=3650,
        help_text=_("0: every time. Counts every invitation of this survey, whatever it was about."))
    valid_days = forms.IntegerField(label=_("Links valid for (days)"), min_value=1, max_value=365)
    low_score = forms.IntegerField(
        label=_("A score at or below this leaves a note for a supervisor"), required=False, min_value=0,
        max_value=10, help_text=_("Empty: never."))

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        low, high = SCALES[kind]
        self.fields["low_score"].min_value, self.fields["low_score"].max_value = low, high
        self.fields["low_score"].widget.attrs.update(min=low, max=high)
        for code, name in settings.LANGUAGES:
            with override(code):
                default = texts.default_question(kind)
            self.fields[f"question_{code}"] = forms.CharField(
                label=_("Question in %(language)s") % {"language": name}, required=False, max_length=300,
                validators=[validate_line], widget=forms.TextInput(attrs={"placeholder": default, "lang": code}),
            )

    def question_fields(self):
        return [self[f"question_{code}"] for code, _name in settings.LANGUAGES]

    @classmethod
    def initial_for(cls, survey) -> dict:
        return {"enabled": survey.enabled, "min_interval_days": survey.min_interval_days,
                "valid_days": survey.valid_days, "low_score": survey.low_score,
                **{f"question_{code}": text for code, text in (survey.questions or {}).items()}}

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {"kind": self.kind, "enabled": data["enabled"], "min_interval_days": data["min_interval_days"],
                "valid_days": data["valid_days"], "low_score": data["low_score"],
                "questions": {code: data[f"question_{code}"] for code, _name in settings.LANGUAGES}}


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, validators=[validate_line])
    inbox = forms.ModelChoiceField(label=_("Send from"), queryset=Inbox.objects.none(), empty_label=None)
    company = forms.ModelChoiceField(
        label=_("Only the contacts of this company"), queryset=Company.objects.order_by("name"), required=False,
        empty_label=_("Every contact with an e-mail address"))
    segment = forms.ModelChoiceField(
        label=_("Only the contacts of this segment"), queryset=Segment.objects.order_by("name"), required=False,
        empty_label=_("Any segment"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inbox"].queryset = Inbox.objects.filter(kind=InboxKind.EMAIL, active=True).order_by("name")
