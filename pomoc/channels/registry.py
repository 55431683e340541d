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


class Errors(dict):
    """Validation messages collected while checking an inbox: ``{field: [message, …]}``.

    The inbox services pass one to a kind's ``clean_config`` (fields are its config keys) and
    ``clean_address`` (field ``address``). Messages never contain a secret."""

    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)


@dataclass(frozen=True)
class ConnectionResult:
    """One part of a kind's connection test: ``protocol`` names what was tried ("SMTP", "API"; "" when
    nothing could be), ``message`` says what happened (translated, never a secret)."""

    protocol: str
    ok: bool
    message: str


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
    # ``clean_config(inbox, values, errors)`` validates ``values`` (known config keys only, as given)
    # against ``inbox`` (its stored config is what the values change) and returns the cleaned keys,
    # adding messages to ``errors`` (an ``Errors``, keyed by config key). Called on every create and
    # update, with ``values`` empty when no config key changes, so checks across keys see the result.
    # None: a value must have the type of its default (``config.from_dict(None).to_dict()``).
    clean_config: Callable[[Inbox, Mapping[str, Any], Errors], dict[str, Any]] | None = None
    # ``clean_address(inbox, value, errors)`` returns the cleaned ``Inbox.address`` (adding messages
    # under "address"). None: any short single line, or empty.
    clean_address: Callable[[Inbox, str, Errors], str] | None = None
    secret_names: tuple[str, ...] = ()  # write-only settings, stored encrypted
    # Kinds that can answer without an inbox of theirs (e-mail: Django's EMAIL_* settings).
    answers_without_inbox: bool = False
    admin_form: str = ""  # dotted path of the administration page's form class
    address_label: Any = ""  # what Inbox.address means for this kind ("" when unused)
    # ``summary(inbox)``: what the administration's list of inboxes shows about one inbox of the kind,
    # as (label, value) pairs, e.g. e-mail's "Mail gets in by". Reads only the inbox (no queries).
    # None: nothing beyond what every inbox has.
    summary: Callable[[Inbox], list[tuple[Any, str]]] | None = None
    # ``connection_test(inbox)``: tries the inbox's servers or provider now (short timeouts) and says
    # per part what happened. None: the kind has no test (the administration shows no button).
    connection_test: Callable[[Inbox], list[ConnectionResult]] | None = None
    # The rules ``clean_config`` and ``clean_address`` enforce, as JSON Schema, for the API's OpenAPI
    # schema (``pomoc.channels.schemas``): ``config_schema`` maps config keys to a schema (keys left out
    # get one from their default's type), ``config_rules`` lists schemas the whole config of a new inbox
    # must meet (rules across keys: "IMAP needs a server"), ``address_schema`` is the address's.
    config_schema: Mapping[str, dict] = field(default_factory=dict)
    config_rules: tuple[dict, ...] = ()
    address_schema: Mapping[str, Any] | None = None
    # ``sending_problem(inbox)``: why replies through ``inbox`` (None: the kind's default route) cannot
    # leave now, for people to read with the way to fix it (e-mail: no outgoing mail server set up);
    # "" when they can. Reads no database. None: replies of the kind can always be attempted.
    sending_problem: Callable[[Inbox | None], str] | None = None
    # ``identity_label(value)``: how people read a reply route's identity when its value is not
    # for people (live chat: a visitor's key is "the visitor in the chat"). None: the value itself.
    identity_label: Callable[[str], str] | None = None
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
