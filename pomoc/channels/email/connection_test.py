"""The administrators' "Test connection": log in to an inbox's IMAP/POP3 server and greet (EHLO) and
log in to its SMTP server, with a short timeout, and say per protocol what happened.

Nothing here logs, and no result text contains a password: server and library messages are
cleaned of the secret (also in its base64 forms, as AUTH exchanges carry it) before they are shown.
"""

from __future__ import annotations

import base64
import contextlib
import re
import smtplib
import socket
import ssl

from django.utils.translation import gettext as _

from pomoc.channels.email.config import EmailInboxConfig
from pomoc.channels.email.fetch import imap_open, pop3_open
from pomoc.channels.email.outbound import _SMTP, _SMTP_SSL  # the classes replies are sent with (UTF-8 logins)
from pomoc.channels.email.tls import client_context
from pomoc.channels.models import Inbox
from pomoc.channels.registry import ConnectionResult
from pomoc.core.crypto import SecretUnreadable

TIMEOUT = 8.0  # seconds per connection
MAX_DETAIL = 300


def _forms_of(secret: str, username: str) -> list[str]:
    if not secret:
        return []
    raw = [secret.encode(), f"\0{username}\0{secret}".encode(), f"{username}\0{secret}".encode()]
    forms = [secret] + [base64.b64encode(value).decode() for value in raw]
    return sorted({f for f in forms if f}, key=len, reverse=True)


def sanitize(text: str, *, secret: str = "", username: str = "") -> str:
    """An error text fit to show: no secret (plain or base64), no control characters, short."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = str(text)
    for form in _forms_of(secret, username):
        text = text.replace(form, "•••")
    text = re.sub(r"[\x00-\x1f\x7f]+", " ", text).strip()
    return text[:MAX_DETAIL] + ("…" if len(text) > MAX_DETAIL else "")


def _describe(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return _("no answer within %(seconds)d seconds") % {"seconds": TIMEOUT}
    if isinstance(exc, ConnectionRefusedError):
        return _("connection refused (nothing listens on that port?)")
    if isinstance(exc, socket.gaierror):
        return _("unknown host name")
    if isinstance(exc, ssl.SSLCertVerificationError):
        return _("the server's certificate is not trusted: %(detail)s") % {"detail": exc.verify_message or exc}
    if isinstance(exc, ssl.SSLError):
        return _("TLS failed: %(detail)s") % {"detail": exc.reason or exc}
    if isinstance(exc, UnicodeError):  # its text would quote a character of the password
        return _("the username or password contains characters (such as accented letters) that this "
                 "login cannot carry")
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error
        return f"{exc.smtp_code} {error.decode('utf-8', 'replace') if isinstance(error, bytes) else error}"
    return f"{type(exc).__name__}: {exc}"


def _failure(protocol: str, stage: str, exc: BaseException, secret: str, username: str) -> ConnectionResult:
    detail = sanitize(_describe(exc), secret=secret, username=username)
    if isinstance(exc, ssl.SSLCertVerificationError):  # IMAP, POP3 and SMTP: the same field trusts it
        hint = _("If the server's certificate comes from a private CA or is self-signed, paste it "
                 "into “TLS CA certificates” and test again.")
        detail = f"{detail.rstrip('.')}. {hint}"
    if stage != "connect":
        message = _("The server answered, but the login failed: %(detail)s") % {"detail": detail}
    else:
        message = _("Could not connect: %(detail)s") % {"detail": detail}
    return ConnectionResult(protocol, False, message)


def _imap(config: EmailInboxConfig, password: str) -> ConnectionResult:
    stage = "connect"
    try:
        client = imap_open(config, timeout=TIMEOUT)
        try:
            stage = "login"
            client.login(config.imap_username, password)
            status, _data = client.select(config.imap_folder or "INBOX", readonly=True)
            if status != "OK":
                return ConnectionResult("IMAP", False, _("Logged in, but the folder “%(folder)s” cannot be opened.")
                                      % {"folder": sanitize(config.imap_folder)})
        finally:
            with contextlib.suppress(Exception):  # the result is already decided
                client.logout()
    except Exception as exc:
        return _failure("IMAP", stage, exc, password, config.imap_username)
    return ConnectionResult("IMAP", True, _("Connected, logged in and opened the folder “%(folder)s”.")
                          % {"folder": sanitize(config.imap_folder)})


def _pop3(config: EmailInboxConfig, password: str) -> ConnectionResult:
    stage = "connect"
    try:
        client = pop3_open(config, timeout=TIMEOUT)
        try:
            stage = "login"
            client.user(config.pop3_username)
            client.pass_(password)
        finally:
            with contextlib.suppress(Exception):  # the result is already decided
                client.quit()
    except Exception as exc:
        return _failure("POP3", stage, exc, password, config.pop3_username)
    return ConnectionResult("POP3", True, _("Connected and logged in."))


def _smtp(config: EmailInboxConfig, password: str) -> ConnectionResult:
    stage = "connect"
    try:
        # the same trust as the replies' connection (pomoc.channels.email.outbound): system CAs plus the inbox's
        context = client_context(config.tls_ca_certificates)
        if config.smtp_security == "ssl":
            client = _SMTP_SSL(config.smtp_host, config.smtp_port, context=context, timeout=TIMEOUT)
        else:
            client = _SMTP(config.smtp_host, config.smtp_port, timeout=TIMEOUT)
        try:
            client.ehlo()
            if config.smtp_security == "starttls":
                client.starttls(context=context)
                client.ehlo()
            if not config.smtp_username:
                return ConnectionResult("SMTP", True, _("Connected; the server greeted us. No username is set, "
                                                      "so no login was tried."))
            stage = "login"
            client.login(config.smtp_username, password)
        finally:
            with contextlib.suppress(Exception):  # the result is already decided
                client.quit()
    except Exception as exc:
        return _failure("SMTP", stage, exc, password, config.smtp_username)
    return ConnectionResult("SMTP", True, _("Connected and logged in."))


def _secret(inbox: Inbox, name: str) -> str | None:
    try:
        return inbox.get_secret(name)
    except SecretUnreadable:
        return None


def check_connection(inbox: Inbox) -> list[ConnectionResult]:
    """Try the inbox's incoming server (IMAP or POP3, where set up) and its SMTP server."""
    config = EmailInboxConfig.from_dict(inbox.config)
    checks = []
    if config.imap_host and (config.fetch == "imap" or config.fetch == "pipe"):
        checks.append(("IMAP", "imap_password", _imap))
    if config.pop3_host and (config.fetch == "pop3" or config.fetch == "pipe"):
        checks.append(("POP3", "pop3_password", _pop3))
    if config.smtp_host:
        checks.append(("SMTP", "smtp_password", _smtp))
    results = []
    for protocol, secret_name, check in checks:
        password = _secret(inbox, secret_name)
        if password is None:
            results.append(ConnectionResult(protocol, False, _("The stored password cannot be decrypted (was the "
                                                             "encryption key changed?). Enter it again.")))
            continue
        results.append(check(config, password))
    if not results:
        results.append(ConnectionResult("", False,
                                        _("No server is set up for this inbox, so there is nothing to test.")))
    return results
