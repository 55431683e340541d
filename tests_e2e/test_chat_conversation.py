"""A visitor on a customer's site and agents in Pomoc's inbox, each in their own browser context,
talk through the chat widget and the ticket page's chat panel, in real headless Chromium against a
real ``pomoc serve``: both ways, a transfer to another agent, a file, each side's network gone for
several seconds while the other writes (nothing lost, doubled or reordered, and no reload), and the
rating at the end."""

import time

import pytest
from playwright.sync_api import expect

from pomoc.testing.services import PomocServer, pomoc, pomoc_env

from .chat_helpers import AGENT_PASSWORD, WIDGET, HostSite, Visitor, set_up_chat
from .test_agent_flow import Agent

pytestmark = pytest.mark.browser

OFFLINE_SECONDS = 5  # "several seconds" without network, longer than the widget's first retries


@pytest.fixture(scope="module")
def chat(tmp_path_factory, chromium_path):
    assert WIDGET.is_file(), "build the widget first: make assets"
    data_dir = tmp_path_factory.mktemp("pomoc-chat-talk")
    env = pomoc_env(data_dir)
    pomoc("migrate", "--verbosity", "0", env=env)
    server = PomocServer(data_dir, env=env).start()
    host = HostSite(server.url).start()
    keys = set_up_chat(server, host.origin)
    yield server, host, keys
    host.stop()
    server.stop()


def agent_lines(agent: Agent) -> list[str]:
    return agent.page.locator(LINE_BODIES).all_text_contents()


LINE_BODIES = "[data-chat-lines] li.chat-line[data-seq] .chat-line-body"


def expect_agent_sees(agent: Agent, text: str) -> None:
    expect(agent.page.locator(LINE_BODIES, has_text=text)).to_have_count(1)


def agent_says(agent: Agent, text: str) -> None:
    # the panel's script has run (it marks the panel once its socket first answered): before that,
    # Enter in the box would only add a new line
    agent.page.wait_for_selector("#chat-panel[data-live]", state="attached")
    box = agent.page.locator("[data-chat-input]")
    box.fill(text)
    box.press("Enter")
    expect(box).to_have_value("")


def no_doubles_in_order(bodies: list[str], expected: list[str]) -> None:
    """``expected`` appear exactly once each, in this order, among ``bodies``."""
    for text in expected:
        assert bodies.count(text) == 1, (text, bodies)
    positions = [bodies.index(text) for text in expected]
    assert positions == sorted(positions), bodies


