"""Background work on accounts. Tasks take plain values, are idempotent and look things up themselves."""

from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import override
from django_tasks import task

from pomoc.accounts.mail import email_context

RESET_SUBJECT_TEMPLATE = "registration/password_reset_subject.txt"
RESET_EMAIL_TEMPLATE = "registration/password_reset_email.txt"
DONE_TTL = 24 * 60 * 60


@task(queue_name="mail")
def send_password_reset(email: str, language: str = "", request_id: str = "") -> int:
    """Django's password-reset mail to every active account with a usable password at ``email``.

    The request that asked for it only enqueued this, whatever the address, so its answer and its
    timing say nothing about who has an account. Running it again for the same ``request_id``
    (a retry) sends nothing more. Returns how many mails were sent.
    """
    done_key = f"pomoc:password-reset-done:{request_id}" if request_id else ""
    if done_key and cache.get(done_key):
        return 0
    form = PasswordResetForm()
    sent = 0
    context = email_context()
    for user in form.get_users(email):
        user_email = getattr(user, user.get_email_field_name())
        with override(user.language or language or None):
            form.send_mail(RESET_SUBJECT_TEMPLATE, RESET_EMAIL_TEMPLATE, {
                **context,
                "email": user_email,
                "user": user,
                "uid": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
                "domain": context["base_url"].split("://", 1)[-1],
                "protocol": context["base_url"].split("://", 1)[0],
            }, None, user_email)
        sent += 1
    if done_key:
        cache.set(done_key, 1, timeout=DONE_TTL)
    return sent
