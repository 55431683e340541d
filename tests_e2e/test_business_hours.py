"""An administrator sets up business hours: a week, Czech public holidays in one click, a day set by
hand. Screenshots go to POMOC_E2E_SCREENSHOTS (default: a temporary folder)."""

import re

import pytest
from playwright.sync_api import expect

from .test_agent_flow import Agent

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_an_administrator_sets_up_business_hours(site, browser, demo_password, screenshots, width):
    admin = Agent(browser, site.url, "admin", demo_password)
    try:
        page = admin.page
        page.set_viewport_size({"width": width, "height": 900})
        admin.log_in()
        page.goto(site.url + "/manage/calendars/")
        expect(page.locator("h1")).to_have_text("Business hours")
        page.get_by_role("link", name="New calendar").click()
        name = f"Prague office {width}"
        page.fill("input[name=name]", name)
        page.select_option("select[name=time_zone]", "Europe/Prague")
        expect(page.locator("input[name=day_0]")).to_have_value("09:00-17:00")
        page.fill("input[name=day_4]", "09:00-14:00")
        page.get_by_role("button", name="Czechia (CZ)").click()
        page.wait_for_url(re.compile(r".*/manage/calendars/\d+/$"))
        expect(page.locator(".flash")).to_contain_text(f"Calendar {name} saved.")
        expect(page.locator("input[name=countries]")).to_have_value("CZ")
        expect(page.locator("table.data").first).to_contain_text("public holiday (CZ)")

        page.fill("input[name=date]", "2026-12-31")
        page.fill("form[action$='/days/'] input[name=name]", "Inventory")
        page.get_by_role("button", name="Set the day").click()
        expect(page.locator("table.data").first).to_contain_text("Inventory")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        page.screenshot(path=str(screenshots / f"business-hours-{width}.png"), full_page=True, caret="initial")
        assert not admin.errors and not admin.csp_problems()
    finally:
        admin.close()
