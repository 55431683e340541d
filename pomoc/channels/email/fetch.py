"""Fetching mail from IMAP and POP3 mailboxes into the one ingestion pipeline, without losing any.

IMAP (``fetch_imap``): per inbox and folder, ``MailboxState`` keeps the folder's UIDVALIDITY and the
last UID stored. Every run fetches the UIDs above it in order with ``BODY.PEEK[]`` (nothing is
marked read by fetching), and for each: ``receive_raw`` (committed) → ``process`` → only then
``last_uid`` advances and the mail is flagged ``\\Seen`` on the server. So:

- a crash or a lost connection at any point fetches the same mail again next time; identical bytes
  already kept are not stored twice, and ``process`` dedupes by Message-ID;
- a database outage stops the run where it is, ``last_uid`` not advanced: the next run backfills
  everything since, however long the outage was (the window is "every UID above", not "since when");
- a mail that cannot be turned into a ticket is kept as ``unprocessable`` by ``process`` and the run
  goes on; an unexpected error on one mail lets the run go on too, but ``last_uid`` stays below that
  mail so the next run tries it again;
- a new UIDVALIDITY (the folder was recreated, the server migrated) scans the folder from the start;
  Message-ID dedupe keeps every mail at most once.

The server's ``\\Seen`` flag is a courtesy for people who also read the mailbox; Pomoc never relies
on it (a mail read by a person in their mail client is still fetched).

POP3 (``fetch_pop3``): UIDL-based. The UIDLs stored are remembered (``MailboxState.seen_uidls``,
only those still on the server, at most ``MAX_SEEN_UIDLS``); a mail is deleted from the server
only when the inbox's settings ask for it (``"pop3_delete": true`` in ``Inbox.config``) and only
after it is stored.

Passwords come from ``inbox.get_secret("imap_password" / "pop3_password")`` and are never logged.
TLS (``ssl``, ``starttls``: IMAP STARTTLS or POP3 STLS) always verifies the server's certificate,
against the system's CAs and the inbox's ``tls_ca_certificates`` (``pomoc.channels.email.tls``).
``pomoc mail fetch`` fetches once; ``pomoc mail watch`` (``pomoc.channels.email.watch``) runs these
same functions whenever IMAP IDLE reports new mail, or on a timer.
"""

from __future__ import annotations

import base64
import contextlib
import imaplib
import logging
import poplib
import re
import ssl
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import DatabaseError

from pomoc.channels.email.config import EmailInboxConfig
from pomoc.channels.email.ingest import IngestResult, _quick_message_id, process, receive_raw
from pomoc.channels.email.models import MailboxState, RawMail
from pomoc.channels.email.tls import client_context, describe_certificate_error
from pomoc.channels.models import Inbox, InboxKind

__all__ = ["FetchReport", "fetch_all", "fetch_imap", "fetch_inbox", "fetch_pop3", "store_mail"]

logger = logging.getLogger(__name__)

TIMEOUT = 60  # seconds for connecting and for every server answer
MAX_SEEN_UIDLS = 50_000

Store = Callable[[Inbox, bytes], IngestResult]


@dataclass
class FetchReport:
    """What one fetch run did. ``error`` says why it stopped early ("" when it went through)."""

    inbox: str
    protocol: str
    folder: str = ""
    fetched: int = 0  # mails downloaded from the server
    statuses: Counter = field(default_factory=Counter)  # ingestion status -> count
    failed: int = 0  # mails whose storing raised something unexpected (tried again next run)
    error: str = ""
    database_error: bool = False  # stopped by a database error: try again later

    @property
    def complete(self) -> bool:
        return not self.error and not self.failed

    def as_json(self) -> dict:
        return {"inbox": self.inbox, "protocol": self.protocol, "folder": self.folder, "fetched": self.fetched,
                "statuses": dict(self.statuses), "failed": self.failed, "error": self.error}


