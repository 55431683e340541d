import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Failed-login counters live in the cache: every test starts from none."""
    cache.clear()
    yield
    cache.clear()
