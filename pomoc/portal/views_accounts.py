"""Customer accounts' pages under /me/: sign up (with a confirmed address), sign in with a password
or a one-time link, a new password, the profile. Agents keep their own sign-in at /accounts/."""

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from pomoc.accounts import ratelimit
from pomoc.accounts.middleware import refusal_page
from pomoc.core.form_errors import add_service_errors
from pomoc.portal import accounts, tokens
from pomoc.portal.access import customer_required, is_customer
from pomoc.portal.context import portal_context
from pomoc.portal.forms import EmailForm, LoginForm, ProfileForm, SignupForm


def _page(request, template: str, status: int = 200, **context):
    return render(request, template, {**portal_context(request), "portal_section": "me", **context}, status=status)


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("portal:my-tickets")


def _limited(request, email: str):
    """Sign-up, link and reset requests share the password-reset limits (per client and address)."""
    if ratelimit.reset_is_blocked(request, email):
        return refusal_page(request, ratelimit.RESET)
    ratelimit.register_reset(request, email)
    return None


@require_http_methods(["GET", "POST"])
def signup(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refused = _limited(request, form.cleaned_data["email"])
        if refused:
            return refused
        try:
            accounts.signup_request(email=form.cleaned_data["email"], name=form.cleaned_data["name"],
                                    language=get_language() or "")
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("portal:signup-sent")
    return _page(request, "portal/accounts/signup.html", form=form)


def signup_sent(request):
    return _page(request, "portal/accounts/sent.html", title=_("Check your e-mail"),
                 text=_("We have sent you a link. Open it to confirm your address and choose your password."))


@require_http_methods(["GET", "POST"])
def signup_confirm(request, token):
    data = tokens.read_signup_token(token)
    if data is None:
        return _page(request, "portal/accounts/link_invalid.html", status=400)
    form = SetPasswordForm(None, request.POST or None, label_suffix="")
    if request.method == "POST" and form.is_valid():
        try:
            user = accounts.signup_complete(email=data["email"], name=data["name"], language=data["language"],
                                            password=form.cleaned_data["new_password1"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            login(request, user, backend="pomoc.accounts.backends.UserWithPresenceBackend")
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect("portal:my-tickets")
    return _page(request, "portal/accounts/signup_confirm.html", form=form, email=data["email"])


@require_http_methods(["GET", "POST"])
def login_view(request):
    if is_customer(request.user):
        return redirect(_next(request))
    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        if not ratelimit.begin_attempt(request, email):
            return refusal_page(request, ratelimit.LOGIN)
        account = accounts.customer_for(email)
        user = authenticate(request, username=account.username if account else email,
                            password=form.cleaned_data["password"])
        if user is not None and is_customer(user):
            ratelimit.forgive(request, email)
            login(request, user)
            return redirect(_next(request))
        error = _("The e-mail address and password do not match an account.")
    return _page(request, "portal/accounts/login.html", form=form, error=error,
                 next=request.POST.get("next") or request.GET.get("next") or "")


@require_http_methods(["GET", "POST"])
def login_link_request(request):
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refused = _limited(request, form.cleaned_data["email"])
        if refused:
            return refused
        accounts.login_link_request(email=form.cleaned_data["email"], language=get_language() or "")
        return _page(request, "portal/accounts/sent.html", title=_("Check your e-mail"),
                     text=_("If the address has an account, a sign-in link is on its way. It works once, "
                            "within 20 minutes."))
    return _page(request, "portal/accounts/email_form.html", form=form, title=_("Sign in with a link"),
                 intro=_("We e-mail you a link that signs you in, no password needed."), button=_("Send the link"))


@require_http_methods(["GET", "POST"])
def login_link(request, token):
    """GET shows a button (mail scanners open links; only a person's click signs in)."""
    user = tokens.read_login_token(token)
    if user is None:
        return _page(request, "portal/accounts/link_invalid.html", status=400)
    if request.method == "POST":
        login(request, user, backend="pomoc.accounts.backends.UserWithPresenceBackend")
        return redirect("portal:my-tickets")
    return _page(request, "portal/accounts/login_link.html", email=user.email)


@require_POST
def logout_view(request):
    logout(request)
    return redirect("portal:home")


@require_http_methods(["GET", "POST"])
def password_reset(request):
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refused = _limited(request, form.cleaned_data["email"])
        if refused:
            return refused
        accounts.password_reset_request(email=form.cleaned_data["email"], language=get_language() or "")
        return _page(request, "portal/accounts/sent.html", title=_("Check your e-mail"),
                     text=_("If the address has an account, a link to choose a new password is on its way."))
    return _page(request, "portal/accounts/email_form.html", form=form, title=_("Forgot your password?"),
                 intro=_("We e-mail you a link to choose a new one."), button=_("Send the link"))


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "portal/accounts/password_reset_confirm.html"
    success_url = reverse_lazy("portal:login")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "label_suffix": ""}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **portal_context(self.request), "portal_section": "me"}

    def form_valid(self, form):
        messages.success(self.request, _("Your new password is set. Sign in with it."))
        return super().form_valid(form)


@customer_required
@require_http_methods(["GET", "POST"])
def profile(request):
    user = request.user
    form = ProfileForm(request.POST or None, initial={"name": user.get_full_name(), "language": user.language})
    if request.method == "POST" and form.is_valid():
        try:
            accounts.profile_update(user=user, name=form.cleaned_data["name"], language=form.cleaned_data["language"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("portal:profile")
    return _page(request, "portal/accounts/profile.html", form=form)


@customer_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None, label_suffix="")
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, form.user)
        messages.success(request, _("Your password is changed."))
        return redirect("portal:profile")
    return _page(request, "portal/accounts/password_change.html", form=form)
