"""Watching mailboxes (``pomoc mail watch``): new mail imported within seconds, by IMAP IDLE where the
server offers it, by polling where it does not.

One thread per fetching inbox (IMAP or POP3, active, or the one named). For an IMAP inbox whose
server advertises ``IDLE`` (RFC 2177) the thread keeps its own connection in IDLE on the inbox's
folder. Each cycle:

1. ``IDLE`` is started, then the folder is fetched with ``fetch_imap`` over a second connection:
   the same code as ``pomoc mail fetch`` (UIDVALIDITY + last UID, ``BODY.PEEK[]``, ``\\Seen`` only
   after the commit). Fetching right after IDLE started catches whatever arrived before, so no push
   can fall between two cycles (a notification the server sent together with its "+ idling" answer
   may sit in a read buffer, invisible to ``select``: it is for mail this fetch already sees).
2. The thread waits until the server pushes anything (``* n EXISTS`` and the like), the IDLE is
   old enough to be renewed (``idle_renew``, 10 minutes: RFC 2177 asks for less than 29, and NAT
   boxes forget silent connections), or the watcher stops.
3. ``DONE`` ends the IDLE; the server's tagged answer proves the connection alive. Then 1 again.

A dropped connection, a server restart, a refused login or a database outage ends the session;
the thread starts a new one after a backoff (1, 2, 5 … 300 seconds, reset once connected), and
that session's first fetch imports everything that arrived meanwhile. Servers without IDLE, and
POP3 inboxes, are fetched every ``poll_interval`` seconds instead.

Python's ``imaplib`` has IDLE only from 3.14. ``imap_tools`` has it, but its poll cannot tell a
dropped connection from a quiet one and reads through imaplib's private methods; IDLE needs little,
so it is written here on imaplib's public ``send``/``readline`` (see docs/decisions/0005).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import select
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import close_old_connections, connection

from pomoc.channels.email.config import EmailInboxConfig
from pomoc.channels.email.fetch import FetchReport, _imap_close, _ok, fetch_inbox, imap_connect, imap_mailbox_name
from pomoc.channels.models import Inbox, InboxKind

__all__ = ["IdleConnection", "Watcher", "WatchOptions", "idle_supported"]

logger = logging.getLogger(__name__)

IDLE_RENEW = 10 * 60.0
POLL_INTERVAL = 60.0
BACKOFF = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
RESCAN = 60.0  # seconds between looks for inboxes added or activated meanwhile
SLICE = 0.5  # seconds; how quickly a waiting thread notices that the watcher stops
MAX_LINE = 100_000
MAX_ERRORS_KEPT = 20


class ConnectionLost(OSError):
    """The IMAP server closed the connection or said BYE."""


@dataclass
class WatchOptions:
    idle_renew: float = IDLE_RENEW
    poll_interval: float = POLL_INTERVAL
    backoff: tuple[float, ...] = BACKOFF
    rescan: float = RESCAN


@dataclass
class WatchStats:
    """What one inbox's thread did, for logs and tests."""

    mode: str = ""  # "idle" or "poll"
    sessions: int = 0  # connections made (the first, then one per reconnect)
    idle_cycles: int = 0  # IDLE commands issued
    pushes: int = 0  # cycles ended by something the server pushed
    fetches: int = 0
    errors: deque[str] = field(default_factory=lambda: deque(maxlen=MAX_ERRORS_KEPT))  # the latest reasons

    @property
    def reconnects(self) -> int:
        return max(0, self.sessions - 1)


def idle_supported(client) -> bool:
    """Does the logged-in server advertise IDLE? Asked after login: what a server announces before
    it (imaplib's ``capabilities``) may differ from what the logged-in session gets."""
    typ, data = client.capability()
    words = b" ".join(d for d in data if isinstance(d, bytes)).upper().split() if typ == "OK" else []
    return b"IDLE" in words


