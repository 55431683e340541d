"""The built-in SMTP receiver (``pomoc smtpd``): mail for our inboxes' addresses, straight into the pipeline.

One conversation, as the sending server sees it:

- ``RCPT TO`` an address of an e-mail inbox (``Inbox.address`` or one of its ``extra_addresses``,
  case-insensitive) → ``250``; any other address → ``550 5.1.1`` (we are nobody's relay).
- ``DATA`` larger than the receiving inbox's ``max_message_bytes`` → ``552``. The SMTP ``SIZE``
  extension advertises the largest limit, so a sender that declares the size is refused at
  ``MAIL FROM`` already.
- Otherwise the bytes are stored (``receive_raw``, one ``RawMail`` per receiving inbox, all in ONE
  transaction) and only after that transaction committed do we answer ``250``. The mail is then
  processed (``process``) before the answer; a failure there never turns into a failure answer:
  the raw mail is kept and can be processed again.
- The database unreachable (while looking up recipients or while storing) → ``451 4.3.0``: the
  sender keeps the mail in its queue and tries again later. Nothing is lost either way.
- The stored mail starts with ``Return-Path: <envelope sender>`` (as a final delivery and an MTA's
  pipe write it), then our ``Received:`` line, then the bytes as they came.

Database work runs in worker threads (``asyncio.to_thread``) with ``close_old_connections``
around it, never on the event loop. Logs carry addresses, sizes and ids, never bodies.

TLS and authentication (both optional, ``tls_context`` and ``PasswordAuthenticator``): with a
certificate, ``STARTTLS`` is offered (and required with ``require_starttls``); with a user name and
password, every sender must log in (``AUTH PLAIN``/``LOGIN``, only after ``STARTTLS``) before
``MAIL FROM``. Passwords are compared in constant time and never logged.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import re
import secrets
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any, TypeVar

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from django.db import DatabaseError, close_old_connections, transaction

from pomoc.channels.email.config import EmailInboxConfig
from pomoc.channels.email.ingest import process, receive_raw
from pomoc.channels.models import Inbox, InboxKind

__all__ = ["PasswordAuthenticator", "PomocSMTPHandler", "Routes", "SMTPReceiver", "load_routes", "tls_context"]

log = logging.getLogger("pomoc.smtpd")

T = TypeVar("T")

DEFAULT_LIMIT = EmailInboxConfig().max_message_bytes
TEMPFAIL = "451 4.3.0 Temporary failure, please try again later"


@dataclass(frozen=True)
class Routes:
    """Which inbox receives mail for which address, and how large that mail may be."""

    inbox_by_address: dict[str, int] = field(default_factory=dict)
    limit_by_inbox: dict[int, int] = field(default_factory=dict)

    def inbox_for(self, address: str) -> int | None:
        return self.inbox_by_address.get((address or "").strip().lower())

    @property
    def max_bytes(self) -> int:
        return max(self.limit_by_inbox.values(), default=DEFAULT_LIMIT)


def load_routes(inbox_name: str | None = None) -> Routes:
    """The addresses we accept mail for: every active e-mail inbox, or only the inbox named
    ``inbox_name`` (named explicitly, it is served even when not marked active)."""
    inboxes = Inbox.objects.filter(kind=InboxKind.EMAIL).order_by("pk")
    inboxes = inboxes.filter(name=inbox_name) if inbox_name else inboxes.filter(active=True)
    by_address: dict[str, int] = {}
    limits: dict[int, int] = {}
    for inbox in inboxes:
        config = EmailInboxConfig.from_dict(inbox.config)
        limits[inbox.pk] = config.max_message_bytes
        for address in [inbox.address, *config.extra_addresses]:
            address = (address or "").strip().lower()
            if address:
                by_address.setdefault(address, inbox.pk)  # an address claimed twice: the older inbox
    return Routes(by_address, limits)


def _db(fn: Callable[..., T], *args: Any) -> T:
    """Run ``fn`` as a request would: stale or broken connections closed before and after."""
    close_old_connections()
    try:
        return fn(*args)
    finally:
        close_old_connections()


async def in_thread(fn: Callable[..., T], *args: Any) -> T:
    return await asyncio.to_thread(_db, fn, *args)


def store(inbox_ids: list[int], raw: bytes) -> list[int]:
    """One ``RawMail`` per receiving inbox, committed together (or not at all)."""
    with transaction.atomic():
        inboxes = Inbox.objects.in_bulk(inbox_ids)
        return [receive_raw(inbox=inboxes[pk], raw=raw).pk for pk in inbox_ids if pk in inboxes]


_UNSAFE = re.compile(r"[^\x21-\x7e]")


def _clean(value: str, limit: int = 100) -> str:
    """A value from the peer (its HELO name) made safe for a header: printable ASCII, no spaces."""
    return _UNSAFE.sub("", value or "")[:limit] or "unknown"


_NOT_IN_ADDRESS = re.compile(r"[\x00-\x20\x7f<>]")


def return_path_header(mail_from: str | None) -> bytes:
    """The ``Return-Path:`` line of final delivery (RFC 5321, section 4.4): the envelope sender
    (``<>`` for a bounce), as an MTA's pipe (Postfix ``flags=R``, Exim) prepends it, so that the same
    bytes give the same result through either way in. UTF-8 addresses (SMTPUTF8) stay as they are."""
    address = _NOT_IN_ADDRESS.sub("", mail_from or "")[:254]
    return f"Return-Path: <{address}>\r\n".encode("utf-8", "surrogateescape")


def received_header(*, session: Session, envelope: Envelope, hostname: str, queue_id: str) -> bytes:
    """The RFC 5321 trace line a receiving server prepends (section 4.4)."""
    peer = session.peer[0] if isinstance(session.peer, tuple) and session.peer else "unknown"
    protocol = "ESMTP" if session.extended_smtp else "SMTP"
    recipients = envelope.rcpt_tos
    line = (f"Received: from {_clean(session.host_name)} ([{_clean(str(peer), 64)}])\r\n"
            f"\tby {_clean(hostname)} (Pomoc) with {protocol} id {queue_id}")
    if len(recipients) == 1:
        line += f"\r\n\tfor <{_clean(recipients[0], 254)}>"
    return f"{line}; {formatdate(localtime=False)}\r\n".encode("ascii")


class PomocSMTPHandler:
    """aiosmtpd handler hooks (``handle_RCPT``, ``handle_DATA``)."""

    def __init__(self, *, inbox_name: str | None = None, hostname: str | None = None, trace: bool = True):
        self.inbox_name = inbox_name
        self.hostname = hostname or socket.gethostname()
        self.trace = trace
        self.routes: Routes | None = None

    async def refresh(self) -> Routes:
        """Current routes from the database; the last known ones when it is unreachable (raises
        ``DatabaseError`` only when there are none yet)."""
        try:
            self.routes = await in_thread(load_routes, self.inbox_name)
        except DatabaseError as exc:
            if self.routes is None:
                raise
            log.warning("database unavailable (%s); using the last known recipient addresses", type(exc).__name__)
        return self.routes

    @property
    def max_bytes(self) -> int:
        return self.routes.max_bytes if self.routes is not None else DEFAULT_LIMIT

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,  # noqa: N802
                          rcpt_options: list[str]) -> str:
        try:
            routes = await self.refresh()
        except DatabaseError as exc:
            log.warning("RCPT <%s> answered 451: database unavailable (%s)", address, type(exc).__name__)
            return TEMPFAIL
        inbox_id = routes.inbox_for(address)
        if inbox_id is None:
            log.info("RCPT <%s> from %s refused: no such mailbox", address, session.peer)
            return f"550 5.1.1 <{address}>: no such mailbox"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        inboxes = envelope.__dict__.setdefault("pomoc_inboxes", {})
        inboxes[address] = inbox_id
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        raw = envelope.original_content
        if raw is None:
            content = envelope.content
            raw = content.encode("utf-8", "surrogateescape") if isinstance(content, str) else (content or b"")
        inbox_ids = list(dict.fromkeys(envelope.__dict__.get("pomoc_inboxes", {}).values()))
        if not inbox_ids:
            return "503 5.5.1 Error: need RCPT command"
        routes = self.routes or Routes()
        limit = min(routes.limit_by_inbox.get(pk, DEFAULT_LIMIT) for pk in inbox_ids)
        if len(raw) > limit:
            log.info("mail from <%s> to %s refused: %d bytes, over the limit of %d",
                     envelope.mail_from, envelope.rcpt_tos, len(raw), limit)
            return f"552 5.3.4 Message too big for this mailbox (limit {limit} bytes)"
        queue_id = secrets.token_hex(8)
        if self.trace:
            raw = received_header(session=session, envelope=envelope, hostname=self.hostname,
                                  queue_id=queue_id) + raw
        raw = return_path_header(envelope.mail_from) + raw
        try:
            raw_ids = await in_thread(store, inbox_ids, raw)
        except DatabaseError as exc:
            log.warning("mail from <%s> to %s answered 451: not stored, database unavailable (%s)",
                        envelope.mail_from, envelope.rcpt_tos, type(exc).__name__)
            return TEMPFAIL
        except Exception:
            # not stored: the sender keeps the mail and tries again
            log.exception("mail from <%s> to %s answered 451: not stored", envelope.mail_from, envelope.rcpt_tos)
            return TEMPFAIL
        if not raw_ids:  # every receiving inbox deleted between RCPT and DATA
            return TEMPFAIL
        log.info("mail %s from <%s> to %s stored as raw mail %s (%d bytes)",
                 queue_id, envelope.mail_from, envelope.rcpt_tos, raw_ids, len(raw))
        for raw_id in raw_ids:
            try:
                result = await in_thread(process, raw_id)
            except Exception as exc:
                # the bytes are committed: the mail is ours now and can be processed again later
                log.error("raw mail %s kept but not processed (%s); process it again later", raw_id,
                          type(exc).__name__)
                continue
            log.info("raw mail %s: %s (ticket %s, message %s)", raw_id, result.status, result.ticket_number,
                     result.message_id)
        return f"250 2.0.0 OK: queued as {queue_id}"


def tls_context(cert_file: str, key_file: str) -> ssl.SSLContext:
    """The server side of STARTTLS: a certificate chain and its key (PEM files), TLS 1.2 or newer."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_file, key_file)
    return context


