"""Reading rules: the "try it on past tickets" count."""

from dataclasses import dataclass

from pomoc.automation.rules.conditions import compile_conditions, facts_for_many
from pomoc.tickets.models import Ticket

TRY_LIMIT = 500  # most recent tickets a trial looks at


@dataclass
class Trial:
    looked_at: int
    matched: int
    numbers: list[int]  # the first few matching tickets, newest first


def rule_try(conditions: list[dict], *, limit: int = TRY_LIMIT) -> Trial:
    """How many of the ``limit`` most recent tickets the conditions match now, without running anything.
    (A time-based rule is judged as of now; the trigger is not replayed.)"""
    check = compile_conditions(conditions)
    tickets = list(Ticket.objects.filter(merged_into__isnull=True)
                   .select_related("requester__company", "department")
                   .prefetch_related("requester__identities").order_by("-created_at", "-id")[:limit])
    matched = [facts.ticket.number for facts in facts_for_many(tickets) if check(facts)]
    return Trial(looked_at=len(tickets), matched=len(matched), numbers=matched[:10])
