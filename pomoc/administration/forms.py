from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from pomoc.accounts.forms import language_choices, time_zone_choices
from pomoc.accounts.models import STAFF_ROLES, Department, Role
from pomoc.core.models import OrganisationSettings
from pomoc.tickets.models import CustomFieldDefinition, CustomFieldType, Tag

User = get_user_model()

STAFF_ROLE_CHOICES = [(role.value, role.label) for role in STAFF_ROLES]


def _departments_field():
    return forms.ModelMultipleChoiceField(
        label=_("Departments"), queryset=Department.objects.all(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class UserSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("All roles"))] + Role.choices)
    active = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[("", _("Active and deactivated")), ("1", _("Active")), ("0", _("Deactivated"))],
    )


class _UserFieldsForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail address"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=STAFF_ROLE_CHOICES)
    departments = _departments_field()
    language = forms.ChoiceField(label=_("Language"), required=False, choices=language_choices)
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False, choices=time_zone_choices)

    # Uniqueness, time zones and passwords are checked by pomoc.accounts.services; the views put
    # the errors it raises on these fields.


class UserCreateForm(_UserFieldsForm):
    username = forms.CharField(label=_("Username"), max_length=150)
    invite = forms.BooleanField(
        label=_("Send an invitation"), required=False,
        help_text=_("The user gets an e-mail with a link to choose their own password."),
    )
    password1 = forms.CharField(
        label=_("Password"), required=False, strip=False, widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty when you send an invitation."),
    )
    password2 = forms.CharField(
        label=_("Password again"), required=False, strip=False, widget=forms.PasswordInput(render_value=False),
    )

    field_order = ["username", "first_name", "last_name", "email", "role", "departments", "language",
                   "time_zone", "invite", "password1", "password2"]

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1") or "", cleaned.get("password2") or ""
        # The API may create users who cannot log in yet; this page always gives them a way in.
        if not cleaned.get("invite") and not password1:
            self.add_error("password1", _("Give a password or send an invitation."))
        elif password1 != password2:
            self.add_error("password2", _("The two passwords differ."))
        return cleaned


class UserEditForm(_UserFieldsForm):
    is_active = forms.BooleanField(
        label=_("Active"), required=False,
        help_text=_("Deactivated users cannot log in; their tickets and replies stay."),
    )

    def __init__(self, *args, instance, **kwargs):
        initial = {
            "first_name": instance.first_name, "last_name": instance.last_name, "email": instance.email,
            "role": instance.role, "departments": list(instance.departments.all()),
            "language": instance.language, "time_zone": instance.time_zone, "is_active": instance.is_active,
        }
        super().__init__(*args, initial=initial, **kwargs)
        if instance.role == Role.CUSTOMER:
            # Customer accounts come from the portal; here they keep their role or become staff.
            self.fields["role"].choices = Role.choices


class DepartmentForm(forms.ModelForm):
    members = forms.ModelMultipleChoiceField(
        label=_("Members"), required=False, widget=forms.CheckboxSelectMultiple,
        queryset=User.objects.filter(is_active=True, role__in=STAFF_ROLES).order_by("username"),
    )

    class Meta:
        model = Department
        fields = ["name", "description", "members"]


class TagForm(forms.ModelForm):
    color = forms.CharField(label=_("Colour"), max_length=7, widget=forms.TextInput(attrs={"type": "color"}))

    class Meta:
        model = Tag
        fields = ["name", "color"]


class CustomFieldForm(forms.ModelForm):
    choices = forms.CharField(
        label=_("Choices"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For fields of type “Choice”: one choice per line."),
    )

    class Meta:
        model = CustomFieldDefinition
        fields = ["key", "label", "type", "choices", "required", "active"]
        help_texts = {"key": _("Used in the API and in rules; cannot be changed later.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Renaming the key would orphan every value stored under the old one.
            self.fields["key"].disabled = True
            self.fields["type"].disabled = True
            self.fields["type"].help_text = _("Cannot be changed once values may have been stored.")
        self.initial["choices"] = "\n".join(str(c) for c in (self.instance.choices or []))

    def clean_choices(self):
        lines = [line.strip() for line in self.cleaned_data.get("choices", "").splitlines()]
        values = list(dict.fromkeys(line for line in lines if line))
        if any(len(value) > 200 for value in values):
            raise ValidationError(_("A choice can be at most 200 characters long."))
        return values

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("type") == CustomFieldType.CHOICE and not cleaned.get("choices"):
            self.add_error("choices", _("A choice field needs at least one choice."))
        elif cleaned.get("type") and cleaned.get("type") != CustomFieldType.CHOICE:
            cleaned["choices"] = []
        return cleaned


class OrganisationSettingsForm(forms.ModelForm):
    class Meta:
        model = OrganisationSettings
        fields = [
            "name", "ticket_tag_prefix", "administrators_see_all_tickets", "supervisors_see_all_tickets",
            "agents_see_unassigned_department_less",
        ]


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, required=False,
                           help_text=_("What the token is for, e.g. “CRM sync”."))



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
    """The fields of an e-mail inbox. Values are checked by ``pomoc.inboxes.services``; passwords
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

    def changes(self) -> dict:
        """The service's ``changes``/``config`` keys from the cleaned data."""
        data = self.cleaned_data
        return {key: data[key] for key in data if key not in self.SECRETS and not key.endswith("_clear")}

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


class RawMailFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[
        ("unprocessable", _("Unprocessable")), ("ignored", _("Ignored (automatic mail)")),
        ("pending", _("Pending")),
    ])
