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


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test databases as pytest-django makes them; before it drops them on PostgreSQL, the
    sessions other threads left open are ended. The chat sockets' database threads keep their
    connections between events (as in production, ADR 0033), and a test's thread pool can outlive
    its test: their sessions would keep the database from being dropped, leaving it on the server."""
    yield
    from django.db import connections

    with django_db_blocker.unblock():
        for connection in connections.all():
            if connection.vendor != "postgresql":
                continue
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = current_database() AND pid <> pg_backend_pid()")
