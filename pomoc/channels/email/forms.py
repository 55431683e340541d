"""The administration page's form for an e-mail inbox (the kind's ``admin_form``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from pomoc.accounts.models import Department

# --- E-mail inboxes ---------------------------------------------------------------------------
SECURITY_FORM_CHOICES = [("ssl", _("SSL/TLS")), ("starttls", _("STARTTLS")), ("none", _("None (unencrypted)"))]
FETCH_FORM_CHOICES = [
    ("pipe", _("Delivered by our mail server (pomoc mail ingest)")), ("imap", _("IMAP")), ("pop3", _("POP3")),
]
PASSWORD_PLACEHOLDER = _("unchanged")


def _password_field(label):
    return forms.CharField(
        label=label, required=False, strip=False, max_length=1000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )


class InboxForm(forms.Form):
    """The fields of an e-mail inbox. Values are checked by ``pomoc.channels.services``; passwords
    are never rendered back: empty keeps the stored one, "clear" removes it."""

    name = forms.CharField(label=_("Name"), max_length=100)
    address = forms.CharField(label=_("E-mail address"), max_length=254,
                              help_text=_("The address customers write to."))
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.order_by("name"),
                                        required=False, help_text=_("New tickets from this inbox go there."))
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    fetch = forms.ChoiceField(label=_("How mail gets in"), choices=FETCH_FORM_CHOICES)
    imap_host = forms.CharField(label=_("IMAP server"), max_length=253, required=False)
    imap_port = forms.IntegerField(label=_("IMAP port"), initial=993)
    imap_security = forms.ChoiceField(label=_("IMAP security"), choices=SECURITY_FORM_CHOICES, initial="ssl")
    imap_username = forms.CharField(label=_("IMAP username"), max_length=254, required=False)
    imap_password = _password_field(_("IMAP password"))
    imap_password_clear = forms.BooleanField(label=_("Remove the stored IMAP password"), required=False)
    imap_folder = forms.CharField(label=_("IMAP folder"), max_length=200, required=False, initial="INBOX")
    pop3_host = forms.CharField(label=_("POP3 server"), max_length=253, required=False)
    pop3_port = forms.IntegerField(label=_("POP3 port"), initial=995)
    pop3_security = forms.ChoiceField(label=_("POP3 security"), choices=SECURITY_FORM_CHOICES, initial="ssl")
    pop3_username = forms.CharField(label=_("POP3 username"), max_length=254, required=False)
    pop3_password = _password_field(_("POP3 password"))
    pop3_password_clear = forms.BooleanField(label=_("Remove the stored POP3 password"), required=False)
    smtp_host = forms.CharField(label=_("SMTP server"), max_length=253, required=False,
                                help_text=_("Replies leave through this server."))
    smtp_port = forms.IntegerField(label=_("SMTP port"), initial=587)
    smtp_security = forms.ChoiceField(label=_("SMTP security"), choices=SECURITY_FORM_CHOICES, initial="starttls")
    smtp_username = forms.CharField(label=_("SMTP username"), max_length=254, required=False)
    smtp_password = _password_field(_("SMTP password"))
    smtp_password_clear = forms.BooleanField(label=_("Remove the stored SMTP password"), required=False)
    from_name = forms.CharField(label=_("Sender name"), max_length=100, required=False,
                                help_text=_("The name shown on replies, e.g. “Example support”."))
    extra_addresses = forms.CharField(
        label=_("Other addresses of this inbox"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Aliases that also arrive here, one per line; mail from them is never answered."),
    )
    max_message_bytes = forms.IntegerField(label=_("Largest mail (bytes)"), initial=25 * 1024 * 1024,
                                           help_text=_("Larger mail is kept as unprocessable."))
    tls_ca_certificates = forms.CharField(
        label=_("TLS CA certificates"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only for an IMAP or POP3 server whose certificate comes from a private CA or is "
                    "self-signed: paste that CA's certificate (or the server's) in PEM form. Certificates "
                    "are always checked; these are trusted besides the usual public CAs."),
    )

    SECRETS = ("imap_password", "pop3_password", "smtp_password")

    def __init__(self, *args, inbox=None, **kwargs):
        from pomoc.channels.email.config import EmailInboxConfig

        self.inbox = inbox
        if inbox is not None:
            config = EmailInboxConfig.from_dict(inbox.config).to_dict()
            config["extra_addresses"] = "\n".join(config["extra_addresses"])
            kwargs.setdefault("initial", {"name": inbox.name, "address": inbox.address, "department": inbox.department,
                                          "active": inbox.active, **config})
        super().__init__(*args, **kwargs)
        stored = set((inbox.secrets or {}) if inbox is not None else ())
        for name in self.SECRETS:
            if name in stored:
                self.fields[name].widget.attrs["placeholder"] = PASSWORD_PLACEHOLDER
                self.fields[name].help_text = _("A password is stored. Leave empty to keep it.")
            else:
                del self.fields[f"{name}_clear"]

    INBOX_FIELDS = ("name", "address", "department", "active")

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
