"""The administration page's form for an e-mail inbox (the kind's ``admin_form``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from pomoc.channels.forms import InboxForm as BaseInboxForm
from pomoc.channels.forms import secret_field
from pomoc.core.text import validate_line

SECURITY_FORM_CHOICES = [("ssl", _("SSL/TLS")), ("starttls", _("STARTTLS")), ("none", _("None (unencrypted)"))]
FETCH_FORM_CHOICES = [
    ("pipe", _("Delivered by our mail server (pomoc mail ingest)")), ("imap", _("IMAP")), ("pop3", _("POP3")),
]


class InboxForm(BaseInboxForm):
    """The fields of an e-mail inbox. Values are checked by ``pomoc.channels.services``; passwords
    are never rendered back: empty keeps the stored one, "clear" removes it."""

    address = forms.CharField(label=_("E-mail address"), max_length=254, validators=[validate_line],
                              help_text=_("The address customers write to."))
    fetch = forms.ChoiceField(label=_("How mail gets in"), choices=FETCH_FORM_CHOICES)
    imap_host = forms.CharField(label=_("IMAP server"), max_length=253, required=False)
    imap_port = forms.IntegerField(label=_("IMAP port"), initial=993)
    imap_security = forms.ChoiceField(label=_("IMAP security"), choices=SECURITY_FORM_CHOICES, initial="ssl")
    imap_username = forms.CharField(label=_("IMAP username"), max_length=254, required=False)
    imap_password = secret_field(_("IMAP password"))
    imap_password_clear = forms.BooleanField(label=_("Remove the stored IMAP password"), required=False)
    imap_folder = forms.CharField(label=_("IMAP folder"), max_length=200, required=False, initial="INBOX")
    pop3_host = forms.CharField(label=_("POP3 server"), max_length=253, required=False)
    pop3_port = forms.IntegerField(label=_("POP3 port"), initial=995)
    pop3_security = forms.ChoiceField(label=_("POP3 security"), choices=SECURITY_FORM_CHOICES, initial="ssl")
    pop3_username = forms.CharField(label=_("POP3 username"), max_length=254, required=False)
    pop3_password = secret_field(_("POP3 password"))
    pop3_password_clear = forms.BooleanField(label=_("Remove the stored POP3 password"), required=False)
    smtp_host = forms.CharField(label=_("SMTP server"), max_length=253, required=False,
                                help_text=_("Replies leave through this server."))
    smtp_port = forms.IntegerField(label=_("SMTP port"), initial=587)
    smtp_security = forms.ChoiceField(label=_("SMTP security"), choices=SECURITY_FORM_CHOICES, initial="starttls")
    smtp_username = forms.CharField(label=_("SMTP username"), max_length=254, required=False)
    smtp_password = secret_field(_("SMTP password"))
    smtp_password_clear = forms.BooleanField(label=_("Remove the stored SMTP password"), required=False)
    from_name = forms.CharField(label=_("Sender name"), max_length=100, required=False, validators=[validate_line],
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
    SECRET_STORED_HELP = _("A password is stored. Leave empty to keep it.")

    def initial_config(self, inbox) -> dict:
        from pomoc.channels.email.config import EmailInboxConfig

        config = EmailInboxConfig.from_dict(inbox.config).to_dict()
        config["extra_addresses"] = "\n".join(config["extra_addresses"])
        return config
