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
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

SECURITY_CHOICES = ("ssl", "starttls", "none")
FETCH_CHOICES = ("pipe", "imap", "pop3")


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
