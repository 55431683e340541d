"""Spam protection without third-party captchas: a honeypot field, a signed time stamp (a form sent
sooner than a person could fill it is a robot's), and a limit of forms per client address."""

from __future__ import annotations

import hashlib
import time
import uuid

from django.conf import settings
from django.core import signing
from django.core.cache import cache

from pomoc.accounts.ratelimit import client_ip

SALT = "pomoc.web.form"
MAX_AGE = 24 * 60 * 60  # a form left open for a day is shown again
HONEYPOT = "website"


def form_token() -> str:
    """Signed when the form is shown: its id (the idempotency key of the ticket it opens) and time."""
    return signing.dumps({"id": uuid.uuid4().hex, "t": time.time()}, salt=SALT)


def read_token(token: str, *, min_seconds: int) -> tuple[str, str]:
    """``(form id, problem)``: problem is "" for a good token, else "expired", "bad" or "fast"."""
    try:
        data = signing.loads(token or "", salt=SALT, max_age=MAX_AGE)
    except signing.SignatureExpired:
        return "", "expired"
    except signing.BadSignature:
        return "", "bad"
    if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not isinstance(data.get("t"), float | int):
        return "", "bad"
    if time.time() - data["t"] < min_seconds:
        return data["id"], "fast"
    return data["id"], ""


def _key(request) -> str:
    return "pomoc:web-form:ip:" + hashlib.sha256(client_ip(request).encode()).hexdigest()[:40]


def limit() -> tuple[int, int]:
    """(forms per client address, window in seconds)."""
    return (getattr(settings, "POMOC_CONTACT_FORM_RATE_LIMIT", 10),
            getattr(settings, "POMOC_CONTACT_FORM_RATE_WINDOW", 3600))


def is_blocked(request) -> bool:
    allowed, _window = limit()
    return (cache.get(_key(request)) or 0) >= allowed


def count(request) -> None:
    _allowed, window = limit()
    key = _key(request)
    cache.add(key, 0, timeout=window)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=window)
