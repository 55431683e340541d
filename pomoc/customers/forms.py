"""Forms of the customer pages: they parse; the contacts services judge (pomoc.contacts.services)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from pomoc.contacts.models import IdentityKind, PortalVisibility
from pomoc.core.text import validate_line
from pomoc.tickets.custom_fields import FORM_PREFIX, text_from_value, value_from_text
from pomoc.tickets.forms import custom_field_input


class FieldsMixin:
    """One input per custom field definition of the target (named cf_<key>, as on tickets)."""

    def add_custom_fields(self, definitions, values: dict) -> None:
        self.definitions = definitions
        for definition in definitions:
            self.fields[FORM_PREFIX + definition.key] = custom_field_input(definition)
            self.initial.setdefault(FORM_PREFIX + definition.key, text_from_value(values.get(definition.key)))

    def custom_field_values(self) -> dict:
        return {d.key: value_from_text(d, self.cleaned_data.get(FORM_PREFIX + d.key, "")) for d in self.definitions}

    def custom_field_aliases(self) -> dict[str, str]:
        return {f"custom_fields.{d.key}": FORM_PREFIX + d.key for d in self.definitions}


class ContactForm(FieldsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), required=False, max_length=200, validators=[validate_line])
    company = forms.CharField(label=_("Company"), required=False, max_length=200, validators=[validate_line],
                              help_text=_("The company's name; empty for none."))
    language = forms.ChoiceField(label=_("Language"), required=False)
    time_zone = forms.CharField(label=_("Time zone"), required=False, max_length=64, validators=[validate_line],
                                widget=forms.TextInput(attrs={"list": "time-zones", "placeholder": "Europe/Prague"}))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, definitions=(), values=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", "—"), *settings.LANGUAGES]
        self.add_custom_fields(definitions, values or {})


class CompanyForm(FieldsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, validators=[validate_line])
    domains = forms.CharField(label=_("E-mail domains"), required=False, max_length=2000,
                              help_text=_("Separated by commas or spaces. Contacts with an address at one of them "
                                          "join the company; free e-mail services (gmail.com) cannot be used."))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    portal_visibility = forms.ChoiceField(
        label=_("Colleagues see each other's tickets in the portal"), choices=PortalVisibility.choices,
        initial=PortalVisibility.INHERIT,
        help_text=_("“As the portal's setting says” follows the portal settings' company option."))

    def __init__(self, *args, definitions=(), values=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_custom_fields(definitions, values or {})

    def domain_list(self) -> list[str]:
        return self.cleaned_data["domains"].replace(",", " ").split()


class IdentityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=IdentityKind.choices)
    value = forms.CharField(label=_("Address, number or handle"), max_length=320, validators=[validate_line])


class TagForm(forms.Form):
    name = forms.CharField(label=_("Tag"), max_length=50, validators=[validate_line])


class MergeForm(forms.Form):
    other = forms.IntegerField(label=_("Merge this contact into it (its number)"), min_value=1, max_value=2**63 - 1)


class EraseForm(forms.Form):
    confirm = forms.CharField(label=_("Type ERASE to confirm"), max_length=10)

    def clean_confirm(self):
        if self.cleaned_data["confirm"].strip().upper() != "ERASE":
            raise forms.ValidationError(_("Type ERASE to confirm."))
        return "ERASE"
