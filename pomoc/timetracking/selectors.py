"""Reads of time spent: the ticket sidebar's figures, the API's entries and the handle time reports read."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Sum

from pomoc.accounts.models import User
from pomoc.tickets.models import Ticket
from pomoc.timetracking.models import TimeEntry, TimeSource

SIDEBAR_MANUAL_ENTRIES = 20  # the newest entries added by hand the sidebar lists


@dataclass
class TicketTime:
    total_seconds: int
    agents: list[User] = field(default_factory=list)  # each with ``seconds`` spent on the ticket
    manual_entries: list[TimeEntry] = field(default_factory=list)  # newest first
    mine_seconds: int = 0


def ticket_time(ticket: Ticket, user) -> TicketTime:
    """Time spent on ``ticket``: per agent (most first) and the newest entries added by hand, in two
    queries whatever the number of entries."""
    agents = list(User.objects.filter(time_entries__ticket=ticket)
                  .annotate(seconds=Sum("time_entries__seconds")).order_by("-seconds", "username"))
    manual = list(TimeEntry.objects.filter(ticket=ticket, source=TimeSource.MANUAL).select_related("agent")
                  .order_by("-started_at", "-id")[:SIDEBAR_MANUAL_ENTRIES])
    return TicketTime(total_seconds=sum(a.seconds for a in agents), agents=agents, manual_entries=manual,
                      mine_seconds=next((a.seconds for a in agents if a.pk == user.pk), 0))


def ticket_entries(ticket: Ticket):
    """Every entry of ``ticket`` (the API lists them), oldest first."""
    return TimeEntry.objects.filter(ticket=ticket).select_related("agent").order_by("started_at", "id")


def handle_times(ticket_ids: Iterable[int]) -> dict[int, int]:
    """Handle time in seconds of each ticket: all time its agents spent on it, measured and added by
    hand. Tickets without any time are left out. Reports' AHT averages these over the tickets it counts."""
    rows = (TimeEntry.objects.filter(ticket_id__in=_ids(ticket_ids)).values("ticket_id")
            .annotate(seconds=Sum("seconds")).order_by())
    return {row["ticket_id"]: row["seconds"] for row in rows}


def agent_handle_times(ticket_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """Per agent, the seconds they spent on the given tickets and on how many of them (for AHT per
    agent: the first divided by the second)."""
    rows = (TimeEntry.objects.filter(ticket_id__in=_ids(ticket_ids)).values("agent_id")
            .annotate(seconds=Sum("seconds"), tickets=Count("ticket_id", distinct=True)).order_by())
    return {row["agent_id"]: (row["seconds"], row["tickets"]) for row in rows}


def _ids(ticket_ids):
    """A queryset of ids stays a subquery; anything else becomes a list."""
    return ticket_ids if hasattr(ticket_ids, "query") else list(ticket_ids)
