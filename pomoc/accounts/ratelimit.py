"""Rate limits in Django's cache, per client address and per username or e-mail address, in fixed
windows.

Logins: after ``settings.LOGIN_RATE_LIMIT`` failures within ``settings.LOGIN_RATE_WINDOW`` seconds,
every further attempt from that address, or for that username, is refused (even with the right
password) until the window that began with the first failure has passed. A successful login resets
nothing: otherwise an attacker guessing Alice's password could have the counter cleared whenever
Alice logs in from elsewhere, or spray many accounts from one address by interleaving a login of
their own.

Password resets: every request counts, whether or not the address belongs to anybody (so the limit
tells nothing about accounts): ``settings.PASSWORD_RESET_RATE_LIMIT_ADDRESS`` per e-mail address and
``settings.PASSWORD_RESET_RATE_LIMIT_CLIENT`` per client address within
``settings.PASSWORD_RESET_RATE_WINDOW`` seconds.

The checks only read the cache: ``RateLimitMiddleware`` runs them before a session is loaded, a
template rendered or a password hashed.
"""

import functools
import hashlib
import ipaddress

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

LOGIN = "login-failures"
RESET = "password-resets"


@functools.lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    networks = []
    for proxy in proxies:
        try:
            networks.append(ipaddress.ip_network(proxy.strip("[]"), strict=False))
        except ValueError as error:
            raise ImproperlyConfigured(f"TRUSTED_PROXIES: {proxy!r} is not an address or a network") from error
    return tuple(networks)


def _address(value: str):
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1:value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    if address is None:
        return False
    if getattr(address, "ipv4_mapped", None):
        address = address.ipv4_mapped
    return any(address.version == network.version and address in network for network in networks)


def client_ip(request) -> str:
    """The address the request came from: the only place that decides it.

    The peer (``REMOTE_ADDR``) unless it is one of ``settings.TRUSTED_PROXIES``; then the rightmost
    ``X-Forwarded-For`` entry that is not a trusted proxy (entries to its left are whatever the
    client sent). With no trusted proxy configured, ``X-Forwarded-For`` is never read.
    """
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    if not networks or not _trusted(_address(remote), networks):
        return remote
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for entry in reversed(forwarded):
        if not entry:
            continue
        address = _address(entry)
        if address is None:
            return entry[:64]  # garbage written by a trusted proxy's client: counted as written
        if not _trusted(address, networks):
            return str(address)
    return remote


def _key(scope: str, kind: str, value: str) -> str:
    digest = hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()[:40]
    return f"pomoc:{scope}:{kind}:{digest}"


def _keys(scope: str, request, identifier: str) -> list[str]:
    keys = [_key(scope, "ip", client_ip(request))]
    identifier = (identifier or "").strip().lower()
    if identifier:
        keys.append(_key(scope, "user" if scope == LOGIN else "address", identifier))
    return keys


def _limits(scope: str) -> tuple[int, int, int]:
    """(limit per client, limit per username/address, window in seconds)."""
    if scope == LOGIN:
        return settings.LOGIN_RATE_LIMIT, settings.LOGIN_RATE_LIMIT, settings.LOGIN_RATE_WINDOW
    return (settings.PASSWORD_RESET_RATE_LIMIT_CLIENT, settings.PASSWORD_RESET_RATE_LIMIT_ADDRESS,
            settings.PASSWORD_RESET_RATE_WINDOW)


def window(scope: str) -> int:
    return _limits(scope)[2]


def _blocked(scope: str, request, identifier: str) -> bool:
    client_limit, identifier_limit, _window = _limits(scope)
    keys = _keys(scope, request, identifier)
    counts = cache.get_many(keys)
    if counts.get(keys[0], 0) >= client_limit:
        return True
    return len(keys) > 1 and counts.get(keys[1], 0) >= identifier_limit


def _count(scope: str, request, identifier: str) -> list[int]:
    """Adds one to this client's and this identifier's counters; returns the new counts."""
    seconds = window(scope)
    counts = []
    for key in _keys(scope, request, identifier):
        # add() starts the window only if no counter exists: the window is not extended by failures.
        cache.add(key, 0, timeout=seconds)
        try:
            counts.append(cache.incr(key))
        except ValueError:  # the counter expired between add() and incr()
            cache.set(key, 1, timeout=seconds)
            counts.append(1)
    return counts


def is_blocked(request, username: str) -> bool:
    """True when this address or this username has used up its failed logins for the window."""
    return _blocked(LOGIN, request, username)


def begin_attempt(request, username: str) -> bool:
    """Counts a login attempt as a failure before its password is checked; False when that is one
    too many (then check nothing). Counting first makes the limit hold under concurrency: a
    thousand simultaneous attempts get ``LOGIN_RATE_LIMIT`` password checks, not a thousand.
    A successful attempt is then taken back with ``forgive``."""
    return all(count <= settings.LOGIN_RATE_LIMIT for count in _count(LOGIN, request, username))


def forgive(request, username: str) -> None:
    """Takes back the count of an attempt that succeeded: only failures count."""
    for key in _keys(LOGIN, request, username):
        try:
            if cache.decr(key) < 0:
                cache.delete(key)
        except ValueError:  # the window has ended meanwhile
            pass


def register_failure(request, username: str) -> None:
    _count(LOGIN, request, username)


def reset_is_blocked(request, email: str) -> bool:
    """True when this client or this e-mail address has used up its password resets for the window."""
    return _blocked(RESET, request, email)


def register_reset(request, email: str) -> None:
    _count(RESET, request, email)
