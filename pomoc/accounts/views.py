import uuid

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from pomoc.accounts import ratelimit, services, tasks
from pomoc.accounts.forms import PreferencesForm
from pomoc.accounts.middleware import refusal_page
from pomoc.accounts.models import Role
from pomoc.core.form_errors import add_service_errors


class LoginView(auth_views.LoginView):
    """Django's login with a failed-attempt limit per client address and per username.

    ``RateLimitMiddleware`` refuses attempts over the limit before they reach this view. Here each
    attempt is counted before its password is checked (``ratelimit.begin_attempt``) and taken back
    when it succeeds, so that simultaneous attempts cannot all slip under the limit.
    """

    template_name = "accounts/login.html"

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        if not ratelimit.begin_attempt(request, username):
            return refusal_page(request, ratelimit.LOGIN)  # without checking the password
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        ratelimit.forgive(self.request, form.data.get("username", ""))
        return super().form_valid(form)

    def get_success_url(self):
        if self.request.user.role == Role.CUSTOMER:
            return reverse("accounts:staff_only")
        return super().get_success_url()


class LogoutView(auth_views.LogoutView):
    """POST only (Django's default since 5.0); a GET shows nothing and changes nothing."""


@login_required
def staff_only(request):
    """Where customers land after logging in to the agent interface: no agent data here."""
    return render(request, "accounts/staff_only.html")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    if request.method == "POST":
        form = PreferencesForm(request.POST, instance=request.user)
        if form.is_valid():
            try:
                services.user_update(user=request.user, actor=request.user, changes=form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your preferences have been saved."))
                return redirect("accounts:preferences")
    else:
        form = PreferencesForm(instance=request.user)
    return render(request, "accounts/preferences.html", {"form": form})


class PasswordResetView(auth_views.PasswordResetView):
    """The same work and the same answer whether or not the address belongs to anybody.

    The request only counts itself against the rate limits and enqueues ``send_password_reset``
    with the address; the task looks the account up and sends the mail. No lookup happens here,
    so neither the answer nor its timing depends on the address.
    """

    template_name = "registration/password_reset_form.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def post(self, request, *args, **kwargs):
        if ratelimit.reset_is_blocked(request, request.POST.get("email", "")):
            return refusal_page(request, ratelimit.RESET)  # RateLimitMiddleware normally answers first
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        ratelimit.register_reset(self.request, email)
        tasks.send_password_reset.enqueue(email, get_language() or "", uuid.uuid4().hex)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    # Not registration/password_change_form.html: Django's admin renders that name for its own page.
    template_name = "accounts/password_change_form.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"
