"""Browser tests: a real ``pomoc serve`` with demo data, driven through Debian's Chromium.

Playwright only drives the browser; it never downloads one. Without /usr/bin/chromium the tests
are skipped, except on CI (``CI=true``), where a missing browser is a failure.
"""

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

from pomoc.testing.services import PomocServer, pomoc, pomoc_env, require_service

CHROMIUM = Path(os.environ.get("POMOC_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
DEMO_PASSWORD = "e2e-Demo-pass-2026"


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    require_service(f"Chromium at {CHROMIUM}", CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK),
                    hint="apt-get install chromium")
    return CHROMIUM


@pytest.fixture(scope="session")
def demo_password() -> str:
    return DEMO_PASSWORD


@pytest.fixture(scope="module")
def site(tmp_path_factory, chromium_path):
    """A migrated data directory with demo data and ``pomoc serve`` running on it."""
    data_dir = tmp_path_factory.mktemp("pomoc-e2e")
    env = pomoc_env(data_dir)
    pomoc("migrate", "--verbosity", "0", env=env)
    pomoc("demo", "--password", DEMO_PASSWORD, "--tickets", "150", "--seed", "1", env=env, timeout=600)
    server = PomocServer(data_dir, env=env).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def screenshots() -> Path:
    """Where browser tests put their screenshots for a person to look at: POMOC_E2E_SCREENSHOTS, or a
    temporary folder."""
    path = Path(os.environ.get("POMOC_E2E_SCREENSHOTS") or tempfile.mkdtemp(prefix="pomoc-e2e-shots-"))
    path.mkdir(parents=True, exist_ok=True)
    return path


SET_ADMIN_LANGUAGE = ("from pomoc.accounts.models import User; "
                      "User.objects.filter(username='admin').update(language='{}')")


@contextmanager
def admin_signed_in(site, browser, language: str, width: int):
    """The demo's administrator, speaking ``language``, signed in on a ``width`` px wide page; their
    language is reset afterwards (the site is shared by the module's tests)."""
    from .test_agent_flow import Agent

    pomoc("shell", "-c", SET_ADMIN_LANGUAGE.format(language), env=site.env)
    admin = Agent(browser, site.url, "admin", DEMO_PASSWORD)
    try:
        admin.page.set_viewport_size({"width": width, "height": 900})
        admin.log_in()
        yield admin
    finally:
        admin.close()
        pomoc("shell", "-c", SET_ADMIN_LANGUAGE.format(""), env=site.env)
