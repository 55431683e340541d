"""The web form's typed config (``Inbox.config`` of a ``web`` inbox): one contact form per inbox,
the inbox's department is the form's department."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

ORIGIN = re.compile(r"^https?://[a-z0-9.-]+(:\d{1,5})?$", re.IGNORECASE)
MIN_SECONDS_DEFAULT = 3


def _lines(value) -> list[str]:
    if isinstance(value, str):
        value = value.replace(",", "\n").splitlines()
    if not isinstance(value, list | tuple):
        return []
    return [str(item).strip() for item in value if isinstance(item, str) and item.strip()]


@dataclass(frozen=True)
class WebFormConfig:
    """``fields``: keys of the tickets' custom fields the form asks for, in order; ``embed_origins``:
    the sites (``https://shop.example.com``) that may show the form in a frame; ``confirm_unknown``:
    a sender with no contact yet confirms their address by e-mail before the ticket opens;
    ``min_seconds``: a form sent sooner after it was shown is refused as a robot's."""

    fields: list[str] = field(default_factory=list)
    embed_origins: list[str] = field(default_factory=list)
    confirm_unknown: bool = False
    min_seconds: int = MIN_SECONDS_DEFAULT

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> WebFormConfig:
        """Never raises: a wrong or missing value falls back to its default."""
        data = data if isinstance(data, dict) else {}
        fields = [key for key in _lines(data.get("fields")) if re.fullmatch(r"[-a-zA-Z0-9_]{1,50}", key)]
        origins = [origin.rstrip("/").lower() for origin in _lines(data.get("embed_origins"))
                   if ORIGIN.match(origin.rstrip("/"))]
        try:
            seconds = min(max(int(data.get("min_seconds", MIN_SECONDS_DEFAULT)), 0), 600)
        except (TypeError, ValueError):
            seconds = MIN_SECONDS_DEFAULT
        return cls(fields=list(dict.fromkeys(fields)), embed_origins=list(dict.fromkeys(origins)),
                   confirm_unknown=data.get("confirm_unknown") is True, min_seconds=seconds)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