class IdleConnection:
    """IDLE (RFC 2177) on a logged-in ``imaplib.IMAP4`` with a folder selected, using only its public
    ``send``/``readline``/``sock``. While idling, imaplib must not be used for anything else."""

    _tags = itertools.count(1)

    def __init__(self, client):
        self.client = client
        self.tag = b""

    def _line(self) -> bytes:
        line = self.client.readline()
        if not line:
            raise ConnectionLost("the server closed the connection")
        if len(line) > MAX_LINE:
            raise ConnectionLost("the server sent an overlong line")
        if line.upper().startswith(b"* BYE"):
            raise ConnectionLost(f"the server said {line.strip()[:200].decode('ascii', 'replace')}")
        return line

    def start(self) -> list[bytes]:
        """Send IDLE and wait for the server's go-ahead; returns the untagged lines before it."""
        self.tag = f"PIDLE{next(self._tags)}".encode()
        self.client.send(self.tag + b" IDLE\r\n")
        before = []
        while True:
            line = self._line()
            if line.startswith(b"+"):
                return before
            if line.startswith(self.tag + b" "):  # tagged answer instead of "+": IDLE refused
                raise ConnectionLost(f"IDLE refused: {line.strip()[:200].decode('ascii', 'replace')}")
            before.append(line)

    def _readable(self, timeout: float) -> bool:
        sock = self.client.sock
        pending = getattr(sock, "pending", None)  # bytes TLS has decrypted but nobody has read yet
        if pending is not None and pending():
            return True
        return bool(select.select([sock], [], [], max(0.0, timeout))[0])

    def wait(self, timeout: float, stopping: threading.Event) -> list[bytes]:
        """The lines the server pushes within ``timeout`` seconds ([] when none, or on ``stopping``)."""
        deadline = time.monotonic() + timeout
        while not stopping.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            if self._readable(min(SLICE, remaining)):
                # the server writes whole lines: the socket timeout (fetch.TIMEOUT) covers a stalled one
                line = self._line()
                if not line.upper().startswith(b"* OK"):  # "* OK Still here" keep-alives are no news
                    return [line]
        return []

    def done(self) -> list[bytes]:
        """End IDLE; returns the untagged lines that came before the tagged OK."""
        self.client.send(b"DONE\r\n")
        lines = []
        while True:
            line = self._line()
            if line.startswith(self.tag + b" "):
                if not line[len(self.tag) + 1:].upper().startswith(b"OK"):
                    raise ConnectionLost(f"IDLE ended badly: {line.strip()[:200].decode('ascii', 'replace')}")
                return lines
            lines.append(line)


Fetch = Callable[[Inbox], "FetchReport | None"]


class InboxWatch(threading.Thread):
    """Keeps one inbox fetched until ``stopping`` is set (see the module's docstring)."""

    def __init__(self, inbox_id: int, *, stopping: threading.Event, options: WatchOptions, named: bool,
                 fetch: Fetch = fetch_inbox, on_report: Callable[[FetchReport], None] | None = None):
        super().__init__(name=f"pomoc-mail-watch-{inbox_id}", daemon=True)
        self.inbox_id = inbox_id
        self.stopping = stopping
        self.options = options
        self.named = named
        self.fetch_one = fetch
        self.on_report = on_report
        self.stats = WatchStats()
        self.connected = False  # the current session got as far as a fetch

    # --- helpers ------------------------------------------------------------------------------
    def _inbox(self) -> Inbox | None:
        """The inbox as it is now (settings may have changed), or None when it is no longer watched."""
        inbox = Inbox.objects.filter(pk=self.inbox_id, kind=InboxKind.EMAIL).first()
        if inbox is None or not (inbox.active or self.named):
            return None
        return inbox if EmailInboxConfig.from_dict(inbox.config).fetch in ("imap", "pop3") else None

    def _fetch(self, inbox: Inbox) -> FetchReport | None:
        close_old_connections()
        try:
            report = self.fetch_one(inbox)
        finally:
            close_old_connections()
        self.stats.fetches += 1
        if report is not None and self.on_report is not None and (report.fetched or report.error):
            self.on_report(report)
        return report

    def _sleep(self, seconds: float) -> None:
        self.stopping.wait(seconds)

    # --- the loop -----------------------------------------------------------------------------
    def run(self) -> None:
        failures = 0
        try:
            while not self.stopping.is_set():
                self.connected = False
                try:
                    close_old_connections()
                    inbox = self._inbox()
                    if inbox is None:
                        logger.info("Inbox %s is no longer fetched; its watcher ends", self.inbox_id)
                        return
                    config = EmailInboxConfig.from_dict(inbox.config)
                    self.stats.sessions += 1
                    if config.fetch == "imap":
                        self._imap_session(inbox, config)
                    else:
                        self._poll_session(inbox)
                    failures = 0
                except Exception as exc:  # a drop, a refused login, the database away: try again later
                    if self.connected:  # it worked for a while: start the backoff from the beginning
                        failures = 0
                    delay = self.options.backoff[min(failures, len(self.options.backoff) - 1)]
                    failures += 1
                    reason = f"{type(exc).__name__}: {exc}"[:300]
                    self.stats.errors.append(reason)
                    logger.warning("Inbox %s: watching stopped (%s); trying again in %.0f s",
                                   self.inbox_id, reason, delay)
                    self._sleep(delay)
        finally:
            connection.close()

    def _poll_session(self, inbox: Inbox) -> None:
        """Fetch every ``poll_interval`` seconds until the inbox changes or the watcher stops."""
        self.stats.mode = "poll"
        while not self.stopping.is_set():
            report = self._fetch(inbox)
            if report is not None and report.error:
                raise ConnectionLost(report.error)
            self.connected = True
            self._sleep(self.options.poll_interval)
            current = self._inbox()
            if current is None or current.config != inbox.config:
                return  # deactivated or settings changed: a new session picks them up
            inbox = current

    def _imap_session(self, inbox: Inbox, config: EmailInboxConfig) -> None:
        client = imap_connect(config, inbox.get_secret("imap_password"))
        try:
            if not idle_supported(client):
                logger.info("Inbox %s: %s offers no IMAP IDLE; fetching every %.0f s", inbox.name,
                            config.imap_host, self.options.poll_interval)
                _imap_close(client)
                client = None
                self._poll_session(inbox)
                return
            _ok(*client.select(imap_mailbox_name(config.imap_folder or "INBOX"), readonly=True), "SELECT")
            self.stats.mode = "idle"
            idle = IdleConnection(client)
            logger.info("Inbox %s: waiting for new mail in %s by IMAP IDLE", inbox.name, config.imap_folder)
            while not self.stopping.is_set():
                idle.start()
                self.stats.idle_cycles += 1
                report = self._fetch(inbox)  # whatever arrived before IDLE started
                if report is not None and report.database_error:
                    raise ConnectionLost(report.error)
                self.connected = True
                pushed = idle.wait(self.options.idle_renew, self.stopping)
                idle.done()
                if pushed:
                    self.stats.pushes += 1
                current = self._inbox()
                if current is None or EmailInboxConfig.from_dict(current.config) != config:
                    return  # deactivated or settings changed: a new session picks them up
                inbox = current
        except BaseException:
            # the connection is broken or mid-IDLE: no polite LOGOUT (a server shutting down may
            # not answer it before it kills the session), just close it
            if client is not None:
                with contextlib.suppress(Exception):
                    client.shutdown()
                client = None
            raise
        finally:
            if client is not None:
                _imap_close(client)


