import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from pomoc.channels import registry
from pomoc.channels.tests.testkind.kind import KIND


class Provider:
    """A real HTTP server on a free loopback port standing in for the provider's API: it records
    every request and answers with the statuses it is told to (``answers``, one per request), then 200."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answers: list[int] = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 -- http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                provider.requests.append({"path": self.path, "content_type": self.headers.get("Content-Type"),
                                          "json": json.loads(body)})
                status = provider.answers.pop(0) if provider.answers else 200
                answer = json.dumps({"ok": status == 200} if status < 400 else {"error": f"status {status}"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1/replies"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider():
    with Provider() as server:
        yield server


@pytest.fixture
def testhook():
    """The test kind, registered for one test and removed after (as an app's ``ready`` would register it)."""
    registry.register(KIND)
    yield KIND
    registry.unregister(KIND.key)
