"""Reply routes: which inbox and which of the requester's identities an agent's reply goes to.

A ticket's route is chosen when it is opened (the inbox a customer wrote through; for a ticket an
agent or an integration opened, the inbox they picked) and can be changed. When the stored route is
unset or no longer usable (inbox deactivated, identity removed or bouncing), the route is found in
this order:

1. the inbox of the customer's first message on the ticket (while active), answering the requester's
   identity of that inbox's kind;
2. for each registered kind in turn (e-mail first): the requester's identity of that kind, through the
   kind's active inbox of the ticket's department, else its first active inbox, else — for kinds that
   can (e-mail: Django's ``EMAIL_*`` settings) — the installation's default route.

No route means a reply is refused before it is stored (``pomoc.tickets.services.message_add``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Subquery

from pomoc.channels import registry
from pomoc.channels.models import Inbox
from pomoc.contacts.models import Identity
from pomoc.tickets import replies
from pomoc.tickets.models import Message, MessageKind, Ticket
from pomoc.tickets.replies import ReplyRoute


@dataclass(frozen=True)
class _Facts:
    """What every route decision reads: the requester's identities (those that do not bounce first,
    oldest first: a bouncing one is still a route, so the reply fails visibly with the reason and the
    agent can fix the address and send it again), the active inboxes of the kinds that can send
    (oldest first) and which of them the ticket's first customer message came through."""

    identities: list[Identity]
    inboxes: list[Inbox]
    first_inbox_id: int | None

    def inbox(self, inbox_id: int | None) -> Inbox | None:
        return next((inbox for inbox in self.inboxes if inbox.pk == inbox_id), None)


def _identities(ticket: Ticket) -> list[Identity]:
    """The requester's identities: those a page already prefetched (``requester__identities``), else
    one query."""
    requester = ticket.requester if Ticket.requester.is_cached(ticket) else None
    cached = getattr(requester, "_prefetched_objects_cache", {}).get("identities")
    rows = list(cached) if cached is not None else list(Identity.objects.filter(contact_id=ticket.requester_id))
    return sorted(rows, key=lambda identity: (identity.bounced, identity.pk))


def _facts(ticket: Ticket) -> _Facts:
    """At most two queries: the identities (unless prefetched) and the inboxes, each row carrying the
    inbox of the ticket's first customer message (one subquery the database runs once)."""
    identities = _identities(ticket)
    if not identities:
        return _Facts([], [], None)
    first = (Message.objects.filter(ticket_id=ticket.pk, kind=MessageKind.CUSTOMER, inbox__active=True)
             .order_by("created_at", "id").values("inbox_id")[:1])
    sending = [kind.key for kind in registry.kinds() if kind.outbound is not None]
    inboxes = list(Inbox.objects.filter(kind__in=sending, active=True).annotate(first_inbox_id=Subquery(first))
                   .order_by("id"))
    return _Facts(identities, inboxes, inboxes[0].first_inbox_id if inboxes else None)


def _identity_of_kind(identities: list[Identity], kind: registry.ChannelKind,
                      preferred_id: int | None = None) -> Identity | None:
    matching = [i for i in identities if i.kind == kind.identity_kind]
    for identity in matching:
        if identity.pk == preferred_id:
            return identity
    return matching[0] if matching else None


def _route(kind: registry.ChannelKind, inbox: Inbox | None, identity: Identity) -> ReplyRoute:
    return ReplyRoute(kind=kind.key, inbox_id=inbox.pk if inbox else None, identity_id=identity.pk,
                      address=identity.value,
                      address_label=kind.identity_label(identity.value) if kind.identity_label else "",
                      inbox_name=inbox.name if inbox else "",
                      inbox_address=inbox.address if inbox else "",
                      problem=kind.sending_problem(inbox) if kind.sending_problem else "",
                      signature=inbox.signature if inbox else "")


def _through(inbox: Inbox | None, identities: list[Identity], preferred_id: int | None) -> ReplyRoute | None:
    if inbox is None:
        return None
    kind = registry.get(inbox.kind)
    if kind is None or kind.outbound is None:
        return None
    identity = _identity_of_kind(identities, kind, preferred_id)
    return _route(kind, inbox, identity) if identity else None


