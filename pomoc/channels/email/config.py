"""The typed settings of an e-mail inbox, stored in ``Inbox.config`` (a JSON object).

Schema (every key optional; unknown keys are kept untouched for newer versions)::

    {
      "fetch": "pipe" | "imap" | "pop3",   # how mail gets in; "pipe" = the MTA runs `pomoc mail ingest`
      "imap_host": "", "imap_port": 993, "imap_security": "ssl" | "starttls" | "none",
      "imap_username": "", "imap_folder": "INBOX",
      "pop3_host": "", "pop3_port": 995, "pop3_security": "ssl" | "starttls" | "none", "pop3_username": "",
      "pop3_delete": false,                # delete from the POP3 server after storing (never before)
      "smtp_host": "", "smtp_port": 587, "smtp_security": "starttls" | "ssl" | "none", "smtp_username": "",
      "from_name": "",                     # display name on outgoing mail
      "extra_addresses": [],               # other addresses of ours (aliases) for loop and list checks
      "max_message_bytes": 26214400,       # larger mail is kept but not turned into a message
      "tls_ca_certificates": ""            # PEM: extra CAs (or self-signed certificates) trusted for
                                           # IMAP and POP3, beside the system's (pomoc.channels.email.tls)
    }

Secrets (IMAP/POP3/SMTP passwords) are never stored here: ``Inbox.set_secret`` keeps them encrypted.

``clean_config`` and ``clean_address`` are the kind's rules for these values (``ChannelKind``);
the channel-neutral inbox services (``pomoc.channels.services``) call them.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from pomoc.core import refusals

if TYPE_CHECKING:
    from pomoc.channels.models import Inbox
    from pomoc.channels.registry import Errors

SECRET_NAMES = ("imap_password", "pop3_password", "smtp_password")
SECURITY_CHOICES = ("ssl", "starttls", "none")
FETCH_CHOICES = ("pipe", "imap", "pop3")
PORT_FIELDS = ("imap_port", "pop3_port", "smtp_port")
HOST_FIELDS = ("imap_host", "pop3_host", "smtp_host")
SECURITY_FIELDS = ("imap_security", "pop3_security", "smtp_security")
TEXT_FIELDS = {"imap_username": 254, "pop3_username": 254, "smtp_username": 254, "imap_folder": 200,
               "from_name": 100}
MIN_MESSAGE_BYTES = 10 * 1024
MAX_MESSAGE_BYTES = 500 * 1024 * 1024

_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


@dataclass
class EmailInboxConfig:
    fetch: str = "pipe"
    imap_host: str = ""
    imap_port: int = 993
    imap_security: str = "ssl"
    imap_username: str = ""
    imap_folder: str = "INBOX"
    pop3_host: str = ""
    pop3_port: int = 995
    pop3_security: str = "ssl"
    pop3_username: str = ""
    pop3_delete: bool = False  # delete from the server after storing (never before)
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: str = "starttls"
    smtp_username: str = ""
    from_name: str = ""
    extra_addresses: list[str] = field(default_factory=list)
    max_message_bytes: int = 25 * 1024 * 1024
    tls_ca_certificates: str = ""  # PEM; certificates are always verified, these are trusted as well

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> EmailInboxConfig:
        """Read a stored config; values of the wrong type fall back to the default (never raises)."""
        data = data if isinstance(data, dict) else {}
        defaults = cls()
        values: dict[str, Any] = {}
        for f in fields(cls):
            default = getattr(defaults, f.name)
            value = data.get(f.name, default)
            # Exact types: an int is not a bool here, nor a bool an int.
            if type(value) is not type(default):
                value = default
            values[f.name] = value
        config = cls(**values)
        if config.imap_security not in SECURITY_CHOICES:
            config.imap_security = defaults.imap_security
        if config.pop3_security not in SECURITY_CHOICES:
            config.pop3_security = defaults.pop3_security
        if config.smtp_security not in SECURITY_CHOICES:
            config.smtp_security = defaults.smtp_security
        if config.fetch not in FETCH_CHOICES:
            config.fetch = defaults.fetch
        config.extra_addresses = [a.strip().lower() for a in config.extra_addresses if isinstance(a, str)]
        return config

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- the same rules as JSON Schema, for the API (ChannelKind.config_schema, config_rules) -----------
_SINGLE_LINE = "^[^\\x00\\r\\n]*$"
_NOT_BLANK = "^[^\\x00\\r\\n]*[^\\s\\x00][^\\x00\\r\\n]*$"
_HOST = {"anyOf": [{"maxLength": 0}, {"format": "hostname"}, {"format": "ipv4"}, {"format": "ipv6"}],
         "type": "string", "maxLength": 253, "description": "A DNS name or an IP address; \"\": none."}
_EMAIL = {"type": "string", "format": "email"}

CONFIG_SCHEMA: dict[str, dict] = {
    "fetch": {"enum": list(FETCH_CHOICES), "description": "How mail gets in: the MTA's pipe, IMAP or POP3."},
    **{key: {"type": "integer", "minimum": 1, "maximum": 65535} for key in PORT_FIELDS},
    **{key: dict(_HOST) for key in HOST_FIELDS},
    **{key: {"enum": list(SECURITY_CHOICES)} for key in SECURITY_FIELDS},
    **{key: {"type": "string", "maxLength": length, "pattern": _SINGLE_LINE} for key, length in TEXT_FIELDS.items()},
    "imap_folder": {"type": "string", "maxLength": TEXT_FIELDS["imap_folder"], "pattern": _NOT_BLANK},
    "pop3_delete": {"type": "boolean"},
    "extra_addresses": {"type": "array", "items": _EMAIL, "description": "Other addresses of ours (aliases)."},
    "max_message_bytes": {"type": "integer", "minimum": MIN_MESSAGE_BYTES, "maximum": MAX_MESSAGE_BYTES},
    "tls_ca_certificates": {
        "type": "string", "pattern": "^[^\\x00]*$",
        "description": "PEM certificates trusted beside the system's; a text that is not one is refused "
                       "with the type `invalid_content`."},
}


def _needs_when_fetching(fetch: str, required: tuple[str, ...]) -> dict:
    return {
        "if": {"properties": {"fetch": {"const": fetch}}, "required": ["fetch"]},
        "then": {"required": list(required),
                 "properties": {key: {"minLength": 1, "pattern": _NOT_BLANK} for key in required}},
    }


CONFIG_RULES = (
    _needs_when_fetching("imap", ("imap_host", "imap_username")),
    _needs_when_fetching("pop3", ("pop3_host", "pop3_username")),
)
ADDRESS_SCHEMA = {**_EMAIL, "maxLength": 254, "description": "The address customers write to."}


# --- the kind's rules (ChannelKind.clean_config and clean_address) ------------------------------
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


def _whole_number(value: Any) -> int | None:
    # JSON and the form both give ints (25.0 is one too, as JSON Schema counts); a bool is not a number
    # here, nor is "25" or 25.5.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def clean_address(inbox: Inbox, value: str, errors: Errors) -> str:
    """The address customers write to: required, a valid (possibly internationalised) e-mail
    address, and no other e-mail inbox's."""
    from pomoc.channels.models import Inbox
    from pomoc.contacts.services import is_valid_email

    address = value.strip().lower() if isinstance(value, str) else ""
    if not address:
        errors.add("address", _("Give the inbox's e-mail address."))
        return address
    if not is_valid_email(address):  # as contacts and incoming mail: internationalised addresses too
        errors.add("address", _("Not a valid e-mail address."))
        return address
    if Inbox.objects.filter(kind=inbox.kind, address=address).exclude(pk=inbox.pk).exists():
        errors.add("address", refusals.refusal(_("Another inbox already receives mail for this address."),
                                               refusals.CONFLICT))
    return address


