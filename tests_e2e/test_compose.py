"""Writing to customers in a real Chromium: a new ticket that starts with a message to a contact found by
typing, a rich reply with Cc and Bcc and a pasted picture, a forward. Everything leaves through a real
SMTP server (aiosmtpd in this process) that ``pomoc serve``'s worker delivers to; the test reads what
arrived. Screenshots (1280 and 390 px wide) go to POMOC_E2E_SCREENSHOTS for a person to look at."""

import base64
import email
import email.policy
import re
import struct
import time
import zlib
from types import SimpleNamespace

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect

from pomoc.testing.services import PomocServer, free_port, pomoc, pomoc_env

from .test_agent_flow import Agent

pytestmark = pytest.mark.browser



def _png(width: int, height: int) -> bytes:
    """A small striped picture (PNG), made here rather than stored."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"".join(bytes((37, 99, 235) if (x // 6 + y // 6) % 2 else (191, 219, 254))
                                        for x in range(width)) for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


# A picture pasted into the reply and attached to the first message.
PNG_B64 = base64.b64encode(_png(96, 48)).decode()

SETUP = """
from pomoc.accounts.models import User
from pomoc.contacts.models import Contact, Identity
c = Contact.objects.create(name="Jana Nováková")
Identity.objects.create(contact=c, kind="email", value="jana.novakova@zakaznik.example")
Identity.objects.create(contact=c, kind="phone", value="+420601234567")
User.objects.filter(username="admin").update(signature="")
print("CONTACT", c.pk)
"""


class Collector:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture(scope="module")
def mail_site(tmp_path_factory, chromium_path, demo_password):
    """``pomoc serve`` (with its worker) whose outgoing mail goes to a real SMTP server in this process."""
    collector = Collector()
    smtp = Controller(collector, hostname="127.0.0.1", port=free_port())
    smtp.start()
    data_dir = tmp_path_factory.mktemp("pomoc-compose")
    env = pomoc_env(data_dir, EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp.port),
                    DEFAULT_FROM_EMAIL="Pomoc <help@pomoc.example>")
    pomoc("migrate", "--verbosity", "0", env=env)
    pomoc("demo", "--password", demo_password, "--tickets", "20", "--seed", "3", env=env, timeout=600)
    pomoc("shell", "-c", SETUP, env=env)
    server = PomocServer(data_dir, env=env).start()
    yield SimpleNamespace(url=server.url, env=env, envelopes=collector.envelopes)
    server.stop()
    smtp.stop()


def mail_to(site, address: str, *, after: int = 0, wait: float = 60):
    """The first mail that arrived (after the first ``after`` ones) with ``address`` in its envelope."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        for envelope in site.envelopes[after:]:
            if address in envelope.rcpt_tos:
                return envelope, email.message_from_bytes(envelope.content, policy=email.policy.default)
        time.sleep(0.2)
    pytest.fail(f"no mail to {address} arrived; got {[e.rcpt_tos for e in site.envelopes]}")


def plain(mail) -> str:
    return mail.get_body(("plain",)).get_content().replace("\r\n", "\n")


