"""Account mails (password reset, invitation): links and names from configuration, not the request."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template import loader
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import override

from pomoc.core.models import OrganisationSettings


def email_context() -> dict:
    return {"base_url": settings.POMOC_BASE_URL.rstrip("/"), "site_name": OrganisationSettings.get().name}


def send_invitation(user) -> None:
    """A mail with a one-time link where ``user`` chooses a password (the password-reset token).

    Written in the user's own language when one is set.
    """
    context = {
        **email_context(),
        "user": user,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    with override(user.language or None):
        subject = "".join(loader.render_to_string("registration/invitation_subject.txt", context).splitlines())
        body = loader.render_to_string("registration/invitation_email.txt", context)
    EmailMultiAlternatives(subject, body, None, [user.email]).send()
