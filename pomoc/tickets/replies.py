"""Where an agent's reply goes: the ticket's reply route, answered by the channel platform.

Tickets sit below channels in the layers (core → accounts/contacts → tickets → channels), so the
ticket services ask through this small port instead of importing a channel: ``pomoc.channels``
installs the resolver (``routes.resolve``) and the delivery queue (``tasks.deliver_message``) when
it starts. A reply is only stored when ``route_for`` finds a route; it is queued for delivery after
commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pomoc.tickets.models import Ticket


@dataclass(frozen=True)
class ReplyRoute:
    kind: str  # a channel kind: the reply's Message.channel
    inbox_id: int | None  # None: the kind's default route (e-mail: the installation's EMAIL_* settings)
    identity_id: int  # the requester's identity the reply goes to
    address: str  # that identity's value, for people to read ("jana@example.com")
    inbox_name: str = ""  # the inbox's name and address, for people to read ("" for a default route)
    inbox_address: str = ""
    # Why a reply on this route cannot leave now, with the way to fix it (e-mail: no outgoing mail
    # server configured); "" when it can. Such a reply is stored as failed with this reason, never sent.
    problem: str = ""
    signature: str = ""  # the inbox's signature, added under replies through it (``pomoc.tickets.signatures``)
    # how people read the identity when its value is not for them (a chat visitor's key); "": ``address``
    address_label: str = ""


@dataclass(frozen=True)
class ReplyInbox:
    """One way out an agent can pick before there is a ticket (the new-ticket form, the API): an
    active inbox of a kind that can send, or (``inbox_id`` None) a kind's default route."""

    kind: str  # a channel kind
    identity_kind: str  # the requester's identity (IdentityKind) replies through it go to
    inbox_id: int | None
    name: str  # the inbox's name ("" for a default route)
    address: str  # the inbox's address ("" when it has none, or for a default route)
    department_id: int | None = None


_resolver: Callable[[Ticket], ReplyRoute | None] | None = None
_enqueue: Callable[[int], None] | None = None
_choices: Callable[[Ticket], list[ReplyRoute]] | None = None
_inboxes: Callable[[], list[ReplyInbox]] | None = None
_overview: Callable[[Ticket], tuple[ReplyRoute | None, list[ReplyRoute]]] | None = None


def install(*, resolver: Callable[[Ticket], ReplyRoute | None], enqueue: Callable[[int], None],
            choices: Callable[[Ticket], list[ReplyRoute]] | None = None,
            inboxes: Callable[[], list[ReplyInbox]] | None = None,
            overview: Callable[[Ticket], tuple[ReplyRoute | None, list[ReplyRoute]]] | None = None) -> None:
    global _resolver, _enqueue, _choices, _inboxes, _overview
    _resolver, _enqueue, _choices, _inboxes, _overview = resolver, enqueue, choices, inboxes, overview


def route_for(ticket: Ticket) -> ReplyRoute | None:
    """The route a reply on ``ticket`` would take now, or None when it has nowhere to go."""
    return _resolver(ticket) if _resolver is not None else None


def choices_for(ticket: Ticket) -> list[ReplyRoute]:
    """Every route an agent may choose for ``ticket`` (empty when nothing could send a reply)."""
    return _choices(ticket) if _choices is not None else []


def overview(ticket: Ticket) -> tuple[ReplyRoute | None, list[ReplyRoute]]:
    """``(route_for(ticket), choices_for(ticket))``, read together."""
    if _overview is not None:
        return _overview(ticket)
    return route_for(ticket), choices_for(ticket)


def reply_inboxes() -> list[ReplyInbox]:
    """The ways out a new ticket's replies can take (see ``ReplyInbox``)."""
    return _inboxes() if _inboxes is not None else []


def enqueue_delivery(message_id: int) -> None:
    """Hand a stored reply to delivery (call after commit)."""
    if _enqueue is None:  # no channel platform installed: nothing could ever send it
        raise RuntimeError("no delivery queue installed (is pomoc.channels in INSTALLED_APPS?)")
    _enqueue(message_id)
