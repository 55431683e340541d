"""Drafts that survive a reload, and an @mention that reaches another agent live (real Chromium,
two browser contexts, the websocket)."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests_e2e.test_agent_flow import Agent, _open_ticket_of

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)

# Records the browser notifications the page shows, then shows them as the browser would.
NOTIFICATION_RECORDER = """
(function () {
  var Real = window.Notification;
  if (!Real) return;
  window.__notifications = [];
  function Recording(title, options) {
    window.__notifications.push(title + " | " + ((options && options.body) || ""));
    return new Real(title, options);
  }
  Object.defineProperty(Recording, "permission", { get: function () { return Real.permission; } });
  Recording.requestPermission = function () { return Real.requestPermission.apply(Real, arguments); };
  window.Notification = Recording;
})();
"""


def shoot(agent: Agent, shots: Path, name: str, *, full_page: bool = False, show=None, again=None) -> None:
    """The page at each width (scrolled to ``show``, after ``again()`` if given); the docs take theirs
    from POMOC_E2E_SCREENSHOTS."""
    for width in WIDTHS:
        agent.page.set_viewport_size({"width": width, "height": 900})
        if again is not None:
            again()
        if show is not None:
            show.scroll_into_view_if_needed()
        agent.page.screenshot(path=str(shots / f"{name}-{width}.png"), full_page=full_page, caret="initial")
    agent.page.set_viewport_size({"width": 1280, "height": 900})


def test_a_draft_is_restored_after_a_reload_and_shown_to_colleagues(site, browser, demo_password, screenshots):
    writer = Agent(browser, site.url, "agent1", demo_password)
    colleague = Agent(browser, site.url, "admin", demo_password)
    try:
        writer.log_in()
        ticket_path = _open_ticket_of(writer)
        writer.page.goto(ticket_path)
        writer.wait_until_live()
        reply = "Dear customer, we have ordered a new kettle for you"
        note = "Check the warranty before promising anything."
        # typed into the rich editors; the textareas behind them hold the plain text
        writer.page.locator("#reply-form .composer-editor").press_sequentially(reply, delay=5)
        writer.page.locator("#note-form .composer-editor").press_sequentially(note, delay=5)
        expect(writer.page.locator("body")).to_have_attribute("data-draft-state", "saved")
        expect(writer.page.locator("#note-form .draft-status")).to_have_text("Draft saved")
        expect(writer.page.locator("#reply-form .draft-status")).to_have_text("Draft saved")

        writer.page.reload()
        expect(writer.page.locator("body")).to_have_attribute("data-drafts-restored", "true")
        expect(writer.page.locator("#reply-body")).to_have_value(reply)
        expect(writer.page.locator("#note-body")).to_have_value(note)
        expect(writer.page.locator("#reply-form .draft-status")).to_have_text("Draft restored")

        # Another agent sees that a draft exists (not its words), and hears when one starts.
        colleague.log_in()
        colleague.page.goto(ticket_path)
        colleague.wait_until_live()
        writer_name = writer.page.locator("header.topbar .who").inner_text().strip()
        notice = colleague.page.locator("#draft-notice")
        expect(notice).to_be_visible()
        expect(notice).to_contain_text(f"{writer_name} has an unsent reply on this ticket")
        expect(notice).to_contain_text(f"{writer_name} has an unsent note on this ticket")
        assert reply not in colleague.page.content()
        writer.page.locator("#reply-form .composer-editor").press("End")
        writer.page.locator("#reply-form .composer-editor").press_sequentially(" soon", delay=20)
        expect(colleague.page.locator("#collision-warning")).to_be_visible()
        shoot(colleague, screenshots, "ticket-drafts", show=colleague.page.locator("#draft-notice"))

        # Sending the note ends its draft: for the writer after a reload, and for the colleague live.
        writer.page.locator("#note-form button[type=submit]").click()
        expect(writer.page.locator("#conversation")).to_contain_text(note)
        expect(notice).not_to_contain_text("unsent note")
        expect(notice).to_contain_text("unsent reply")
        writer.page.goto(ticket_path)
        expect(writer.page.locator("body")).to_have_attribute("data-drafts-restored", "true")
        expect(writer.page.locator("#note-body")).to_have_value("")
        expect(writer.page.locator("#reply-body")).to_have_value(re.compile(r"new kettle for you( soon)?$"))

        for agent in (writer, colleague):
            assert agent.csp_problems() == [], f"{agent.username}: {agent.csp_problems()}"
            assert agent.errors == [], f"{agent.username}: {agent.errors}"
    finally:
        writer.close()
        colleague.close()


def test_a_mention_reaches_the_other_agent_live(site, browser, demo_password, screenshots):
    author = Agent(browser, site.url, "admin", demo_password)
    mentioned = Agent(browser, site.url, "agent1", demo_password)
    try:
        mentioned.context.grant_permissions(["notifications"], origin=site.url)
        mentioned.context.add_init_script(NOTIFICATION_RECORDER)
        mentioned.log_in()
        # Browser notifications are switched on per browser, on the preferences page.
        mentioned.page.goto("/notifications/preferences/")
        switch = mentioned.page.locator("[data-browser-notifications-toggle]")
        expect(switch).to_have_text("Turn on in this browser")
        switch.click()
        expect(mentioned.page.locator("[data-browser-notifications-state]")).to_have_text("On in this browser.")
        expect(switch).to_have_text("Turn off in this browser")
        ticket_path = _open_ticket_of(mentioned)
        mentioned.page.goto("/inbox/?view=open")
        expect(mentioned.page.locator("body")).to_have_attribute("data-live-state", "subscribed")
        mentioned.page.evaluate("window.__sameDocument = true")
        before = int(mentioned.page.locator("#bell").get_attribute("data-unread"))

        author.log_in()
        author.page.goto(ticket_path)
        author.wait_until_live()
        box = author.page.locator("#note-form .composer-editor")
        box.press_sequentially("Could you call them? @agent1", delay=20)
        option = author.page.locator("#mention-list .mention-option").first
        expect(option).to_be_visible()
        expect(option).to_contain_text("@agent1")
        def suggest_again():  # a resized window may take the focus (and the suggestions) away
            box.press("Backspace")
            box.press_sequentially("1", delay=20)
            expect(option).to_be_visible()

        shoot(author, screenshots, "mention-suggestions", show=author.page.locator("#mention-list"),
              again=suggest_again)
        box.press("Enter")
        expect(author.page.locator("#note-body")).to_have_value(re.compile(r"^Could you call them\? @agent1\s?$"))
        box.press_sequentially("thanks", delay=10)
        author.page.locator("#note-form button[type=submit]").click()
        expect(author.page.locator("#conversation")).to_contain_text("@agent1 thanks")

        # The bell of the other agent rings without a reload.
        bell = mentioned.page.locator("#bell")
        expect(bell).to_have_attribute("data-unread", str(before + 1))
        expect(mentioned.page.locator("#bell-count")).to_be_visible()
        assert mentioned.page.evaluate("window.__sameDocument === true"), "the inbox was reloaded"
        shown = mentioned.page.evaluate("window.__notifications")
        assert any("mentioned you on ticket" in n and "@agent1 thanks" in n for n in shown), shown
        mentioned.page.set_viewport_size({"width": 1280, "height": 900})
        mentioned.page.screenshot(path=str(screenshots / "bell-1280.png"), caret="initial",
                                  clip={"x": 640, "y": 0, "width": 640, "height": 60})
        shoot(mentioned, screenshots, "inbox-unread")

        bell.click()
        item = mentioned.page.locator(".notification.is-unread").first
        expect(item).to_contain_text("mentioned you on ticket")
        expect(item).to_contain_text("@agent1 thanks")
        shoot(mentioned, screenshots, "notifications")
        item.locator("a").click()
        mentioned.page.wait_for_url(f"**{ticket_path}")
        expect(mentioned.page.locator("#follow-form button")).to_be_visible()
        mentioned.page.locator("#follow-form button").click()
        expect(mentioned.page.locator("#follow-form button")).to_have_attribute("aria-pressed", "true")

        mentioned.page.goto("/notifications/preferences/")
        expect(mentioned.page.locator("input[name=email_kinds][value=mentioned]")).to_be_checked()
        shoot(mentioned, screenshots, "notification-preferences", full_page=True)

        for agent in (author, mentioned):
            assert agent.csp_problems() == [], f"{agent.username}: {agent.csp_problems()}"
            assert agent.errors == [], f"{agent.username}: {agent.errors}"
    finally:
        author.close()
        mentioned.close()
