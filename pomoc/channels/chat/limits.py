"""Rate limits of visitors: messages per minute per visitor and per IP address (the double), counted
in the cache (shared by processes in production: Redis), in fixed one-minute windows."""

from __future__ import annotations

import time

from django.core.cache import cache

WINDOW = 60


def _hit(key: str, limit: int) -> int:
    """Seconds to wait when the window is full (0: allowed, and counted)."""
    window = int(time.time() // WINDOW)
    full_key = f"pomoc:chat:rl:{key}:{window}"
    cache.add(full_key, 0, WINDOW + 5)
    try:
        count = cache.incr(full_key)
    except ValueError:  # expired between add and incr
        cache.set(full_key, 1, WINDOW + 5)
        count = 1
    if count > limit:
        return max(1, int(WINDOW - time.time() % WINDOW))
    return 0


def allow(*, scope: str, visitor_id: int, ip: str | None, per_minute: int) -> int:
    """0 when the visitor may go on; else the seconds after which they may (a 429's Retry-After).

    A known visitor has ``per_minute`` of their own and their address twice that (several visitors
    behind one address). Before there is a visitor (a new session, an offline form without one) only
    the address counts, at ``per_minute``: never one window shared by every newcomer of the site."""
    if not visitor_id:
        return _hit(f"{scope}:ip:{ip}", per_minute) if ip else 0
    wait = _hit(f"{scope}:v:{visitor_id}", per_minute)
    if not wait and ip:
        wait = _hit(f"{scope}:ip:{ip}", per_minute * 2)
    return wait
