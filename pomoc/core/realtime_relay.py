"""The live-update relay of the embedded setup: ``pomoc serve`` without Redis.

Websocket groups live in the web process's in-memory channel layer. The background worker is a
child process with an in-memory layer of its own, so what it publishes (mail that became a ticket,
a reply's delivery state) would reach nobody. ``pomoc serve`` therefore gives its worker the address
of this relay and a token (``POMOC_REALTIME_RELAY_URL``/``_TOKEN``); ``realtime`` posts the worker's
events here and the web process sends them to its groups. A separate process (``pomoc mail watch``)
can be given the same two settings when ``POMOC_REALTIME_RELAY_TOKEN`` is set for ``pomoc serve``
too. With Redis every process shares one layer and no relay is used.

The relay answers only a POST carrying the token (compared in constant time); without a token
configured the path is an ordinary (unknown) page. It sits in front of Django, so neither hosts,
HTTPS redirects nor CSRF apply to it: the token is the whole of its security.
"""

from __future__ import annotations

import hmac
import json
import re

from channels.layers import get_channel_layer
from django.conf import settings

from pomoc.core.realtime import send_all

RELAY_PATH = "/__pomoc/realtime"
MAX_BODY = 1024 * 1024
MAX_SENDS = 10_000
GROUP = re.compile(r"[A-Za-z0-9._-]{1,99}")


def parse_sends(body: bytes) -> list[tuple[str, dict]]:
    """``{"sends": [[group, payload], …]}`` → pairs; ValueError when it is anything else."""
    data = json.loads(body)
    sends = data.get("sends") if isinstance(data, dict) else None
    if not isinstance(sends, list) or len(sends) > MAX_SENDS:
        raise ValueError("sends must be a list")
    pairs = []
    for item in sends:
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str) and GROUP.fullmatch(item[0])
                and isinstance(item[1], dict)):
            raise ValueError("each send is [group, payload]")
        pairs.append((item[0], item[1]))
    return pairs


class RelayMiddleware:
    """ASGI: ``POST /__pomoc/realtime`` from our own worker → this process's groups."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        token = settings.POMOC_REALTIME_RELAY_TOKEN
        if scope["type"] != "http" or scope["path"] != RELAY_PATH or not token:
            return await self.app(scope, receive, send)
        status = await self._relay(scope, receive, token)
        await send({"type": "http.response.start", "status": status, "headers": [(b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})

    async def _relay(self, scope, receive, token: str) -> int:
        if scope["method"] != "POST":
            return 405
        given = dict(scope["headers"]).get(b"authorization", b"").removeprefix(b"Bearer ")
        if not hmac.compare_digest(given, token.encode()):
            return 403
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return 400
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > MAX_BODY:
                return 413
        try:
            sends = parse_sends(body)
        except ValueError:  # json.JSONDecodeError is one
            return 400
        layer = get_channel_layer()
        if layer is not None:
            await send_all(layer, sends)
        return 204
