"""The dashboard follows new tickets live, without a reload; on a phone in Czech too."""

import json
import urllib.request

import pytest
from playwright.sync_api import expect

from pomoc.testing.services import pomoc

from .conftest import admin_signed_in

pytestmark = pytest.mark.browser

TOKEN = ("from pomoc.accounts.models import User; from pomoc.accounts.services import api_token_create; "
         "print(api_token_create(user=User.objects.get(username='admin'), name='dashboard test')[1])")


def _new_ticket(site) -> None:
    """Through the running server's API: its own process publishes the live event (the embedded
    channel layer lives in that process)."""
    token = pomoc("shell", "-c", TOKEN, env=site.env).stdout.strip().splitlines()[-1]
    request = urllib.request.Request(  # noqa: S310 - the test's own server
        f"{site.url}/api/v1/tickets", method="POST",
        data=json.dumps({"requester_email": "live@example.cz", "subject": "Live on the dashboard",
                         "body": "Hello"}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the test's own server
        assert response.status == 201


@pytest.mark.parametrize(("language", "width"), [("en", 1280), ("cs", 390)])
def test_the_dashboard_updates_itself(site, browser, screenshots, language, width):
    with admin_signed_in(site, browser, language, width) as admin:
        page = admin.page
        page.goto("/reports/dashboard/")
        admin.wait_until_live()
        expect(page.locator("h1")).to_have_text({"en": "Dashboard", "cs": "Nástěnka"}[language])
        total = page.locator("[data-figure=total]")
        before = int(total.inner_text())
        page.evaluate("window.__notReloaded = true")
        _new_ticket(site)
        expect(total).to_have_text(str(before + 1))
        assert page.evaluate("window.__notReloaded === true")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        page.screenshot(path=str(screenshots / f"dashboard-{language}-{width}.png"), full_page=True, caret="initial")
        assert not admin.errors and not admin.csp_problems()
