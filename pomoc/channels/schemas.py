"""JSON Schema of an inbox of each kind: what the API's OpenAPI schema says a request may hold.

The inbox services (``pomoc.channels.services``) and each kind's ``clean_config`` / ``clean_address``
enforce the rules; this module states them, so that a client following the OpenAPI schema never
meets a refusal of its request's shape (``docs/api.md``). A key a kind does not describe gets a
schema from its default's type.
"""

from __future__ import annotations

from typing import Any

from pomoc.channels import registry

NO_CONTROL_CHARACTERS = "\\x00-\\x1f\\x7f\\x85\\u2028\\u2029"
LINE = {"type": "string", "pattern": f"^[^{NO_CONTROL_CHARACTERS}]*$"}
NAME = {"type": "string", "maxLength": 100,
        "pattern": f"^[^{NO_CONTROL_CHARACTERS}]*[^\\s{NO_CONTROL_CHARACTERS}][^{NO_CONTROL_CHARACTERS}]*$"}
DEPARTMENT = {"anyOf": [{"type": "integer", "minimum": 1, "maximum": 2**63 - 1}, {"type": "null"}],
              "description": "A department id; null: none."}


def _by_type(default: Any) -> dict:
    if isinstance(default, bool):
        return {"type": "boolean"}
    if isinstance(default, int):
        return {"type": "integer"}
    if isinstance(default, float):
        return {"type": "number"}
    if isinstance(default, list):
        return {"type": "array", "items": LINE}
    return dict(LINE)


def config_schema(kind: registry.ChannelKind, *, new: bool) -> dict:
    """The ``config`` object: every key optional, no unknown ones; a new inbox's also meets the kind's
    rules across keys (a change is checked against the stored settings as well, which no schema knows)."""
    defaults = kind.config.from_dict(None).to_dict()
    schema: dict[str, Any] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {key: dict(kind.config_schema.get(key) or _by_type(value)) for key, value in defaults.items()},
    }
    if new and kind.config_rules:
        schema["allOf"] = [dict(rule) for rule in kind.config_rules]
    return schema


def secrets_schema(kind: registry.ChannelKind) -> dict:
    """Write-only settings: a value sets one, "" or null removes it."""
    value = {"anyOf": [{"type": "string", "maxLength": 1000, "pattern": "^[^\\x00]*$"}, {"type": "null"}]}
    return {"type": "object", "additionalProperties": False,
            "properties": {name: dict(value) for name in kind.secret_names}}


def address_schema(kind: registry.ChannelKind) -> dict:
    if kind.address_schema is not None:
        return dict(kind.address_schema)
    return {**LINE, "maxLength": 254}


def inbox_schema(kind: registry.ChannelKind, *, new: bool) -> dict:
    """A request body that creates (``new``) or changes an inbox of this kind."""
    properties = {
        "name": NAME,
        "address": address_schema(kind),
        "department": DEPARTMENT,
        "active": {"type": "boolean"},
        "signature": {"type": "string", "maxLength": 2000, "pattern": "^[^\\x00]*$",
                      "description": "Plain text added under every reply and forward sent through this inbox."},
        "config": config_schema(kind, new=new),
        "secrets": secrets_schema(kind),
    }
    schema: dict[str, Any] = {"type": "object", "additionalProperties": False, "properties": properties}
    if new:
        properties["kind"] = {"const": kind.key, "type": "string"}
        schema["required"] = ["kind", "name", *(["address"] if kind.address_schema is not None else [])]
        schema["title"] = f"New {kind.key} inbox"
    return schema
