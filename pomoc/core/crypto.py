"""Secrets at rest (mail server passwords, API keys of providers): Fernet, never in plain text.

The key is ``POMOC_ENCRYPTION_KEY`` (a Fernet key) when set, otherwise derived from SECRET_KEY.
Several keys may be given comma-separated: the first encrypts, all decrypt (key rotation).
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SecretUnreadable(Exception):
    """A stored secret cannot be decrypted with the configured keys (the key changed?)."""


def _fernet() -> MultiFernet:
    configured = [k.strip() for k in getattr(settings, "POMOC_ENCRYPTION_KEY", "").split(",") if k.strip()]
    if not configured:
        derived = hashlib.sha256(b"pomoc-secrets:" + settings.SECRET_KEY.encode()).digest()
        configured = [base64.urlsafe_b64encode(derived).decode()]
    return MultiFernet([Fernet(key.encode()) for key in configured])


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError) as exc:
        raise SecretUnreadable("stored secret cannot be decrypted with the configured key") from exc
