"""The administration page of a web form inbox."""

from django import forms
from django.utils.translation import gettext_lazy as _

from pomoc.channels.forms import InboxForm
from pomoc.channels.web.config import WebFormConfig


class WebInboxForm(InboxForm):
    address = forms.CharField(label=_("Address"), max_length=254, required=False, widget=forms.HiddenInput)
    fields = forms.CharField(
        label=_("Custom fields on the form"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The keys of the tickets' custom fields the form asks for, one per line, in order."))
    embed_origins = forms.CharField(
        label=_("Sites that may embed the form"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, such as https://shop.example.com. Other sites cannot show it in a frame."))
    confirm_unknown = forms.BooleanField(
        label=_("Unknown senders confirm their address first"), required=False,
        help_text=_("The ticket opens once the sender clicks the link we e-mail them."))
    min_seconds = forms.IntegerField(
        label=_("Refuse forms sent faster than (seconds)"), min_value=0, max_value=600, initial=3)

    def initial_config(self, inbox) -> dict:
        config = WebFormConfig.from_dict(inbox.config)
        return {"fields": "\n".join(config.fields), "embed_origins": "\n".join(config.embed_origins),
                "confirm_unknown": config.confirm_unknown, "min_seconds": config.min_seconds}
