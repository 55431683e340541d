"""A customer without an address: the agent is told why a reply cannot go out, adds the address on
the contact page, comes back and sends. Screenshots go to POMOC_E2E_SCREENSHOTS (default: a
temporary folder) for a person to look at."""

import re

import pytest
from playwright.sync_api import expect

from pomoc.testing.services import pomoc

from .test_agent_flow import Agent

pytestmark = pytest.mark.browser

CREATE_TICKET = """
from pomoc.channels.models import Inbox
from pomoc.contacts.models import Contact
from pomoc.tickets import services
from pomoc.tickets.models import Channel
for name in ("Support", "Sales"):
    Inbox.objects.get_or_create(name=name, defaults={"address": name.lower() + "@pomoc.example"})
contact = Contact.objects.create(name="Caller Without Address")
ticket = services.ticket_create(requester=contact, subject="Called about a broken kettle",
                                body_text="Rang the hotline; left no e-mail address.", channel=Channel.PHONE)
print("TICKET", ticket.number)
"""



def test_an_agent_adds_the_missing_address_and_then_sends_the_reply(site, browser, demo_password, screenshots):
    number = re.search(r"TICKET (\d+)", pomoc("shell", "-c", CREATE_TICKET, env=site.env).stdout).group(1)
    agent = Agent(browser, site.url, "admin", demo_password)
    try:
        page = agent.page
        page.set_viewport_size({"width": 1280, "height": 900})
        agent.log_in()
        page.goto(f"/tickets/{number}/")
        explanation = page.locator("#reply-route .no-route")
        expect(explanation).to_contain_text("This customer has no e-mail address")
        send = page.locator("#reply-form button.primary")
        expect(send).to_be_disabled()
        page.screenshot(path=str(screenshots / "1-no-address.png"), full_page=True, caret="initial")

        # Internal notes still work.
        page.locator("#note-form .composer-editor").fill("Asked the caller for an e-mail address.")
        page.locator("#note-form button[type=submit]").click()
        expect(page.locator("#conversation")).to_contain_text("Asked the caller for an e-mail address.")

        page.locator("#reply-route .no-route a").click()
        page.wait_for_url(re.compile(r".*/contacts/\d+/\?add=email$"))
        page.select_option("form.identity-form select[name=kind]", "email")
        page.fill("form.identity-form input[name=value]", "kettle.caller@example.org")
        page.locator("form.identity-form button[type=submit]").click()
        expect(page.locator(".flash")).to_contain_text("Added to the contact.")
        page.screenshot(path=str(screenshots / "2-contact-page.png"), full_page=True, caret="initial")

        page.goto(f"/tickets/{number}/")
        sentence = page.locator("#reply-route .route-sentence")
        expect(sentence).to_contain_text(
            "Replies go to kettle.caller@example.org by e-mail through Support (support@pomoc.example).")
        expect(send).to_be_enabled()
        agent.wait_until_live()
        page.select_option("#reply-route select[name=route]",
                           label="kettle.caller@example.org · Sales (sales@pomoc.example)")
        expect(sentence).to_contain_text("through Sales (sales@pomoc.example).")
        page.screenshot(path=str(screenshots / "3-route-shown.png"), full_page=True, caret="initial")
        page.locator("#reply-form .composer-editor").fill("We are sending a new kettle today.")
        send.click()
        # This installation has no outgoing mail server: the reply is kept, marked as not sent, with the way out.
        expect(page.locator(".flash")).to_contain_text(
            "The reply to kettle.caller@example.org could not be sent: No outgoing mail server is configured")
        expect(page.locator("#conversation")).to_contain_text("We are sending a new kettle today.")
        expect(page.locator("#reply-route .route-sentence")).to_contain_text("through Sales")  # kept after reload
        page.screenshot(path=str(screenshots / "4-sent.png"), full_page=True, caret="initial")

        assert agent.csp_problems() == [], agent.csp_problems()
        assert agent.errors == [], agent.errors
    finally:
        agent.close()
