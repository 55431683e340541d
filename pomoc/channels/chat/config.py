"""The typed settings of a chat inbox, stored in ``Inbox.config`` (a JSON object).

The department of a chat is the inbox's (``Inbox.department``); the identity secret is a secret of
the inbox (``secret_names``), never in the config. ``from_dict`` never raises."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

POSITIONS = ("right", "left")
FIELD_TYPES = ("text", "email", "tel", "textarea", "select")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_PRECHAT_FIELDS = 10
MAX_RULES = 20


def normalize_origin(value: str) -> str:
    """``https://shop.example.com`` (scheme, host, non-default port), "" when ``value`` is no origin."""
    try:
        parts = urlsplit((value or "").strip())
        port = parts.port
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/") \
            or parts.query or parts.username:
        return ""
    default = 443 if parts.scheme == "https" else 80
    host = parts.hostname.lower()
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def _text(data: dict, name: str, default: str, limit: int = 500) -> str:
    value = data.get(name, default)
    return value[:limit] if isinstance(value, str) else default


def _int(data: dict, name: str, default: int, low: int, high: int) -> int:
    value = data.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        return default
    return min(max(value, low), high)


def _bool(data: dict, name: str, default: bool) -> bool:
    value = data.get(name, default)
    return value if isinstance(value, bool) else default


def _prechat(items: Any) -> list[dict]:
    fields = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not _NAME.match(item["name"]):
            continue
        kind = item.get("type") if item.get("type") in FIELD_TYPES else "text"
        entry = {"name": item["name"], "label": str(item.get("label") or item["name"])[:100], "type": kind,
                 "required": bool(item.get("required", False))}
        if kind == "select":
            entry["options"] = [str(o)[:100] for o in item.get("options") or [] if isinstance(o, str | int)][:30]
        fields.append(entry)
    return fields[:MAX_PRECHAT_FIELDS]


def _rules(items: Any) -> list[dict]:
    """Proactive invitations: ``{"url": "*pricing*", "seconds": 30, "returning": false,
    "only_online": true, "message": "Questions about prices?"}``."""
    rules = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("message"), str) or not item["message"].strip():
            continue
        rules.append({"url": str(item.get("url") or "*")[:300], "seconds": _int(item, "seconds", 0, 0, 3600),
                      "returning": _bool(item, "returning", False), "only_online": _bool(item, "only_online", True),
                      "message": item["message"].strip()[:500]})
    return rules[:MAX_RULES]


@dataclass(frozen=True)
class ChatInboxConfig:
    allowed_origins: list[str] = field(default_factory=list)  # sites that may embed the widget
    title: str = ""
    greeting: str = ""
    offline_message: str = ""
    colour: str = "#1f6feb"
    position: str = "right"
    prechat_fields: list[dict] = field(default_factory=list)
    max_chats_per_agent: int = 3  # used when an agent's own chat capacity is 0 (no limit set)
    rating_enabled: bool = True
    invitations: list[dict] = field(default_factory=list)
    max_message_chars: int = 5000
    max_upload_bytes: int = 10 * 1024 * 1024
    messages_per_minute: int = 30  # per visitor; per IP the double
    calendar: int = 0  # a business-hours calendar (pomoc.calendars): offline messages say when we answer
    answer_within_hours: int = 8  # business hours, with ``calendar``

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ChatInboxConfig:
        data = data if isinstance(data, dict) else {}
        origins = data.get("allowed_origins")
        origins = [o for o in (normalize_origin(v) for v in origins if isinstance(v, str)) if o] \
            if isinstance(origins, list) else []
        colour = _text(data, "colour", cls.colour, 7)
        position = data.get("position") if data.get("position") in POSITIONS else "right"
        return cls(
            allowed_origins=origins, title=_text(data, "title", "", 100), greeting=_text(data, "greeting", ""),
            offline_message=_text(data, "offline_message", ""),
            colour=colour if _COLOUR.match(colour) else cls.colour, position=position,
            prechat_fields=_prechat(data.get("prechat_fields")),
            max_chats_per_agent=_int(data, "max_chats_per_agent", 3, 1, 50),
            rating_enabled=_bool(data, "rating_enabled", True), invitations=_rules(data.get("invitations")),
            max_message_chars=_int(data, "max_message_chars", 5000, 100, 20000),
            max_upload_bytes=_int(data, "max_upload_bytes", 10 * 1024 * 1024, 1024, 50 * 1024 * 1024),
            messages_per_minute=_int(data, "messages_per_minute", 30, 1, 600),
            calendar=_int(data, "calendar", 0, 0, 2**31),
            answer_within_hours=_int(data, "answer_within_hours", 8, 0, 720),
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
