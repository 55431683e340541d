"""The live dashboard: the queue now, today's figures against the team's targets, who is online.

Every figure is one aggregate query over the tickets the viewer may see (or the answers and agents of
their departments), so the page costs the same at 100 or 1,000,000 tickets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Min, Q
from django.utils import timezone

from pomoc.accounts.models import STAFF_ROLES, AgentPresence, Presence, User
from pomoc.core.models import OrganisationSettings
from pomoc.reports import metrics
from pomoc.surveys.selectors import SurveyFigures, figures, visible_answers
from pomoc.tickets.models import ACTIVE_STATUSES, Status
from pomoc.tickets.permissions import sees_all_tickets, visible_tickets


@dataclass(frozen=True)
class AgentLoad:
    name: str
    status: str
    active: int


@dataclass(frozen=True)
class Dashboard:
    now: dt.datetime
    queue: dict[str, int]  # new, open, pending, unassigned, unanswered, total
    oldest_unanswered: dt.timedelta | None
    created_today: int
    resolved_today: int
    first_response_today: metrics.Durations
    within_target: metrics.Rate
    first_response_target: dt.timedelta
    surveys_today: SurveyFigures
    csat_target: int
    agents: list[AgentLoad]

    @property
    def online(self) -> int:
        return sum(agent.status == Presence.ONLINE for agent in self.agents)


def _start_of_today(now: dt.datetime) -> dt.datetime:
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _agents(user) -> list[AgentLoad]:
    staff = User.objects.filter(is_active=True, role__in=STAFF_ROLES)
    if not sees_all_tickets(user):
        staff = staff.filter(departments__in=user.departments.all()).distinct()
    rows = staff.annotate(active=Count("assigned_tickets", filter=Q(assigned_tickets__status__in=ACTIVE_STATUSES),
                                       distinct=True)).values_list("pk", "first_name", "last_name", "username",
                                                                   "active")
    rows = list(rows)
    statuses = dict(AgentPresence.objects.filter(user_id__in=[row[0] for row in rows])
                    .values_list("user_id", "status"))
    order = {Presence.ONLINE: 0, Presence.AWAY: 1, Presence.OFFLINE: 2}
    agents = [AgentLoad(name=f"{first} {last}".strip() or username, status=statuses.get(pk, Presence.OFFLINE),
                        active=active) for pk, first, last, username, active in rows]
    return sorted(agents, key=lambda agent: (order[agent.status], -agent.active, agent.name.lower()))


def dashboard_for(user, *, now: dt.datetime | None = None) -> Dashboard:
    now = now or timezone.now()
    org = OrganisationSettings.get()
    today = _start_of_today(now)
    tickets = metrics.measured(visible_tickets(user))
    queue = tickets.filter(status__in=ACTIVE_STATUSES).aggregate(
        total=Count("pk"),
        new=Count("pk", filter=Q(status=Status.NEW)),
        open=Count("pk", filter=Q(status=Status.OPEN)),
        pending=Count("pk", filter=Q(status=Status.PENDING)),
        unassigned=Count("pk", filter=Q(assignee__isnull=True)),
        unanswered=Count("pk", filter=Q(first_response_at__isnull=True) & ~Q(status=Status.PENDING)),
        oldest=Min("created_at", filter=Q(first_response_at__isnull=True) & ~Q(status=Status.PENDING)),
    )
    oldest = queue.pop("oldest")
    target = dt.timedelta(minutes=org.first_response_target_minutes)
    opened_today = tickets.filter(created_at__gte=today, created_at__lt=now)
    answered = opened_today.filter(first_response_at__isnull=False)
    counts = opened_today.aggregate(
        created=Count("pk"), answered=Count("pk", filter=Q(first_response_at__isnull=False)),
        within=Count("pk", filter=Q(first_response_at__lte=F("created_at") + target)))
    return Dashboard(
        now=now,
        queue=queue,
        oldest_unanswered=now - oldest if oldest else None,
        created_today=counts["created"],
        resolved_today=tickets.filter(resolved_at__gte=today, resolved_at__lt=now).count(),
        first_response_today=metrics.summarize(
            first - created for created, first in answered.values_list("created_at", "first_response_at")),
        within_target=metrics.Rate(counts["within"], counts["answered"]),
        first_response_target=target,
        surveys_today=figures(visible_answers(user).filter(answered_at__gte=today, answered_at__lt=now)),
        csat_target=org.csat_target_percent,
        agents=_agents(user),
    )
