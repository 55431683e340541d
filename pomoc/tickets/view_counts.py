"""The inbox views an agent has (built-in and saved) and how many tickets each holds.

Counts stop at COUNT_CAP (shown as "1000+") so counting costs the same whatever the data, and are
cached per user and view for COUNT_CACHE_SECONDS. Every committed change to a ticket (the
dispatcher calls ``forget_counts``) moves a generation number on, which retires every cached count
at once: an agent's own change shows in the counts on the next look, not after the cache expires.
The inbox sidebar and the API's view list use them. See docs/performance.md.
"""

import hashlib
import json

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import QueryDict

from pomoc.tickets import selectors
from pomoc.tickets.saved_views import is_view_filter_key

COUNT_CAP = 1000
# A change made in another process with its own (local-memory) cache shows in the counts at the latest
# this much later; with a shared cache (Redis), and always in the process that made it, at once.
COUNT_CACHE_SECONDS = 20
GENERATION_KEY = "pomoc:inbox-count-generation"


def generation() -> int:
    return cache.get_or_set(GENERATION_KEY, 0, timeout=None)


def forget_counts(events=()) -> None:
    """Retire every cached view count (a dispatcher subscriber: called after each committed change)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not there (evicted, or the first change since start): any new value will do
        cache.set(GENERATION_KEY, 1, timeout=None)


def as_querydict(params: dict) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in params.items():
        if is_view_filter_key(key):
            query.setlist(key, [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)])
    return query


def all_views(user) -> list[dict]:
    views = [dict(v, saved=None) for v in selectors.builtin_views(user)]
    for saved in selectors.saved_views_for(user):
        views.append({"key": f"saved-{saved.pk}", "name": saved.name, "filters": saved.filters, "saved": saved})
    return views


def count_cache_key(user, filters: selectors.TicketFilters, generation_: int = 0) -> str:
    # date_joined tells a user apart from an earlier one who had the same id (SQLite reuses ids).
    raw = json.dumps([user.pk, str(user.date_joined), filters.as_dict(), generation_], sort_keys=True, default=str)
    return "pomoc:inbox-count:" + hashlib.sha256(raw.encode()).hexdigest()


def with_counts(user, views: list[dict], *, cached_only: bool = False) -> bool:
    """Put each view's ticket count on it (``count``, ``capped``); counts are cached for
    COUNT_CACHE_SECONDS. With ``cached_only``, views whose count is not cached get ``count``
    "pending" and nothing is counted. True when every view has its count."""
    keys: dict[str, str] = {}
    current = generation()
    for view in views:
        view["count"], view["capped"] = None, False
        try:
            view["_filters"] = selectors.TicketFilters.from_mapping(as_querydict(view["filters"]))
        except ValidationError:
            view["_filters"] = None
            continue
        keys[view["key"]] = count_cache_key(user, view["_filters"], current)
    cached = cache.get_many(list(keys.values())) if keys else {}
    fresh: dict[str, tuple[int, bool]] = {}
    complete = True
    for view in views:
        filters = view.pop("_filters")
        if filters is None:
            continue  # shown as "!": the view's filters are not valid (any more)
        key = keys[view["key"]]
        if key in cached:
            view["count"], view["capped"] = cached[key]
        elif cached_only:
            view["count"], complete = "pending", False
        else:
            view["count"], view["capped"] = fresh[key] = selectors.view_count(user, filters, cap=COUNT_CAP)
    if fresh:
        cache.set_many(fresh, timeout=COUNT_CACHE_SECONDS)
    return complete
