"""A supervisor opens Reports on the demo's tickets, filters them and downloads the CSV; the page in
Czech and on a phone. Screenshots go to POMOC_E2E_SCREENSHOTS (default: a temporary folder)."""

import pytest
from playwright.sync_api import expect

from .conftest import admin_signed_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("language", "width"), [("en", 1280), ("cs", 390)])
def test_reports_show_the_figures_and_download(site, browser, screenshots, language,
                                               width):
    with admin_signed_in(site, browser, language, width) as admin:
        page = admin.page
        page.goto(site.url + "/reports/")
        heading = {"en": "Reports", "cs": "Přehledy"}[language]
        expect(page.locator("h1")).to_have_text(heading)
        expect(page.locator(".card")).to_have_count(12)  # churn and deflection: every ticket, no filter
        expect(page.locator(".csat-channels table")).to_be_visible()
        expect(page.locator(".card .figure").first).not_to_be_empty()
        page.select_option("select[name=period]", "90")
        page.locator(".report-filters button[type=submit]").click()
        page.wait_for_url("**period=90**")
        expect(page.locator(".volume table").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        page.screenshot(path=str(screenshots / f"reports-{language}-{width}.png"), full_page=True, caret="initial")
        with page.expect_download() as download:
            page.locator("a[href*='format=csv']").click()
        assert download.value.suggested_filename.startswith("pomoc-report-")
        with page.expect_download() as download:
            page.locator("a[href*='format=xlsx']").click()
        assert download.value.suggested_filename.endswith(".xlsx")
        opened = page.locator(".card .figure a").first
        count = int(opened.inner_text())
        opened.click()
        page.wait_for_url("**/reports/tickets/**metric=opened**")
        expect(page.locator("table.drill-down tbody tr")).to_have_count(min(count, 200) or 1)
        page.screenshot(path=str(screenshots / f"reports-tickets-{language}-{width}.png"), full_page=True,
                        caret="initial")
        assert not admin.errors and not admin.csp_problems()