def store_mail(inbox: Inbox, raw: bytes) -> IngestResult:
    """Keep and process one fetched mail. The same bytes fetched again (a run that stopped between
    storing and advancing, a rescan after a new UIDVALIDITY) are processed from the row already kept
    instead of being kept twice. Database errors propagate."""
    existing = (
        RawMail.objects.filter(inbox=inbox, message_id_header=_quick_message_id(raw), sha256=RawMail.digest(raw))
        .order_by("id").values_list("pk", flat=True).first()
    )
    if existing is None:
        existing = receive_raw(inbox=inbox, raw=raw).pk
    return process(existing)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return describe_certificate_error(exc)[:1000]
    return f"{type(exc).__name__}: {exc}"[:1000]


# --- IMAP -------------------------------------------------------------------------------------
def imap_mailbox_name(name: str) -> str:
    """A folder name as IMAP wants it on the wire: modified UTF-7 (RFC 3501 5.1.3), quoted."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            encoded = base64.b64encode("".join(pending).encode("utf-16-be")).decode("ascii")
            out.append("&" + encoded.rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    quoted = "".join(out).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{quoted}"'


def imap_open(config: EmailInboxConfig, *, timeout: float = TIMEOUT) -> imaplib.IMAP4:
    """A connection (TLS as configured), not yet logged in."""
    if config.imap_security == "ssl":
        return imaplib.IMAP4_SSL(config.imap_host, config.imap_port, timeout=timeout,
                                 ssl_context=client_context(config.tls_ca_certificates))
    client = imaplib.IMAP4(config.imap_host, config.imap_port, timeout=timeout)
    if config.imap_security == "starttls":
        try:
            client.starttls(ssl_context=client_context(config.tls_ca_certificates))
        except BaseException:
            with contextlib.suppress(OSError):  # the TLS layer may have closed it already
                client.shutdown()
            raise
    return client


def imap_connect(config: EmailInboxConfig, password: str) -> imaplib.IMAP4:
    client = imap_open(config)
    try:
        client.login(config.imap_username, password)
    except BaseException:
        _imap_close(client)
        raise
    return client


def _imap_close(client: imaplib.IMAP4) -> None:
    try:
        client.logout()
    except Exception:  # already gone: nothing to tidy up
        try:
            client.shutdown()
        except Exception:  # noqa: S110 - the socket is dead either way
            pass


def _ok(typ: str, data, what: str) -> list:
    if typ != "OK":
        detail = b" ".join(d for d in data if isinstance(d, bytes)).decode("utf-8", "replace")
        raise imaplib.IMAP4.error(f"{what} failed: {detail}"[:500])
    return data


def _uidvalidity(client: imaplib.IMAP4, mailbox: str) -> int:
    typ, data = client.response("UIDVALIDITY")  # sent with the SELECT answer
    if typ == "OK" and data and data[-1]:
        return int(data[-1])
    data = _ok(*client.status(mailbox, "(UIDVALIDITY)"), "STATUS")
    match = re.search(rb"UIDVALIDITY (\d+)", data[0] or b"")
    if match is None:
        raise imaplib.IMAP4.error("The server did not say the folder's UIDVALIDITY.")
    return int(match.group(1))


def _uids_above(client: imaplib.IMAP4, last_uid: int) -> list[int]:
    # "n:*" always includes the newest message, even when its UID is below n: filter.
    data = _ok(*client.uid("SEARCH", None, f"UID {last_uid + 1}:*"), "UID SEARCH")
    uids = {int(token) for line in data if line for token in line.split()}
    return sorted(uid for uid in uids if uid > last_uid)


def _fetch_body(client: imaplib.IMAP4, uid: int) -> bytes | None:
    """The message's bytes, or None when it has gone (expunged meanwhile)."""
    data = _ok(*client.uid("FETCH", str(uid), "(BODY.PEEK[])"), "UID FETCH")
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return None


