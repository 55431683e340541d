"""The agent's workspace in a real Chromium: merging by search with a preview and an undo, time
tracked from the agent's activity plus an entry by hand, snoozing from the ticket page, and axe-core
finding no serious accessibility problem on the inbox, the ticket page and the new-ticket form.

Screenshots (1280 and 390 px wide) go to POMOC_E2E_SCREENSHOTS (default: a temporary folder)."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from pomoc.testing.services import PomocServer, pomoc, pomoc_env

from .test_agent_flow import Agent

pytestmark = pytest.mark.browser

# axe-core is installed with the other front-end assets (package.json) and served by Pomoc from
# /static/vendor/axe-core/ (settings.STATICFILES_DIRS): a script from the page's own origin is what the
# Content-Security-Policy allows (an inline copy through add_script_tag(path=...) would be refused).
AXE_URL = "/static/vendor/axe-core/axe.min.js"
WIDTHS = (1280, 390)

CREATE_TICKETS = """
from pomoc.contacts.models import Contact, Identity
from pomoc.tickets import services
identity = Identity.objects.filter(kind="email", value="greta@example.org").first()
contact = identity.contact if identity else Contact.objects.create(name="Greta Lindqvist")
if identity is None:
    Identity.objects.create(contact=contact, kind="email", value="greta@example.org")
target = services.ticket_create(requester=contact, subject="Heating broken in flat 12",
                                body_text="The radiators are cold since Monday.", tags=["heating"])
source = services.ticket_create(requester=contact, subject="Still no heating (flat 12)",
                                body_text="Nobody came yet, it is freezing.", tags=["urgent"])
print("TARGET", target.number, "SOURCE", source.number)
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory, chromium_path):
    """Like the shared site, with a one-second heartbeat so that measured time shows up quickly."""
    data_dir = tmp_path_factory.mktemp("pomoc-e2e-workspace")
    env = pomoc_env(data_dir, POMOC_TIME_TRACKING_HEARTBEAT_SECONDS="1")
    pomoc("migrate", "--verbosity", "0", env=env)
    pomoc("demo", "--password", "e2e-Demo-pass-2026", "--tickets", "40", "--seed", "1", env=env, timeout=600)
    server = PomocServer(data_dir, env=env).start()
    yield server
    server.stop()


@pytest.fixture
def admin(site, browser, demo_password):
    """The administrator signed in, at 1280 px."""
    agent = Agent(browser, site.url, "admin", demo_password)
    try:
        agent.page.set_viewport_size({"width": 1280, "height": 900})
        agent.log_in()
        yield agent
    finally:
        agent.close()


def new_tickets(site) -> tuple[str, str]:
    """Two new tickets of the same customer: the numbers of the target and the source of a merge."""
    out = pomoc("shell", "-c", CREATE_TICKETS, env=site.env).stdout
    return re.search(r"TARGET (\d+) SOURCE (\d+)", out).groups()


def shoot(page, screenshots: Path, name: str) -> None:
    """The page at each width, full length."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(screenshots / f"{name}-{width}.png"), full_page=True, caret="initial")
    page.set_viewport_size({"width": 1280, "height": 900})


def serious_violations(page) -> list[str]:
    page.add_script_tag(url=AXE_URL)
    found = page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ["violations"]});
        return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
            .map(v => `${v.impact} ${v.id}: ${v.help} — `
                 + v.nodes.slice(0, 5).map(n => n.target.join(" ")).join(" | "));
    }""")
    return found


