"""The inbox at real scale and the polish around it, in a real Chromium: long subjects, ticket-number
search, bulk apply with nothing ticked, snooze, the 404 page and a 390 px wide screen."""

import json
import os
import re
import textwrap
from pathlib import Path

import pytest
from playwright.sync_api import expect

from pomoc.testing.services import pomoc

pytestmark = pytest.mark.browser

TIMEOUT = 20_000  # ms; the test machines are small and shared
SHOTS = Path(os.environ.get("POMOC_SHOTS_DIR", "")) if os.environ.get("POMOC_SHOTS_DIR") else None

LONG_TICKET = textwrap.dedent("""
    import json
    from pomoc.accounts.models import Department
    from pomoc.contacts.models import Contact
    from pomoc.tickets import services
    requester = Contact.objects.create(name="Bartholomew-Maximilian " * 6)
    subject = "Invoice" + "-x" * 140
    ticket = services.ticket_create(requester=requester, subject=subject, body_text="A " + "very-" * 80 + "long line",
                                    department=Department.objects.order_by("pk").first(), channel="email", actor=None)
    print(json.dumps({"number": ticket.number, "subject": ticket.subject, "name": requester.name}))
""")

WAKE = textwrap.dedent("""
    import datetime as dt
    from django.utils import timezone
    from pomoc.tickets.models import Ticket
    from pomoc.tickets.snooze import tickets_wake_due
    Ticket.objects.filter(number=NUMBER).update(snoozed_until=timezone.now() - dt.timedelta(minutes=1))
    print(tickets_wake_due())
""")


def new_page(browser, site, *, width: int = 1280, locale: str = "en-GB"):
    context = browser.new_context(base_url=site.url, locale=locale, viewport={"width": width, "height": 900})
    context.set_default_timeout(TIMEOUT)
    return context, context.new_page()


def log_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    expect(page.locator("header.topbar")).to_be_visible()


def no_horizontal_overflow(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def clipped_status_badges(page) -> list[str]:
    """Status badges in the inbox that do not fit their cell (the cell hides what sticks out)."""
    return page.evaluate("""Array.from(document.querySelectorAll("table.tickets td .status")).filter(function (badge) {
        var cell = badge.closest("td").getBoundingClientRect(), own = badge.getBoundingClientRect();
        return own.right > cell.right + 0.5 || badge.scrollWidth > badge.clientWidth + 0.5;
    }).map(function (badge) { return badge.textContent; })""")


def shoot(page, name: str) -> None:
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True, caret="initial")


@pytest.fixture(scope="module")
def long_ticket(site):
    return json.loads(pomoc("shell", "-c", LONG_TICKET, env=site.env).stdout.strip().splitlines()[-1])


@pytest.fixture
def admin_page(browser, site, demo_password):
    context, page = new_page(browser, site)
    log_in(page, "admin", demo_password)
    yield page
    context.close()


def test_a_long_subject_and_name_do_not_widen_the_table(admin_page, long_ticket):
    page = admin_page
    page.goto("/inbox/?view=open&sort=-created_at")
    link = page.locator("a.ticket-link", has_text="Invoice-x-x").first
    expect(link).to_have_attribute("title", long_ticket["subject"])
    table = page.locator("table.tickets")
    scroll_width, client_width = table.evaluate("t => [t.scrollWidth, t.parentElement.clientWidth]")
    assert scroll_width <= client_width
    assert link.evaluate("a => a.scrollWidth > a.clientWidth")  # clipped, with an ellipsis
    expect(page.locator(f"td.col-requester span[title='{long_ticket['name']}']").first).to_be_visible()
    width, inner = no_horizontal_overflow(page)
    assert width <= inner
    shoot(page, "inbox-1280-en")


def test_searching_a_ticket_number_opens_the_ticket(admin_page, long_ticket):
    page = admin_page
    page.goto("/inbox/")
    page.fill("#global-search", f"#{long_ticket['number']}")
    page.press("#global-search", "Enter")
    page.wait_for_url(re.compile(rf".*/tickets/{long_ticket['number']}/$"))
    expect(page.locator(".ticket-header")).to_be_visible()


def test_bulk_apply_with_nothing_selected_says_so(admin_page):
    page = admin_page
    page.goto("/inbox/?view=open")
    # live first: a refresh of the list right after connecting would replace the note just shown
    expect(page.locator("body")).to_have_attribute("data-live-state", "subscribed")
    page.select_option("#bulk-form select[name=status]", "pending")
    page.click("[data-bulk-apply]")
    note = page.locator("[data-bulk-nothing]")
    expect(note).to_be_visible()
    expect(note).to_contain_text("Select at least one ticket")
    assert "/inbox/bulk/" not in page.url


def test_snooze_takes_a_ticket_out_until_it_is_due(admin_page, site, long_ticket):
    page = admin_page
    number = long_ticket["number"]
    page.goto("/inbox/?view=open&sort=-created_at")
    row = page.locator("tr.ticket-row", has=page.locator(f"a[href='/tickets/{number}/']"))
    row.locator("input[name=ticket]").check()
    page.fill("input[name=snooze_until]", "2031-01-15T09:30")
    page.click("[data-bulk-apply]")
    expect(page.locator(".flash")).to_contain_text("Updated 1 ticket(s).")
    expect(page.locator(f"a[href='/tickets/{number}/']")).to_have_count(0)
    page.goto("/inbox/?view=snoozed")
    snoozed = page.locator("tr.ticket-row", has=page.locator(f"a[href='/tickets/{number}/']"))
    expect(snoozed.locator(".status-snoozed")).to_have_attribute("title", re.compile(r"Snoozed until .*2031"))
    assert pomoc("shell", "-c", WAKE.replace("NUMBER", str(number)), env=site.env).stdout.strip().endswith("1")
    page.goto("/inbox/?view=open&sort=-created_at")
    expect(page.locator(f"a[href='/tickets/{number}/']")).to_have_count(1)


