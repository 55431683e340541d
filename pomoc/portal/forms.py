"""The portal's forms. They only shape the pages: the services check the values."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class PortalForm(forms.Form):
    """Labels without a trailing colon, like the portal's other forms."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class SignupForm(PortalForm):
    name = forms.CharField(label=_("Your name"), max_length=150,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(label=_("E-mail address"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class LoginForm(PortalForm):
    email = forms.CharField(label=_("E-mail address"), max_length=254,
                            widget=forms.EmailInput(attrs={"autocomplete": "username"}))
    password = forms.CharField(label=_("Password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class EmailForm(PortalForm):
    email = forms.EmailField(label=_("E-mail address"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class ProfileForm(PortalForm):
    name = forms.CharField(label=_("Your name"), max_length=150,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    language = forms.ChoiceField(label=_("Language"), required=False,
                                 choices=[("", _("As my browser asks"))] + list(settings.LANGUAGES))


class ReplyForm(PortalForm):
    body = forms.CharField(label=_("Your reply"), required=False, max_length=20_000,
                           widget=forms.Textarea(attrs={"rows": 5}))