def _resolve(ticket: Ticket, facts: _Facts) -> ReplyRoute | None:
    identities = facts.identities
    if not identities:
        return None
    preferred = ticket.reply_identity_id
    if ticket.reply_inbox_id:
        route = _through(facts.inbox(ticket.reply_inbox_id), identities, preferred)
        if route:
            return route
    elif preferred:
        # An identity chosen without an inbox: its kind's usual way out.
        chosen = next((i for i in identities if i.pk == preferred), None)
        if chosen is not None:
            for kind in registry.kinds():
                if kind.identity_kind == chosen.kind:
                    route = _default_through_kind(ticket, kind, [chosen], facts)
                    if route:
                        return route
    if facts.first_inbox_id is not None:
        route = _through(facts.inbox(facts.first_inbox_id), identities, preferred)
        if route:
            return route
    for kind in registry.kinds():
        route = _default_through_kind(ticket, kind, identities, facts)
        if route:
            return route
    return None


def resolve(ticket: Ticket) -> ReplyRoute | None:
    """The route a reply on ``ticket`` takes now (see the module docstring), or None."""
    return _resolve(ticket, _facts(ticket))


def _default_through_kind(ticket: Ticket, kind: registry.ChannelKind, identities: list[Identity],
                          facts: _Facts) -> ReplyRoute | None:
    if kind.outbound is None:
        return None
    identity = _identity_of_kind(identities, kind, ticket.reply_identity_id)
    if identity is None:
        return None
    active = [inbox for inbox in facts.inboxes if inbox.kind == kind.key]
    inbox = next((i for i in active if ticket.department_id and i.department_id == ticket.department_id), None)
    inbox = inbox or (active[0] if active else None)
    if inbox is None and not kind.answers_without_inbox:
        return None
    return _route(kind, inbox, identity)


def _choices(facts: _Facts) -> list[ReplyRoute]:
    routes: list[ReplyRoute] = []
    for kind in registry.kinds():
        if kind.outbound is None:
            continue
        mine = [i for i in facts.identities if i.kind == kind.identity_kind]
        inboxes = sorted((i for i in facts.inboxes if i.kind == kind.key), key=lambda i: (i.name, i.pk))
        for identity in mine:
            routes.extend(_route(kind, inbox, identity) for inbox in inboxes)
            if kind.answers_without_inbox and not inboxes:
                routes.append(_route(kind, None, identity))
    return routes


def choices_for(ticket: Ticket) -> list[ReplyRoute]:
    """Every route an agent could choose for ``ticket``: each active inbox of a kind with an outbound
    adapter, to each of the requester's identities of that kind (plus the default route of kinds
    that have one)."""
    return _choices(_facts(ticket))


def overview(ticket: Ticket) -> tuple[ReplyRoute | None, list[ReplyRoute]]:
    """``(resolve(ticket), choices_for(ticket))`` read together (the ticket page): two queries at most."""
    facts = _facts(ticket)
    return _resolve(ticket, facts), _choices(facts)


def reply_inboxes() -> list[replies.ReplyInbox]:
    """The ways out a new ticket's replies can take: each active inbox of a kind with an outbound
    adapter, plus the default route of kinds that have one when they have no active inbox."""
    options: list[replies.ReplyInbox] = []
    for kind in registry.kinds():
        if kind.outbound is None:
            continue
        inboxes = list(Inbox.objects.filter(kind=kind.key, active=True).order_by("name"))
        options.extend(
            replies.ReplyInbox(kind=kind.key, identity_kind=kind.identity_kind, inbox_id=inbox.pk, name=inbox.name,
                               address=inbox.address, department_id=inbox.department_id)
            for inbox in inboxes
        )
        if kind.answers_without_inbox and not inboxes:
            options.append(replies.ReplyInbox(kind=kind.key, identity_kind=kind.identity_kind, inbox_id=None,
                                              name="", address=""))
    return options


def install() -> None:
    from pomoc.channels.tasks import deliver_message

    replies.install(resolver=resolve, enqueue=lambda message_id: deliver_message.enqueue(message_id),
                    choices=choices_for, inboxes=reply_inboxes, overview=overview)