def clean_config(inbox: Inbox, values: Mapping[str, Any], errors: Errors) -> dict[str, Any]:
    """Validated ``EmailInboxConfig`` values (only the keys given), then the fetch settings checked on
    the stored config with these changes."""
    from pomoc.channels.email.tls import ca_certificates_problem
    from pomoc.contacts.services import is_valid_email

    cleaned: dict[str, Any] = {}
    for key, value in values.items():
        if key in PORT_FIELDS:
            port = _whole_number(value)
            if port is None or not 1 <= port <= 65535:
                errors.add(key, _("A port is a number from 1 to 65535."))
            cleaned[key] = port
        elif key in HOST_FIELDS:
            host = value.strip().lower() if isinstance(value, str) else None
            if host is None or (host and not is_valid_host(host)):
                errors.add(key, _("Not a valid host name or IP address."))
            cleaned[key] = host
        elif key in SECURITY_FIELDS:
            if not isinstance(value, str) or value not in SECURITY_CHOICES:
                errors.add(key, _("Choose SSL/TLS, STARTTLS or none."))
            cleaned[key] = value
        elif key == "fetch":
            if not isinstance(value, str) or value not in FETCH_CHOICES:
                errors.add(key, _("Choose how mail gets in: pipe, IMAP or POP3."))
            cleaned[key] = value
        elif key in TEXT_FIELDS:
            text = value.strip() if isinstance(value, str) else None
            if text is None:
                errors.add(key, _("Expected text."))
            elif len(text) > TEXT_FIELDS[key]:
                errors.add(key, _("At most %(count)d characters.") % {"count": TEXT_FIELDS[key]})
            elif any(c in text for c in "\r\n\0"):
                errors.add(key, _("Line breaks are not allowed here."))
            cleaned[key] = text
        elif key == "pop3_delete":
            if not isinstance(value, bool):
                errors.add(key, _("Expected true or false."))
            cleaned[key] = value
        elif key == "extra_addresses":
            cleaned[key] = _clean_extra_addresses(errors, value, is_valid_email)
        elif key == "tls_ca_certificates":
            pem = value.strip() if isinstance(value, str) else None
            problem = _("Expected text.") if pem is None else ca_certificates_problem(pem)
            if problem:
                errors.add(key, problem if pem is None else refusals.refusal(problem, refusals.INVALID_CONTENT))
            cleaned[key] = pem + "\n" if pem else ""
        elif key == "max_message_bytes":
            limit = _whole_number(value)
            if limit is None or not MIN_MESSAGE_BYTES <= limit <= MAX_MESSAGE_BYTES:
                errors.add(key, _("The limit must be between %(low)d and %(high)d bytes.")
                           % {"low": MIN_MESSAGE_BYTES, "high": MAX_MESSAGE_BYTES})
            cleaned[key] = limit
        else:  # a key of the dataclass without a rule here is a bug, not a user's mistake
            raise ValueError(f"no rule for the e-mail setting {key!r}")
    if not errors:
        # A new inbox's settings break a rule of their own; a change may fit only with the stored ones.
        code = refusals.CONFLICT if inbox.pk else None
        _check_fetch_settings(errors, EmailInboxConfig.from_dict(
            {**EmailInboxConfig.from_dict(inbox.config).to_dict(), **cleaned}), code)
    return cleaned