def test_merge_by_search_preview_confirm_and_undo(site, admin, screenshots):
    target, source = new_tickets(site)
    agent, page = admin, admin.page
    page.goto(f"/tickets/{source}/")
    page.locator("details.merge summary").click()
    page.fill("#merge-q", "heating")
    expect(page.locator("#merge-candidates legend")).to_have_text("Tickets found")
    choice = page.locator(f"#merge-candidates input[name=target][value='{target}']")
    expect(choice).to_be_attached()
    choice.check()
    shoot(page, screenshots, "merge-1-search")
    page.locator("form.merge-search button[type=submit]").click()

    expect(page.locator("h1")).to_have_text(f"Merge #{source} into #{target}?")
    effects = page.locator(".merge-effects")
    expect(effects).to_contain_text(f"1 message moves to #{target}.")
    expect(effects).to_contain_text("Tags added to")
    expect(effects).to_contain_text("urgent")
    expect(effects).to_contain_text("You can undo the merge for 10 minutes.")
    shoot(page, screenshots, "merge-2-preview")
    assert serious_violations(page) == []
    page.locator(".merge-preview form button.primary").click()

    page.wait_for_url(re.compile(rf".*/tickets/{target}/$"))
    expect(page.locator(".flash")).to_contain_text(f"Ticket #{source} was merged into this ticket.")
    expect(page.locator("#conversation")).to_contain_text("Nobody came yet, it is freezing.")
    undo = page.locator(".merge-undo button")
    expect(undo).to_have_text(f"Undo the merge of #{source}")
    shoot(page, screenshots, "merge-3-merged")
    assert serious_violations(page) == []

    page.goto(f"/tickets/{source}/")
    expect(page.locator("p.notice")).to_contain_text(f"This ticket was merged into #{target}; write there.")
    expect(page.locator("#ticket-subject")).to_have_count(0)  # read-only: no editing controls
    expect(page.locator("#reply-form")).to_have_count(0)
    shoot(page, screenshots, "merge-4-read-only")
    assert serious_violations(page) == []
    page.locator(".merge-undo button").click()

    page.wait_for_url(re.compile(rf".*/tickets/{source}/$"))
    expect(page.locator(".flash")).to_contain_text(f"The merge was undone: ticket #{source} is on its own again.")
    expect(page.locator("#conversation")).to_contain_text("Nobody came yet, it is freezing.")
    expect(page.locator("#reply-form")).to_be_visible()
    page.goto(f"/tickets/{target}/")
    expect(page.locator("#conversation")).not_to_contain_text("Nobody came yet, it is freezing.")
    expect(page.locator(".merge-undo")).to_have_count(0)
    assert agent.csp_problems() == [], agent.csp_problems()
    assert agent.errors == [], agent.errors


def test_time_is_measured_while_the_agent_works_and_added_by_hand(site, admin, screenshots):
    number, _source = new_tickets(site)
    agent, page = admin, admin.page
    page.goto(f"/tickets/{number}/")
    totals = page.locator("#time-totals")
    expect(totals.locator("strong[data-time-total]")).to_have_attribute("data-time-total", "0")
    page.mouse.move(300, 300)
    page.keyboard.press("Shift")
    # Each heartbeat (1 s here) while the agent is active adds to their time on the ticket.
    mine = totals.locator(".time-agents li", has_text="You")
    expect(mine).to_be_visible()
    total = totals.locator("strong[data-time-total]")
    for step in range(100):  # an agent who keeps working (idle after two heartbeats without input)
        if total.get_attribute("data-time-total") not in ("0", "1"):
            break
        page.mouse.move(320 + step % 7, 310)
        page.wait_for_timeout(300)
    expect(total).not_to_have_attribute("data-time-total", re.compile(r"^[01]$"))

    page.locator("details.time-add summary").click()
    page.fill("#time-minutes", "15")
    page.fill("#time-note", "Phone call with the caretaker")
    page.locator("details.time-add button[type=submit]").click()
    entry = page.locator(".time-entries li", has_text="Phone call with the caretaker")
    expect(entry).to_contain_text("15 min")
    expect(page.locator("#time-panel .saved")).to_have_text("Time added.")

    # Correct it.
    entry.locator("details.time-entry-edit summary").click()
    entry.locator("input[name=minutes]").fill("20")
    entry.locator("button", has_text="Save").click()
    expect(page.locator(".time-entries li", has_text="Phone call with the caretaker")).to_contain_text("20 min")
    page.locator("#ticket-sidebar").scroll_into_view_if_needed()
    shoot(page, screenshots, "time-1-panel")
    assert agent.errors == [], agent.errors
    assert agent.csp_problems() == [], agent.csp_problems()


def test_snooze_from_the_ticket_page(site, admin, screenshots):
    _target, number = new_tickets(site)
    agent, page = admin, admin.page
    page.goto(f"/tickets/{number}/")
    page.fill(".snooze-form input[name=until]", "2099-01-05T09:00")
    page.locator(".snooze-form button[type=submit]").click()
    expect(page.locator(".snooze-form label")).to_contain_text("Snoozed until")
    expect(page.locator("select[name=status]")).to_have_value("snoozed")
    shoot(page, screenshots, "snooze-1-snoozed")
    assert agent.errors == [], agent.errors


