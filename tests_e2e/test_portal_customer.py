"""The customer's side of the portal in a real Chromium: a visitor signs up and confirms from the real
e-mail, files a request through the contact form after seeing article suggestions, finds it under "My
requests"; an agent answers in the inbox; the answer reaches the customer by e-mail and in the portal,
and the customer's reply there reaches the agent. Every portal page of this part is checked with axe-core
and photographed at 1280 and 390 px, in English and Czech."""

import re
import time
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect

from pomoc.testing.services import PomocServer, free_port, pomoc, pomoc_env

from .conftest import DEMO_PASSWORD
from .test_agent_flow import CSP_RECORDER, TIMEOUT, Agent
from .test_agent_workspace import serious_violations

pytestmark = pytest.mark.browser

SETUP = """
from pomoc.channels.models import Inbox
for inbox in Inbox.objects.filter(kind="web"):
    inbox.config = {**inbox.config, "min_seconds": 0}
    inbox.save(update_fields=["config"])
"""
CUSTOMER_EMAIL = "customer@example.org"  # the demo's customer account (pomoc.demo.portal)


class _Collector:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture(scope="module")
def mailbox():
    collector = _Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, collector
    controller.stop()


@pytest.fixture(scope="module")
def portal_site(tmp_path_factory, chromium_path, mailbox):
    controller, _collector = mailbox
    data_dir = tmp_path_factory.mktemp("pomoc-e2e-portal")
    env = pomoc_env(data_dir, EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(controller.port))
    pomoc("migrate", "--verbosity", "0", env=env, timeout=600)  # shared test machines can be slow
    pomoc("demo", "--password", DEMO_PASSWORD, "--tickets", "20", "--seed", "3", env=env, timeout=600)
    pomoc("shell", "-c", SETUP, env=env, timeout=300)
    server = PomocServer(data_dir, env=env).start()
    yield server
    server.stop()


def _body(message) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part else ""


def wait_for_mail(collector, server, to: str, containing: str, seconds: float = 40):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for message in collector.messages:
            if to in str(message["To"]) and containing in _body(message) + str(message["Subject"]):
                return message
        time.sleep(0.2)
    raise AssertionError(f"no mail to {to} with {containing!r}; got {[m['Subject'] for m in collector.messages]};"
                         f" server log:\n{server.log()[-3000:]}")


def link_in(message, base_url: str) -> str:
    return re.search(re.escape(base_url) + r"(/\S+)", _body(message)).group(1)


def customer_context(browser, base_url: str, language: str, width: int):
    context = browser.new_context(base_url=base_url, locale=language, bypass_csp=False,
                                  viewport={"width": width, "height": 900})
    context.set_default_timeout(TIMEOUT)
    context.add_init_script(CSP_RECORDER)
    return context


def csp_problems(page) -> list[str]:
    return page.evaluate("window.__cspViolations || []")


def shoot(page, folder, name: str) -> None:
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(folder / f"portal-{name}-{width}.png"), full_page=True, caret="initial")


def check(page, folder, name: str) -> None:
    """No serious or critical accessibility problem, no CSP violation; photographed at both widths."""
    assert serious_violations(page) == [], name
    assert csp_problems(page) == [], name
    shoot(page, folder, name)


