"""The embedded setup's relay: live updates a worker process posts reach this process's groups."""

import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels.testing import HttpCommunicator

from pomoc.asgi import application
from pomoc.core import realtime
from pomoc.core.realtime_relay import MAX_BODY, RELAY_PATH

TOKEN = "relay-token-for-the-test"


@pytest.fixture
def relay(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.POMOC_REALTIME_RELAY_TOKEN = TOKEN
    settings.POMOC_REALTIME_RELAY_URL = ""
    return settings


def _post(body: bytes, *, token: str = TOKEN, method: str = "POST", group: str = "ticket.7") -> tuple[int, list]:
    """POST to the relay through the whole ASGI application, with a channel listening on ``group``."""

    async def scenario():
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(group, channel)
        headers = [(b"authorization", f"Bearer {token}".encode()), (b"content-type", b"application/json"),
                   (b"host", b"localhost")]
        response = await HttpCommunicator(application, method, RELAY_PATH, body=body, headers=headers).get_response()
        received = []
        while True:
            try:
                received.append(await asyncio.wait_for(layer.receive(channel), 0.2))
            except TimeoutError:
                return response["status"], received

    return async_to_sync(scenario)()


def _body(*sends) -> bytes:
    return json.dumps({"sends": [list(s) for s in sends]}).encode()


def test_a_post_with_the_token_reaches_the_groups(relay):
    status, received = _post(_body(("ticket.7", {"event": "message.added", "ticket": 7}),
                                    ("ticket.8", {"event": "message.added", "ticket": 8})))
    assert status == 204
    assert received == [{"type": "pomoc.event", "payload": {"event": "message.added", "ticket": 7}}]


@pytest.mark.parametrize(("kwargs", "status"), [
    ({"token": "wrong"}, 403),
    ({"token": ""}, 403),
    ({"method": "GET"}, 405),
])
def test_anything_else_is_refused_and_sends_nothing(relay, kwargs, status):
    got, received = _post(_body(("ticket.7", {"event": "x"})), **kwargs)
    assert got == status and received == []


@pytest.mark.parametrize("body", [b"not json", b'{"sends": "x"}', b'{"sends": [["bad group!", {}]]}',
                                  b'{"sends": [["ticket.7", "not a payload"]]}', b"[]"])
def test_a_malformed_body_is_a_400(relay, body):
    assert _post(body) == (400, [])


def test_a_body_over_the_limit_is_refused(relay):
    assert _post(b"x" * (MAX_BODY + 1))[0] == 413


def test_without_a_token_the_path_is_an_ordinary_unknown_page(relay):
    relay.POMOC_REALTIME_RELAY_TOKEN = ""
    assert _post(_body(("ticket.7", {"event": "x"})), token="")[0] == 404


class _Catcher(BaseHTTPRequestHandler):
    seen: list = []

    def do_POST(self):  # noqa: N802 -- http.server's name
        length = int(self.headers["Content-Length"])
        _Catcher.seen.append((self.path, self.headers["Authorization"], json.loads(self.rfile.read(length))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_worker_posts_its_updates_to_the_relay_in_one_request(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Catcher)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Catcher.seen = []
    try:
        settings.POMOC_REALTIME_RELAY_URL = f"http://127.0.0.1:{server.server_port}{RELAY_PATH}"
        settings.POMOC_REALTIME_RELAY_TOKEN = TOKEN
        realtime._send([("ticket.1", {"event": "ticket.created", "ticket": 1}),
                        ("inbox.dept.none", {"event": "ticket.created", "ticket": 1})])
    finally:
        server.shutdown()
    assert _Catcher.seen == [(RELAY_PATH, f"Bearer {TOKEN}", {"sends": [
        ["ticket.1", {"event": "ticket.created", "ticket": 1}],
        ["inbox.dept.none", {"event": "ticket.created", "ticket": 1}]]})]


def test_a_relay_that_is_down_loses_the_update_not_the_write(settings, caplog):
    settings.POMOC_REALTIME_RELAY_URL = "http://127.0.0.1:9/nowhere"  # discard port: nothing listens
    settings.POMOC_REALTIME_RELAY_TOKEN = TOKEN
    realtime._send([("ticket.1", {"event": "x"})])
    assert "realtime relay to the web server failed" in caplog.text and TOKEN not in caplog.text
