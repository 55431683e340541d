"""The chat widget on a customer's site (another origin), against a real ``pomoc serve``: what the
visitor sees before and outside a conversation, in real headless Chromium. The conversation with an
agent, reconnects included, is in test_chat_conversation.py."""

import re

import pytest
from playwright.sync_api import expect

from pomoc.testing.services import PomocServer, pomoc, pomoc_env

from .chat_helpers import REPO, WIDGET, HostSite, Visitor, set_up_chat

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def chat(tmp_path_factory, chromium_path):
    """``pomoc serve`` with three chat inboxes, and the host site embedding them."""
    assert WIDGET.is_file(), "build the widget first: make assets"
    data_dir = tmp_path_factory.mktemp("pomoc-chat-e2e")
    env = pomoc_env(data_dir)
    pomoc("migrate", "--verbosity", "0", env=env)
    server = PomocServer(data_dir, env=env).start()
    host = HostSite(server.url).start()
    keys = set_up_chat(server, host.origin)
    yield server, host, keys
    host.stop()
    server.stop()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_widget_keeps_the_host_pages_css_out_and_opens_and_closes_by_keyboard(chat, browser, screenshots, width):
    server, host, keys = chat
    visitor = Visitor(browser, width=width)
    visitor.goto(host.url(keys["shop"]))
    launcher = visitor.w("button.launcher")
    expect(launcher).to_have_attribute("aria-label", "Open chat")
    # the host page paints every button yellow with a red border and all text red: not ours
    expect(launcher).to_have_css("background-color", "rgb(11, 110, 79)")  # the inbox's colour
    expect(launcher).to_have_css("border-top-width", "0px")
    visitor.page.screenshot(path=screenshots / f"chat-closed-{width}.png")
    launcher.focus()
    visitor.page.keyboard.press("Enter")
    expect(visitor.w(".panel")).to_be_visible()
    expect(visitor.w(".composer textarea")).to_be_focused()
    assert visitor.w(".composer textarea").evaluate("el => getComputedStyle(el).color") != "rgb(204, 0, 0)"
    expect(visitor.w("li.greeting")).to_have_text("Hi! How can we help?")
    visitor.page.screenshot(path=screenshots / f"chat-open-{width}.png")
    # the focus stays inside the open panel
    for _ in range(8):
        visitor.page.keyboard.press("Tab")
        assert visitor.page.evaluate("document.activeElement && document.activeElement.hasAttribute('data-pomoc-chat')")
    visitor.page.keyboard.press("Escape")
    expect(visitor.w(".panel")).to_be_hidden()
    expect(launcher).to_be_focused()
    assert visitor.errors == []
    visitor.close()


def test_an_axe_check_of_the_open_widget_finds_nothing(chat, browser):
    server, host, keys = chat
    visitor = Visitor(browser, bypass_csp=True)  # axe-core is injected as an inline script
    visitor.goto(host.url(keys["shop"]))
    visitor.open()
    visitor.say("Hello, is anyone there?")
    expect(visitor.w("li.visitor[data-seq]")).to_have_count(1)
    visitor.page.add_script_tag(path=str(REPO / "node_modules" / "axe-core" / "axe.min.js"))
    violations = visitor.page.evaluate("""async () => {
        const result = await axe.run({include: [["[data-pomoc-chat]"]]}, {resultTypes: ["violations"]});
        return result.violations.map(v => v.id + ": " + v.nodes.map(n => n.target.join(" ")).join(", "));
    }""")
    assert violations == []
    visitor.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_pre_chat_questions_come_first_and_start_the_chat(chat, browser, screenshots, width):
    server, host, keys = chat
    visitor = Visitor(browser, width=width)
    visitor.goto(host.url(keys["prechat"]))
    visitor.open()
    form = visitor.w("form.form")
    expect(form.locator("label", has_text="Your name")).to_be_visible()
    visitor.page.screenshot(path=screenshots / f"chat-prechat-{width}.png")
    form.locator("button[type=submit]").click()
    expect(form.locator(".error")).to_have_text("Please fill in “Your name”.")
    form.locator("input[name=name]").fill("Eva Malá")
    form.locator("input[name=email]").fill("eva@example.com")
    form.locator("select[name=topic]").select_option("Delivery")
    form.locator("button[type=submit]").click()
    expect(visitor.w(".composer textarea")).to_be_visible()
    expect(visitor.w(".status")).to_have_text(re.compile(r"in the queue|Waiting for an agent"))
    visitor.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_with_nobody_online_the_widget_is_a_form_that_opens_a_ticket(chat, browser, screenshots, width):
    server, host, keys = chat
    visitor = Visitor(browser, width=width)
    visitor.goto(host.url(keys["night"]))
    visitor.open()
    form = visitor.w("form.form")
    expect(form).to_contain_text("We answer every message by e-mail within a working day.")
    visitor.page.screenshot(path=screenshots / f"chat-offline-{width}.png")
    form.locator("input[name=name]").fill("Olga Nowak")
    form.locator("input[name=email]").fill("olga@example.com")
    form.locator("textarea[name=message]").fill(f"My parcel never came ({width}).")
    form.locator("button[type=submit]").click()
    thanks = visitor.w("[role=status] .note")
    expect(thanks).to_contain_text("Your request number is")
    number = thanks.text_content().rsplit(" ", 1)[-1].rstrip(".")
    found = pomoc("shell", "-c", "from pomoc.tickets.models import Ticket; "
                  f"t = Ticket.objects.get(number={int(number)}); print(t.subject, '|', t.channel)", env=server.env)
    assert "olga" in found.stdout.lower() or "parcel" in found.stdout.lower()
    visitor.close()


def test_a_proactive_invitation_opens_the_widget_with_its_message(chat, browser, screenshots):
    server, host, keys = chat
    visitor = Visitor(browser)
    visitor.goto(host.url(keys["shop"], "pricing"))
    expect(visitor.w(".panel")).to_be_visible()
    expect(visitor.w("li.invite .bubble")).to_have_text("Questions about our prices?")
    visitor.page.screenshot(path=screenshots / "chat-invitation-1280.png")
    visitor.close()


@pytest.mark.parametrize(("language", "expected"),
                         [("cs", "Otevřít chat"), ("pl", "Otwórz czat"), ("et", "Ava vestlus")])
def test_the_widget_speaks_the_pages_language(chat, browser, language, expected):
    server, host, keys = chat
    visitor = Visitor(browser)
    visitor.goto(host.url(keys["shop"], lang=language))
    expect(visitor.w("button.launcher")).to_have_attribute("aria-label", expected)
    visitor.close()
