"""An agent writes a canned response in the agent interface (preview with filled placeholders, an
attachment), then on a ticket types ``#` and a few letters in the reply box: the matching canned
responses appear as they type, previewed for the ticket; Enter inserts the chosen one with its
placeholders filled and its attachment added to the reply, which is sent with both. Screenshots at
1280 and 390 px go to POMOC_E2E_SCREENSHOTS (default: a temporary folder)."""

import re

import pytest
from playwright.sync_api import expect

from pomoc.testing.services import pomoc

from .test_agent_flow import Agent

pytestmark = pytest.mark.browser

CREATE_TICKET = """
from pomoc.contacts.models import Contact, Identity
from pomoc.tickets import services
contact = Contact.objects.create(name="Jana Nováková")
Identity.objects.create(contact=contact, kind="email", value="jana.kettle@example.org")
ticket = services.ticket_create(requester=contact, subject="Kettle leaks", body_text="The kettle leaks.")
print("TICKET", ticket.number)
"""
PDF = b"%PDF-1.4\n% kettle manual\n"


def _shots(page, screenshots, name):
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(screenshots / f"canned-{name}-{width}.png"), full_page=True, caret="initial")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_an_agent_creates_a_canned_response_and_inserts_it_with_hash(site, browser, demo_password, screenshots,
                                                                     tmp_path):
    number = re.search(r"TICKET (\d+)", pomoc("shell", "-c", CREATE_TICKET, env=site.env).stdout).group(1)
    manual = tmp_path / "kettle-manual.pdf"
    manual.write_bytes(PDF)
    agent = Agent(browser, site.url, "admin", demo_password)
    try:
        page = agent.page
        page.set_viewport_size({"width": 1280, "height": 900})
        agent.log_in()
        page.locator("header.topbar a", has_text="Canned responses").click()
        page.get_by_role("link", name="New canned response").click()
        page.fill("input[name=name]", "kettle")
        page.fill("textarea[name=body]", "Hello {{ customer.first_name }}, about ticket #{{ ticket.number }}: "
                                         "the manual is attached. {{ agent.first_name }}")
        page.set_input_files("#canned-attachments", str(manual))
        page.locator("#canned-preview-button").click()
        preview = page.locator("#canned-preview .canned-preview-text")
        expect(preview).to_contain_text("Hello ")
        expect(preview).to_contain_text("about ticket #")
        expect(preview).not_to_contain_text("{{")
        _shots(page, screenshots, "editor")
        page.locator("#canned-form button[type=submit].primary").click()
        expect(page.locator(".flash")).to_contain_text("Canned response #kettle saved.")
        expect(page.locator(".canned-table")).to_contain_text("kettle-manual.pdf")
        _shots(page, screenshots, "list")

        page.goto(f"/tickets/{number}/")
        box = page.locator("#reply-form .composer-editor")  # the rich editor; #reply-body holds its plain text
        box.click()
        box.press_sequentially("Thanks for writing. #ket", delay=30)
        picker = page.locator("#canned-picker")
        expect(picker).to_be_visible()
        option = page.locator("#canned-options li[role=option]").first
        expect(option).to_contain_text("#kettle")
        expect(option).to_have_attribute("aria-selected", "true")
        expect(page.locator("#canned-picker-preview")).to_contain_text(f"Hello Jana, about ticket #{number}")
        expect(page.locator("#canned-picker-preview")).to_contain_text("kettle-manual.pdf")
        _shots(page, screenshots, "picker")
        box.press("Enter")
        expect(page.locator("#reply-body")).to_have_value(re.compile(
            rf"^Thanks for writing\.\s+Hello Jana, about ticket #{number}: the manual is attached\.\s+\S+$"))
        expect(picker).to_be_hidden()
        files = page.locator("#reply-form input[type=file][name=attachments]")
        # polled from here: wait_for_function would evaluate a string in the page, which its CSP forbids
        for _ in range(100):
            if files.evaluate("input => input.files.length") == 1:
                break
            page.wait_for_timeout(100)
        assert files.evaluate("input => input.files[0].name") == "kettle-manual.pdf"
        _shots(page, screenshots, "inserted")

        page.locator("#reply-form button.primary").click()
        conversation = page.locator("#conversation")
        expect(conversation).to_contain_text(f"Hello Jana, about ticket #{number}")
        expect(conversation).to_contain_text("kettle-manual.pdf")

        # Typing on: a name that matches nothing says so; Escape closes the list.
        box.press_sequentially(" #zzz", delay=30)
        expect(page.locator("#canned-options")).to_contain_text("No canned response matches “zzz”.")
        box.press("Escape")
        expect(picker).to_be_hidden()

        page.goto("/canned/")
        expect(page.locator(".canned-table tr", has_text="#kettle").locator("td.num")).to_have_text("1")
        assert agent.csp_problems() == [], agent.csp_problems()
        assert agent.errors == [], agent.errors
    finally:
        agent.close()


def test_an_administrator_sets_the_follow_ups_of_an_inbox(site, browser, demo_password, screenshots):
    pomoc("shell", "-c", "from pomoc.channels.models import Inbox\n"
          "Inbox.objects.get_or_create(name='Kettles', defaults={'address': 'kettles@pomoc.example'})", env=site.env)
    agent = Agent(browser, site.url, "admin", demo_password)
    try:
        page = agent.page
        page.set_viewport_size({"width": 1280, "height": 900})
        agent.log_in()
        page.goto("/manage/")
        page.locator("nav.manage-nav a", has_text="Follow-ups").click()
        page.get_by_role("link", name="Kettles").click()
        page.check("input[name=acknowledge]")
        page.fill("input[name=remind_after_days]", "3")
        page.fill("input[name=close_after_days]", "10")
        page.check("input[name=request_rating]")
        page.fill("textarea[name=reminder_text]", "Hello {{ customer.first_name }}, any news on #{{ ticket.number }}?")
        _shots(page, screenshots, "followups-form")
        page.locator("form.followup-form button[type=submit]").click()
        expect(page.locator(".flash")).to_contain_text("Follow-ups of Kettles saved.")
        row = page.locator("table.followup-table tr", has_text="Kettles")
        expect(row).to_contain_text("after 3 days")
        expect(row).to_contain_text("after 10 days")
        _shots(page, screenshots, "followups-list")
        assert agent.csp_problems() == [], agent.csp_problems()
        assert agent.errors == [], agent.errors
    finally:
        agent.close()
