"""The report page with its charts, SLA compliance and the schedule form, read from the rollups (rebuilt
with the command, as an upgrade would), in English and Czech, wide and on a phone."""

import pytest
from playwright.sync_api import expect

from .conftest import admin_signed_in, pomoc

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def rolled_up(site):
    pomoc("rebuild_report_rollups", env=site.env)
    return site


@pytest.mark.parametrize(("language", "width"), [("en", 1280), ("en", 390), ("cs", 1280), ("cs", 390)])
def test_report_charts_and_schedule(rolled_up, browser, screenshots, language, width):
    site = rolled_up
    with admin_signed_in(site, browser, language, width) as admin:
        page = admin.page
        page.goto(site.url + "/reports/?period=30")
        charts = page.locator("figure.chart svg[role=img]")
        expect(charts).to_have_count(3)
        # the deflection chart (every ticket, no filter): the demo has no contact-form visits
        expect(page.locator("figure.chart")).to_have_count(4)
        expect(page.locator("#chart-deflection p.muted").first).not_to_be_empty()
        for key in ("volume", "frt", "channels"):
            expect(page.locator(f"#chart-{key} svg title").first).not_to_be_empty()
        expect(page.locator("#chart-channels rect").first).to_be_attached()
        expect(page.locator("#chart-volume polyline")).to_have_count(1)
        page.locator("#chart-volume details summary").click()
        expect(page.locator("#chart-volume details table tbody tr")).to_have_count(30)
        expect(page.locator(".sla-compliance tbody tr")).to_have_count(3)
        page.screenshot(path=str(screenshots / f"report-charts-{language}-{width}.png"), full_page=True,
                        caret="initial")
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-scroll'))
            .slice(0, 5).map(e => e.tagName + '.' + e.className)""")
        assert not wide, wide
        name = f"Weekly {language} {width}"
        form = page.locator("#schedules form").first
        form.locator("input[name=name]").fill(name)
        form.locator("select[name=frequency]").select_option("weekly")
        form.locator("button[type=submit]").click()
        page.wait_for_url("**/reports/**")
        expect(page.locator(".schedule-list tbody tr", has_text=name)).to_have_count(1)
        page.locator("#schedules").scroll_into_view_if_needed()
        page.screenshot(path=str(screenshots / f"report-schedules-{language}-{width}.png"), full_page=False,
                        caret="initial")
        page.locator(".schedule-list tbody tr", has_text=name).locator("button[type=submit]").click()
        expect(page.locator(".schedule-list tbody tr", has_text=name)).to_have_count(0)
        assert not admin.errors and not admin.csp_problems()
