"""Short lists nearly every agent page shows — departments, agents, custom field definitions — kept
in the cache instead of read on every request.

Each list is dropped from the cache when a row of its models is saved or deleted in this process,
and lives at most ``TTL`` seconds, so a change made elsewhere (another server process, a command
line) shows within that time. Lists hold only what pages show: never a password hash or a secret.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

TTL = 60  # seconds
PREFIX = "pomoc:directory:"


def cached_list(key: str, *, models: tuple) -> Callable:
    """Decorate a function returning a list: its result is cached under ``key`` and forgotten when
    any of ``models`` (model classes or "app_label.Model" strings) changes."""

    def decorate(loader: Callable[[], list]) -> Callable[[], list]:
        cache_key = PREFIX + key

        def forget(**_kwargs) -> None:
            cache.delete(cache_key)

        for model in models:
            post_save.connect(forget, sender=model, weak=False, dispatch_uid=f"{cache_key}:save:{model}")
            post_delete.connect(forget, sender=model, weak=False, dispatch_uid=f"{cache_key}:delete:{model}")

        @wraps(loader)
        def read() -> list:
            found = cache.get(cache_key)
            if found is None:
                found = list(loader())
                cache.set(cache_key, found, TTL)
            return found

        return read

    return decorate
