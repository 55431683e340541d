"""How many automatic answers a sender may get: never a flood, never a loop with another robot."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from django.core.cache import BaseCache
from django.core.cache import cache as default_cache

# local parts of addresses that belong to machines, not people (RFC 3834 section 2 asks us not to
# answer them); "owner-" and "-request" are mailing-list management addresses
_AUTOMATED_LOCAL = re.compile(
    r"^(?:mailer-?daemon|postmaster|listserv|majordomo|mail-?daemon)$"
    r"|no[-_.]?reply|do[-_.]?not[-_.]?reply"
    r"|^bounces?(?:$|[-+_.=])"
    r"|^owner-|-request$|-bounces?$",
    re.IGNORECASE,
)


def is_automated_address(address: str) -> bool:
    """True for addresses that never read an answer (mailer-daemon@, noreply@, bounce-123@…) and
    for anything that is not a plain address at all."""
    address = (address or "").strip().strip("<>").strip()
    if address.count("@") != 1:
        return True
    local, domain = address.rsplit("@", 1)
    if not local or "." not in domain:
        return True
    return bool(_AUTOMATED_LOCAL.search(local.split("+", 1)[0]) or _AUTOMATED_LOCAL.search(local))


class AutoResponseLimiter:
    """At most ``limit`` automatic answers per sender per ``window`` (default 3 a day).

    The window is fixed: it starts with the first answer to that sender and the count resets when
    it ends. ``cache.add`` + ``cache.incr`` keep the count correct across worker processes.
    """

    key_prefix = "pomoc:mail:autoresponse"

    def __init__(self, *, limit: int = 3, window: timedelta = timedelta(hours=24), cache: BaseCache | None = None):
        if limit < 0:
            raise ValueError("limit must not be negative")
        self.limit = limit
        self.window = window
        self.cache = cache if cache is not None else default_cache

    def _key(self, address: str) -> str:
        digest = hashlib.sha256(address.strip().lower().encode()).hexdigest()[:32]
        return f"{self.key_prefix}:{digest}"

    def _timeout(self) -> int:
        return max(1, int(self.window.total_seconds()))

    def allow(self, address: str) -> bool:
        """May an automatic answer go to ``address`` now? A ``True`` counts as one answer sent."""
        if self.limit == 0 or is_automated_address(address):
            return False
        key = self._key(address)
        self.cache.add(key, 0, timeout=self._timeout())
        try:
            count = self.cache.incr(key)
        except ValueError:  # expired between add and incr: this answer opens a new window
            self.cache.add(key, 1, timeout=self._timeout())
            count = 1
        return count <= self.limit

    def sent(self, address: str) -> int:
        """How many automatic answers ``address`` got in the current window."""
        return int(self.cache.get(self._key(address), 0) or 0)

    def reset(self, address: str) -> None:
        self.cache.delete(self._key(address))
