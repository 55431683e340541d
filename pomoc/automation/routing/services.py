"""Assigning tickets to available agents, and handing them back when an agent leaves.

A department routes its new tickets (``Department.routing``) round robin (the agent routed to
longest ago first) or to the least loaded agent (fewest active tickets assigned), among its members
who are online and below their capacity (``AgentPresence.ticket_capacity``, 0 = no limit). With the
department's options, agents who speak the customer's language, or whose skills match the ticket's
tags, are preferred; when none of them is available, any available member gets the ticket. When no
one is available the ticket waits unassigned and the periodic sweep routes it once someone is.

The candidates' presence rows are locked in a fixed order while one is chosen, so two workers
routing at the same moment never both count the same free slot.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from pomoc.accounts.models import STAFF_ROLES, AgentPresence, Presence, Routing, User
from pomoc.tickets.models import ACTIVE_STATUSES, Ticket
from pomoc.tickets.services import ticket_update

logger = logging.getLogger(__name__)

SWEEP_LIMIT = 500  # waiting tickets routed per sweep, oldest first


def _preferred(candidates: list[AgentPresence], keep) -> list[AgentPresence]:
    matching = [presence for presence in candidates if keep(presence)]
    return matching or candidates


def route_ticket(ticket_id: int, *, now: dt.datetime | None = None) -> User | None:
    """Assign the ticket to an available agent of its department, if it routes and one is free."""
    now = now or timezone.now()
    with transaction.atomic():
        ticket = (Ticket.objects.select_for_update(of=("self",)).select_related("department", "requester")
                  .filter(pk=ticket_id).first())
        if (ticket is None or ticket.assignee_id is not None or ticket.status not in ACTIVE_STATUSES
                or ticket.merged_into_id or ticket.department is None
                or ticket.department.routing == Routing.MANUAL):
            return None
        department = ticket.department
        member_ids = list(department.members.filter(is_active=True, role__in=STAFF_ROLES).values_list("pk", flat=True))
        candidates = list(AgentPresence.objects.select_for_update().filter(
            user_id__in=member_ids, status=Presence.ONLINE).order_by("pk"))
        if not candidates:
            return None
        loads = dict(Ticket.objects.filter(assignee_id__in=[c.user_id for c in candidates],
                                           status__in=ACTIVE_STATUSES)
                     .values_list("assignee_id").annotate(n=Count("pk")))
        candidates = [c for c in candidates if not c.ticket_capacity or loads.get(c.user_id, 0) < c.ticket_capacity]
        if not candidates:
            return None
        if department.routing_by_language and ticket.requester.language:
            language = ticket.requester.language.split("-")[0].lower()
            candidates = _preferred(candidates, lambda c: language in [str(x).lower() for x in c.languages or []])
        if department.routing_by_skill:
            tags = {name.lower() for name in ticket.tags.values_list("name", flat=True)}
            if tags:
                candidates = _preferred(candidates, lambda c: tags & {str(x).lower() for x in c.skills or []})
        never = dt.datetime.min.replace(tzinfo=dt.UTC)
        if department.routing == Routing.LEAST_LOADED:
            chosen = min(candidates, key=lambda c: (loads.get(c.user_id, 0), c.last_routed_at or never, c.pk))
        else:
            chosen = min(candidates, key=lambda c: (c.last_routed_at or never, c.pk))
        agent = User.objects.get(pk=chosen.user_id)
        ticket_update(ticket=ticket, actor=None, changes={"assignee": agent})
        AgentPresence.objects.filter(pk=chosen.pk).update(last_routed_at=now)
    return agent


def tickets_hand_back(user_ids: list[int]) -> list[int]:
    """The agents left (away or offline): their new, unanswered tickets in routing departments go back
    to the queue (and to another available agent). Returns the tickets' ids."""
    if not user_ids:
        return []
    ticket_ids = list(Ticket.objects.filter(
        assignee_id__in=user_ids, status__in=ACTIVE_STATUSES, first_response_at__isnull=True,
        merged_into__isnull=True, department__isnull=False,
    ).exclude(department__routing=Routing.MANUAL).values_list("pk", flat=True))
    for ticket_id in ticket_ids:
        try:
            with transaction.atomic():
                ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
                if ticket.assignee_id in user_ids and ticket.first_response_at is None:
                    ticket_update(ticket=ticket, actor=None, changes={"assignee": None})
        except Exception:  # one ticket never blocks the others
            logger.exception("routing: ticket %s could not be handed back", ticket_id)
    return ticket_ids


def route_waiting(*, limit: int = SWEEP_LIMIT) -> int:
    """Route the unassigned active tickets of routing departments, oldest first; returns how many."""
    waiting = (Ticket.objects.filter(assignee__isnull=True, status__in=ACTIVE_STATUSES, merged_into__isnull=True,
                                     department__isnull=False)
               .exclude(department__routing=Routing.MANUAL).order_by("created_at", "pk")
               .values_list("pk", "department_id"))[:limit]
    routed, full = 0, set()
    for ticket_id, department_id in waiting:
        if department_id in full:
            continue
        try:
            if route_ticket(ticket_id) is not None:
                routed += 1
            else:
                full.add(department_id)  # nobody free there now: skip its other tickets this time
        except Exception:
            logger.exception("routing: ticket %s could not be routed", ticket_id)
    return routed


def sweep(*, now: dt.datetime | None = None) -> int:
    """Every minute: agents not seen lately go offline and hand back their tickets; waiting tickets
    are routed to whoever is available."""
    from pomoc.accounts.presence import presence_expire

    tickets_hand_back(presence_expire(now=now))
    return route_waiting()


def presence_set(user, status: str) -> None:
    """The agent chooses online or away; leaving hands their new tickets back, coming routes waiting ones."""
    from pomoc.accounts.presence import presence_choose

    before, after = presence_choose(user, status)
    if after != Presence.ONLINE:
        tickets_hand_back([user.pk])
    elif before != Presence.ONLINE:
        route_waiting()


def routing_in_use() -> bool:
    from pomoc.accounts.models import Department

    return Department.objects.filter(~Q(routing=Routing.MANUAL)).exists() or AgentPresence.objects.filter(
        status__in=(Presence.ONLINE, Presence.AWAY)).exists()