def test_a_visitor_and_agents_talk_through_drops_a_transfer_a_file_and_a_rating(chat, browser, screenshots, tmp_path):
    server, host, keys = chat
    visitor = Visitor(browser)
    jana = Agent(browser, server.url, "chatagent", AGENT_PASSWORD)
    petr = Agent(browser, server.url, "chatsecond", AGENT_PASSWORD)
    try:
        jana.log_in()
        visitor.goto(host.url(keys["shop"]))
        visitor.open()
        visitor.say("Hello, my tea order 1042 has not arrived.")
        expect(visitor.w("li.visitor[data-seq] .mark")).to_have_attribute("aria-label", "Sent")

        # the agent takes it from the queue and lands on the ticket with the chat panel
        jana.page.goto("/chat/live/")
        jana.page.locator("table.chat-queue button", has_text="Accept").first.click()
        expect(jana.page.locator("#chat-panel")).to_be_visible()
        expect_agent_sees(jana, "Hello, my tea order 1042 has not arrived.")
        expect(visitor.w(".status")).to_contain_text("Jana")
        agent_says(jana, "Hi, I am looking at order 1042 now.")
        expect(visitor.w("li.agent[data-seq] .bubble", has_text="order 1042 now")).to_have_count(1)
        # read marks: the agent has the page open, so what the visitor writes now is read at once
        visitor.say("Thank you!")
        expect_agent_sees(jana, "Thank you!")
        expect(visitor.w("li.visitor[data-seq] .mark").last).to_have_attribute("aria-label", "Read")
        visitor.page.evaluate("window.__noReload = true")
        jana.page.evaluate("window.__noReload = true")

        # typing, both ways
        visitor.w(".composer textarea").press_sequentially("It was paid on the 12th", delay=150)
        expect(jana.page.locator("[data-chat-typing]")).to_be_visible()
        visitor.w(".composer textarea").fill("")
        jana.page.locator("[data-chat-input]").press_sequentially("Let me check", delay=100)
        expect(visitor.w(".typing")).to_contain_text("typing")
        jana.page.locator("[data-chat-input]").fill("")

        # a file from the visitor
        attachment = tmp_path / "receipt.txt"
        attachment.write_text("Order 1042, paid 12 Dec.\n")
        visitor.w("input[type=file]").set_input_files(str(attachment))
        expect(visitor.w("li.visitor[data-seq] .files", has_text="receipt.txt")).to_have_count(1)
        live_file = jana.page.locator("[data-chat-lines] a.chat-file", has_text="receipt.txt")
        expect(live_file).to_have_count(1)  # a link as soon as it arrives, no reload
        assert jana.page.evaluate("window.__noReload") is True
        href = live_file.get_attribute("href")
        assert href.startswith("/attachments/")
        got = jana.page.request.get(href)  # the ticket's download, with the agent's access
        assert got.status == 200 and got.body() == b"Order 1042, paid 12 Dec.\n"

        # the visitor's network is gone while the agent writes; back, the visitor has all, once, in order
        visitor.context.set_offline(True)
        written = [f"While you were away {n}." for n in range(1, 4)]
        for text in written:
            agent_says(jana, text)
        time.sleep(OFFLINE_SECONDS)
        visitor.context.set_offline(False)
        expect(visitor.w("li.agent[data-seq] .bubble", has_text="While you were away 3.")).to_have_count(1)
        no_doubles_in_order(visitor.bodies(), ["Hi, I am looking at order 1042 now.", *written])

        # the agent's network is gone while the visitor writes (and a message typed offline waits)
        jana.context.set_offline(True)
        asked = [f"Visitor question {n}?" for n in range(1, 4)]
        for text in asked:
            visitor.say(text)
        expect(visitor.w("li.visitor[data-seq] .bubble", has_text="Visitor question 3?")).to_have_count(1)
        time.sleep(OFFLINE_SECONDS)
        jana.context.set_offline(False)
        expect_agent_sees(jana, "Visitor question 3?")
        no_doubles_in_order(agent_lines(jana), ["Hello, my tea order 1042 has not arrived.", *asked])

        visitor.context.set_offline(True)
        visitor.say("Typed while offline.")
        expect(visitor.w("li.pending .mark")).to_have_attribute("aria-label", "Not sent yet")
        time.sleep(2)
        visitor.context.set_offline(False)
        expect(visitor.w("li.visitor[data-seq] .bubble", has_text="Typed while offline.")).to_have_count(1)
        expect(visitor.w("li.pending")).to_have_count(0)
        expect_agent_sees(jana, "Typed while offline.")
        assert visitor.page.evaluate("window.__noReload") is True
        assert jana.page.evaluate("window.__noReload") is True

        # transfer to Petr, who answers from his own inbox
        ticket_url = jana.page.url
        jana.page.select_option("#chat-transfer-to", label="Petr Svoboda")
        jana.page.locator("form.chat-transfer button[type=submit]").click()
        petr.log_in()
        petr.page.goto(ticket_url)
        expect(petr.page.locator("#chat-panel")).to_be_visible()
        accept = petr.page.locator("[data-chat-accept]")
        if accept.count():
            accept.click()
        agent_says(petr, "Petr here: the parcel is at the depot, it comes tomorrow.")
        expect(visitor.w("li.agent[data-seq] .bubble", has_text="Petr here")).to_have_count(1)
        expect(visitor.w("li.agent[data-seq] .who").last).to_have_text("Petr Svoboda")
        visitor.page.screenshot(path=screenshots / "chat-conversation-1280.png")
        petr.page.screenshot(path=screenshots / "chat-agent-panel-1280.png", full_page=True)

        # the whole conversation, once each, in order, on both sides
        everything = ["Hello, my tea order 1042 has not arrived.", "Hi, I am looking at order 1042 now.",
                      "Thank you!", *written,
                      *asked, "Typed while offline.", "Petr here: the parcel is at the depot, it comes tomorrow."]
        no_doubles_in_order([b for b in visitor.bodies() if b], everything)
        no_doubles_in_order(agent_lines(petr), everything)

        # the visitor ends it and rates it
        visitor.w("header button", has_text="End chat").click()
        expect(visitor.w(".end legend")).to_have_text("How was this chat?")
        visitor.w(".stars label").nth(3).click()
        visitor.w(".end textarea").fill("Quick and kind.")
        visitor.page.screenshot(path=screenshots / "chat-rating-1280.png")
        visitor.w(".end button[type=submit]", has_text="Send rating").click()
        expect(visitor.w(".end .note")).to_have_text("Thank you for your rating.")
        stored = pomoc("shell", "-c", "from pomoc.surveys.models import Answer; "
                       "a = Answer.objects.order_by('-pk').first(); "
                       "print(a.score, '|', a.comment, '|', a.kind, '|', a.agent.username)", env=server.env)
        assert stored.stdout.strip().splitlines()[-1] == "4 | Quick and kind. | csat | chatsecond"
        assert visitor.errors == []
    finally:
        visitor.close()
        jana.close()
        petr.close()


