"""The chat ``ChannelKind``: what the registry knows about live chat inboxes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pomoc.channels import registry
from pomoc.channels.chat.config import POSITIONS, ChatInboxConfig, normalize_origin
from pomoc.channels.chat.outbound import ChatOutbound
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
    config_schema={"allowed_origins": {"type": "array", "items": {"type": "string"}},
                   "prechat_fields": {"type": "array", "items": {"type": "object"}},
                   "invitations": {"type": "array", "items": {"type": "object"}}},
)


def register() -> None:
    registry.register(KIND)