def fetch_imap(inbox: Inbox, *, store: Store = store_mail) -> FetchReport:
    """Fetch every new mail of the inbox's IMAP folder (see the module's docstring)."""
    config = EmailInboxConfig.from_dict(inbox.config)
    folder = config.imap_folder or "INBOX"
    report = FetchReport(inbox=inbox.name, protocol=MailboxState.Protocol.IMAP, folder=folder)
    client = None
    try:
        client = imap_connect(config, inbox.get_secret("imap_password"))
        mailbox = imap_mailbox_name(folder)
        _ok(*client.select(mailbox), "SELECT")
        uidvalidity = _uidvalidity(client, mailbox)
        state, _created = MailboxState.objects.get_or_create(
            inbox=inbox, protocol=MailboxState.Protocol.IMAP, folder=folder,
        )
        if state.uidvalidity != uidvalidity:
            if state.uidvalidity is not None:
                logger.warning("Inbox %s, folder %s: UIDVALIDITY changed from %s to %s; scanning it again "
                               "(Message-IDs already stored are not stored twice)",
                               inbox.name, folder, state.uidvalidity, uidvalidity)
            state.uidvalidity, state.last_uid = uidvalidity, 0
            state.save(update_fields=["uidvalidity", "last_uid", "updated_at"])
        advancing = True
        for uid in _uids_above(client, state.last_uid):
            raw = _fetch_body(client, uid)
            if raw is not None:
                report.fetched += 1
                try:
                    result = store(inbox, raw)
                except DatabaseError:
                    raise
                except Exception:
                    # a bug, not a bad mail (those become unprocessable): go on with the others, but
                    # keep last_uid below this one so that the next run tries it again
                    logger.exception("Inbox %s: storing IMAP UID %s failed", inbox.name, uid)
                    report.failed += 1
                    advancing = False
                    continue
                report.statuses[result.status] += 1
            if advancing:
                state.last_uid = uid
                state.save(update_fields=["last_uid", "updated_at"])
            if raw is not None:
                _ok(*client.uid("STORE", str(uid), "+FLAGS.SILENT", r"(\Seen)"), "UID STORE")
    except DatabaseError as exc:
        report.error, report.database_error = _describe(exc), True
        logger.warning("Inbox %s: database error while fetching; stopped, the rest comes next run: %s",
                       inbox.name, report.error)
    except (OSError, EOFError, imaplib.IMAP4.error, ValueError) as exc:
        report.error = _describe(exc)
        logger.warning("Inbox %s: IMAP fetch from %s stopped: %s", inbox.name, config.imap_host, report.error)
    finally:
        if client is not None:
            _imap_close(client)
    return report


# --- POP3 -------------------------------------------------------------------------------------
def pop3_open(config: EmailInboxConfig, *, timeout: float = TIMEOUT) -> poplib.POP3:
    """A connection (TLS as configured), not yet logged in."""
    if config.pop3_security == "ssl":
        return poplib.POP3_SSL(config.pop3_host, config.pop3_port, timeout=timeout,
                               context=client_context(config.tls_ca_certificates))
    client = poplib.POP3(config.pop3_host, config.pop3_port, timeout=timeout)
    if config.pop3_security == "starttls":  # POP3's STLS (RFC 2595)
        try:
            client.stls(context=client_context(config.tls_ca_certificates))
        except BaseException:
            with contextlib.suppress(OSError):  # the TLS layer may have closed it already
                client.close()
            raise
    return client


def pop3_connect(config: EmailInboxConfig, password: str) -> poplib.POP3:
    client = pop3_open(config)
    try:
        client.user(config.pop3_username)
        client.pass_(password)
    except BaseException:
        _pop3_close(client, commit=False)
        raise
    return client


def _pop3_close(client: poplib.POP3, *, commit: bool) -> None:
    """QUIT commits the deletions; without it (``commit=False``) the server deletes nothing."""
    try:
        if commit:
            client.quit()
        else:
            client.close()
    except Exception:  # noqa: S110 - the connection is gone either way
        pass


def _pop3_delete_wanted(inbox: Inbox) -> bool:
    return EmailInboxConfig.from_dict(inbox.config).pop3_delete