def test_a_missing_page_is_a_styled_404_with_a_way_back(admin_page):
    page = admin_page
    response = page.goto("/tickets/99999999/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
    shoot(page, "404-1280-en")
    page.click(".error-page a:has-text('Go to the inbox')")
    expect(page.locator("table.tickets")).to_be_visible()


@pytest.mark.parametrize(("username", "locale"), [("admin", "en"), ("agent3", "pl"), ("agent4", "et")])
def test_inbox_and_ticket_page_fit_a_390_px_screen(browser, site, demo_password, long_ticket, username, locale):
    context, page = new_page(browser, site, width=390, locale=locale)
    try:
        log_in(page, username, demo_password)
        page.goto("/inbox/?view=open")
        expect(page.locator("table.tickets")).to_be_visible()
        width, inner = no_horizontal_overflow(page)
        assert width <= inner, f"the inbox is {width} px wide on a {inner} px screen"
        assert clipped_status_badges(page) == []
        # The menu folds behind one button too.
        main_nav = page.locator("nav#topnav")
        expect(main_nav).to_be_hidden()
        page.locator(".nav-toggle").click()
        expect(main_nav.locator("a").first).to_be_visible()
        expect(page.locator(".nav-toggle")).to_have_attribute("aria-expanded", "true")
        shoot(page, f"menu-390-{locale}")
        page.locator(".nav-toggle").click()
        expect(main_nav).to_be_hidden()
        # The filters fold behind one button and the bulk actions wait for a ticked ticket:
        # the tickets come first on a phone.
        expect(page.locator("#id_q")).to_be_visible()
        expect(page.locator("#id_status")).to_be_hidden()
        expect(page.locator(".bulk-bar")).to_be_hidden()
        assert page.locator("table.tickets").bounding_box()["y"] < 900
        toggle = page.locator(".filter-toggle")
        expect(toggle).to_have_attribute("aria-expanded", "false")
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        expect(page.locator("#id_status")).to_be_visible()
        page.locator("input[name=ticket]").first.check()
        expect(page.locator(".bulk-bar")).to_be_visible()
        shoot(page, f"inbox-390-{locale}-filters-and-bulk")
        for view in ("snoozed", "resolved"):  # the longest names of a status
            page.goto(f"/inbox/?view={view}")
            expect(page.locator("table.tickets")).to_be_visible()
            assert clipped_status_badges(page) == [], view
        page.goto("/inbox/?view=open")
        shoot(page, f"inbox-390-{locale}")
        page.goto(page.locator("a.ticket-link").first.get_attribute("href"))
        expect(page.locator(".ticket-header")).to_be_visible()
        width, inner = no_horizontal_overflow(page)
        assert width <= inner, f"the ticket page is {width} px wide on a {inner} px screen"
        shoot(page, f"ticket-390-{locale}")
        # The reply and the customer are one tap away from the top of the ticket.
        jumps = page.locator("nav.ticket-jumps")
        expect(jumps).to_be_visible()
        jumps.locator("a[href='#ticket-sidebar']").click()
        expect(page.locator("#ticket-sidebar")).to_be_in_viewport()
        jumps.locator("a[href='#composer']").click()
        expect(page.locator("#composer")).to_be_in_viewport()
        page.evaluate("window.scrollTo(0, 0)")
        if username == "admin":
            page.goto(f"/tickets/{long_ticket['number']}/")
            width, inner = no_horizontal_overflow(page)
            assert width <= inner, f"a ticket with long words is {width} px wide on a {inner} px screen"
            shoot(page, "ticket-long-390-en")
        page.goto("/accounts/preferences/")
        width, inner = no_horizontal_overflow(page)
        assert width <= inner
        shoot(page, f"preferences-390-{locale}")
    finally:
        context.close()


def test_wide_screenshots_in_polish(browser, site, demo_password):
    """Not an assertion of looks: pictures for a person to check (with POMOC_SHOTS_DIR set)."""
    context, page = new_page(browser, site, locale="pl")
    try:
        log_in(page, "agent3", demo_password)
        page.goto("/inbox/?view=open")
        width, inner = no_horizontal_overflow(page)
        assert width <= inner
        shoot(page, "inbox-1280-pl")
        page.goto(page.locator("a.ticket-link").first.get_attribute("href"))
        shoot(page, "ticket-1280-pl")
        expect(page.locator("nav.ticket-jumps")).to_be_hidden()  # the sidebar is beside the conversation
        page.goto("/accounts/preferences/")
        expect(page.locator("select[name=language] option[value=et]")).to_have_text("eesti")
        shoot(page, "preferences-1280-pl")
        page.goto("/nothing-here/")
        expect(page.locator("h1")).to_have_text("Nie znaleziono strony")
        shoot(page, "404-1280-pl")
    finally:
        context.close()
