"""Reads: the answers a user may see, and the figures reports show (formulas in docs/metrics.md)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Avg, Count, Q, QuerySet

from pomoc.surveys.links import invitation_id
from pomoc.surveys.models import Answer, Invitation, SurveyKind
from pomoc.tickets.permissions import sees_all_tickets, visible_tickets


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a signed link names (None for a link that was altered or made up)."""
    pk = invitation_id(token)
    if pk is None:
        return None
    return Invitation.objects.select_related("contact", "ticket").filter(pk=pk).first()


def visible_answers(user) -> QuerySet[Answer]:
    """Answers about the tickets ``user`` may see; answers about no ticket (campaigns) for those who
    see every ticket (administrators and supervisors, as the organisation allows)."""
    sees_all = sees_all_tickets(user)
    about_tickets = Q(ticket__in=visible_tickets(user).values("pk"))
    return Answer.objects.filter(about_tickets | Q(ticket__isnull=True)) if sees_all else \
        Answer.objects.filter(about_tickets)


@dataclass(frozen=True)
class SurveyFigures:
    csat_answers: int
    csat_percent: float | None  # share of 4 and 5 among CSAT answers
    ces_answers: int
    ces_average: float | None  # mean of 1–7
    nps_answers: int
    nps: float | None  # % promoters (9–10) − % detractors (0–6), from −100 to 100
    promoters: int
    passives: int
    detractors: int


def figures(answers: QuerySet[Answer]) -> SurveyFigures:
    """All three surveys' figures in one query."""
    row = answers.aggregate(
        csat=Count("pk", filter=Q(kind=SurveyKind.CSAT)),
        satisfied=Count("pk", filter=Q(kind=SurveyKind.CSAT, score__gte=4)),
        ces=Count("pk", filter=Q(kind=SurveyKind.CES)),
        ces_average=Avg("score", filter=Q(kind=SurveyKind.CES)),
        nps=Count("pk", filter=Q(kind=SurveyKind.NPS)),
        promoters=Count("pk", filter=Q(kind=SurveyKind.NPS, score__gte=9)),
        detractors=Count("pk", filter=Q(kind=SurveyKind.NPS, score__lte=6)),
    )
    nps_answers = row["nps"]
    return SurveyFigures(
        csat_answers=row["csat"],
        csat_percent=100.0 * row["satisfied"] / row["csat"] if row["csat"] else None,
        ces_answers=row["ces"],
        ces_average=float(row["ces_average"]) if row["ces_average"] is not None else None,
        nps_answers=nps_answers,
        nps=100.0 * (row["promoters"] - row["detractors"]) / nps_answers if nps_answers else None,
        promoters=row["promoters"], passives=nps_answers - row["promoters"] - row["detractors"],
        detractors=row["detractors"],
    )


@dataclass(frozen=True)
class ChannelCsat:
    channel: str
    answers: int
    satisfied: int  # answers of 4 or 5

    @property
    def percent(self) -> float | None:
        return 100.0 * self.satisfied / self.answers if self.answers else None


def csat_by_channel(answers: QuerySet[Answer]) -> list[ChannelCsat]:
    """CSAT per channel of the answer (e-mail survey links, chat ratings, …), one query; the answers
    of every channel count the same way (docs/metrics.md)."""
    rows = (answers.filter(kind=SurveyKind.CSAT).values("channel")
            .annotate(n=Count("pk"), satisfied=Count("pk", filter=Q(score__gte=4))).order_by("channel"))
    return [ChannelCsat(row["channel"], row["n"], row["satisfied"]) for row in rows]
