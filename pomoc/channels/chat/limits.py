"""Rate limits of visitors: messages per minute per visitor and per IP address (the double), counted
in the cache (shared by processes in production: Redis), in fixed one-minute windows."""

from __future__ import annotations

import ipaddress
import time

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

WINDOW = 60


def _counts(keys: list[str]) -> list[int]:
    """Each key's count with this hit. On Redis one round trip for all (INCR and the key's expiry in
    one pipeline): a visitor's every message passes here."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        pipeline = backend._cache.get_client(None, write=True).pipeline()
        for key in keys:
            redis_key = backend.make_and_validate_key(key)
            pipeline.incr(redis_key)
            pipeline.expire(redis_key, WINDOW + 5, nx=True)
        return [int(n) for n in pipeline.execute()[::2]]
    return [_count_locally(backend, key) for key in keys]


def _count_locally(backend, key: str) -> int:
    backend.add(key, 0, WINDOW + 5)
    try:
        return backend.incr(key)
    except ValueError:  # expired between add and incr
        backend.set(key, 1, WINDOW + 5)
        return 1


def _window_key(key: str) -> str:
    return f"pomoc:chat:rl:{key}:{int(time.time() // WINDOW)}"


def _wait() -> int:
    return max(1, int(WINDOW - time.time() % WINDOW))


def _hit(key: str, limit: int) -> int:
    """Seconds to wait when the window is full (0: allowed, and counted)."""
    return _wait() if _counts([_window_key(key)])[0] > limit else 0


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


def allow_many(*, scope: str, visitors: list[tuple[int, str | None, int]]) -> list[int]:
    """``allow`` for many known visitors' ``(visitor id, ip, per minute)`` at once: every key counted in
    one round trip (the address is counted even for a visitor over their own limit, whose socket is
    closed)."""
    keys, limits, owners = [], [], []  # owners: the visitor (its index) each key counts for
    for n, (visitor_id, ip, per_minute) in enumerate(visitors):
        keys.append(_window_key(f"{scope}:v:{visitor_id}"))
        limits.append(per_minute)
        owners.append(n)
        if ip := network(ip):
            keys.append(_window_key(f"{scope}:ip:{ip}"))
            limits.append(per_minute * 2)
            owners.append(n)
    refused = {n for n, count, limit in zip(owners, _counts(keys), limits, strict=True) if count > limit}
    return [_wait() if n in refused else 0 for n in range(len(visitors))]
