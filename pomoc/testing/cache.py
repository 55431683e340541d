"""The Redis cache of one test run (the test settings use it when REDIS_URL is set)."""

from django.core.cache.backends.redis import RedisCache


class RunRedisCache(RedisCache):
    """``clear()`` empties this run's keys only (its ``KEY_PREFIX``). Redis's own clear is FLUSHDB,
    which emptied the other xdist worker's cache in the middle of its tests (a password reset's
    rate-limit counter vanished between two requests) and every other run's sharing the server."""

    def clear(self) -> bool:
        client = self._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{self.key_prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
        return True