def fetch_pop3(inbox: Inbox, *, store: Store = store_mail) -> FetchReport:
    """Fetch every mail of the inbox's POP3 mailbox whose UIDL has not been stored yet."""
    config = EmailInboxConfig.from_dict(inbox.config)
    report = FetchReport(inbox=inbox.name, protocol=MailboxState.Protocol.POP3)
    delete = _pop3_delete_wanted(inbox)
    client = None
    try:
        client = pop3_connect(config, inbox.get_secret("pop3_password"))
        listing = []
        for line in client.uidl()[1]:
            number, _sep, uidl = line.decode("ascii", "replace").partition(" ")
            listing.append((int(number), uidl.strip()))
        on_server = {uidl for _n, uidl in listing}
        state, _created = MailboxState.objects.get_or_create(
            inbox=inbox, protocol=MailboxState.Protocol.POP3, folder="",
        )
        # remember only what is still there (a deleted mail does not come back), newest last
        seen = [u for u in state.seen_uidls if isinstance(u, str) and u in on_server][-MAX_SEEN_UIDLS:]
        known = set(seen)
        for number, uidl in listing:
            if uidl in known:
                if delete:
                    client.dele(number)  # stored by an earlier run that could not QUIT
                continue
            raw = b"\r\n".join(client.retr(number)[1]) + b"\r\n"
            report.fetched += 1
            try:
                result = store(inbox, raw)
            except DatabaseError:
                raise
            except Exception:
                logger.exception("Inbox %s: storing POP3 message %s failed", inbox.name, uidl)
                report.failed += 1
                continue
            report.statuses[result.status] += 1
            seen.append(uidl)
            known.add(uidl)
            state.seen_uidls = seen[-MAX_SEEN_UIDLS:]
            state.save(update_fields=["seen_uidls", "updated_at"])
            if delete:
                client.dele(number)
        if state.seen_uidls != seen[-MAX_SEEN_UIDLS:]:
            state.seen_uidls = seen[-MAX_SEEN_UIDLS:]
            state.save(update_fields=["seen_uidls", "updated_at"])
    except DatabaseError as exc:
        report.error, report.database_error = _describe(exc), True
        logger.warning("Inbox %s: database error while fetching; stopped, the rest comes next run: %s",
                       inbox.name, report.error)
    except (OSError, EOFError, poplib.error_proto, ValueError) as exc:
        report.error = _describe(exc)
        logger.warning("Inbox %s: POP3 fetch from %s stopped: %s", inbox.name, config.pop3_host, report.error)
    finally:
        if client is not None:
            # deletions (of stored mail only) are committed by QUIT
            _pop3_close(client, commit=True)
    return report


# --- every inbox ------------------------------------------------------------------------------
def fetch_inbox(inbox: Inbox, *, store: Store = store_mail) -> FetchReport | None:
    """Fetch one inbox by its configured way (None for inboxes that receive by pipe or SMTP)."""
    fetch = EmailInboxConfig.from_dict(inbox.config).fetch
    if fetch == "imap":
        return fetch_imap(inbox, store=store)
    if fetch == "pop3":
        return fetch_pop3(inbox, store=store)
    return None


def fetching_inboxes() -> list[Inbox]:
    """The active e-mail inboxes set to fetch by IMAP or POP3."""
    return [inbox for inbox in Inbox.objects.filter(kind=InboxKind.EMAIL, active=True).order_by("name")
            if EmailInboxConfig.from_dict(inbox.config).fetch in ("imap", "pop3")]


def fetch_all(name: str | None = None) -> list[FetchReport]:
    """Fetch every active e-mail inbox set to IMAP or POP3 (or only the one named ``name``).
    One inbox failing never keeps the others from being fetched."""
    if name:
        inboxes = list(Inbox.objects.filter(kind=InboxKind.EMAIL, name=name))
    else:
        inboxes = fetching_inboxes()
    reports = []
    for inbox in inboxes:
        report = fetch_inbox(inbox)
        if report is not None:
            reports.append(report)
    return reports
