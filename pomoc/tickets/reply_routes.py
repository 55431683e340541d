"""Reply routes as agents see and choose them: the sentence above the reply box, the options of the
route select, the route a new ticket starts with, and an identity named by id or address.

The routes themselves come from the channel platform through the port in ``pomoc.tickets.replies``
(tickets never import a channel); pages and the API share these helpers.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from pomoc.accounts.models import Department
from pomoc.contacts.models import Contact, Identity
from pomoc.contacts.services import normalize_identity
from pomoc.core import refusals
from pomoc.tickets import replies
from pomoc.tickets.models import Channel, Ticket
from pomoc.tickets.replies import ReplyInbox, ReplyRoute


def inbox_model():
    """``inboxes.Inbox``, reached through the ticket's foreign key (the model lives in channels)."""
    return Ticket._meta.get_field("reply_inbox").related_model


def _channel_label(kind: str) -> str:
    return str(Channel(kind).label) if kind in Channel.values else kind


@dataclass(frozen=True)
class ShownRoute:
    """A route with what people read about it."""

    route: ReplyRoute
    inbox_name: str = ""
    inbox_address: str = ""

    @property
    def value(self) -> str:
        """How the route select names it: ``<inbox id, 0 for the default route>:<identity id>``."""
        return f"{self.route.inbox_id or 0}:{self.route.identity_id}"

    @property
    def through(self) -> str:
        """"Support (support@example.com)", or the default route's name."""
        if self.route.inbox_id is None:
            if self.route.kind == Channel.EMAIL:
                return _("the installation's outgoing mail")
            return _("the installation's default for %(channel)s") % {"channel": _channel_label(self.route.kind)}
        if self.inbox_address:
            return f"{self.inbox_name} ({self.inbox_address})"
        return self.inbox_name

    @property
    def sentence(self) -> str:
        """"Replies go to jana@example.cz by e-mail through Support (support@example.com).\""""
        values = {"address": self.route.address_label or self.route.address, "through": self.through}
        if self.route.kind == Channel.EMAIL:
            return _("Replies go to %(address)s by e-mail through %(through)s.") % values
        return _("Replies go to %(address)s by %(channel)s through %(through)s.") % {
            **values, "channel": _channel_label(self.route.kind)}

    @property
    def label(self) -> str:
        """One option of the route select: "jana@example.cz · Support (support@example.com)"."""
        return f"{self.route.address_label or self.route.address} · {self.through}"


def shown(routes: list[ReplyRoute]) -> list[ShownRoute]:
    """``routes`` with what people read about them."""
    return [ShownRoute(route, route.inbox_name, route.inbox_address) for route in routes]


@dataclass(frozen=True)
class RouteChoice:
    """Where replies on one ticket go now, and where else they could go."""

    current: ShownRoute | None
    options: list[ShownRoute]


def route_choice(ticket: Ticket) -> RouteChoice:
    current, options = replies.overview(ticket)
    if current is not None and current not in options:
        options = [current, *options]  # e.g. a route through the inbox the customer wrote to, now renamed
    routes = shown(options)
    return RouteChoice(current=next((r for r in routes if r.route == current), None), options=routes)


def parse_route_value(ticket: Ticket, value: str):
    """The (inbox or None, identity) an option of the route select names; ValidationError for anything
    that is not one of the ticket's choices (another contact's identity, an inactive inbox…)."""
    for route in replies.choices_for(ticket):
        if f"{route.inbox_id or 0}:{route.identity_id}" == value:
            inbox = inbox_model().objects.get(pk=route.inbox_id) if route.inbox_id else None
            return inbox, Identity.objects.get(pk=route.identity_id)
    raise refusals.invalid_reference("route", _("Choose one of the listed ways to reply."))


# --- a new ticket's route ---------------------------------------------------------------------
def inbox_option_value(option: ReplyInbox) -> str:
    return str(option.inbox_id) if option.inbox_id else f"default:{option.kind}"


def inbox_option_label(option: ReplyInbox) -> str:
    if option.inbox_id is None:
        if option.kind == Channel.EMAIL:
            return _("The installation's outgoing mail")
        return _("The installation's default for %(channel)s") % {"channel": _channel_label(option.kind)}
    label = f"{option.name} ({option.address})" if option.address else option.name
    if option.kind != Channel.EMAIL:
        label = f"{label} · {_channel_label(option.kind)}"
    return label


def default_reply_inbox(options: list[ReplyInbox], department: Department | None) -> ReplyInbox | None:
    """The department's inbox of the first kind that can send, else that kind's first inbox (as the
    channel platform would choose), else its default route."""
    if not options:
        return None
    first_kind = [option for option in options if option.kind == options[0].kind]
    if department is not None:
        for option in first_kind:
            if option.inbox_id and option.department_id == department.pk:
                return option
    with_inbox = [option for option in first_kind if option.inbox_id]
    return min(with_inbox, key=lambda option: option.inbox_id) if with_inbox else first_kind[0]


def requester_identity(requester: Contact, identity_kind: str) -> Identity | None:
    """The requester's identity of that kind replies would go to (one that does not bounce first)."""
    return requester.identities.filter(kind=identity_kind).order_by("bounced", "id").first()


def initial_route(*, requester: Contact, option: ReplyInbox | None) -> tuple[object | None, Identity | None]:
    """The (reply_inbox, reply_identity) a new ticket starts with for the chosen ``option``. The inbox is
    kept even when the requester has no identity of its kind yet: replies leave through it once one
    is added."""
    if option is None:
        return None, None
    inbox = inbox_model().objects.get(pk=option.inbox_id) if option.inbox_id else None
    return inbox, requester_identity(requester, option.identity_kind)


def identity_of(requester: Contact, value: int | str) -> Identity:
    """One of ``requester``'s identities, by id or by its address (any kind, normalized as stored)."""
    identities = list(requester.identities.all())
    if isinstance(value, int):
        found = next((i for i in identities if i.pk == value), None)
    else:
        found = None
        for identity in identities:
            try:
                normalized = normalize_identity(identity.kind, value)
            except ValidationError:
                continue
            if identity.value == normalized:
                found = identity
                break
    if found is None:
        raise refusals.invalid_reference("reply_identity",
                                         _("Replies can only go to one of the requester's addresses."))
    return found
