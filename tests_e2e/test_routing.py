"""An agent goes online from the top bar, an administrator makes a department route its tickets, a new
ticket lands with the agent; going away hands it back. On a phone too, in Czech."""

import pytest
from playwright.sync_api import expect

from pomoc.testing.services import pomoc

from .conftest import admin_signed_in

pytestmark = pytest.mark.browser

NEW_TICKET = """
from pomoc.accounts.models import Department
from pomoc.testing.factories import make_ticket
department = Department.objects.get(name={department!r})
print(make_ticket(department=department, subject="Routed to whoever is online").number)
"""


@pytest.mark.parametrize(("language", "width"), [("en", 1280), ("cs", 390)])
def test_presence_and_round_robin(site, browser, screenshots, language, width):
    with admin_signed_in(site, browser, language, width) as admin:
        page = admin.page
        page.wait_for_load_state("load")  # htmx takes over the switch once the page has loaded
        switch = page.locator("#presence-status")
        switch.select_option("online")
        expect(page.locator(".presence-switch")).to_have_class("presence-switch presence-online", timeout=20_000)

        page.goto("/manage/departments/")
        page.locator("table a").first.click()
        department = page.locator("input[name=name]").input_value()
        page.select_option("select[name=routing]", "round_robin")
        own = page.locator("label", has_text="admin").locator("input[type=checkbox]")
        if own.count():
            own.first.check()
        page.locator("form.stacked button[type=submit], form button.primary").first.click()
        expect(page.locator(".flash")).to_be_visible()

        number = pomoc("shell", "-c", NEW_TICKET.format(department=department), env=site.env
                       ).stdout.strip().splitlines()[-1]
        page.goto(f"/tickets/{number}/")
        assignee = page.locator("#ticket-header select[name=assignee]")
        expect(assignee).not_to_have_value("")
        page.screenshot(path=str(screenshots / f"routing-online-{language}-{width}.png"), caret="initial")

        page.wait_for_load_state("load")
        page.locator("#presence-status").select_option("away")
        expect(page.locator(".presence-switch")).to_have_class("presence-switch presence-away", timeout=20_000)
        page.reload()
        expect(page.locator("#ticket-header select[name=assignee]")).to_have_value("")
        assert not admin.errors and not admin.csp_problems()
