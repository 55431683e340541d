"""The visitor token (opaque, signed, names one visitor of one inbox) and the signed identity check."""

from __future__ import annotations

import hashlib
import hmac

from django.core import signing

SALT = "pomoc.chat.visitor"


def visitor_token(*, inbox_id: int, visitor_key: str) -> str:
    return signing.dumps({"i": inbox_id, "v": visitor_key}, salt=SALT, compress=False)


def visitor_key_from(token: str, *, inbox_id: int) -> str | None:
    """The visitor key a token names, when it is ours and for this inbox; None otherwise."""
    if not isinstance(token, str) or not token or len(token) > 500:
        return None
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("i") != inbox_id or not isinstance(data.get("v"), str):
        return None
    return data["v"]


def identity_hash(secret: str, user_id: str) -> str:
    return hmac.new(secret.encode(), str(user_id).encode(), hashlib.sha256).hexdigest()


def identity_valid(secret: str, user_id: str, given: str) -> bool:
    """Whether ``given`` is the hex HMAC-SHA256 of ``user_id`` with the inbox's identity secret."""
    if not secret or not isinstance(given, str) or not isinstance(user_id, str | int):
        return False
    return hmac.compare_digest(identity_hash(secret, str(user_id)), given.strip().lower())
