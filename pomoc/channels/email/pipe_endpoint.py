"""``POST /__pomoc/mail``: the running Pomoc takes a mail from the MTA pipe (``pipe_client``).

The request carries the raw mail as its body, the installation's pipe token (``Authorization:
Bearer …``, compared in constant time; a request without it is refused before its body is read) and
the inbox's name in ``?inbox=`` (else the only active e-mail inbox). The mail is stored as ``pomoc
mail ingest`` stores it (``receive_raw``: the bytes, pending) and its processing is queued for the
background worker (``tasks.process_mail``) in the same transaction; only after the commit does the
answer say ``{"status": "queued"}``. Any other answer means "not taken", and the pipe stores the
mail itself: so a Pomoc that dies mid-request, a database away, a refused token lose nothing (a mail
kept twice, once here and once by the pipe, is recognised by its Message-ID or bytes when it is
processed, as a redelivery by the MTA is).

A mail larger than the inbox's ``max_message_bytes`` is refused (413) from its ``Content-Length``,
before its body is read: the pipe then keeps it itself, as unprocessable with a notice to its sender,
as it always did; the web process never holds a mail that large.

Like the realtime relay, this sits in front of Django (no host check, HTTPS redirect or CSRF): the
token is the whole of its security. Without a token configured the path is an ordinary unknown page.
"""

from __future__ import annotations

import hmac
import json
import logging
from urllib.parse import parse_qs

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError, close_old_connections, transaction

from pomoc.channels.email.config import EmailInboxConfig
from pomoc.channels.email.ingest import receive_raw
from pomoc.channels.email.pipe_client import PIPE_PATH, QUEUED, ensure_token, pipe_token, publish_url
from pomoc.channels.email.pipe_inbox import InboxNotFound, resolve_inbox
from pomoc.channels.email.tasks import process_mail
from pomoc.core.serving import local_address

logger = logging.getLogger("pomoc.mail.pipe")

_token_cache: list[str] = []


def server_token() -> str:
    """``POMOC_MAIL_PIPE_TOKEN`` (or its ``_FILE``), else the data directory's token file."""
    if not _token_cache:
        token = settings.POMOC_MAIL_PIPE_TOKEN or pipe_token(settings.DATA_DIR)
        if token:
            _token_cache.append(token)
    return _token_cache[0] if _token_cache else ""


def announce(*, host: str, port: int) -> None:
    """``pomoc serve`` is starting: make sure the installation has a pipe token and tell pipes started
    from now on where to hand their mail (``$POMOC_DATA_DIR/mail-pipe-url``)."""
    try:
        if not settings.POMOC_MAIL_PIPE_TOKEN:
            ensure_token(settings.DATA_DIR)
        publish_url(settings.DATA_DIR, f"http://{local_address(host)}:{port}{PIPE_PATH}")
    except OSError as exc:  # the pipe then stores mail itself: slower, nothing lost
        logger.warning("The MTA pipe cannot be told where Pomoc runs (%s: %s); it will store mail itself.",
                       type(exc).__name__, exc.filename)


class Refusal(Exception):
    def __init__(self, status: int, error: str):
        super().__init__(error)
        self.status, self.error = status, error


def _in_thread(function):
    """Run ``function`` in a worker thread with a usable database connection, closed afterwards
    the way Django closes a request's (``DB_CONN_MAX_AGE``)."""
    def run(*args):
        close_old_connections()
        try:
            return function(*args)
        finally:
            close_old_connections()
    return sync_to_async(run, thread_sensitive=False)


def _inbox_and_limit(name: str | None):
    try:
        inbox = resolve_inbox(name, logger.info)
    except InboxNotFound as exc:
        raise Refusal(422, str(exc)) from None
    return inbox, EmailInboxConfig.from_dict(inbox.config).max_message_bytes


def _keep(inbox, raw: bytes) -> int:
    """The bytes and their queued processing, in one transaction; the mail's id once committed."""
    with transaction.atomic():
        raw_mail = receive_raw(inbox=inbox, raw=raw)
        process_mail.enqueue(raw_mail.pk)
    return raw_mail.pk


class MailPipeEndpoint:
    """ASGI: ``POST /__pomoc/mail`` from the MTA pipe → a kept, queued mail."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"] != PIPE_PATH:
            return await self.app(scope, receive, send)
        token = server_token()
        if not token:
            return await self.app(scope, receive, send)
        try:
            mail_id = await self._take(scope, receive, token)
            status, answer = 200, {"status": QUEUED, "mail": mail_id}
        except Refusal as refusal:
            status, answer = refusal.status, {"error": refusal.error}
        body = json.dumps(answer).encode()
        await send({"type": "http.response.start", "status": status, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"no-store")]})
        await send({"type": "http.response.body", "body": body})

    async def _take(self, scope, receive, token: str) -> int:
        if scope["method"] != "POST":
            raise Refusal(405, "POST the mail")
        headers = dict(scope["headers"])
        given = headers.get(b"authorization", b"")
        if not (given.startswith(b"Bearer ") and hmac.compare_digest(given[7:], token.encode())):
            client = (scope.get("client") or ("?",))[0]
            logger.warning("Refused a mail handed to the pipe endpoint without the right token (from %s).", client)
            raise Refusal(403, "wrong or missing token")
        try:
            length = int(headers.get(b"content-length", b""))
        except ValueError:
            raise Refusal(411, "Content-Length is required") from None
        names = parse_qs(scope.get("query_string", b"").decode("latin-1"), encoding="utf-8").get("inbox")
        try:
            inbox, limit = await _in_thread(_inbox_and_limit)(names[0] if names else None)
        except DatabaseError as exc:
            raise Refusal(503, f"database unavailable ({type(exc).__name__})") from None
        if length > limit:
            raise Refusal(413, f"larger than the inbox's limit of {limit} bytes")
        raw = await self._body(receive, length)
        try:
            return await _in_thread(_keep)(inbox, raw)
        except DatabaseError as exc:
            raise Refusal(503, f"database unavailable ({type(exc).__name__})") from None
        except Exception:
            logger.exception("The pipe endpoint could not keep a mail; the pipe stores it itself.")
            raise Refusal(500, "not kept") from None

    @staticmethod
    async def _body(receive, length: int) -> bytes:
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise Refusal(400, "the request ended early")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > length:
                raise Refusal(400, "more bytes than Content-Length")
            chunks.append(chunk)
            more = message.get("more_body", False)
        if size != length:
            raise Refusal(400, "fewer bytes than Content-Length")
        return b"".join(chunks)