def shoot(page, screenshots, name: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.screenshot(path=str(screenshots / f"{name}-{width}.png"), full_page=True, caret="initial")


def test_an_agent_writes_to_a_customer_first_replies_with_copies_and_forwards(mail_site, browser, demo_password,
                                                                              screenshots):
    agent = Agent(browser, mail_site.url, "admin", demo_password)
    try:
        page = agent.page
        page.set_viewport_size({"width": 1280, "height": 900})
        agent.log_in()

        # A signature of one's own, in the preferences.
        page.goto("/accounts/preferences/")
        page.fill("textarea[name=signature]", "Alena Adminová\nPomoc s.r.o.")
        page.locator("form.stacked button[type=submit]").click()
        expect(page.locator(".flash")).to_contain_text("Your preferences have been saved.")
        shoot(page, screenshots, "signature", 1280)

        # --- a new ticket that starts with a message to a contact found by typing -----------------
        page.goto("/tickets/new/")
        page.locator("label", has_text="A message to the customer (sent now)").click()
        page.locator("#contact-search").press_sequentially("601 23", delay=30)  # part of her phone number
        option = page.locator("#contact-results [role=option]", has_text="Jana Nováková")
        expect(option).to_be_visible()
        expect(page.locator("#contact-results")).to_contain_text("jana.novakova@zakaznik.example")
        shoot(page, screenshots, "new-ticket-picker", 1280)
        option.click()
        expect(page.locator("[data-contact-chosen]")).to_contain_text("Jana Nováková")
        expect(page.locator("[data-new-contact]")).to_be_hidden()
        page.fill("#id_subject", "Your order is ready")
        page.fill("#id_cc", "ucetni@zakaznik.example")
        editor = page.locator("#new-ticket-form .composer-editor")
        editor.click()
        page.keyboard.type("Dear Jana, your order is ")
        page.locator("#new-ticket-form .composer-bold").click()
        page.keyboard.type("ready")
        page.locator("#new-ticket-form .composer-bold").click()
        page.keyboard.type(" for pickup.")
        expect(page.locator("#id_body")).to_have_value("Dear Jana, your order is ready for pickup.")
        page.set_input_files("#new-ticket-form input[name=attachments]", files=[
            {"name": "invoice.png", "mimeType": "image/png", "buffer": base64.b64decode(PNG_B64)}])
        expect(page.locator("#new-ticket-form .composer-attachments img.composer-preview")).to_have_count(1)
        shoot(page, screenshots, "new-ticket", 1280)
        shoot(page, screenshots, "new-ticket", 390)
        page.set_viewport_size({"width": 1280, "height": 900})
        page.locator("#new-ticket-form button[type=submit]").click()
        page.wait_for_url(re.compile(r".*/tickets/\d+/$"))
        number = re.search(r"/tickets/(\d+)/$", page.url).group(1)
        expect(page.locator(".flash")).to_contain_text("your message is on its way")

        envelope, mail = mail_to(mail_site, "jana.novakova@zakaznik.example")
        assert sorted(envelope.rcpt_tos) == ["jana.novakova@zakaznik.example", "ucetni@zakaznik.example"]
        assert str(mail["Subject"]) == f"Re: Your order is ready [#{number}]"
        assert [a.addr_spec for a in mail["Cc"].addresses] == ["ucetni@zakaznik.example"]
        assert plain(mail).startswith("Dear Jana, your order is ready for pickup.\n\n-- \nAlena Adminová")
        assert "<b>ready</b>" in mail.get_body(("html",)).get_content()
        assert [part.get_filename() for part in mail.iter_attachments()] == ["invoice.png"]

        # --- a reply with Cc and Bcc, a list and a pasted picture --------------------------------
        agent.wait_until_live()
        sent_before = len(mail_site.envelopes)
        page.locator("#reply-form details.copies summary").click()
        page.fill("#reply-cc", "petr.kolega@zakaznik.example")
        page.fill("#reply-bcc", "vedouci@pomoc.example")
        reply_editor = page.locator("#reply-form .composer-editor")
        reply_editor.click()
        page.keyboard.type("Two things:")
        page.keyboard.press("Enter")
        page.locator("#reply-form .composer-insertUnorderedList").click()
        page.keyboard.type("the invoice is attached")
        page.keyboard.press("Enter")
        page.keyboard.type("see https://pomoc.example/pickup")
        page.evaluate("""(b64) => {
            const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], "image.png", {type: "image/png"}));
            const editor = document.querySelector("#reply-form .composer-editor");
            editor.dispatchEvent(new ClipboardEvent("paste",
                                                    {clipboardData: transfer, bubbles: true, cancelable: true}));
        }""", PNG_B64)
        expect(reply_editor.locator("img[data-cid]")).to_have_count(1)
        # A file dropped on the box joins the attachments, listed with its name.
        page.evaluate("""() => {
            const transfer = new DataTransfer();
            transfer.items.add(new File(["%PDF-1.4 notes"], "pickup-notes.pdf", {type: "application/pdf"}));
            const box = document.querySelector("#reply-form .composer-box");
            for (const type of ["dragover", "drop"]) {
                box.dispatchEvent(new DragEvent(type, {dataTransfer: transfer, bubbles: true, cancelable: true}));
            }
        }""")
        expect(page.locator("#reply-form .composer-attachments")).to_contain_text("pickup-notes.pdf")
        body_value = page.locator("#reply-body").input_value()
        assert body_value.startswith("Two things:") and "the invoice is attached" in body_value
        assert "<li>" in page.locator("#reply-form input[name=body_html]").input_value()
        shoot(page, screenshots, "reply-copies", 1280)
        shoot(page, screenshots, "reply-copies", 390)
        page.set_viewport_size({"width": 1280, "height": 900})
        page.locator("#reply-form button.primary").click()
        expect(page.locator(".flash")).to_contain_text("jana.novakova@zakaznik.example")

        envelope, mail = mail_to(mail_site, "petr.kolega@zakaznik.example", after=sent_before)
        assert sorted(envelope.rcpt_tos) == ["jana.novakova@zakaznik.example", "petr.kolega@zakaznik.example",
                                             "vedouci@pomoc.example"]
        assert [a.addr_spec for a in mail["Cc"].addresses] == ["petr.kolega@zakaznik.example"]
        assert mail["Bcc"] is None and b"vedouci" not in envelope.content
        text = plain(mail)
        assert text.startswith("Two things:\n\n- the invoice is attached\n- see https://pomoc.example/pickup"), text
        html = mail.get_body(("html",)).get_content()
        assert "<ul>" in html and "<li>the invoice is attached</li>" in html
        cid = re.search(r'src="cid:([^"]+)"', html).group(1)
        [image] = [part for part in mail.walk() if part.get_content_type() == "image/png"]
        assert image["Content-ID"] == f"<{cid}>"
        assert [part.get_filename() for part in mail.iter_attachments()
                if part.get_content_type() == "application/pdf"] == ["pickup-notes.pdf"]
        conversation = page.locator("#conversation")
        expect(conversation.locator("a[href='https://pomoc.example/pickup']")).to_be_visible()  # clickable
        expect(conversation).to_contain_text("petr.kolega@zakaznik.example")

        # --- forward the customer's message to a supplier ------------------------------------------
        page.locator("#conversation .forward-message").first.click()
        page.wait_for_url(re.compile(r".*/forward/\?message=\d+$"))
        page.fill("#forward-to", "servis@dodavatel.example")
        page.locator("#forward-form .composer-editor").click()
        page.keyboard.type("Could you check this order, please?")
        shoot(page, screenshots, "forward", 1280)
        shoot(page, screenshots, "forward", 390)
        page.set_viewport_size({"width": 1280, "height": 900})
        page.locator("#forward-form button.primary").click()
        expect(page.locator(".flash")).to_contain_text("Forwarded to servis@dodavatel.example")
        _envelope, mail = mail_to(mail_site, "servis@dodavatel.example")
        assert str(mail["Subject"]) == f"Fwd: Your order is ready [#{number}]"
        assert "---------- Forwarded message ----------" in plain(mail)
        shoot(page, screenshots, "ticket-after", 1280)

        assert agent.csp_problems() == [], agent.csp_problems()
        assert agent.errors == [], agent.errors
    finally:
        agent.close()


def test_the_forms_work_without_the_editor(mail_site, browser, demo_password):
    """JavaScript off: the reply box is a plain textarea, and the new-ticket form takes a new requester."""
    context = browser.new_context(base_url=mail_site.url, java_script_enabled=False, locale="en-GB")
    try:
        page = context.new_page()
        page.goto("/accounts/login/")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", demo_password)
        page.click("form button[type=submit]")
        page.goto("/tickets/new/")
        page.fill("#id_requester_email", "no.js@zakaznik.example")
        page.fill("#id_subject", "Called without JavaScript")
        page.fill("textarea[name=body]", "Asked for a callback.")
        page.click("#new-ticket-form button[type=submit]")
        page.wait_for_url(re.compile(r".*/tickets/\d+/$"))
        page.fill("#reply-body", "We will call you back today.")
        page.click("#reply-form details.copies summary")
        page.fill("#reply-cc", "kolega@zakaznik.example")
        page.click("#reply-form button.primary")
        expect(page.locator("#conversation")).to_contain_text("We will call you back today.")
        _envelope, mail = mail_to(mail_site, "no.js@zakaznik.example")
        assert [a.addr_spec for a in mail["Cc"].addresses] == ["kolega@zakaznik.example"]
        assert plain(mail).startswith("We will call you back today.")
    finally:
        context.close()
