"""An administrator finds the inboxes under Administration → Inboxes, sees an e-mail inbox with how its
mail gets in and leaves, and sets up a new one through the e-mail form. Screenshots go to
POMOC_E2E_SCREENSHOTS (default: a temporary folder) for a person to look at."""

import re

import pytest
from playwright.sync_api import expect

from pomoc.testing.services import pomoc

from .test_agent_flow import Agent

pytestmark = pytest.mark.browser

CREATE_INBOX = """
from pomoc.channels.models import Inbox
from pomoc.channels.services import inbox_create
if not Inbox.objects.filter(name="Helpdesk").exists():
    inbox_create(kind="email", name="Helpdesk", address="helpdesk@pomoc.example",
                 config={"fetch": "imap", "imap_host": "imap.pomoc.example", "imap_username": "helpdesk",
                         "smtp_host": "smtp.pomoc.example"})
"""



def test_an_administrator_sees_the_inboxes_and_adds_an_email_inbox(site, browser, demo_password, screenshots):
    pomoc("shell", "-c", CREATE_INBOX, env=site.env)
    admin = Agent(browser, site.url, "admin", demo_password)
    try:
        page = admin.page
        page.set_viewport_size({"width": 1280, "height": 900})
        admin.log_in()
        page.get_by_role("link", name="Administration").click()
        page.locator("nav.manage-nav").get_by_role("link", name="Inboxes").click()
        expect(page.locator("h1")).to_have_text("Inboxes")
        row = page.locator("table.data tbody tr", has_text="Helpdesk")
        expect(row).to_contain_text("E-mail")
        expect(row).to_contain_text("helpdesk@pomoc.example")
        expect(row).to_contain_text("IMAP imap.pomoc.example")
        expect(row).to_contain_text("smtp.pomoc.example")
        expect(row.get_by_role("button", name="Test connection")).to_be_visible()
        page.screenshot(path=str(screenshots / "1-inboxes.png"), full_page=True, caret="initial")

        page.get_by_role("link", name="New inbox").click()
        page.locator("ul.kind-choice").get_by_role("link", name="E-mail").click()  # e-mail and live chat
        expect(page.locator("h1")).to_have_text("New inbox")
        page.fill("input[name=name]", "Billing")
        page.fill("input[name=address]", "billing@pomoc.example")
        page.select_option("select[name=fetch]", "imap")
        page.fill("input[name=imap_host]", "imap.pomoc.example")
        page.fill("input[name=imap_username]", "billing")
        page.fill("input[name=imap_password]", "Billing-Imap-Pass-1")
        page.fill("input[name=smtp_host]", "smtp.pomoc.example")
        page.screenshot(path=str(screenshots / "2-new-inbox.png"), full_page=True, caret="initial")
        page.get_by_role("button", name="Save").click()

        page.wait_for_url(re.compile(r".*/manage/inboxes/\d+/$"))
        expect(page.locator(".flash")).to_contain_text("Inbox Billing saved.")
        expect(page.locator("input[name=imap_password]")).to_have_value("")  # never rendered back
        page.screenshot(path=str(screenshots / "3-saved.png"), full_page=True, caret="initial")

        page.get_by_role("link", name="All inboxes").click()
        expect(page.get_by_role("row", name=re.compile(r"^Billing E-mail"))).to_contain_text("IMAP imap.pomoc.example")
        page.screenshot(path=str(screenshots / "4-both.png"), full_page=True, caret="initial")
        assert not admin.errors and not admin.csp_problems()
    finally:
        admin.close()