class PasswordAuthenticator:
    """One user name and password that senders log in with (aiosmtpd's ``authenticator``)."""

    def __init__(self, username: str, password: str):
        if not username or not password:
            raise ValueError("SMTP AUTH needs a user name and a password")
        self.username = username.encode("utf-8")
        self.password = password.encode("utf-8")

    def __call__(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                 auth_data: object) -> AuthResult:
        ok = (isinstance(auth_data, LoginPassword)
              # both compared, always: the time taken tells nothing about which one was wrong
              & hmac.compare_digest(bytes(getattr(auth_data, "login", b"") or b""), self.username)
              & hmac.compare_digest(bytes(getattr(auth_data, "password", b"") or b""), self.password))
        if not ok:
            log.warning("AUTH %s from %s refused", mechanism, session.peer)
        return AuthResult(success=bool(ok), handled=False)


class SMTPReceiver(Controller):
    """An aiosmtpd controller (its own thread and event loop) whose connections advertise
    ``SIZE`` with the largest limit of the inboxes served; optionally ``STARTTLS``
    (``tls_context``, ``require_starttls``) and ``AUTH`` (``authenticator``: then required, and only
    over TLS)."""

    def __init__(self, handler: PomocSMTPHandler, *, host: str = "127.0.0.1", port: int = 2525,
                 tls_context: ssl.SSLContext | None = None, require_starttls: bool = False,
                 authenticator: PasswordAuthenticator | None = None, **kwargs):
        if authenticator is not None:
            if tls_context is None:
                raise ValueError("SMTP AUTH needs TLS (a certificate): passwords never cross the network in clear")
            kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=True)
        if tls_context is not None:
            kwargs.update(tls_context=tls_context, require_starttls=require_starttls)
        # aiosmtpd's own log repeats every command line (an AUTH line carries a password) and, at
        # DEBUG, every line of the mail body: ours says what matters, without either.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        kwargs.setdefault("server_hostname", handler.hostname)
        kwargs.setdefault("ident", "Pomoc")
        super().__init__(handler, hostname=host, port=port, **kwargs)

    def factory(self) -> SMTP:
        return SMTP(self.handler, **(self.SMTP_kwargs | {"data_size_limit": self.handler.max_bytes}))
