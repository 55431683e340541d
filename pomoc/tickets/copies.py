"""Who else gets an outgoing message: a reply's Cc and Bcc, a forward's recipients.

Addresses are typed by agents (separated by commas, semicolons or new lines) or sent by the API as
lists; each is checked as contacts' addresses are (``is_valid_email``, internationalised ones
included), duplicates are dropped case-insensitively, and a list holds at most ``MAX_COPIES``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from pomoc.contacts.services import is_valid_email

MAX_COPIES = 20
_SEPARATORS = re.compile(r"[,;\s]+")


def split_addresses(value: str | Iterable[str] | None) -> list[str]:
    """``value`` (typed text or a list) as separate address strings, empty ones left out."""
    if value is None:
        return []
    parts = _SEPARATORS.split(value) if isinstance(value, str) else [str(item) for item in value]
    return [part.strip().strip("<>").strip() for part in parts if part and part.strip().strip("<>").strip()]


def clean_addresses(value: str | Iterable[str] | None, *, field: str) -> list[str]:
    """The addresses of ``value``, checked; ``ValidationError`` on ``field`` naming the ones refused."""
    addresses: list[str] = []
    seen: set[str] = set()
    wrong: list[str] = []
    for address in split_addresses(value):
        if len(address) > 320 or not is_valid_email(address):
            wrong.append(address[:100])
            continue
        if address.lower() not in seen:
            seen.add(address.lower())
            addresses.append(address)
    if wrong:
        raise ValidationError({field: _("Not a valid e-mail address: %(addresses)s") % {"addresses": ", ".join(wrong)}})
    if len(addresses) > MAX_COPIES:
        raise ValidationError({field: _("At most %(count)d addresses.") % {"count": MAX_COPIES}})
    return addresses