@pytest.mark.parametrize("path", ["/", "ticket", "/tickets/new/"])
def test_axe_finds_no_serious_violation(site, admin, path):
    page = admin.page
    if path == "ticket":
        number, _source = new_tickets(site)
        path = f"/tickets/{number}/"
    page.goto(path)
    page.wait_for_load_state("networkidle")
    if page.locator("#ticket-sidebar").count():  # the sidebar the ticket page fetches after it: axe checks it too
        expect(page.locator("#ticket-sidebar")).not_to_have_attribute("aria-busy", "true")
    if "/tickets/" in path and path != "/tickets/new/":
        # A note (yellow) in the conversation, and every folded form open, axe checks them too.
        page.fill("#note-body", "Checked the boiler log.")
        page.locator("#note-form button[type=submit]").click()
        expect(page.locator("#conversation")).to_contain_text("Checked the boiler log.")
        # The note reloads the page; the merge search fetches on focus only once (deferred) htmx listens.
        page.wait_for_load_state("networkidle")
        expect(page.locator("#ticket-sidebar")).not_to_have_attribute("aria-busy", "true")
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        page.locator("#merge-q").focus()
        expect(page.locator("#merge-candidates fieldset")).to_be_visible()
    assert serious_violations(page) == []


ADD_SECOND_QUESTION = """
from pomoc.tickets import services
from pomoc.tickets.models import Ticket
ticket = Ticket.objects.get(number={number})
services.message_add(ticket=ticket, kind="customer", body_text="And the hot water tap drips as well.")
"""


def test_split_with_a_preview_and_undo(site, admin, screenshots):
    number, _source = new_tickets(site)
    pomoc("shell", "-c", ADD_SECOND_QUESTION.format(number=number), env=site.env)
    agent, page = admin, admin.page
    page.goto(f"/tickets/{number}/")
    page.locator("article", has_text="hot water tap").locator(".split-form button").click()
    expect(page.locator("h1")).to_have_text(f"Split this message off #{number}?")
    page.fill("#split-subject", "Dripping hot water tap")
    shoot(page, screenshots, "split-1-preview")
    assert serious_violations(page) == []
    page.locator(".split-confirm button.primary").click()

    expect(page.locator(".ticket-title")).to_contain_text("#")
    expect(page.locator("#ticket-subject")).to_have_value("Dripping hot water tap")
    expect(page.locator(".merge-undo")).to_contain_text(f"This ticket was split off from #{number}.")
    shoot(page, screenshots, "split-2-split")
    page.locator(".merge-undo button", has_text="Undo the split").click()

    page.wait_for_url(re.compile(rf".*/tickets/{number}/$"))
    expect(page.locator(".flash")).to_contain_text("The split was undone")
    expect(page.locator("#conversation")).to_contain_text("And the hot water tap drips as well.")
    assert agent.errors == [], agent.errors


def test_a_sidebar_that_fails_to_load_says_so_and_loads_on_retry(site, admin, screenshots):
    number, _source = new_tickets(site)
    agent, page = admin, admin.page
    # The first fetch of the sidebar meets a server error; the network is fine again afterwards.
    failed = []

    def fail_once(route):
        if not failed:
            failed.append(route.request.url)
            route.fulfill(status=502, body="Bad gateway")
        else:
            route.continue_()

    page.route(re.compile(r".*/tickets/\d+/sidebar/.*"), fail_once)
    page.goto(f"/tickets/{number}/")
    sidebar = page.locator("#ticket-sidebar")
    alert = sidebar.locator("[role=alert]")
    expect(alert).to_contain_text("This part of the page could not be loaded.")
    expect(sidebar).to_have_attribute("aria-busy", "false")
    expect(sidebar).not_to_contain_text("Loading…")
    shoot(page, screenshots, "sidebar-failed")
    alert.get_by_role("button", name="Try again").click()
    expect(page.locator("#ticket-sidebar [role=alert]")).to_have_count(0)
    expect(page.locator("#ticket-sidebar")).not_to_have_attribute("aria-busy", "true")
    expect(page.locator("#ticket-sidebar")).to_contain_text("Customer")
    expect(page.locator("#ticket-sidebar .sidebar-loading")).to_have_count(0)
    assert len(failed) == 1
    assert agent.errors == [], agent.errors
    assert agent.csp_problems() == [], agent.csp_problems()
