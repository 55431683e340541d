"""Shared pieces of the chat browser tests: a Pomoc with chat inboxes, and a host site on another
origin that embeds the widget with the snippet of docs/chat-widget.md."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from pomoc.testing.services import free_port, pomoc

REPO = Path(__file__).resolve().parent.parent
WIDGET = REPO / "pomoc" / "static" / "pomoc" / "widget" / "pomoc-chat.js"
AGENT_PASSWORD = "e2e-Chat-pass-2026"
IDENTITY_SECRET = "e2e-identity-secret"

# Three chat inboxes for one host site: one with an agent online (proactive invitation on
# /pricing), one asking pre-chat questions, one whose department has nobody online (offline form).
SETUP = """
import datetime as dt
import json
from django.utils import timezone
from pomoc.accounts.models import AgentPresence, Department, Presence, Role, User
from pomoc.channels.chat import services
from pomoc.channels.models import Inbox
site = {site!r}
agent = User.objects.create_user("chatagent", "chatagent@example.com", {password!r}, role=Role.ADMINISTRATOR,
                                 first_name="Jana", last_name="Nováková")
second = User.objects.create_user("chatsecond", "chatsecond@example.com", {password!r}, role=Role.AGENT,
                                  first_name="Petr", last_name="Svoboda")
support = Department.objects.create(name="Support")
support.members.add(agent, second)
nobody = Department.objects.create(name="Night shift")
# Online, and seen until tomorrow: as if their inbox were open in a tab all along (the tests without
# an agent's page would otherwise see them go offline after three minutes, and the chat with them).
seen = timezone.now() + dt.timedelta(days=1)
for user in (agent, second):
    AgentPresence.objects.update_or_create(
        user=user, defaults={{"status": Presence.ONLINE, "chat_capacity": 5, "last_seen_at": seen}})
keys = {{}}
for name, department, extra in [
    ("shop", support, {{"invitations": [
        {{"url": "*/pricing*", "seconds": 1, "message": "Questions about our prices?"}}]}}),
    ("prechat", support, {{"prechat_fields": [
        {{"name": "name", "label": "Your name", "type": "text", "required": True}},
        {{"name": "email", "label": "E-mail", "type": "email", "required": True}},
        {{"name": "topic", "label": "Topic", "type": "select", "required": False,
          "options": ["Billing", "Delivery"]}}]}}),
    ("night", nobody, {{"offline_message": "We answer every message by e-mail within a working day."}}),
]:
    inbox = Inbox(name=name, kind="chat", department=department,
                  config={{"allowed_origins": [site], "title": "Acme help", "greeting": "Hi! How can we help?",
                          "colour": "#0b6e4f", **extra}})
    inbox.set_secret(services.SECRET_NAME, {secret!r})
    inbox.save()
    keys[name] = services.inbox_key(inbox)
print(json.dumps(keys))
"""


def set_up_chat(site, host_origin: str) -> dict[str, str]:
    """Agents, departments and chat inboxes on the running ``site``; returns the inboxes' keys."""
    result = pomoc("shell", "-c", SETUP.format(site=host_origin, password=AGENT_PASSWORD, secret=IDENTITY_SECRET),
                   env=site.env)
    return json.loads(result.stdout.strip().splitlines()[-1])


PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title><link rel="icon" href="data:,">
<style nonce="host-style">/* a host page's CSS must not reach the widget */
* {{ color: #c00 !important; font-family: serif; }}
button {{ background: yellow; border: 3px solid red; }}</style></head>
<body><h1>{title}</h1><p>Acme sells tea. <a href="/page/{inbox}/other">Another page</a></p>
<script src="{pomoc}/static/pomoc/widget/pomoc-chat.js" data-pomoc-inbox="{inbox}"{extra} async></script>
</body></html>"""


class HostSite:
    """A customer's web site on its own origin (``localhost`` and a port of its own, so it is another
    origin than Pomoc's ``127.0.0.1``): ``/page/<inbox key>/<name>?lang=cs&user=...``."""

    def __init__(self, pomoc_url: str):
        self.pomoc_url = pomoc_url
        self.port = free_port()
        self.origin = f"http://localhost:{self.port}"
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                parts = urlsplit(self.path)
                bits = parts.path.strip("/").split("/")
                if len(bits) != 3 or bits[0] != "page":
                    self.send_error(404)
                    return
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                extra = "".join(f' data-pomoc-{name}="{value}"' for name, value in query.items()
                                if name in {"language", "user-id", "user-email", "user-name", "user-hash"})
                body = PAGE.format(lang=query.get("lang", "en"), title=f"Acme {bits[2]}", inbox=bits[1],
                                   pomoc=site.pomoc_url, extra=extra).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                # A strict policy, as docs/chat-widget.md tells a site to write it: the widget needs
                # no inline script or style, only its Pomoc in script-src and connect-src.
                pomoc_ws = site.pomoc_url.replace("http", "ws", 1)
                self.send_header("Content-Security-Policy", (
                    f"default-src 'self'; script-src {site.pomoc_url}; "
                    f"connect-src {site.pomoc_url} {pomoc_ws}; style-src 'nonce-host-style'; img-src 'self' data:"))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> HostSite:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, inbox: str, name: str = "home", **query: str) -> str:
        tail = "&".join(f"{key}={value}" for key, value in query.items())
        return f"{self.origin}/page/{inbox}/{name}" + (f"?{tail}" if tail else "")


class Visitor:
    """A visitor's browser context on the host site, with helpers that reach into the widget's
    (open) shadow root: Playwright's CSS locators pierce shadow roots."""

    def __init__(self, browser, *, width: int = 1280, height: int = 860, locale: str = "en-GB", bypass_csp=False):
        self.context = browser.new_context(viewport={"width": width, "height": height}, locale=locale,
                                           bypass_csp=bypass_csp)
        self.context.set_default_timeout(20_000)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", self.console)

    def console(self, message) -> None:
        if message.type == "error" and not self.network_gone(message.text):
            self.errors.append(message.text)

    @staticmethod
    def network_gone(text: str) -> bool:
        """What the browser itself logs while a test has taken the network away (set_offline)."""
        return "ERR_INTERNET_DISCONNECTED" in text or "Failed to fetch" in text

    def goto(self, url: str) -> None:
        self.page.goto(url)
        self.page.wait_for_selector("[data-pomoc-chat]", state="attached")

    def w(self, selector: str, **kwargs):
        return self.page.locator("[data-pomoc-chat]").locator(selector, **kwargs)

    def open(self) -> None:
        self.w("button.launcher").click()
        self.w(".panel").wait_for(state="visible")

    def say(self, text: str) -> None:
        self.w("textarea.input, .composer textarea").fill(text)
        self.w(".composer textarea").press("Enter")

    def bodies(self) -> list[str]:
        return self.w("ol.log li[data-seq] .bubble").evaluate_all(
            "els => els.map(el => el.firstChild ? el.firstChild.textContent : '')")

    def close(self) -> None:
        self.context.close()
