"""Two agents on one ticket: what one does shows up on the other's page without a reload."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

TIMEOUT = 20_000  # ms; the test machines are small and shared

# Records Content-Security-Policy violations (with where they came from); added through the
# DevTools protocol, so the page's own CSP (no inline scripts) does not apply to it. Screenshots
# are taken with caret="initial": hiding the caret makes Playwright put an inline style on the
# focused field, which the page's CSP rightly blocks and this recorder would report.
CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push([
    event.violatedDirective, event.blockedURI || "inline", (event.sourceFile || "") + ":" + event.lineNumber,
    event.sample || "", event.target && event.target.outerHTML ? event.target.outerHTML.slice(0, 200) : "",
  ].join(" "));
});
"""


class Agent:
    """One browser context (its own cookies), one page, and everything it reported."""

    def __init__(self, browser, base_url: str, username: str, password: str):
        self.username = username
        self.password = password
        self.context = browser.new_context(base_url=base_url, locale="en-GB")
        self.context.set_default_timeout(TIMEOUT)
        self.context.add_init_script(CSP_RECORDER)
        self.page = self.context.new_page()
        self.console: list[str] = []
        self.errors: list[str] = []
        self.page.on("console", lambda message: self.console.append(f"{message.type}: {message.text}"))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def log_in(self) -> None:
        self.page.goto("/accounts/login/")
        self.page.fill("input[name=username]", self.username)
        self.page.fill("input[name=password]", self.password)
        self.page.click("form button[type=submit]")
        expect(self.page.locator("header.topbar")).to_be_visible()

    def wait_until_live(self) -> None:
        expect(self.page.locator("body")).to_have_attribute("data-live-state", "subscribed")

    def csp_problems(self) -> list[str]:
        reported = self.page.evaluate("window.__cspViolations || []")
        in_console = [line for line in self.console if "Content Security Policy" in line]
        return reported + in_console

    def close(self) -> None:
        self.context.close()


def _open_ticket_of(agent: Agent) -> str:
    """The path of the first ticket in the agent's open queue; one logged by hand if it is empty."""
    agent.page.goto("/inbox/?view=open")
    links = agent.page.locator("a.ticket-link")
    agent.page.wait_for_load_state("networkidle")
    if links.count():
        return links.first.get_attribute("href")
    agent.page.goto("/tickets/new/")
    agent.page.fill("input[name=requester_email]", "e2e.customer@example.org")
    agent.page.fill("input[name=subject]", "The printer on the second floor jams")
    agent.page.locator("#new-ticket-form .composer-editor").fill("It jams on every second page.")
    agent.page.locator("select[name=department] option").nth(1).wait_for(state="attached")
    department = agent.page.locator("select[name=department] option").nth(1).get_attribute("value")
    agent.page.select_option("select[name=department]", department)
    agent.page.locator("form.stacked-form button[type=submit]").click()
    agent.page.wait_for_url(re.compile(r".*/tickets/\d+/$"))
    return "/" + agent.page.url.split("/", 3)[3]


def test_changes_by_one_agent_appear_live_for_another(site, browser, demo_password):
    admin = Agent(browser, site.url, "admin", demo_password)
    colleague = Agent(browser, site.url, "agent1", demo_password)
    try:
        # The colleague's open queue gives a ticket both of them may see (admins see everything).
        colleague.log_in()
        ticket_path = _open_ticket_of(colleague)
        assert re.fullmatch(r"/tickets/\d+/", ticket_path), ticket_path

        admin.log_in()
        admin.page.goto("/inbox/?view=open")
        expect(admin.page.locator("a.ticket-link").first).to_be_visible()
        link = admin.page.locator(f'a.ticket-link[href="{ticket_path}"]')
        if link.count():
            link.first.click()
        else:
            admin.page.goto(ticket_path)
        admin.page.wait_for_url(f"**{ticket_path}")
        admin.wait_until_live()

        colleague.page.goto(ticket_path)
        colleague.wait_until_live()
        # A marker that a reload would wipe out.
        colleague.page.evaluate("window.__sameDocument = true")

        # Presence and the collision warning.
        colleague_name = colleague.page.locator("header.topbar .who").inner_text().strip()
        admin_name = admin.page.locator("header.topbar .who").inner_text().strip()
        expect(admin.page.locator("#presence")).to_contain_text(colleague_name)
        expect(colleague.page.locator("#presence")).to_contain_text(admin_name)
        colleague.page.locator("#reply-form .composer-editor").press_sequentially("Let me check", delay=30)
        warning = admin.page.locator("#collision-warning")
        expect(warning).to_be_visible()
        expect(warning).to_contain_text(colleague_name)
        expect(warning).to_contain_text("is also replying to this ticket")
        colleague.page.locator("#reply-form .composer-editor").fill("")

        # The administrator replies, writes a note, assigns and resolves.
        reply = "We have replaced the toner, please try printing again."
        admin.page.locator("#reply-form .composer-editor").fill(reply)
        admin.page.locator("#reply-form button[type=submit]").first.click()
        expect(admin.page.locator("#conversation")).to_contain_text(reply)
        expect(colleague.page.locator("#conversation")).to_contain_text(reply)

        note = "Internal: the customer has asked this twice before."
        admin.wait_until_live()
        admin.page.locator("#note-form .composer-editor").fill(note)
        admin.page.locator("#note-form button[type=submit]").click()
        expect(admin.page.locator("#conversation")).to_contain_text(note)
        expect(colleague.page.locator("#conversation")).to_contain_text(note)

        admin.wait_until_live()
        assignee = admin.page.locator("#ticket-header select[name=assignee]")
        assignee.select_option(label=colleague_name)
        expect(colleague.page.locator("#ticket-header select[name=assignee] option:checked")).to_have_text(
            colleague_name)

        admin.page.locator("#ticket-header button", has_text="Resolve").click()
        expect(admin.page.locator("#ticket-header select[name=status]")).to_have_value("resolved")
        status = colleague.page.locator("#ticket-header select[name=status]")
        expect(status).to_have_value("resolved")
        expect(colleague.page.locator("#ticket-header select[name=status] option:checked")).to_have_text("Resolved")

        assert colleague.page.evaluate("window.__sameDocument === true"), "the colleague's page was reloaded"
        for agent in (admin, colleague):
            assert agent.csp_problems() == [], f"{agent.username}: {agent.csp_problems()}"
            assert agent.errors == [], f"{agent.username}: {agent.errors}"
    finally:
        admin.close()
        colleague.close()
