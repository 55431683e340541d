"""Signed unsubscribe links: the subscription's id signed with the installation's secret (its own
salt), so a link cannot be guessed or changed to reach another person's subscription."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "pomoc.community.unsubscribe"


def token_for(subscription) -> str:
    return signing.dumps(subscription.pk, salt=SALT, compress=False)


def subscription_id(token: str) -> int | None:
    try:
        value = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def absolute(path: str) -> str:
    return settings.POMOC_BASE_URL.rstrip("/") + path


def unsubscribe_url(subscription) -> str:
    return absolute(reverse("community:unsubscribe", args=[token_for(subscription)]))
