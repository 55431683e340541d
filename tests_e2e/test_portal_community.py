"""The community in a real Chromium against a running ``pomoc serve``: a customer signs in, posts a
topic and an idea and votes; an agent answers and accepts the answer, moderates, turns the topic into
a ticket and changes the idea's status, and the voter gets the e-mail (through a local SMTP server).
The customer attaches files to the topic and, editing the idea, to the idea. axe-core checks the
forum, a topic, the ideas and an idea; screenshots at 1280 and 390 px, in English and Czech."""

import re
import struct
import time
import zlib
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect

from pomoc.testing.services import PomocServer, free_port, pomoc, pomoc_env

from .conftest import DEMO_PASSWORD
from .test_agent_flow import TIMEOUT, Agent

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
CUSTOMER = "jana@example.cz"

SETUP = f"""
import datetime as dt
from django.utils import timezone
from pomoc.accounts.models import Role, User
from pomoc.community import idea_services, services
from pomoc.community.models import Category
from pomoc.contacts.models import Contact, IdentityKind
from pomoc.contacts.services import contact_get_or_create
User.objects.create_user("admin", "admin@pomoc.example", "{DEMO_PASSWORD}", role=Role.ADMINISTRATOR,
                         first_name="Alma", last_name="Admin")
def customer(email, name):
    user = User.objects.create_user(email, email, "{DEMO_PASSWORD}", role=Role.CUSTOMER, first_name=name,
                                    date_joined=timezone.now() - dt.timedelta(days=60))
    contact, _ = contact_get_or_create(kind=IdentityKind.EMAIL, value=email, name=name)
    Contact.objects.filter(pk=contact.pk).update(user=user)
    return user
customer("{CUSTOMER}", "Jana Nová")
otto = customer("otto@example.com", "Otto Spammer")
general = Category.objects.create(name="General", slug="general", description="Anything about the product.")
Category.objects.create(name="Billing", slug="billing", position=1)
services.topic_create(author=otto, category=general, title="Cheap watches here", body="Buy now")
services.topic_create(author=otto, category=general, title="Přihlášení přes mobil", body="Jak se přihlásit?")
idea_services.idea_create(author=otto, title="Dark mode for the help centre", body="Easier on the eyes.")
"""


class _Collector:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture(scope="module")
def site(tmp_path_factory, chromium_path):
    collector = _Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port())
    controller.start()
    data_dir = tmp_path_factory.mktemp("pomoc-community")
    env = pomoc_env(data_dir, EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(controller.port))
    pomoc("migrate", "--verbosity", "0", env=env, timeout=600)  # shared test machines can be slow
    pomoc("shell", "-c", SETUP, env=env, timeout=300)
    server = PomocServer(data_dir, env=env).start(timeout=240)
    server.mails = collector.messages
    yield server
    server.stop()
    controller.stop()


def _wait_for_mail(mails, to: str, server, *, subject: str, seconds=40):
    """The mail to ``to`` whose subject has ``subject`` (earlier notices to the same person may arrive
    in any order around it)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = [m for m in mails if m["To"] == to and subject in str(m["Subject"])]
        if found:
            return found[-1]
        time.sleep(0.2)
    subjects = [str(m["Subject"]) for m in mails if m["To"] == to]
    raise AssertionError(f"no mail to {to} about {subject!r} arrived (got {subjects}); server log:\n"
                         f"{server.log()[-3000:]}")


def _axe(browser, url: str, path: str) -> list[str]:
    """Serious and critical axe-core violations of ``path`` (its own context: injecting axe needs the
    page's CSP bypassed, which the other contexts keep)."""
    context = browser.new_context(base_url=url, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(path)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => (await axe.run(document)).violations"
                               ".filter(v => ['serious', 'critical'].includes(v.impact))"
                               ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))")
        return result
    finally:
        context.close()


