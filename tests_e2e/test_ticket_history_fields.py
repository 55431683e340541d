"""The ticket page in a real browser: the history between the messages (shown, hidden, remembered),
custom fields edited in the sidebar and set on the new-ticket form, and replies that were not sent
or wait for another attempt. Screenshots (1280 px, English and Czech) go to POMOC_E2E_SCREENSHOTS
(default: a temporary folder) for a person to look at."""

import re

import pytest
from playwright.sync_api import expect

from pomoc.testing.services import pomoc

from .test_agent_flow import Agent

pytestmark = pytest.mark.browser

# A ticket with a history: changes by an agent, a reply that could not be sent (this installation
# has no outgoing mail server) and one waiting for another attempt after a temporary failure.
CREATE_TICKET = """
import datetime as dt
from django.utils import timezone
from pomoc.accounts.models import Department, User
from pomoc.contacts.models import Contact, Identity
from pomoc.tickets import services
from pomoc.tickets.models import DeliveryState, MessageKind, Priority, Status
admin = User.objects.get(username="admin")
admin.language = ""
admin.time_zone = "Europe/Prague"
admin.show_ticket_history = True
admin.save()
contact = Contact.objects.create(name="Jana Svobodová")
Identity.objects.create(contact=contact, kind="email", value="jana.svobodova@example.cz")
ticket = services.ticket_create(requester=contact, subject="The invoice for November shows twice",
                                body_text="Hello, we were charged twice for November. Can you check?")
services.ticket_update(ticket=ticket, actor=admin, changes={
    "assignee": admin, "priority": Priority.HIGH, "department": Department.objects.order_by("id").first(),
    "tags": ["billing", "invoice"], "custom_fields": {"order_number": "INV-2026-1142"}})
services.message_add(ticket=ticket, kind=MessageKind.NOTE, actor=admin, body_text="Checking with accounting.")
failed = services.message_add(ticket=ticket, kind=MessageKind.REPLY, actor=admin,
                              body_text="Sorry about that, the second charge will be refunded today.")
waiting = services.message_add(ticket=ticket, kind=MessageKind.REPLY, actor=admin, body_text="Refund done.")
services.message_delivery_mark(message=waiting, state=DeliveryState.QUEUED,
                               error="SMTPServerDisconnected: Connection unexpectedly closed",
                               retry_at=timezone.now() + dt.timedelta(minutes=8))
services.ticket_update(ticket=ticket, actor=admin, changes={"status": Status.PENDING})
print("TICKET", ticket.number, failed.pk, waiting.pk)
"""



