"""Which policy applies to a ticket, and the business hours it counts in."""

from __future__ import annotations

from dataclasses import dataclass

from pomoc.automation.sla.clock import ROUND_THE_CLOCK
from pomoc.automation.sla.models import SlaPolicy
from pomoc.calendars.hours import schedule_of
from pomoc.calendars.schedule import Schedule


@dataclass
class LoadedPolicy:
    """A policy with its conditions read once (a dispatch or a sweep batch shares them)."""

    policy: SlaPolicy
    departments: frozenset[int]
    companies: frozenset[int]
    schedule: Schedule

    def matches(self, ticket) -> bool:
        p = self.policy
        return ((not p.priorities or ticket.priority in p.priorities)
                and (not p.channels or ticket.channel in p.channels)
                and (not self.departments or ticket.department_id in self.departments)
                and (not self.companies or ticket.requester.company_id in self.companies))


def load_policies(*, active_only: bool = True) -> list[LoadedPolicy]:
    """Every (active) policy in order, with conditions and calendars: four queries however many."""
    qs = SlaPolicy.objects.prefetch_related("departments", "companies", "calendar__days").select_related("calendar")
    if active_only:
        qs = qs.filter(active=True)
    return [LoadedPolicy(policy=p, departments=frozenset(d.pk for d in p.departments.all()),
                         companies=frozenset(c.pk for c in p.companies.all()),
                         schedule=schedule_of(p.calendar) if p.calendar else ROUND_THE_CLOCK) for p in qs]


def policy_for(ticket, policies: list[LoadedPolicy]) -> LoadedPolicy | None:
    """The first policy whose conditions all match ``ticket`` (with ``requester`` loaded)."""
    if ticket.merged_into_id:
        return None
    return next((loaded for loaded in policies if loaded.matches(ticket)), None)
