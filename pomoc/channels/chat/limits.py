"""Rate limits of visitors: messages per minute per visitor and per IP address (the double), counted
in the cache (shared by processes in production: Redis), in fixed one-minute windows."""

from __future__ import annotations

import ipaddress
import time

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

WINDOW = 60


def _count(key: str) -> int:
    """The key's count with this hit. On Redis one round trip (INCR and the key's expiry in one
    pipeline): a visitor's every message passes here."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        redis_key = backend.make_and_validate_key(key)
        pipeline = backend._cache.get_client(redis_key, write=True).pipeline()
        pipeline.incr(redis_key)
        pipeline.expire(redis_key, WINDOW + 5, nx=True)
        return int(pipeline.execute()[0])
    backend.add(key, 0, WINDOW + 5)
    try:
        return backend.incr(key)
    except ValueError:  # expired between add and incr
        backend.set(key, 1, WINDOW + 5)
        return 1


def _hit(key: str, limit: int) -> int:
    """Seconds to wait when the window is full (0: allowed, and counted)."""
    window = int(time.time() // WINDOW)
    count = _count(f"pomoc:chat:rl:{key}:{window}")
    if count > limit:
        return max(1, int(WINDOW - time.time() % WINDOW))
    return 0


SITE_CEILING = 20  # times the per-address limit: what one inbox takes from newcomers in a minute


def network(ip: str | None) -> str | None:
    """The unit an address is counted by: IPv4 as it is, IPv6 by its /64 (one customer's whole
    network: counting each of its addresses would let them take a new allowance per address)."""
    if not ip:
        return ip
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def allow(*, scope: str, visitor_id: int, ip: str | None, per_minute: int, inbox_id: int = 0) -> int:
    """0 when the visitor may go on; else the seconds after which they may (a 429's Retry-After).

    A known visitor has ``per_minute`` of their own and their address (network) twice that
    (several visitors behind one address). Before there is a visitor (a new session, an offline
    form without one) the address counts at ``per_minute``, and the inbox as a whole at
    ``SITE_CEILING`` times that: never one small window shared by every newcomer of the site, and
    never an unbounded number of new tickets from many addresses."""
    ip = network(ip)
    if not visitor_id:
        wait = _hit(f"{scope}:ip:{ip}", per_minute) if ip else 0
        if not wait and inbox_id:
            wait = _hit(f"{scope}:inbox:{inbox_id}", per_minute * SITE_CEILING)
        return wait
    wait = _hit(f"{scope}:v:{visitor_id}", per_minute)
    if not wait and ip:
        wait = _hit(f"{scope}:ip:{ip}", per_minute * 2)
    return wait
