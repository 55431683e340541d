"""An administrator adds a badge in the administration; agents see the leaderboard and their progress,
on a phone in Czech too."""

import pytest
from playwright.sync_api import expect

from .conftest import admin_signed_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("language", "width"), [("en", 1280), ("cs", 390)])
def test_badges_and_the_leaderboard(site, browser, screenshots, language, width):
    with admin_signed_in(site, browser, language, width) as admin:
        page = admin.page
        page.goto("/manage/rewards/")
        expect(page.locator("table.data tbody tr").first).to_be_visible()
        badges = page.locator("table.data tbody tr").count()  # the demo's three, and any added before
        assert badges >= 3
        page.goto("/manage/rewards/badges/new/")
        page.fill("input[name=name]", f"Marathon {language}")
        page.select_option("select[name=achievement]", "replies")
        page.fill("input[name=threshold]", "1")
        page.locator("form.stacked button.primary").click()
        expect(page.locator(".flash")).to_be_visible()
        expect(page.locator("table.data tbody tr")).to_have_count(badges + 1)

        page.goto("/reports/agents/?period=90")
        expect(page.locator("table.leaderboard tbody tr").first).to_be_visible()
        expect(page.locator(".my-progress")).to_be_visible()
        expect(page.locator(".my-progress .badge-progress")).to_have_count(badges + 1)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        page.screenshot(path=str(screenshots / f"agents-{language}-{width}.png"), full_page=True, caret="initial")
        assert not admin.errors and not admin.csp_problems()
