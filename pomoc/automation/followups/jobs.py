"""The periodic follow-ups (``pomoc serve``'s scheduler enqueues ``tasks.run_follow_ups`` every five
minutes while a policy asks for one): reminders to customers who have not answered a pending ticket,
closing tickets left pending, and rating requests after resolution.

Everything is decided from the tickets' state and times, never from a timer set in advance: a run
after a downtime finds what became due meanwhile and does each thing once (``FollowUpDone``); a ticket
overdue for both its reminder and its closing is closed without the reminder."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import BigIntegerField, CharField, DateTimeField, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from pomoc.automation.followups.models import FollowUpDone, FollowUpKind, FollowUpPolicy
from pomoc.automation.followups.services import follow_up_send, ticket_auto_close
from pomoc.tickets.models import DONE_STATUSES, EventType, Message, MessageKind, Status, Ticket, TicketEvent

RATING_WINDOW = dt.timedelta(days=3)  # a ticket resolved longer ago than this gets no rating request


def _timed(q: Q) -> Q:
    return q | Q(close_after_days__isnull=False) | Q(remind_after_days__isnull=False)


def has_policies() -> bool:
    return FollowUpPolicy.objects.filter(_timed(Q(request_rating=True))).exists()


@dataclass
class Policies:
    by_inbox: dict[int, FollowUpPolicy]
    by_department: dict[int, FollowUpPolicy]

    @classmethod
    def load(cls) -> Policies:
        policies = list(FollowUpPolicy.objects.all())
        return cls({p.inbox_id: p for p in policies if p.inbox_id},
                   {p.department_id: p for p in policies if p.department_id})

    def of(self, ticket: Ticket) -> FollowUpPolicy | None:
        """The same choice as ``services.policy_for``: the ticket's inbox's policy, else its department's
        (``ticket`` annotated by ``with_origin``)."""
        return self.by_inbox.get(ticket.origin_inbox) or self.by_department.get(ticket.department_id)

    def scope(self, wanted) -> Q:
        """Tickets (annotated by ``with_origin``) whose inbox or department has a policy with ``wanted(policy)``."""
        inboxes = [pk for pk, p in self.by_inbox.items() if wanted(p)]
        departments = [pk for pk, p in self.by_department.items() if wanted(p)]
        return Q(origin_inbox__in=inboxes) | Q(department_id__in=departments)


def with_origin(qs):
    """``origin_inbox``: the inbox the ticket came in through (its reply inbox, else the inbox of its
    first customer message), as ``services.policy_for`` reads it."""
    first = (Message.objects.filter(ticket=OuterRef("pk"), kind=MessageKind.CUSTOMER, inbox__isnull=False)
             .order_by("created_at", "id").values("inbox_id")[:1])
    return qs.annotate(origin_inbox=Coalesce("reply_inbox_id", Subquery(first), output_field=BigIntegerField()))


def _pending_tickets(policies: Policies, now: dt.datetime):
    pending_event = TicketEvent.objects.filter(ticket=OuterRef("pk"), type=EventType.STATUS_CHANGED,
                                               data__to=Status.PENDING).order_by("-at", "-id")
    timed = policies.scope(lambda p: p.remind_after_days or p.close_after_days)
    shortest = min([d for p in [*policies.by_inbox.values(), *policies.by_department.values()]
                    for d in (p.remind_after_days, p.close_after_days) if d] or [0])
    qs = (with_origin(Ticket.objects.filter(status=Status.PENDING)).filter(timed)
          .annotate(pending_since=Coalesce(Subquery(pending_event.values("at")[:1]), "updated_at",
                                           output_field=DateTimeField()),
                    pending_event=Subquery(pending_event.values("pk")[:1]))
          .filter(pending_since__lte=now - dt.timedelta(days=shortest)))
    reminded = FollowUpDone.objects.filter(ticket=OuterRef("pk"), kind=FollowUpKind.REMINDER,
                                           cycle=Cast(OuterRef("pending_event"), CharField()))
    return qs.annotate(reminded=Exists(reminded)).select_related("requester").order_by("pending_since", "pk")


def _rating_tickets(policies: Policies, now: dt.datetime):
    asked = FollowUpDone.objects.filter(ticket=OuterRef("pk"), kind=FollowUpKind.RATING_REQUEST,
                                        at__gte=OuterRef("resolved_at"))
    auto_closed = FollowUpDone.objects.filter(ticket=OuterRef("pk"), kind=FollowUpKind.AUTO_CLOSE,
                                              at__gte=OuterRef("resolved_at"))
    return (with_origin(Ticket.objects.filter(status__in=DONE_STATUSES, resolved_at__gte=now - RATING_WINDOW,
                                              resolved_at__lte=now, merged_into=None))
            .filter(policies.scope(lambda p: p.request_rating))
            .exclude(Exists(asked)).exclude(Exists(auto_closed)).select_related("requester").order_by("resolved_at"))


def follow_ups_run(now: dt.datetime | None = None) -> dict[str, int]:
    """Do every follow-up that is due; returns how many of each kind were done."""
    now = now or timezone.now()
    policies = Policies.load()
    done = {FollowUpKind.REMINDER: 0, FollowUpKind.AUTO_CLOSE: 0, FollowUpKind.RATING_REQUEST: 0}
    for ticket in _pending_tickets(policies, now).iterator(chunk_size=200):
        policy = policies.of(ticket)
        if policy is None:
            continue
        cycle = str(ticket.pending_event or "")
        waited = now - ticket.pending_since
        if policy.close_after_days and waited >= dt.timedelta(days=policy.close_after_days):
            if ticket_auto_close(ticket=ticket, days=policy.close_after_days, cycle=cycle):
                done[FollowUpKind.AUTO_CLOSE] += 1
        elif policy.remind_after_days and not ticket.reminded and waited >= dt.timedelta(days=policy.remind_after_days):
            if follow_up_send(ticket=ticket, policy=policy, kind=FollowUpKind.REMINDER, cycle=cycle):
                done[FollowUpKind.REMINDER] += 1
    for ticket in _rating_tickets(policies, now).iterator(chunk_size=200):
        policy = policies.of(ticket)
        if policy is None or not policy.request_rating:
            continue
        if follow_up_send(ticket=ticket, policy=policy, kind=FollowUpKind.RATING_REQUEST,
                          cycle=ticket.resolved_at.isoformat()):
            done[FollowUpKind.RATING_REQUEST] += 1
    return {str(kind): count for kind, count in done.items()}
