"""The registry of channel kinds: what one kind of inbox brings to the channel-neutral platform.

Each kind lives in ``pomoc/channels/<kind>/`` (a Django app of its own) and registers one
``ChannelKind`` from its ``AppConfig.ready``. The platform (inbound pipeline, delivery task, reply
routes, inbox services and API) finds kinds here and never imports one. ``docs/adding-a-channel.md``
walks through a new kind; ADR 0008 says why the shape is this one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from pomoc.channels.models import Inbox
    from pomoc.tickets.models import Message


class DeliveryFailed(Exception):
    """An outbound adapter could not deliver a reply. ``temporary`` failures are retried with backoff;
    permanent ones mark the reply failed with ``reason`` (shown to the agent, translated)."""

    def __init__(self, reason: str, *, temporary: bool):
        super().__init__(reason)
        self.reason = reason
        self.temporary = temporary


class OutboundAdapter(Protocol):
    def deliver(self, message: Message) -> str:
        """Send one stored reply (``message.inbox`` may be None: the installation's default route, for
        kinds that have one). Returns a note for the agent ("" when all went well); raises
        ``DeliveryFailed``. Must be safe to call twice for the same message (retries after a crash)."""


class TypedConfig(Protocol):
    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> TypedConfig:
        """Read a stored config; never raises (a wrong value falls back to its default)."""

    def to_dict(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class ChannelKind:
    key: str  # Inbox.kind, Message.channel
    label: Any  # lazily translated name
    identity_kind: str  # the contact identity (IdentityKind) its replies go to
    config: type  # a TypedConfig
    outbound: OutboundAdapter | None = None  # None: a kind that only receives
    # Validates ``changes`` (config keys) for ``inbox``; returns the cleaned config keys, adding
    # messages to ``errors`` ({field: [message]}). The inbox services and the API call it.
    clean_config: Callable[[Inbox, Mapping, dict], dict] | None = None
    secret_names: tuple[str, ...] = ()  # write-only settings, stored encrypted
    # Kinds that can answer without an inbox of theirs (e-mail: Django's EMAIL_* settings).
    answers_without_inbox: bool = False
    admin_form: str = ""  # dotted path of the administration page's form class
    address_label: Any = ""  # what Inbox.address means for this kind ("" when unused)
    extra: dict = field(default_factory=dict)


_KINDS: dict[str, ChannelKind] = {}


def register(kind: ChannelKind) -> ChannelKind:
    existing = _KINDS.get(kind.key)
    if existing is not None and existing != kind:
        raise ImproperlyConfigured(f"channel kind {kind.key!r} is registered twice")
    _KINDS[kind.key] = kind
    return kind


def unregister(key: str) -> None:
    """For tests that register a kind of their own."""
    _KINDS.pop(key, None)


def get(key: str) -> ChannelKind | None:
    return _KINDS.get(key)


def kinds() -> list[ChannelKind]:
    """Every registered kind, in registration order (the order reply routes are tried in)."""
    return list(_KINDS.values())


def choices() -> list[tuple[str, Any]]:
    return [(kind.key, kind.label) for kind in _KINDS.values()]
