"""Signed survey links: the invitation's id signed with the installation's secret (its own salt), so a
link cannot be guessed or altered; whether it is still valid is the invitation's ``expires_at``."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "pomoc.surveys.invitation"


def token_for(invitation) -> str:
    return signing.dumps(invitation.pk, salt=SALT, compress=False)


def invitation_id(token: str) -> int | None:
    try:
        value = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def answer_path(invitation, score: int | None = None) -> str:
    path = reverse("surveys:answer", args=[token_for(invitation)])
    return f"{path}?score={score}" if score is not None else path


def answer_url(invitation, score: int | None = None) -> str:
    return settings.POMOC_BASE_URL.rstrip("/") + answer_path(invitation, score)
