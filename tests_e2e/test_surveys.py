"""A customer answers the CSAT survey from the link in a real e-mail (sent by the running Pomoc through a
local SMTP server) on a phone; the answer shows on the ticket and in the reports and their CSV."""

import csv
import io
import re
import time
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect

from pomoc.testing.services import PomocServer, free_port, pomoc, pomoc_env

from .conftest import DEMO_PASSWORD
from .test_agent_flow import Agent

pytestmark = pytest.mark.browser

SETUP = f"""
from pomoc.accounts.models import Role, User
from pomoc.channels.models import Inbox
from pomoc.surveys.services import survey_update
from pomoc.testing.factories import ContactFactory, make_ticket
admin = User.objects.create_user("admin", "admin@pomoc.example", "{DEMO_PASSWORD}", role=Role.ADMINISTRATOR,
                                 first_name="Alma", last_name="Admin")
Inbox.objects.create(name="Support", address="support@pomoc.example")
for kind in ("csat", "ces"):
    survey_update(kind=kind, enabled=True, questions={{}}, min_interval_days=30, valid_days=14, low_score=2)
customer = ContactFactory(name="Jana Nová", email="jana@example.cz", language="{{language}}")
print(make_ticket(requester=customer, subject="Tiskárna netiskne", assignee=admin).number)
"""


class _Collector:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp():
    collector = _Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, collector
    controller.stop()


def _wait_for_mail(collector, server, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if collector.messages:
            return collector.messages[0]
        time.sleep(0.2)
    raise AssertionError(f"no survey mail arrived; server log:\n{server.log()[-3000:]}")


@pytest.mark.parametrize(("language", "width"), [("en", 390), ("cs", 390)])
def test_a_customer_answers_from_the_mail_and_the_answer_reaches_ticket_and_reports(
        tmp_path, browser, smtp, screenshots, language, width):
    controller, collector = smtp
    env = pomoc_env(tmp_path, EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(controller.port))
    pomoc("migrate", "--verbosity", "0", env=env)
    number = pomoc("shell", "-c", SETUP.replace("{language}", language), env=env).stdout.strip().splitlines()[-1]
    server = PomocServer(tmp_path, env=env).start()
    admin = Agent(browser, server.url, "admin", DEMO_PASSWORD)
    customer = browser.new_context(viewport={"width": width, "height": 800}, locale=language)
    try:
        admin.log_in()
        admin.page.goto(f"/tickets/{number}/")
        admin.wait_until_live()
        admin.page.locator("#ticket-header button", has_text="Resolve").click()
        expect(admin.page.locator("#ticket-header select[name=status]")).to_have_value("resolved")

        mail = _wait_for_mail(collector, server)
        assert mail["To"] == "jana@example.cz" and mail["Auto-Submitted"] == "auto-generated"
        text = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
        links = dict(re.findall(r"^(\d)(?: \([^)]*\))?: (http\S+)$", text, re.M))
        assert sorted(links) == ["1", "2", "3", "4", "5"]
        html = mail.get_body(("html",)).get_content()
        assert links["4"].replace("&", "&amp;") in html

        page = customer.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(links["4"])  # one click in the mail
        thanks = {"en": "Thank you for your answer!", "cs": "Děkujeme za vaši odpověď!"}[language]
        expect(page.locator("h1")).to_have_text(thanks)
        expect(page.locator(".your-answer")).to_contain_text("4")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        page.screenshot(path=str(screenshots / f"survey-thanks-{language}-{width}.png"), full_page=True)
        page.fill("#comment", "Rychlé a milé." if language == "cs" else "Quick and kind.")
        page.locator(".comment-form button[type=submit]").click()
        expect(page.locator("blockquote.comment")).to_be_visible()
        page.locator("a.button.primary").click()  # the next question: CES
        expect(page.locator(".scores button")).to_have_count(7)
        page.screenshot(path=str(screenshots / f"survey-ces-{language}-{width}.png"), full_page=True)
        page.locator(".scores button", has_text="6").click()
        expect(page.locator(".your-answer")).to_contain_text("6")
        page.goto(links["1"])  # another score from the same mail: the first answer stands
        expect(page.locator(".your-answer")).to_contain_text("4")
        assert not errors

        admin.page.goto(f"/tickets/{number}/")
        expect(admin.page.locator("#conversation")).to_contain_text("CSAT 4 of 5")
        admin.page.goto("/reports/?period=7")
        csat_card = admin.page.locator(".card", has_text="CSAT")
        expect(csat_card.locator(".figure")).to_have_text("100.0 %")
        expect(admin.page.locator(".card", has_text="CES").locator(".figure")).to_have_text("6.0")
        with admin.page.expect_download() as download:
            admin.page.locator("a[href*='format=csv']").click()
        rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
        assert ["CSAT (percent satisfied)", "1", "100.0"] in rows and ["CES (mean of 1–7)", "1", "6.0"] in rows
        assert not admin.errors and not admin.csp_problems()
    finally:
        customer.close()
        admin.close()
        server.stop()