def _png(width: int = 40, height: int = 30) -> bytes:
    """A real (blue) PNG, so the browser can draw the thumbnail."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + b"\x20\x60\xc0" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def _customer_signs_in(page, email: str) -> None:
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("form.portal-form button[type=submit]").click()


def test_a_customer_posts_and_votes_an_agent_answers_moderates_and_decides(site, browser, screenshots):
    customer = browser.new_context(base_url=site.url, locale="en-GB", viewport={"width": 1280, "height": 900})
    customer.set_default_timeout(TIMEOUT)
    page = customer.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    admin = Agent(browser, site.url, "admin", DEMO_PASSWORD)
    try:
        # The customer: reads without an account, signs in to post, posts a topic and an idea, votes.
        page.goto("/community/")
        expect(page.locator("h1")).to_have_text("Community")
        page.get_by_role("link", name="Start a topic").click()
        expect(page).to_have_url(f"{site.url}/me/login/?next=%2Fcommunity%2Fnew%2F")
        _customer_signs_in(page, CUSTOMER)
        expect(page).to_have_url(f"{site.url}/community/new/")
        page.select_option("select[name=category]", label="General")
        page.fill("input[name=title]", "Exporting my invoices to PDF")
        page.fill("textarea[name=body]", "Where can I **download** all my invoices at once?")
        page.set_input_files("input[name=files]", files=[
            {"name": "invoices.png", "mimeType": "image/png", "buffer": _png()},
            {"name": "steps.txt", "mimeType": "text/plain", "buffer": b"1. Open invoices\n2. Nothing\n"}])
        page.get_by_role("button", name="Post the topic").click()
        expect(page.locator("h1")).to_have_text("Exporting my invoices to PDF")
        expect(page.locator(".cm-topic .cm-body strong")).to_have_text("download")
        topic_path = page.url.removeprefix(site.url)
        # the image is a thumbnail that the browser draws (served by the access-checked view), the
        # text file a download link
        thumb = page.locator(".cm-topic img.cm-thumb")
        expect(thumb).to_have_attribute("alt", "invoices.png")
        expect(thumb).to_have_js_property("naturalWidth", 40)
        expect(page.locator(".cm-topic .cm-files a[download]")).to_have_text("steps.txt")
        # the author edits the topic while nobody has answered yet; it is marked edited
        page.locator(".cm-topic").get_by_role("link", name="Edit").click()
        page.fill("textarea[name=body]", "Where can I **download** all my invoices of 2026 at once?")
        page.get_by_role("button", name="Save the changes").click()
        expect(page.locator(".cm-topic .cm-body")).to_contain_text("of 2026")
        expect(page.locator(".cm-topic .cm-edited")).to_have_text("edited")

        page.goto("/ideas/new/")
        page.fill("input[name=title]", "Invoices as one ZIP file")
        page.fill("textarea[name=body]", "One click for the whole year.")
        page.get_by_role("button", name="Post the idea").click()
        expect(page.locator("h1")).to_have_text("Invoices as one ZIP file")
        expect(page.locator(".cm-idea-head .cm-count")).to_have_text("1")
        idea_path = page.url.removeprefix(site.url)
        # the author adds a picture while editing the idea: a thumbnail on the idea, a file to remove
        # on the edit page
        page.locator(".cm-idea-page").get_by_role("link", name="Edit").click()
        page.set_input_files("input[name=files]", files=[
            {"name": "zip-mockup.png", "mimeType": "image/png", "buffer": _png()}])
        page.get_by_role("button", name="Save the changes").click()
        expect(page).to_have_url(f"{site.url}{idea_path}")
        idea_thumb = page.locator(".cm-idea-page img.cm-thumb")
        expect(idea_thumb).to_have_attribute("alt", "zip-mockup.png")
        expect(idea_thumb).to_have_js_property("naturalWidth", 40)
        expect(page.locator(".cm-idea-page .cm-edited")).to_have_text("edited")
        page.locator(".cm-idea-page").get_by_role("link", name="Edit").click()
        expect(page.get_by_label("Remove zip-mockup.png")).not_to_be_checked()
        page.screenshot(path=str(screenshots / "community-idea-edit-en-1280.png"), full_page=True)
        page.go_back()
        page.goto("/ideas/")
        dark = page.locator(".cm-row", has_text="Dark mode for the help centre")
        dark.locator("button.cm-vote").click()
        dark = page.locator(".cm-row", has_text="Dark mode for the help centre")
        expect(dark.locator("button.cm-vote")).to_have_attribute("aria-pressed", "true")
        expect(dark.locator(".cm-count")).to_have_text("2")

        # The agent: answers and accepts, pins, hides spam, opens a ticket, sets the idea's status.
        admin.log_in()
        expect(admin.page.locator("header.topbar a", has_text="Community")).to_be_visible()
        admin.page.goto(topic_path)
        admin.page.fill("textarea[name=body]", "Open *Invoices* and choose **Download all**.")
        admin.page.get_by_role("button", name="Post the reply").click()
        reply = admin.page.locator(".cm-reply").last
        expect(reply.locator(".cm-staff")).to_have_text("Staff")
        reply.get_by_role("button", name="Accept as the answer").click()
        expect(admin.page.locator(".cm-accepted")).to_contain_text("Download all")
        admin.page.locator(".cm-moderate summary").click()
        admin.page.get_by_role("button", name="Pin", exact=True).click()
        expect(admin.page.locator(".cm-topic .cm-badge", has_text="Pinned")).to_be_visible()
        admin.page.locator(".cm-moderate summary").click()
        admin.page.get_by_role("button", name="Turn into a ticket").click()
        expect(admin.page).to_have_url(re.compile(r"/tickets/\d+/$"))
        expect(admin.page.locator("#conversation")).to_contain_text("Where can I download all my invoices")
        expect(admin.page.locator("#conversation")).to_contain_text(topic_path)

        admin.page.goto("/community/")
        admin.page.get_by_role("link", name="Cheap watches here").click()
        admin.page.locator(".cm-moderate summary").click()
        admin.page.get_by_role("button", name="Hide", exact=True).click()
        expect(admin.page.locator(".cm-topic .cm-badge", has_text="Hidden")).to_be_visible()
        admin.page.goto("/community/moderation/")
        expect(admin.page.locator("h1")).to_have_text("Community")
        expect(admin.page.locator(".cm-agent")).to_contain_text("Cheap watches here")
        admin.page.screenshot(path=str(screenshots / "community-agent-queue-en-1280.png"), full_page=True)

        admin.page.goto("/ideas/")
        admin.page.get_by_role("link", name="Dark mode for the help centre").click()
        admin.page.select_option("select[name=status]", "planned")
        admin.page.fill("textarea[name=answer]", "Planned for the spring release.")
        admin.page.get_by_role("button", name="Save the status").click()
        expect(admin.page.locator(".cm-official")).to_contain_text("Planned for the spring release.")
        expect(admin.page.locator(".cm-status")).to_have_text("Planned")
        mail = _wait_for_mail(site.mails, CUSTOMER, site, subject="Dark mode")
        assert "Planned" in mail["Subject"]
        assert "/ideas/" in mail.get_body(("plain",)).get_content()
        assert not admin.errors and not admin.csp_problems()

        # The customer sees the accepted answer; the spam is gone.
        page.goto(topic_path)
        expect(page.locator(".cm-accepted")).to_contain_text("Download all")
        page.goto("/community/")
        expect(page.locator(".cm-list")).not_to_contain_text("Cheap watches here")
        expect(page.locator(".cm-row").first).to_contain_text("Exporting my invoices to PDF")  # pinned
        assert not errors
    finally:
        admin.close()
        customer.close()

    for path in ("/community/", topic_path, "/ideas/", idea_path):
        assert _axe(browser, site.url, path) == [], path


@pytest.mark.parametrize("language", ["en", "cs"])
def test_screenshots_at_desktop_and_phone_widths(site, browser, screenshots, language):
    for width in (1280, 390):
        context = browser.new_context(base_url=site.url, locale=language, viewport={"width": width, "height": 900})
        try:
            page = context.new_page()
            page.goto("/community/")
            topic = page.locator("a.cm-title").first.get_attribute("href")
            for name, path in (("forum", "/community/"), ("topic", topic), ("ideas", "/ideas/")):
                page.goto(path)
                assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (name, width)
                page.screenshot(path=str(screenshots / f"community-{name}-{language}-{width}.png"), full_page=True)
            page.get_by_role("link", name="Dark mode for the help centre").click()
            page.screenshot(path=str(screenshots / f"community-idea-{language}-{width}.png"), full_page=True)
        finally:
            context.close()
