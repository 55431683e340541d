"""Tests that need an outside service (Redis, a browser) skip locally but fail on CI.

A skipped test on CI hides a broken pipeline, so with ``CI=true`` a missing service is an error.
"""

import os
import socket
from urllib.parse import urlparse

import pytest


def on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def require_service(name: str, reachable: bool, *, hint: str = "") -> None:
    """Skip the calling test when ``name`` is not reachable, or fail it when running on CI."""
    if reachable:
        return
    reason = f"{name} is not available" + (f" ({hint})" if hint else "")
    if on_ci():
        pytest.fail(f"{reason}; CI=true requires it, so this test fails instead of being skipped", pytrace=False)
    pytest.skip(reason)


def tcp_reachable(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def redis_url() -> str:
    """The Redis the tests use: ``REDIS_URL``, else the conventional local one."""
    return os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def redis_reachable(url: str | None = None) -> bool:
    parsed = urlparse(url or redis_url())
    return tcp_reachable(parsed.hostname or "127.0.0.1", parsed.port or 6379)
