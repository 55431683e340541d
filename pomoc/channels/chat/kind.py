"""The chat ``ChannelKind``: what the registry knows about live chat inboxes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pomoc.channels import registry
from pomoc.channels.chat.config import (
    FIELD_TYPES,
    MAX_PRECHAT_FIELDS,
    MAX_RULES,
    POSITIONS,
    ChatInboxConfig,
    normalize_origin,
)
from pomoc.channels.chat.outbound import ChatOutbound
from pomoc.channels.schemas import LINE
from pomoc.contacts.models import IdentityKind

KEY = "chat"


def clean_config(inbox, values: Mapping[str, Any], errors: registry.Errors) -> dict[str, Any]:
    """Origins must be origins (scheme and host), the colour a #rrggbb, the position right or left;
    everything else is read as ``ChatInboxConfig.from_dict`` reads it."""
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        if name == "allowed_origins":
            items = value if isinstance(value, list) else str(value or "").split()
            origins = []
            for item in items:
                origin = normalize_origin(str(item))
                if not origin:
                    errors.add(name, _("“%(value)s” is not a site address such as https://shop.example.com.")
                               % {"value": item})
                origins.append(origin)
            cleaned[name] = [o for o in origins if o]
        elif name == "position" and value not in POSITIONS:
            errors.add(name, _("Choose right or left."))
        else:
            parsed = ChatInboxConfig.from_dict({name: value}).to_dict()
            if name in parsed:
                if name == "colour" and parsed[name] != value:
                    errors.add(name, _("A colour such as #1f6feb."))
                cleaned[name] = parsed[name]
    return cleaned


_TEXT = {"type": "string", "pattern": "^[^\\x00]*$"}


def _whole(low: int, high: int) -> dict:
    return {"type": "integer", "minimum": low, "maximum": high}


# What ``clean_config`` accepts, stated for the API's OpenAPI schema (ADR 0012): the server reads a
# little more (it trims and caps), never less.
CONFIG_SCHEMA = {
    "allowed_origins": {"type": "array", "items": {
        "type": "string", "pattern": "^https?://[A-Za-z0-9][A-Za-z0-9.-]*(:[1-9][0-9]{0,3})?/?$",
        "description": "A site that may embed the widget: scheme and host, a port when not the default."}},
    "title": {**LINE, "maxLength": 100},
    "greeting": {**_TEXT, "maxLength": 500},
    "offline_message": {**_TEXT, "maxLength": 500},
    "colour": {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"},
    "position": {"type": "string", "enum": list(POSITIONS)},
    "prechat_fields": {"type": "array", "maxItems": MAX_PRECHAT_FIELDS, "items": {
        "type": "object", "additionalProperties": False, "required": ["name"],
        "properties": {"name": {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,39}$"},
                       "label": {**LINE, "maxLength": 100},
                       "type": {"type": "string", "enum": list(FIELD_TYPES)},
                       "required": {"type": "boolean"},
                       "options": {"type": "array", "maxItems": 30, "items": {**LINE, "maxLength": 100}}}}},
    "invitations": {"type": "array", "maxItems": MAX_RULES, "items": {
        "type": "object", "additionalProperties": False, "required": ["message"],
        "properties": {"url": {**LINE, "maxLength": 300},
                       "seconds": _whole(0, 3600),
                       "returning": {"type": "boolean"},
                       "only_online": {"type": "boolean"},
                       "message": {"type": "string", "maxLength": 500, "pattern": "^[^\\x00]*[^\\s\\x00][^\\x00]*$"}}}},
    "max_chats_per_agent": _whole(1, 50),
    "rating_enabled": {"type": "boolean"},
    "max_message_chars": _whole(100, 20000),
    "max_upload_bytes": _whole(1024, 50 * 1024 * 1024),
    "messages_per_minute": _whole(1, 600),
    "calendar": {**_whole(0, 2**31), "description": "A business-hours calendar's id; 0: none."},
    "answer_within_hours": _whole(0, 720),
}


def summary(inbox) -> list[tuple[Any, str]]:
    origins = ChatInboxConfig.from_dict(inbox.config).allowed_origins
    return [(gettext_lazy("Sites"), ", ".join(origins) or "—")]


KIND = registry.ChannelKind(
    key=KEY,
    label=gettext_lazy("Live chat"),
    identity_kind=IdentityKind.CHAT,
    config=ChatInboxConfig,
    outbound=ChatOutbound(),
    clean_config=clean_config,
    clean_address=lambda inbox, value, errors: "",
    secret_names=("identity_secret",),
    admin_form="pomoc.channels.chat.forms.ChatInboxForm",
    summary=summary,
    config_schema=CONFIG_SCHEMA,
    identity_label=lambda value: _("the visitor in the chat"),  # a key, not for people to read
)


def register() -> None:
    registry.register(KIND)
