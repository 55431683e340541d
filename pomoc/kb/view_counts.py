"""View counts without a write per view: each view adds one to a cache counter, and a periodic job
(every five minutes) moves the counters into ``Article.view_count``. Agents' views are not counted.
A counter lost with the cache (a restart of a local-memory cache) loses at most five minutes of
views, which is fine for a popularity figure."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import F

from pomoc.kb.models import Article

PENDING = "kb:views:pending"  # a flag: some counter may hold views


def _key(article_id: int) -> str:
    return f"kb:views:{article_id}"


def count_view(article_id: int) -> None:
    key = _key(article_id)
    if not cache.add(key, 1, timeout=None):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=None)
    cache.set(PENDING, 1, timeout=None)


def has_pending() -> bool:
    return bool(cache.get(PENDING))


def flush(*, chunk: int = 1000) -> int:
    """Move the cached counters into the articles; returns the views moved."""
    cache.delete(PENDING)
    moved = 0
    ids = list(Article.objects.order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), chunk):
        keys = {_key(i): i for i in ids[start:start + chunk]}
        for key, count in cache.get_many(list(keys)).items():
            if not count:
                continue
            try:
                cache.decr(key, count)  # views counted meanwhile stay in the counter
            except ValueError:
                continue
            Article.objects.filter(pk=keys[key]).update(view_count=F("view_count") + count)
            moved += count
    return moved
