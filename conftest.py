import pytest


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with an empty cache (rate limits, cached organisation settings)."""
    from django.core.cache import cache

    cache.clear()
    yield
