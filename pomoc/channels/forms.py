"""What every kind's administration form shares (a kind's ``admin_form`` subclasses ``InboxForm``).

The form only shapes the page: values are checked by ``pomoc.channels.services`` (and the kind's
``clean_config``), whose errors the administration shows on the form's fields of the same names.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from pomoc.accounts.models import Department

SECRET_PLACEHOLDER = _("unchanged")


def secret_field(label, **kwargs) -> forms.CharField:
    """A write-only setting (a password, an API key): never rendered back; empty keeps the stored one."""
    return forms.CharField(
        label=label, required=False, strip=False, max_length=1000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}), **kwargs,
    )


class InboxForm(forms.Form):
    """The fields every inbox has; a kind adds its config keys and secrets as fields of the same names.

    ``SECRETS`` names the secret fields (see ``secret_field``); a ``<name>_clear`` checkbox beside one
    removes the stored value and is only shown while one is stored. ``initial_config`` turns the stored
    config into the fields' initial values."""

    name = forms.CharField(label=_("Name"), max_length=100)
    address = forms.CharField(label=_("Address"), max_length=254, required=False)
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.order_by("name"),
                                        required=False, help_text=_("New tickets from this inbox go there."))
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    signature = forms.CharField(
        label=_("Signature"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Plain text added under every reply and forward sent through this inbox, below the "
                    "agent's own signature."))

    INBOX_FIELDS = ("name", "address", "department", "active", "signature")
    SECRETS: tuple[str, ...] = ()
    SECRET_STORED_HELP = _("A value is stored. Leave empty to keep it.")

    def __init__(self, *args, inbox=None, **kwargs):
        self.inbox = inbox
        if inbox is not None:
            kwargs.setdefault("initial", {"name": inbox.name, "address": inbox.address,
                                          "department": inbox.department, "active": inbox.active,
                                          "signature": inbox.signature,
                                          **self.initial_config(inbox)})
        super().__init__(*args, **kwargs)
        stored = set((inbox.secrets or {}) if inbox is not None else ())
        for name in self.SECRETS:
            if name in stored:
                self.fields[name].widget.attrs["placeholder"] = SECRET_PLACEHOLDER
                self.fields[name].help_text = self.SECRET_STORED_HELP
            else:
                self.fields.pop(f"{name}_clear", None)

    def initial_config(self, inbox) -> dict:
        """The config fields' initial values from ``inbox.config`` (a kind reads its typed config here)."""
        return {}

    def changes(self) -> dict:
        """The inbox services' ``changes`` from the cleaned data: the inbox's own fields and ``config``."""
        data = self.cleaned_data
        config = {key: data[key] for key in data
                  if key not in self.INBOX_FIELDS and key not in self.SECRETS and not key.endswith("_clear")}
        return {**{key: data[key] for key in self.INBOX_FIELDS}, "config": config}

    def secrets(self) -> dict:
        """Only the secrets to change: a new value, or "" where "clear" is ticked."""
        data = self.cleaned_data
        result = {}
        for name in self.SECRETS:
            if data.get(f"{name}_clear"):
                result[name] = ""
            elif data.get(name):
                result[name] = data[name]
        return result
