import pytest


@pytest.fixture(autouse=True)
def _same_fake_data():
    """Faker-made names are the same on every run: a test passes or fails, never by chance."""
    import factory.random

    factory.random.reseed_random("pomoc")
    yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with an empty cache (rate limits, cached organisation settings): this run's
    only, as the test settings' Redis cache clears its own prefix (pomoc.testing.cache)."""
    from django.core.cache import cache

    cache.clear()
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
