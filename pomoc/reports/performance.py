"""Agent performance and rewards: each agent's figures for a period, their points and badges.

Work counts for the ticket's assignee (resolved tickets, first replies within the target, tickets
resolved with one reply, CSAT answers about their tickets) and for the author (replies sent). Points
are the counts times the administrators' point rules; a badge is earned by reaching its threshold
in the period. Who sees whom follows the tickets: an agent sees the agents of their own departments;
those who see every ticket see everyone. Five aggregate queries, however many agents and tickets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet

from pomoc.accounts.models import STAFF_ROLES, User
from pomoc.core.models import OrganisationSettings
from pomoc.reports.models import DEFAULT_POINTS, Achievement, Badge, PointRule
from pomoc.surveys.models import Answer, SurveyKind
from pomoc.tickets.models import Message, MessageKind, Ticket
from pomoc.tickets.permissions import sees_all_tickets


@dataclass
class AgentFigures:
    agent: User
    counts: dict[str, int] = field(default_factory=dict)
    first_responses: int = 0
    ratings: int = 0
    satisfied: int = 0
    points: int = 0
    badges: list[Badge] = field(default_factory=list)

    @property
    def csat_percent(self) -> float | None:
        return 100.0 * self.satisfied / self.ratings if self.ratings else None

    def count(self, achievement: str) -> int:
        return self.counts.get(achievement, 0)


@dataclass(frozen=True)
class BadgeProgress:
    badge: Badge
    count: int

    @property
    def earned(self) -> bool:
        return self.count >= self.badge.threshold

    @property
    def tenths(self) -> int:
        return min(10, round(10 * self.count / self.badge.threshold)) if self.badge.threshold else 10


def point_rules() -> dict[str, int]:
    """Points per achievement: the administrators' rules, else the defaults."""
    stored = dict(PointRule.objects.values_list("achievement", "points"))
    return {achievement: stored.get(achievement, DEFAULT_POINTS[achievement]) for achievement in Achievement.values}


def visible_agents(user) -> QuerySet[User]:
    staff = User.objects.filter(is_active=True, role__in=STAFF_ROLES)
    if sees_all_tickets(user):
        return staff
    return staff.filter(Q(pk=user.pk) | Q(departments__in=user.departments.all())).distinct()


def _by(rows, key: str = "assignee_id") -> dict[int, int]:
    return {row[key]: row["n"] for row in rows if row[key] is not None}


def agent_figures(user, *, start: dt.datetime, end: dt.datetime, department=None) -> list[AgentFigures]:
    """The figures of the agents ``user`` may see for ``[start, end)``, most points first."""
    agents = visible_agents(user)
    if department is not None:
        agents = agents.filter(departments=department)
    agents = list(agents.order_by("first_name", "last_name", "username"))
    ids = [agent.pk for agent in agents]
    target = dt.timedelta(minutes=OrganisationSettings.get().first_response_target_minutes)
    tickets = Ticket.objects.filter(assignee_id__in=ids, merged_into__isnull=True)
    resolved = tickets.filter(resolved_at__gte=start, resolved_at__lt=end)
    counts = {
        Achievement.RESOLVED: _by(resolved.values("assignee_id").annotate(n=Count("pk"))),
        Achievement.ONE_REPLY_RESOLUTIONS: _by(
            Ticket.objects.filter(pk__in=resolved.filter(reopen_count=0).annotate(replies=Count("messages", filter=Q(
                messages__kind=MessageKind.REPLY))).filter(replies=1).values("pk"))
            .values("assignee_id").annotate(n=Count("pk"))),
        Achievement.REPLIES: _by(
            Message.objects.filter(
                kind=MessageKind.REPLY, author_user_id__in=ids, created_at__gte=start, created_at__lt=end)
            .values("author_user_id").annotate(n=Count("pk")), key="author_user_id"),
    }
    answered = tickets.filter(created_at__gte=start, created_at__lt=end, first_response_at__isnull=False)
    first_rows = answered.values("assignee_id").annotate(
        n=Count("pk"), fast=Count("pk", filter=Q(first_response_at__lte=F("created_at") + target)))
    counts[Achievement.FAST_FIRST_RESPONSE] = {row["assignee_id"]: row["fast"] for row in first_rows}
    first_responses = {row["assignee_id"]: row["n"] for row in first_rows}
    rating_rows = (Answer.objects.filter(kind=SurveyKind.CSAT, agent_id__in=ids, answered_at__gte=start,
                                         answered_at__lt=end)
                   .values("agent_id").annotate(n=Count("pk"), top=Count("pk", filter=Q(score=5)),
                                                satisfied=Count("pk", filter=Q(score__gte=4))))
    ratings = {row["agent_id"]: row for row in rating_rows}
    counts[Achievement.TOP_RATINGS] = {agent_id: row["top"] for agent_id, row in ratings.items()}
    rules = point_rules()
    badges = list(Badge.objects.filter(active=True))
    result = []
    for agent in agents:
        figures = AgentFigures(agent=agent,
                               counts={achievement: values.get(agent.pk, 0) for achievement, values in counts.items()},
                               first_responses=first_responses.get(agent.pk, 0),
                               ratings=ratings.get(agent.pk, {}).get("n", 0),
                               satisfied=ratings.get(agent.pk, {}).get("satisfied", 0))
        figures.points = sum(figures.count(achievement) * points for achievement, points in rules.items())
        figures.badges = [badge for badge in badges if figures.count(badge.achievement) >= badge.threshold]
        result.append(figures)
    return sorted(result, key=lambda f: (-f.points, f.agent.first_name.lower(), f.agent.username))


def progress_of(figures: AgentFigures | None) -> list[BadgeProgress]:
    """Every active badge with how far the agent has come in the period, earned first."""
    if figures is None:
        return []
    progress = [BadgeProgress(badge, figures.count(badge.achievement)) for badge in Badge.objects.filter(active=True)]
    return sorted(progress, key=lambda p: (not p.earned, -p.tenths, p.badge.name))
