"""An administrator sets up an SLA policy; agents then see every open ticket's due time in the inbox
(sorted soonest first) and on the ticket page. Screenshots go to POMOC_E2E_SCREENSHOTS."""

import re

import pytest
from playwright.sync_api import expect

from .test_agent_flow import Agent

pytestmark = pytest.mark.browser
COLUMNS = "requester,status,priority,sla_due,updated"


@pytest.mark.parametrize("width", [1280, 390])
def test_an_sla_policy_gives_tickets_due_times(site, browser, demo_password, screenshots, width):
    admin = Agent(browser, site.url, "admin", demo_password)
    try:
        page = admin.page
        page.set_viewport_size({"width": width, "height": 900})
        admin.log_in()
        page.goto("/manage/sla/")
        expect(page.locator("h1")).to_have_text("SLA policies")
        page.get_by_role("link", name="New SLA policy").click()
        name = f"Standard {width}"
        page.fill("input[name=name]", name)
        page.fill("input[name=position]", str(width))
        page.fill("input[name=first_response_minutes]", "4h")
        page.fill("input[name=resolution_minutes]", "2d")
        page.fill("input[name=warn_minutes]", "30m")
        page.get_by_label("Raise the priority one step").check()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        page.screenshot(path=str(screenshots / f"sla-policy-form-{width}.png"), full_page=True, caret="initial")
        page.get_by_role("button", name="Save").click()
        page.wait_for_url(re.compile(r".*/manage/sla/$"))
        expect(page.locator(".flash")).to_contain_text(f"SLA policy {name} saved.")
        expect(page.locator("table.sla-policies")).to_contain_text("first response 4h · resolution 2d")
        page.screenshot(path=str(screenshots / f"sla-policies-{width}.png"), full_page=True, caret="initial")

        # The worker works out the clocks of the unresolved tickets in the background.
        inbox = f"/inbox/?view=open&columns={COLUMNS}&sort=sla_due"
        cells = page.locator("td.col-sla_due time")
        for _attempt in range(30):
            page.goto(inbox)
            if cells.count():
                break
            page.wait_for_timeout(1000)
        expect(page.locator("th.col-sla_due")).to_have_text("SLA due")
        expect(cells.first).to_be_visible()
        shown = page.locator("td.col-sla_due time").evaluate_all("els => els.map(e => e.getAttribute('datetime'))")
        assert shown == sorted(shown), "soonest due first"
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        page.locator("table.tickets thead").scroll_into_view_if_needed()
        page.screenshot(path=str(screenshots / f"sla-inbox-{width}.png"), full_page=False, caret="initial")

        page.locator("a.ticket-link").first.click()
        page.wait_for_url(re.compile(r".*/tickets/\d+/$"))
        expect(page.locator(".sla-due-times")).to_contain_text("SLA")
        expect(page.locator(".sla-due-times dl")).to_be_visible()
        page.locator(".sla-due-times").scroll_into_view_if_needed()
        page.screenshot(path=str(screenshots / f"sla-ticket-{width}.png"), full_page=True, caret="initial")
        assert not admin.errors and not admin.csp_problems()
    finally:
        admin.close()
