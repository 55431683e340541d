"""The administration's form of a chat inbox (``KIND.admin_form``)."""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from pomoc.channels.chat.config import POSITIONS, ChatInboxConfig
from pomoc.channels.forms import InboxForm, secret_field


def _json_list(value: str, label) -> list:
    if not value.strip():
        return []
    try:
        parsed = json.loads(value)
    except ValueError:
        raise forms.ValidationError(_("Write a JSON list, as in the documentation.")) from None
    if not isinstance(parsed, list):
        raise forms.ValidationError(_("Write a JSON list, as in the documentation."))
    return parsed


class ChatInboxForm(InboxForm):
    address = forms.CharField(required=False, widget=forms.HiddenInput)
    allowed_origins = forms.CharField(
        label=_("Sites that may show the chat"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One address per line, such as https://shop.example.com (scheme and host, no path)."))
    title = forms.CharField(label=_("Title"), max_length=100, required=False)
    greeting = forms.CharField(label=_("Greeting"), max_length=500, required=False)
    offline_message = forms.CharField(label=_("When nobody is available"), max_length=500, required=False)
    colour = forms.CharField(label=_("Colour"), max_length=7, initial="#1f6feb",
                             widget=forms.TextInput(attrs={"type": "color"}))
    position = forms.ChoiceField(label=_("Position"), choices=[(p, p) for p in POSITIONS])
    max_chats_per_agent = forms.IntegerField(
        label=_("Chats at a time per agent"), min_value=1, max_value=50, initial=3,
        help_text=_("For agents without their own limit."))
    rating_enabled = forms.BooleanField(label=_("Ask for a rating at the end"), required=False, initial=True)
    prechat_fields = forms.CharField(
        label=_("Pre-chat form (JSON)"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_('For example [{"name": "name", "label": "Your name", "type": "text", "required": true}].'))
    invitations = forms.CharField(
        label=_("Proactive invitations (JSON)"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_('For example [{"url": "*/pricing*", "seconds": 30, "message": "Questions about prices?"}].'))
    identity_secret = secret_field(_("Identity secret"), help_text=_(
        "Signs the identity of users signed in on your site (HMAC-SHA256 of the user id)."))
    identity_secret_clear = forms.BooleanField(label=_("Remove the stored identity secret"), required=False)

    SECRETS = ("identity_secret",)

    def initial_config(self, inbox) -> dict:
        config = ChatInboxConfig.from_dict(inbox.config).to_dict()
        config["allowed_origins"] = "\n".join(config["allowed_origins"])
        config["prechat_fields"] = json.dumps(config["prechat_fields"], ensure_ascii=False) \
            if config["prechat_fields"] else ""
        config["invitations"] = json.dumps(config["invitations"], ensure_ascii=False) if config["invitations"] else ""
        return config

    def clean_allowed_origins(self) -> list[str]:
        return self.cleaned_data["allowed_origins"].split()

    def clean_prechat_fields(self) -> list:
        return _json_list(self.cleaned_data["prechat_fields"], self.fields["prechat_fields"].label)

    def clean_invitations(self) -> list:
        return _json_list(self.cleaned_data["invitations"], self.fields["invitations"].label)
