from django import forms
from django.utils.translation import gettext_lazy as _

from pomoc.automation.followups.services import MAX_DAYS

TEXT_HELP = _("Empty: the built-in text, in the customer's language. Placeholders as in canned responses.")


class PolicyForm(forms.Form):
    acknowledge = forms.BooleanField(label=_("Acknowledge every new ticket (never automatic mail)"), required=False)
    acknowledgement_text = forms.CharField(label=_("Acknowledgement"), required=False, help_text=TEXT_HELP,
                                           widget=forms.Textarea(attrs={"rows": 5}))
    remind_after_days = forms.IntegerField(label=_("Remind the customer after this many days pending"), required=False,
                                           min_value=1, max_value=MAX_DAYS, help_text=_("Empty: never."))
    reminder_text = forms.CharField(label=_("Reminder"), required=False, help_text=TEXT_HELP,
                                    widget=forms.Textarea(attrs={"rows": 5}))
    close_after_days = forms.IntegerField(label=_("Close after this many days pending"), required=False,
                                          min_value=1, max_value=MAX_DAYS, help_text=_("Empty: never."))
    request_rating = forms.BooleanField(label=_("Ask for a rating after resolution"), required=False)
    rating_text = forms.CharField(label=_("Rating request"), required=False,
                                  help_text=_("{{ rating.link }} is the link to the rating form."),
                                  widget=forms.Textarea(attrs={"rows": 5}))