def test_a_visitor_signs_up_files_a_request_and_talks_with_an_agent(portal_site, browser, mailbox, screenshots):
    _controller, collector = mailbox
    email = "eva.svobodova@example.cz"
    context = customer_context(browser, portal_site.url, "en-GB", 1280)
    agent = Agent(browser, portal_site.url, "admin", DEMO_PASSWORD)
    try:
        page = context.new_page()
        page.goto("/")
        page.get_by_role("link", name="Sign up").click()
        check(page, screenshots, "en-signup")
        page.fill("input[name=name]", "Eva Svobodová")
        page.fill("input[name=email]", email)
        page.get_by_role("button", name="Send the confirmation link").click()
        expect(page.locator("h1")).to_have_text("Check your e-mail")
        check(page, screenshots, "en-signup-sent")

        confirmation = wait_for_mail(collector, portal_site, email, "/me/confirm/")
        page.goto(link_in(confirmation, portal_site.url))
        check(page, screenshots, "en-signup-confirm")
        page.fill("input[name=new_password1]", "Svetla-Strana-77")
        page.fill("input[name=new_password2]", "Svetla-Strana-77")
        page.get_by_role("button", name="Create my account").click()
        expect(page).to_have_url(re.compile(r"/my/tickets/$"))
        expect(page.locator(".portal-message")).to_contain_text("Welcome")

        page.get_by_role("link", name="New request").click()
        page.fill("input[name=subject]", "The sign-in code does not arr")
        suggestions = page.locator("#contact-suggestions")
        expect(suggestions).to_be_visible()
        expect(suggestions.get_by_role("link", name="The sign-in code does not arrive")).to_be_visible()
        page.fill("textarea[name=text]", "I asked for the code three times; no text message came.")
        check(page, screenshots, "en-contact-suggestions")
        page.get_by_role("button", name="Send").click()
        expect(page).to_have_url(re.compile(r"/my/tickets/\d+/$"))
        number = re.search(r"/my/tickets/(\d+)/", page.url).group(1)
        expect(page.locator(".portal-conversation")).to_contain_text("no text message came")
        acknowledgement = wait_for_mail(collector, portal_site, email, f"#{number}")
        assert f"/my/tickets/{number}/" in _body(acknowledgement)

        page.get_by_role("link", name="All my requests").click()
        expect(page.locator(".portal-tickets")).to_contain_text("The sign-in code does not arr")
        check(page, screenshots, "en-my-requests")

        agent.log_in()
        agent.page.goto(f"/tickets/{number}/")
        agent.wait_until_live()
        expect(agent.page.locator("#conversation")).to_contain_text("no text message came")
        answer = "Please check that your phone number ends in 472; we have sent a new code."
        agent.page.locator("#reply-form .composer-editor").fill(answer)
        agent.page.locator("#reply-form button[type=submit]").first.click()
        expect(agent.page.locator("#conversation")).to_contain_text(answer)

        wait_for_mail(collector, portal_site, email, "ends in 472")
        page.goto(f"/my/tickets/{number}/")
        expect(page.locator(".portal-conversation")).to_contain_text(answer)
        check(page, screenshots, "en-request")
        page.fill("textarea[name=body]", "Thank you, the new code arrived and I am in.")
        page.get_by_role("button", name="Send", exact=True).click()
        expect(page.locator(".portal-message")).to_contain_text("Your reply has been sent")
        expect(agent.page.locator("#conversation")).to_contain_text("the new code arrived")
        assert agent.csp_problems() == []
    finally:
        agent.close()
        context.close()


@pytest.mark.parametrize("language", ["en", "cs"])
def test_the_customer_pages_read_well_in_each_language_and_width(portal_site, browser, screenshots, language):
    context = customer_context(browser, portal_site.url, language, 1280)
    try:
        page = context.new_page()
        page.goto("/me/login/")
        check(page, screenshots, f"{language}-login")
        page.fill("input[name=email]", CUSTOMER_EMAIL)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.locator("form.portal-form button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/my/tickets/$"))
        expect(page.locator(".portal-ticket-row").first).to_be_visible()
        check(page, screenshots, f"{language}-my-requests-demo")
        page.locator(".portal-ticket-row a").first.click()
        expect(page.locator(".portal-message-item, .portal-return, .portal-empty").first).to_be_visible()
        check(page, screenshots, f"{language}-request-demo")
        page.goto("/contact/")
        check(page, screenshots, f"{language}-contact")
        page.goto("/me/")
        check(page, screenshots, f"{language}-profile")
        page.goto("/")
        check(page, screenshots, f"{language}-home")
        page.locator(".portal-account button[type=submit]").click()  # sign out
        for path, name in (("/me/signup/", "signup"), ("/me/login/link/", "login-link"),
                           ("/me/password-reset/", "password-reset"), ("/contact/thanks/?number=1001", "thanks")):
            page.goto(path)
            check(page, screenshots, f"{language}-{name}-anonymous")
    finally:
        context.close()
