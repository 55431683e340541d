"""Failed-login counting in Django's cache: per client IP and per username, in fixed windows.

After ``settings.LOGIN_RATE_LIMIT`` failures within ``settings.LOGIN_RATE_WINDOW`` seconds, every
further attempt from that IP, or for that username, is refused (even with the right password)
until the window that began with the first failure has passed. A successful login resets nothing:
otherwise an attacker guessing Alice's password could have the counter cleared whenever Alice
logs in from elsewhere, or spray many accounts from one IP by interleaving a login of their own.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    """The address the request came from; behind a trusted proxy, the one that proxy appended."""
    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        # The rightmost entry is written by our own proxy; entries to its left are client-supplied.
        last = forwarded.split(",")[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()[:40]
    return f"pomoc:login-failures:{kind}:{digest}"


def _keys(request, username: str) -> list[str]:
    keys = [_key("ip", client_ip(request))]
    username = (username or "").strip().lower()
    if username:
        keys.append(_key("user", username))
    return keys


def is_blocked(request, username: str) -> bool:
    """True when this IP or this username has used up its failed attempts for the window."""
    limit = settings.LOGIN_RATE_LIMIT
    counts = cache.get_many(_keys(request, username))
    return any(count >= limit for count in counts.values())


def register_failure(request, username: str) -> None:
    window = settings.LOGIN_RATE_WINDOW
    for key in _keys(request, username):
        # add() starts the window only if no counter exists: the window is not extended by failures.
        cache.add(key, 0, timeout=window)
        try:
            cache.incr(key)
        except ValueError:  # the counter expired between add() and incr()
            cache.set(key, 1, timeout=window)
