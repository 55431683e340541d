import pytest


def _clear_cache() -> None:
    """Empty this test run's cache only: a Redis shared with other runs keeps their keys."""
    from django.conf import settings
    from django.core.cache import cache

    prefix = settings.CACHES["default"].get("KEY_PREFIX")
    if not prefix or "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        cache.clear()
        return
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _same_fake_data():
    """Faker-made names are the same on every run: a test passes or fails, never by chance."""
    import factory.random

    factory.random.reseed_random("pomoc")
    yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with an empty cache (rate limits, cached organisation settings)."""
    _clear_cache()
    yield


@pytest.fixture
def queue(settings):
    """Tasks are recorded, not run (as with the real queue until the worker takes them): the test
    reads ``queue.results`` and runs what it needs itself."""
    from django_tasks import default_task_backend

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend",
                                  "QUEUES": ["default", "mail"]}}
    default_task_backend.clear()
    yield default_task_backend
    default_task_backend.clear()
