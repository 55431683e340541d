"""An administrator builds a rule in Administration → Rules, tries it on past tickets, switches it on,
and sees it act on a new e-mail ticket delivered through the real ingest path (``pomoc mail ingest``).
Then a macro: built in Administration → Macros, applied on one ticket and on tickets selected in the
inbox. Screenshots (1280 and 390 px wide) go to POMOC_E2E_SCREENSHOTS (default: a temporary folder)."""

import re
import subprocess
import sys
import time
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from playwright.sync_api import expect

from pomoc.testing.services import pomoc

from .test_agent_flow import Agent

pytestmark = pytest.mark.browser

CREATE_INBOX = """
from pomoc.channels.models import Inbox
from pomoc.channels.services import inbox_create
if not Inbox.objects.filter(name="Rules inbox").exists():
    inbox_create(kind="email", name="Rules inbox", address="rules-inbox@pomoc.example")
"""


def deliver_mail(site, subject: str) -> None:
    """One customer mail through ``pomoc mail ingest`` (what an MTA's pipe runs): the running Pomoc
    stores it and its workers process it."""
    msg = EmailMessage()
    msg["From"] = "Jana Nováková <jana.rules@example.cz>"
    msg["To"] = "rules-inbox@pomoc.example"
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="example.cz")
    msg.set_content("Dobrý den, prosím o vrácení peněz za objednávku 1234.")
    subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "pomoc.cli", "mail", "ingest", "--inbox", "Rules inbox"], input=msg.as_bytes(),
        env=site.env, capture_output=True, timeout=120, check=True)


def wait_for(page, path: str, locator: str, text: str, seconds: float = 90):
    """Open ``path`` again until ``locator`` with ``text`` is there (background work is done)."""
    deadline = time.monotonic() + seconds
    while True:
        page.goto(path)
        found = page.locator(locator, has_text=text)
        if found.count() or time.monotonic() > deadline:
            return found
        time.sleep(0.5)


def shoot(page, screenshots, name: str) -> None:
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (name, width)
        page.screenshot(path=str(screenshots / f"{name}-{width}.png"), full_page=True, caret="initial")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_an_administrator_builds_a_rule_that_acts_on_a_new_email_ticket(site, browser, demo_password, screenshots):
    pomoc("shell", "-c", CREATE_INBOX, env=site.env)
    admin = Agent(browser, site.url, "admin", demo_password)
    try:
        page = admin.page
        page.set_viewport_size({"width": 1280, "height": 900})
        admin.log_in()
        page.get_by_role("link", name="Administration").click()
        page.locator("nav.manage-nav").get_by_role("link", name="Rules").click()
        expect(page.locator("h1")).to_have_text("Rules")
        page.get_by_role("link", name="New rule").click()
        page.fill("input[name=name]", "Invoices to Billing")
        page.select_option("select[name=trigger]", "created")
        page.select_option("select[name=cond_0_field]", "subject")
        page.select_option("select[name=cond_0_op]", "contains")
        page.fill("input[name=cond_0_value]", "invoice")
        page.select_option("select[name=act_0_type]", "assign_department")
        page.fill("textarea[name=act_0_value]", "Billing")
        page.select_option("select[name=act_1_type]", "add_tag")
        page.fill("textarea[name=act_1_value]", "invoice")

        page.get_by_role("button", name="Try on past tickets").click()
        # the demo data has tickets about invoices: the trial finds them, and changes none of them
        trial = re.compile(r"Would have matched [1-9]\d* tickets? of the last \d+")
        expect(page.locator(".rule-trial")).to_contain_text(trial)
        shoot(page, screenshots, "rule-tried")

        page.select_option("select[name=cond_1_field]", "channel")  # the row left empty after the trial
        page.select_option("select[name=cond_1_op]", "is")
        page.fill("input[name=cond_1_value]", "E-mail")
        page.check("input[name=active]")
        page.get_by_role("button", name="Save").click()
        page.wait_for_url(re.compile(r".*/manage/rules/\d+/$"))
        expect(page.locator(".flash")).to_contain_text("Rule Invoices to Billing saved.")
        expect(page.locator("textarea[name=act_0_value]")).to_have_value("Billing")

        deliver_mail(site, "Invoice 1234 paid twice")
        wait_for(page, "/inbox/", "a.ticket-link", "Invoice 1234 paid twice").first.click()
        page.wait_for_url(re.compile(r".*/tickets/\d+/$"))
        # the rule runs in the background worker after the mail's commit
        wait_for(page, page.url, ".history-line", "Invoices to Billing")
        expect(page.get_by_text("Rule “Invoices to Billing” applied")).to_be_visible()
        expect(page.get_by_text("Tags: added invoice")).to_be_visible()
        department = page.locator("#ticket-header select[name=department]")
        assert department.evaluate("select => select.selectedOptions[0].textContent") == "Billing"
        shoot(page, screenshots, "rule-acted")

        page.goto("/manage/rules/")
        expect(page.locator("table.data tbody tr", has_text="Invoices to Billing")).to_contain_text("on")
        shoot(page, screenshots, "rules")
        assert not admin.errors and not admin.csp_problems()
    finally:
        admin.close()


def test_macros_on_one_ticket_and_on_many_from_the_inbox(site, browser, demo_password, screenshots):
    admin = Agent(browser, site.url, "admin", demo_password)
    try:
        page = admin.page
        page.set_viewport_size({"width": 1280, "height": 900})
        admin.log_in()
        page.goto("/manage/macros/")
        page.get_by_role("link", name="New macro").click()
        page.fill("input[name=name]", "Waiting for the customer")
        page.select_option("select[name=act_0_type]", "set_status")
        page.fill("textarea[name=act_0_value]", "pending")
        page.select_option("select[name=act_1_type]", "add_tag")
        page.fill("textarea[name=act_1_value]", "waiting")
        page.get_by_role("button", name="More rows").click()
        page.select_option("select[name=act_2_type]", "set_priority")
        page.fill("textarea[name=act_2_value]", "high")
        page.select_option("select[name=act_3_type]", "assign_agent")
        page.fill("textarea[name=act_3_value]", "me")
        shoot(page, screenshots, "macro-form")
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".flash")).to_contain_text("Macro Waiting for the customer saved.")

        page.goto("/inbox/")
        rows = page.locator("tbody tr", has=page.locator("input[name=ticket]"))
        expect(rows.first).to_be_visible()
        numbers = [rows.nth(i).locator("td.number").inner_text() for i in range(3)]
        for i in range(2):
            rows.nth(i).locator("input[name=ticket]").check()
        page.select_option("select[name=macro][form=bulk-form]", label="Waiting for the customer")
        page.get_by_role("button", name="Apply macro").click()
        expect(page.locator(".flash")).to_contain_text("Macro “Waiting for the customer” applied to 2 tickets.")
        shoot(page, screenshots, "macro-bulk")
        applied = page.locator(".history-text", has_text="Macro “Waiting for the customer” applied")
        for number in numbers[:2]:
            page.goto(f"/tickets/{number}/")
            expect(applied).to_have_count(1)
            expect(page.get_by_text("Tags: added waiting")).to_be_visible()

        page.goto(f"/tickets/{numbers[2]}/")
        expect(applied).to_have_count(0)
        page.select_option("form.macro-menu select[name=macro]", label="Waiting for the customer")
        page.locator("form.macro-menu").get_by_role("button", name="Apply").click()
        expect(page.locator(".flash")).to_contain_text("applied to 1 ticket.")
        expect(applied).to_have_count(1)
        shoot(page, screenshots, "macro-ticket")
        assert not admin.errors and not admin.csp_problems()
    finally:
        admin.close()
