"""Reads of the SLA clocks for pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from pomoc.automation.sla.models import SlaPolicy, Target, TicketSla
from pomoc.tickets.models import Ticket


@dataclass
class DueLine:
    label: str
    due: dt.datetime | None
    overdue: bool


def ticket_due_times(ticket) -> dict | None:
    """What the ticket page shows of its SLA: the policy, paused or not, the due time of each target
    still running (overdue ones marked). None when no policy applies. One query."""
    if Ticket.sla.is_cached(ticket):
        sla = getattr(ticket, "sla", None)  # loaded with the ticket for its page (tickets.page_query)
    else:
        sla = TicketSla.objects.filter(ticket_id=ticket.pk).select_related("policy").first()
    if sla is None or sla.policy is None:
        return None
    now = timezone.now()
    lines = []
    for target in Target:
        due = getattr(sla, f"{target.value}_due")
        if due is not None:
            lines.append(DueLine(str(target.label), due, due <= now))
    return {"policy": sla.policy, "paused": sla.paused, "lines": lines}


def policies_list():
    return SlaPolicy.objects.select_related("calendar").prefetch_related("departments", "companies")
