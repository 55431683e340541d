from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from pomoc.accounts.forms import language_choices, time_zone_choices
from pomoc.accounts.models import STAFF_ROLES, Department, Role, Routing
from pomoc.core.ids import IdModelMultipleChoiceField
from pomoc.core.models import OrganisationSettings
from pomoc.core.text import SingleLineFieldsMixin, validate_line
from pomoc.tickets.models import CustomFieldDefinition, CustomFieldTarget, CustomFieldType, Tag

User = get_user_model()

STAFF_ROLE_CHOICES = [(role.value, role.label) for role in STAFF_ROLES]


def _departments_field():
    return IdModelMultipleChoiceField(
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
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False, validators=[validate_line])
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False, validators=[validate_line])
    email = forms.EmailField(label=_("E-mail address"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=STAFF_ROLE_CHOICES)
    departments = _departments_field()
    language = forms.ChoiceField(label=_("Language"), required=False, choices=language_choices)
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False, choices=time_zone_choices)

    # Uniqueness, time zones and passwords are checked by pomoc.accounts.services; the views put
    # the errors it raises on these fields.


class UserCreateForm(_UserFieldsForm):
    username = forms.CharField(label=_("Username"), max_length=150, validators=[validate_line])
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
    ticket_capacity = forms.IntegerField(
        label=_("Open tickets routing may assign at most"), min_value=0, max_value=1000, required=False,
        help_text=_("0 or empty: no limit."))
    routing_languages = forms.MultipleChoiceField(
        label=_("Speaks"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=lambda: [(code, name) for code, name in language_choices() if code])
    skills = forms.CharField(
        label=_("Skills"), required=False, max_length=500, validators=[validate_line],
        help_text=_("Tag names, comma-separated: departments that route by skill prefer this agent for "
                    "tickets with these tags."))

    ROUTING_FIELDS = ("ticket_capacity", "routing_languages", "skills")

    def __init__(self, *args, instance, **kwargs):
        presence = getattr(instance, "presence", None) if instance.pk else None
        initial = {
            "first_name": instance.first_name, "last_name": instance.last_name, "email": instance.email,
            "role": instance.role, "departments": list(instance.departments.all()),
            "language": instance.language, "time_zone": instance.time_zone, "is_active": instance.is_active,
            "ticket_capacity": presence.ticket_capacity if presence else 0,
            "routing_languages": presence.languages if presence else [],
            "skills": ", ".join(presence.skills) if presence else "",
        }
        super().__init__(*args, initial=initial, **kwargs)
        if instance.role == Role.CUSTOMER:
            # Customer accounts come from the portal; here they keep their role or become staff.
            self.fields["role"].choices = Role.choices


class DepartmentForm(SingleLineFieldsMixin, forms.ModelForm):
    single_line_fields = ("name",)
    members = IdModelMultipleChoiceField(
        label=_("Members"), required=False, widget=forms.CheckboxSelectMultiple,
        queryset=User.objects.filter(is_active=True, role__in=STAFF_ROLES).order_by("username"),
    )

    class Meta:
        model = Department
        fields = ["name", "description", "members", "routing", "routing_by_language", "routing_by_skill"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["routing"].required = False  # left out: agents take tickets themselves

    def clean_routing(self):
        return self.cleaned_data["routing"] or Routing.MANUAL


class TagForm(SingleLineFieldsMixin, forms.ModelForm):
    single_line_fields = ("name", "color")
    color = forms.CharField(label=_("Colour"), max_length=7, widget=forms.TextInput(attrs={"type": "color"}))

    class Meta:
        model = Tag
        fields = ["name", "color"]


class CustomFieldForm(SingleLineFieldsMixin, forms.ModelForm):
    single_line_fields = ("key", "label")
    choices = forms.CharField(
        label=_("Choices"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For fields of type “Choice”: one choice per line."),
    )

    class Meta:
        model = CustomFieldDefinition
        fields = ["key", "label", "target", "type", "choices", "required", "active"]
        help_texts = {"key": _("Used in the API and in rules; cannot be changed later.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].required = False  # not chosen: a ticket field, as before targets existed
        if self.instance.pk:
            # Renaming the key would orphan every value stored under the old one.
            self.fields["key"].disabled = True
            self.fields["type"].disabled = True
            self.fields["target"].disabled = True
            self.fields["type"].help_text = _("Cannot be changed once values may have been stored.")
        self.initial["choices"] = "\n".join(str(c) for c in (self.instance.choices or []))

    def clean_target(self):
        return self.cleaned_data.get("target") or CustomFieldTarget.TICKET

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


class OrganisationSettingsForm(SingleLineFieldsMixin, forms.ModelForm):
    single_line_fields = ("name", "ticket_tag_prefix")
    class Meta:
        model = OrganisationSettings
        fields = [
            "name", "ticket_tag_prefix", "administrators_see_all_tickets", "supervisors_see_all_tickets",
            "agents_see_unassigned_department_less", "first_response_target_minutes", "csat_target_percent",
        ]

    TARGETS = ("first_response_target_minutes", "csat_target_percent")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.TARGETS:  # left out: the target stays as it was
            self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        for name in self.TARGETS:
            if cleaned.get(name) is None and name not in self.errors:
                cleaned[name] = getattr(self.instance, name)
        return cleaned


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, required=False, validators=[validate_line],
                           help_text=_("What the token is for, e.g. “CRM sync”."))



class RawMailFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[
        ("unprocessable", _("Unprocessable")), ("ignored", _("Ignored (automatic mail)")),
        ("pending", _("Pending")),
    ])
