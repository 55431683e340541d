"""The test kind's administration form (``KIND.admin_form``): its config keys and its API token."""

from django import forms

from pomoc.channels.forms import InboxForm, secret_field
from pomoc.channels.tests.testkind.config import HookConfig


class HookInboxForm(InboxForm):
    address = forms.CharField(label="Account", max_length=254, required=False,
                              help_text="The provider's account name of this inbox.")
    url = forms.CharField(label="Replies are posted to", max_length=500, required=False)
    timeout = forms.FloatField(label="Timeout (seconds)", initial=5.0)
    window_hours = forms.IntegerField(label="Join the open ticket within (hours)", initial=0, min_value=0)
    token = secret_field("API token")
    token_clear = forms.BooleanField(label="Remove the stored API token", required=False)

    SECRETS = ("token",)

    def initial_config(self, inbox) -> dict:
        return HookConfig.from_dict(inbox.config).to_dict()