def _clean_extra_addresses(errors: Errors, value: Any, is_valid_email) -> list[str]:
    # The administration form sends one text (one address per line); the API a list of strings.
    if isinstance(value, str):
        items: list = value.split()
    elif isinstance(value, list) and all(isinstance(item, str) for item in value):
        items = value
    else:
        errors.add("extra_addresses", _("Expected a list of e-mail addresses."))
        return []
    addresses: list[str] = []
    for item in items:
        address = item.strip().strip(",;").lower()
        if not address:
            continue
        if not is_valid_email(address):
            errors.add("extra_addresses", _("“%(value)s” is not a valid e-mail address.") % {"value": address[:100]})
            continue
        if address not in addresses:
            addresses.append(address)
    return addresses


def _check_fetch_settings(errors: Errors, config: EmailInboxConfig, code: str | None) -> None:
    def add(key: str, message: str) -> None:
        errors.add(key, refusals.refusal(message, code) if code else message)

    if config.fetch == "imap":
        if not config.imap_host:
            add("imap_host", _("IMAP needs a server."))
        if not config.imap_username:
            add("imap_username", _("IMAP needs a username."))
        if not config.imap_folder:
            add("imap_folder", _("IMAP needs a folder (usually INBOX)."))
    elif config.fetch == "pop3":
        if not config.pop3_host:
            add("pop3_host", _("POP3 needs a server."))
        if not config.pop3_username:
            add("pop3_username", _("POP3 needs a username."))