def test_history_fields_and_delivery_state_on_the_ticket_page(site, browser, demo_password, screenshots):
    out = pomoc("shell", "-c", CREATE_TICKET, env=site.env).stdout
    number, failed_id, waiting_id = re.search(r"TICKET (\d+) (\d+) (\d+)", out).groups()
    agent = Agent(browser, site.url, "admin", demo_password)
    try:
        page = agent.page
        page.set_viewport_size({"width": 1280, "height": 900})
        agent.log_in()
        page.goto(f"/tickets/{number}/")
        conversation = page.locator("#conversation")
        status_line = conversation.locator(".history-status_changed").last
        expect(status_line).to_contain_text("Status: Open → Pending")
        expect(conversation.locator(".history-priority_changed")).to_contain_text("Priority: Normal → High")
        expect(conversation.locator(".history-custom_fields_changed").first).to_contain_text(
            "Order number: — → INV-2026-1142")

        # The reply that could not leave, and the one waiting for another attempt.
        failed = page.locator(f"#message-{failed_id}")
        expect(failed.locator(".delivery")).to_have_text("Not sent")
        expect(failed.locator(".delivery-problem")).to_contain_text("No outgoing mail server is configured")
        expect(failed.locator(".retry-form button")).to_be_visible()
        waiting = page.locator(f"#message-{waiting_id}")
        expect(waiting.locator(".delivery")).to_have_text("Waiting to be sent again")
        expect(waiting.locator(".delivery-retry")).to_contain_text("Next attempt:")
        expect(waiting.locator(".delivery-retry")).to_contain_text("SMTPServerDisconnected")
        expect(page.locator("#reply-route .route-problem")).to_contain_text("No outgoing mail server")
        page.screenshot(path=str(screenshots / "ticket-history-en.png"), full_page=True, caret="initial")

        # A custom field edited in the sidebar: the API's message for a wrong value, then saved.
        seats = page.locator("#cf_seats")
        seats.fill("a dozen")
        seats.press("Tab")
        expect(page.locator("#cf_seats-errors")).to_have_text("Not a valid value for a field of type “Number”.")
        page.locator("#cf_seats").fill("12")
        page.locator("#cf_seats").press("Tab")
        expect(page.locator("#custom-fields .saved-note")).to_be_visible()
        expect(page.locator("#cf_seats-errors")).to_have_count(0)
        # The choice saves on change: wait for that answer before reloading (else the reload can win).
        with page.expect_response(lambda r: r.url.endswith("/fields/") and r.request.method == "POST"):
            page.select_option("#cf_customer_tier", "premium")
        expect(page.locator("#cf_customer_tier")).to_have_value("premium")
        page.reload()
        expect(page.locator("#cf_seats")).to_have_value("12")
        expect(conversation.locator(".history-custom_fields_changed").last).to_contain_text(
            "Customer tier: — → premium")

        # The agent's own change shows in the history at once, without a reload.
        page.select_option("#ticket-header select[name=priority]", "4")
        expect(conversation.locator(".history-priority_changed").last).to_contain_text("Priority: High → Urgent")

        # Hidden with the toggle, and still hidden after a reload (remembered for this agent).
        expect(status_line).to_be_visible()
        with page.expect_response(lambda response: "/history/" in response.url and response.ok):
            page.locator("#history-toggle").uncheck()  # the choice is saved before the reload below
        expect(status_line).to_be_hidden()
        expect(conversation.locator(f"#message-{failed_id}")).to_be_visible()
        page.wait_for_load_state("networkidle")
        page.reload()
        expect(page.locator("#history-toggle")).not_to_be_checked()
        expect(conversation.locator(".history-status_changed").last).to_be_hidden()
        page.screenshot(path=str(screenshots / "ticket-history-hidden-en.png"), full_page=True, caret="initial")
        page.locator("#history-toggle").check()
        expect(conversation.locator(".history-status_changed").last).to_be_visible()
        page.wait_for_load_state("networkidle")

        # The same page for an agent who works in Czech.
        pomoc("shell", "-c", "from pomoc.accounts.models import User; "
              "User.objects.filter(username='admin').update(language='cs')", env=site.env)
        page.reload()
        expect(conversation.locator(".history-status_changed").last).to_contain_text("Stav: Otevřený → Čekající")
        expect(failed.locator(".delivery")).to_have_text("Neodesláno")
        page.screenshot(path=str(screenshots / "ticket-history-cs.png"), full_page=True, caret="initial")

        assert agent.csp_problems() == [], agent.csp_problems()
        assert agent.errors == [], agent.errors
    finally:
        pomoc("shell", "-c", "from pomoc.accounts.models import User; "
              "User.objects.filter(username='admin').update(language='')", env=site.env)
        agent.close()


def test_a_custom_field_set_on_the_new_ticket_form(site, browser, demo_password, screenshots):
    agent = Agent(browser, site.url, "admin", demo_password)
    try:
        page = agent.page
        page.set_viewport_size({"width": 1280, "height": 900})
        agent.log_in()
        page.goto("/tickets/new/")
        page.fill("input[name=requester_email]", "field.customer@example.org")
        page.fill("input[name=subject]", "Ten more seats")
        page.locator("#new-ticket-form .composer-editor").fill("We need ten more seats from January.")
        page.fill("input[name=cf_seats]", "ten")
        page.select_option("select[name=cf_customer_tier]", "enterprise")
        page.fill("input[name=cf_renewal_date]", "2027-01-01")
        page.locator("form.stacked-form button[type=submit]").click()
        expect(page.locator("form.stacked-form")).to_contain_text("Not a valid value for a field of type “Number”.")
        expect(page.locator("select[name=cf_customer_tier]")).to_have_value("enterprise")  # kept
        page.screenshot(path=str(screenshots / "new-ticket-field-error-en.png"), full_page=True, caret="initial")
        page.fill("input[name=cf_seats]", "10")
        page.locator("form.stacked-form button[type=submit]").click()
        page.wait_for_url(re.compile(r".*/tickets/\d+/$"))
        expect(page.locator("#cf_seats")).to_have_value("10")
        expect(page.locator("#cf_customer_tier")).to_have_value("enterprise")
        expect(page.locator("#cf_renewal_date")).to_have_value("2027-01-01")
        assert agent.csp_problems() == [], agent.csp_problems()
        assert agent.errors == [], agent.errors
    finally:
        agent.close()
