"""Mails of customer accounts. They take plain values and look the account up themselves, so the
request that asked for one answers the same whether or not the address has an account."""

from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template import loader
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import override
from django_tasks import task

from pomoc.accounts.mail import email_context


def _send(template: str, context: dict, to: str, language: str) -> None:
    with override(language or None):
        subject = "".join(loader.render_to_string(f"portal/mail/{template}_subject.txt", context).splitlines())
        body = loader.render_to_string(f"portal/mail/{template}_email.txt", context)
    EmailMultiAlternatives(subject, body, None, [to]).send()


@task(queue_name="mail")
def send_signup_mail(email: str, name: str, language: str) -> int:
    from pomoc.portal import tokens
    from pomoc.portal.accounts import customer_for

    user = customer_for(email)
    if user is not None:
        context = {**email_context(), "link": reverse("portal:login")}
        _send("signup_exists", context, email, user.language or language)
        return 1
    token = tokens.signup_token(email=email, name=name, language=language)
    context = {**email_context(), "name": name, "link": reverse("portal:signup-confirm", args=[token])}
    _send("signup", context, email, language)
    return 1


@task(queue_name="mail")
def send_login_link(email: str, language: str) -> int:
    from pomoc.portal import tokens
    from pomoc.portal.accounts import customer_for

    user = customer_for(email)
    if user is None:
        return 0
    context = {**email_context(), "user": user, "link": reverse("portal:login-link", args=[tokens.login_token(user)])}
    _send("login_link", context, email, user.language or language)
    return 1


@task(queue_name="mail")
def send_password_reset(email: str, language: str) -> int:
    from pomoc.portal.accounts import customer_for

    user = customer_for(email)
    if user is None:
        return 0
    link = reverse("portal:password-reset-confirm", args=[urlsafe_base64_encode(force_bytes(user.pk)),
                                                          default_token_generator.make_token(user)])
    _send("password_reset", {**email_context(), "user": user, "link": link}, email, user.language or language)
    return 1
