"""Signed links of customer accounts: confirming a sign-up and signing in without a password.

Nothing is stored for them: a sign-up link carries the address and name (the account is created by
whoever opens it and chooses a password, so nobody can sign up with someone else's address); a
sign-in link carries the user and their last login, so it works once (logging in changes it) and
only for a short time."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core import signing

SIGNUP_SALT = "pomoc.portal.signup"
SIGNUP_MAX_AGE = 3 * 24 * 60 * 60
LOGIN_SALT = "pomoc.portal.login-link"
LOGIN_MAX_AGE = 20 * 60


def signup_token(*, email: str, name: str, language: str) -> str:
    return signing.dumps({"e": email, "n": name, "l": language}, salt=SIGNUP_SALT, compress=True)


def read_signup_token(token: str) -> dict | None:
    try:
        data = signing.loads(token, salt=SIGNUP_SALT, max_age=SIGNUP_MAX_AGE)
    except signing.BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in ("e", "n", "l")):
        return None
    return {"email": data["e"], "name": data["n"], "language": data["l"]}


def _last_login(user) -> str:
    return user.last_login.isoformat() if user.last_login else ""


def login_token(user) -> str:
    return signing.dumps({"u": user.pk, "l": _last_login(user)}, salt=LOGIN_SALT)


def read_login_token(token: str):
    """The active customer the link is for, if it is still good (unused, recent)."""
    from pomoc.accounts.models import Role

    try:
        data = signing.loads(token, salt=LOGIN_SALT, max_age=LOGIN_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = get_user_model().objects.filter(pk=data["u"], is_active=True, role=Role.CUSTOMER).first()
    if user is None or _last_login(user) != data.get("l"):
        return None
    return user
