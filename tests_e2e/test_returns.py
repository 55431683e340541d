"""An agent starts a return from a customer's order beside a ticket and walks it through its states;
the orders panel shows value and health with its reasons. At 1280 px in English and 390 px in Polish."""

import pytest
from playwright.sync_api import expect

from pomoc.testing.services import pomoc

from .conftest import admin_signed_in

pytestmark = pytest.mark.browser

# A demo ticket (not a return) whose customer has a delivered order with nothing returned yet.
FIND = ("from pomoc.orders.models import Order; from pomoc.tickets.models import Ticket; "
        "o = Order.objects.filter(status='delivered', returns__isnull=True).exclude(contact__tickets=None)"
        ".order_by('id')[{index}]; "
        "t = Ticket.objects.filter(requester=o.contact, return_request__isnull=True).order_by('id').first(); "
        "print('FOUND', t.number, o.pk)")


@pytest.mark.parametrize(("language", "width", "index"), [("en", 1280, 0), ("pl", 390, 1)])
def test_start_a_return_from_an_order_and_walk_it(site, browser, screenshots, language, width, index):
    output = pomoc("shell", "-c", FIND.format(index=index), env=site.env).stdout
    number, order_id = next(line.split()[1:] for line in output.splitlines() if line.startswith("FOUND"))
    with admin_signed_in(site, browser, language, width) as admin:
        page = admin.page
        page.goto(f"/tickets/{number}/")
        panel = page.locator(".orders-panel")
        expect(panel).to_be_visible()
        panel.locator("details.health-why summary").click()
        expect(panel.locator("details.health-why li").first).to_be_visible()
        page.screenshot(path=str(screenshots / f"orders-panel-{language}-{width}.png"), full_page=True)

        panel.locator(f'li[data-order="{order_id}"] a.button').click()
        expect(page.locator("form.return-form")).to_be_visible()
        row = page.locator("table.return-lines-table tbody tr").first
        row.locator("input.qty").fill("1")
        row.locator("select").select_option("damaged")
        page.fill("#return-start-note", "Arrived cracked, photo in the mail.")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        page.screenshot(path=str(screenshots / f"return-start-{language}-{width}.png"), full_page=True)
        page.locator("form.return-form button.primary").click()

        state = page.locator("[data-return-state]")
        expect(state).to_have_attribute("data-return-state", "requested")
        for value in ("approved", "received", "refunded"):
            page.locator(f'.return-actions button[value="{value}"]').click()
            expect(page.locator("[data-return-state]")).to_have_attribute("data-return-state", value)
        expect(page.locator(".return-actions")).to_have_count(0)
        page.screenshot(path=str(screenshots / f"return-refunded-{language}-{width}.png"), full_page=True)
        assert not admin.errors and not admin.csp_problems()