class Watcher:
    """Watches every active IMAP/POP3 inbox (or only the one named) until ``stop()``."""

    def __init__(self, inbox_name: str | None = None, *, options: WatchOptions | None = None,
                 fetch: Fetch = fetch_inbox, on_report: Callable[[FetchReport], None] | None = None):
        self.inbox_name = inbox_name
        self.options = options or WatchOptions()
        self.fetch = fetch
        self.on_report = on_report
        self.stopping = threading.Event()
        self.threads: dict[int, InboxWatch] = {}

    def _inbox_ids(self) -> list[int]:
        inboxes = Inbox.objects.filter(kind=InboxKind.EMAIL)
        inboxes = inboxes.filter(name=self.inbox_name) if self.inbox_name else inboxes.filter(active=True)
        return [inbox.pk for inbox in inboxes.order_by("name")
                if EmailInboxConfig.from_dict(inbox.config).fetch in ("imap", "pop3")]

    def scan(self) -> None:
        """Start a thread for each watched inbox that has none running."""
        for inbox_id in self._inbox_ids():
            thread = self.threads.get(inbox_id)
            if thread is None or not thread.is_alive():
                thread = InboxWatch(inbox_id, stopping=self.stopping, options=self.options,
                                    named=bool(self.inbox_name), fetch=self.fetch, on_report=self.on_report)
                self.threads[inbox_id] = thread
                thread.start()

    def run(self) -> None:
        """Scan now and every ``rescan`` seconds until ``stop()`` (database trouble is waited out)."""
        try:
            while not self.stopping.is_set():
                try:
                    close_old_connections()
                    self.scan()
                except Exception as exc:
                    logger.warning("Looking for inboxes to watch failed (%s); trying again", type(exc).__name__)
                finally:
                    close_old_connections()
                self.stopping.wait(self.options.rescan)
        finally:
            connection.close()

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="pomoc-mail-watch", daemon=True)
        thread.start()
        return thread

    def stop(self, timeout: float = 30.0) -> None:
        self.stopping.set()
        deadline = time.monotonic() + timeout
        for thread in list(self.threads.values()):
            thread.join(max(0.0, deadline - time.monotonic()))
