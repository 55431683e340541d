"""Every write to inboxes (their settings and encrypted passwords) goes through these functions.

They raise ``ValidationError`` with a dict of field -> messages; the field names are the keys of
``EmailInboxConfig`` plus ``name``, ``address``, ``department``, ``active`` and the secrets
(``imap_password``, ``pop3_password``, ``smtp_password``). Secrets are only ever written through
``Inbox.set_secret`` (encrypted) and are never part of an error message.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import fields

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from pomoc.accounts.models import Department
from pomoc.channels.email.config import FETCH_CHOICES, SECURITY_CHOICES, EmailInboxConfig
from pomoc.channels.email.ingest import process
from pomoc.channels.email.kind import SECRET_NAMES
from pomoc.channels.email.models import RawMail, RawMailStatus
from pomoc.channels.email.tls import ca_certificates_problem
from pomoc.channels.models import Inbox, InboxKind
from pomoc.contacts.services import is_valid_email

CONFIG_FIELDS = tuple(f.name for f in fields(EmailInboxConfig))
INBOX_FIELDS = ("name", "address", "department", "active", *CONFIG_FIELDS)
PORT_FIELDS = ("imap_port", "pop3_port", "smtp_port")
HOST_FIELDS = ("imap_host", "pop3_host", "smtp_host")
SECURITY_FIELDS = ("imap_security", "pop3_security", "smtp_security")
TEXT_FIELDS = {"imap_username": 254, "pop3_username": 254, "smtp_username": 254, "imap_folder": 200,
               "from_name": 100}
MIN_MESSAGE_BYTES = 10 * 1024
MAX_MESSAGE_BYTES = 500 * 1024 * 1024
MAX_SECRET_LENGTH = 1000
REPROCESS_BATCH = 500

_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


class _Errors(dict):
    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self:
            raise ValidationError(dict(self))


def is_valid_host(value: str) -> bool:
    """A DNS name or an IP address; nothing that could smuggle options, paths or header lines."""
    if not value or len(value) > 253:
        return False
    try:
        ipaddress.ip_address(value.strip("[]"))
        return True
    except ValueError:
        pass
    labels = value.rstrip(".").split(".")
    return all(_HOST_LABEL.match(label) for label in labels)


def _clean_name(errors: _Errors, value, *, exclude_pk: int | None) -> str:
    name = str(value or "").strip()
    if not name:
        errors.add("name", _("Give the inbox a name."))
    elif len(name) > 100:
        errors.add("name", _("At most 100 characters."))
    elif Inbox.objects.filter(name__iexact=name).exclude(pk=exclude_pk).exists():
        errors.add("name", _("Another inbox already has this name."))
    return name


def _clean_address(errors: _Errors, value, *, exclude_pk: int | None) -> str:
    address = str(value or "").strip().lower()
    if not address:
        errors.add("address", _("Give the inbox's e-mail address."))
        return address
    if not is_valid_email(address):  # as contacts and incoming mail: internationalised addresses too
        errors.add("address", _("Not a valid e-mail address."))
        return address
    if Inbox.objects.filter(address=address).exclude(pk=exclude_pk).exists():
        errors.add("address", _("Another inbox already receives mail for this address."))
    return address


def _clean_department(errors: _Errors, value) -> Department | None:
    if value in (None, ""):
        return None
    if isinstance(value, Department):
        return value
    department = Department.objects.filter(pk=value).first() if str(value).isdigit() else None
    if department is None:
        errors.add("department", _("Unknown department."))
    return department


def _clean_config(errors: _Errors, values: Mapping) -> dict:
    """Validated config values (only the keys given)."""
    cleaned: dict = {}
    for key, value in values.items():
        if key in PORT_FIELDS:
            try:
                port = int(value)
            except (TypeError, ValueError):
                port = 0
            if isinstance(value, bool) or not 1 <= port <= 65535:
                errors.add(key, _("A port is a number from 1 to 65535."))
            cleaned[key] = port
        elif key in HOST_FIELDS:
            host = str(value or "").strip().lower()
            if host and not is_valid_host(host):
                errors.add(key, _("Not a valid host name or IP address."))
            cleaned[key] = host
        elif key in SECURITY_FIELDS:
            if value not in SECURITY_CHOICES:
                errors.add(key, _("Choose SSL/TLS, STARTTLS or none."))
            cleaned[key] = value
        elif key == "fetch":
            if value not in FETCH_CHOICES:
                errors.add(key, _("Choose how mail gets in: pipe, IMAP or POP3."))
            cleaned[key] = value
        elif key in TEXT_FIELDS:
            text = str(value or "").strip()
            if len(text) > TEXT_FIELDS[key]:
                errors.add(key, _("At most %(count)d characters.") % {"count": TEXT_FIELDS[key]})
            elif any(c in text for c in "\r\n\0"):
                errors.add(key, _("Line breaks are not allowed here."))
            cleaned[key] = text
        elif key == "extra_addresses":
            items = value.split() if isinstance(value, str) else list(value or [])
            addresses = []
            for item in items:
                address = str(item).strip().strip(",;").lower()
                if not address:
                    continue
                if not is_valid_email(address):
                    errors.add(key, _("“%(value)s” is not a valid e-mail address.") % {"value": address[:100]})
                    continue
                if address not in addresses:
                    addresses.append(address)
            cleaned[key] = addresses
        elif key == "tls_ca_certificates":
            pem = str(value or "").strip()
            problem = ca_certificates_problem(pem)
            if problem:
                errors.add(key, problem)
            cleaned[key] = pem + "\n" if pem else ""
        elif key == "max_message_bytes":
            try:
                limit = int(value)
            except (TypeError, ValueError):
                limit = 0
            if not MIN_MESSAGE_BYTES <= limit <= MAX_MESSAGE_BYTES:
                errors.add(key, _("The limit must be between %(low)d and %(high)d bytes.")
                           % {"low": MIN_MESSAGE_BYTES, "high": MAX_MESSAGE_BYTES})
            cleaned[key] = limit
    return cleaned


def _check_fetch_settings(errors: _Errors, config: EmailInboxConfig) -> None:
    if config.fetch == "imap":
        if not config.imap_host:
            errors.add("imap_host", _("IMAP needs a server."))
        if not config.imap_username:
            errors.add("imap_username", _("IMAP needs a username."))
        if not config.imap_folder:
            errors.add("imap_folder", _("IMAP needs a folder (usually INBOX)."))
    elif config.fetch == "pop3":
        if not config.pop3_host:
            errors.add("pop3_host", _("POP3 needs a server."))
        if not config.pop3_username:
            errors.add("pop3_username", _("POP3 needs a username."))


def _apply_secrets(errors: _Errors, inbox: Inbox, secrets: Mapping | None) -> None:
    """Set (non-empty value), clear ("" or None) or keep (key absent) each secret."""
    for key, value in (secrets or {}).items():
        if key not in SECRET_NAMES:
            raise ValueError(f"unknown secret {key!r}")
        value = value or ""
        if len(value) > MAX_SECRET_LENGTH or any(c in value for c in "\r\n\0"):
            # never echo the value itself
            errors.add(key, _("This password cannot be used (too long, or it contains a line break)."))
            continue
        inbox.set_secret(key, value)


def inbox_create(*, name: str, address: str, department=None, active: bool = True,
                 config: Mapping | None = None, secrets: Mapping | None = None) -> Inbox:
    """A new e-mail inbox. ``config`` holds ``EmailInboxConfig`` keys (missing ones get defaults);
    ``secrets`` maps secret names to passwords (stored encrypted)."""
    return _save(Inbox(kind=InboxKind.EMAIL), {"name": name, "address": address, "department": department,
                                               "active": active, **(config or {})}, secrets)


def inbox_update(*, inbox: Inbox, changes: Mapping, secrets: Mapping | None = None) -> Inbox:
    """Change only the keys given (of ``INBOX_FIELDS``); config keys not given and unknown ones stay.
    ``secrets``: a name with a value sets it, with "" removes it; names not given are kept."""
    return _save(inbox, changes, secrets)


def inbox_deactivate(*, inbox: Inbox) -> Inbox:
    """No more fetching or receiving through this inbox; its tickets and raw mail stay."""
    return inbox_update(inbox=inbox, changes={"active": False})


def _save(inbox: Inbox, changes: Mapping, secrets: Mapping | None) -> Inbox:
    unknown = set(changes) - set(INBOX_FIELDS)
    if unknown:
        raise ValueError(f"unknown inbox fields: {sorted(unknown)}")
    errors = _Errors()
    if "name" in changes:
        inbox.name = _clean_name(errors, changes["name"], exclude_pk=inbox.pk)
    if "address" in changes:
        inbox.address = _clean_address(errors, changes["address"], exclude_pk=inbox.pk)
    if "department" in changes:
        inbox.department = _clean_department(errors, changes["department"])
    if "active" in changes:
        inbox.active = bool(changes["active"])
    stored = dict(inbox.config or {})
    merged = {**EmailInboxConfig.from_dict(stored).to_dict(),
              **_clean_config(errors, {k: v for k, v in changes.items() if k in CONFIG_FIELDS})}
    if not errors:
        _check_fetch_settings(errors, EmailInboxConfig.from_dict(merged))
    _apply_secrets(errors, inbox, secrets)
    errors.raise_if_any()
    inbox.config = {**stored, **merged}  # unknown keys (newer versions) are kept
    with transaction.atomic():
        inbox.save()
    return inbox


# --- unprocessable mail -------------------------------------------------------------------------
def raw_mail_reprocess(*, raw_mail: RawMail):
    """Try one kept mail again (after a fix); returns ``pomoc.channels.email.ingest.IngestResult``."""
    return process(raw_mail.pk)


def raw_mail_reprocess_all(*, status: str = RawMailStatus.UNPROCESSABLE, limit: int = REPROCESS_BATCH) -> dict:
    """Try again up to ``limit`` mails with ``status`` (oldest first); counts per resulting status.
    Database errors propagate (nothing is lost: the mails stay as they were)."""
    ids = list(RawMail.objects.filter(status=status).order_by("received_at", "id").values_list("id", flat=True)[:limit])
    counts: dict[str, int] = {}
    for raw_mail_id in ids:
        result = process(raw_mail_id)
        counts[result.status] = counts.get(result.status, 0) + 1
    return counts
