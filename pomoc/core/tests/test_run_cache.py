"""The tests' Redis cache clears its own run's keys, never another run's or xdist worker's."""

import uuid

import pytest
from django.conf import settings
from django.core.cache import cache

from pomoc.testing.services import redis_reachable, require_service


def test_clearing_the_cache_leaves_the_keys_of_other_runs():
    if not settings.REDIS_URL:
        pytest.skip("this run's cache is in memory (the PostgreSQL and Redis pass runs it)")
    require_service("Redis", redis_reachable(), hint="apt-get install redis-server")
    client = cache._cache.get_client(write=True)
    other = f"another-run-{uuid.uuid4().hex[:8]}:1:pomoc:counter"
    client.set(other, 3, ex=60)
    cache.set("pomoc:counter", 1)
    try:
        cache.clear()
        assert cache.get("pomoc:counter") is None
        assert client.get(other) == b"3"
    finally:
        client.delete(other)