def test_the_conversation_survives_navigation_and_a_closed_tab(chat, browser):
    server, host, keys = chat
    visitor = Visitor(browser)
    jana = Agent(browser, server.url, "chatagent", AGENT_PASSWORD)
    try:
        visitor.goto(host.url(keys["shop"], "shoes"))
        visitor.open()
        visitor.say("Do you ship to Tartu?")
        expect(visitor.w("li.visitor[data-seq]")).to_have_count(1)
        # another page of the site: the chat is open again with its history
        visitor.page.get_by_role("link", name="Another page").click()
        visitor.page.wait_for_selector("[data-pomoc-chat]", state="attached")
        expect(visitor.w(".panel")).to_be_visible()
        expect(visitor.w("li.visitor[data-seq] .bubble")).to_have_text(["Do you ship to Tartu?"])
        # the tab closed; the agent answers meanwhile; a new tab of the same browser has it all
        visitor.page.close()
        jana.log_in()
        jana.page.goto("/chat/live/")
        jana.page.locator("table.chat-queue tr", has_text="Do you ship to Tartu?").locator("button").click()
        agent_says(jana, "Yes, in two days.")
        page = visitor.context.new_page()
        visitor.page = page
        page.goto(host.url(keys["shop"], "home"))
        page.wait_for_selector("[data-pomoc-chat]", state="attached")
        # the reply written while no page was open is unread: the button counts it
        expect(visitor.w("button.launcher")).to_have_attribute("aria-expanded", "false")
        expect(visitor.w(".badge")).to_have_text("1")
        # and a reply while the chat is closed counts too
        agent_says(jana, "By courier.")
        expect(visitor.w(".badge")).to_have_text("2")
        expect(visitor.w("button.launcher")).to_have_attribute("aria-label", "Open chat (2 unread)")
        # while the tab is in the background, the page title says so too (until the visitor is back)
        visitor.page.evaluate("""() => {
            window.__hidden = true;
            Object.defineProperty(document, "hidden", {configurable: true, get: () => window.__hidden});
            document.dispatchEvent(new Event("visibilitychange"));
        }""")
        agent_says(jana, "Tracking number follows.")
        expect(visitor.page).to_have_title("(3) New message – Acme home")
        visitor.page.evaluate("() => { window.__hidden = false; "
                              "document.dispatchEvent(new Event('visibilitychange')); }")
        expect(visitor.page).to_have_title("Acme home")
        visitor.open()
        expect(visitor.w(".badge")).to_be_hidden()
        expect(visitor.w("li[data-seq] .bubble")).to_have_text(
            ["Do you ship to Tartu?", "Yes, in two days.", "By courier.", "Tracking number follows."])
    finally:
        visitor.close()
        jana.close()
