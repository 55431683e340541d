"""Bulk changes from the inbox: the same change on many tickets, each ticket with its own events."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from pomoc.tickets import selectors, services, snooze
from pomoc.tickets.models import Status, Ticket

# Pomoc has no spam status: spam is closed and tagged, so a filter by the tag finds it again and
# the sender's next message opens the ticket as any closed one.
SPAM_TAG = "spam"
MERGE, SPAM = "merge", "spam"


@dataclass
class BulkOutcome:
    action: str  # "", MERGE or SPAM
    count: int
    merged_into: Ticket | None = None


def tickets_bulk_apply(*, tickets: list[Ticket], actor, changes: dict, add_tags: Iterable[str] = (),
                       remove_tags: Iterable[str] = (), snooze_until: dt.datetime | None = None,
                       action: str = "") -> BulkOutcome:
    """Apply ``changes`` (as ``ticket_update`` takes them), tags to add and remove, a snooze and one
    ``action`` (MERGE: the others into the one with the lowest number; SPAM: closed and tagged) to
    ``tickets``, all in one transaction: a refusal for one ticket changes none."""
    if action not in ("", MERGE, SPAM):
        raise ValidationError({"action": _("Unknown action.")})
    if action == MERGE and len(tickets) < 2:
        raise ValidationError({"ticket": _("Select at least two tickets to merge.")})
    add_tags = list(add_tags)
    removed = {name.lower() for name in remove_tags}
    if action == SPAM:
        changes = {**changes, "status": Status.CLOSED}
        add_tags.append(SPAM_TAG)
    with transaction.atomic():
        if changes:
            services.tickets_bulk_update(tickets=tickets, actor=actor, changes=changes)
        if add_tags or removed:
            selectors.prefetch_tags(tickets)
            for ticket in tickets:
                names = [name for name in [*ticket.tag_names, *add_tags] if name.lower() not in removed]
                services.ticket_update(ticket=ticket, actor=actor, changes={"tags": names})
        if snooze_until is not None:
            for ticket in tickets:
                snooze.ticket_snooze(ticket=ticket, actor=actor, until=snooze_until)
        if action == MERGE:
            target, *sources = sorted(tickets, key=lambda t: t.number)
            for source in sources:
                services.ticket_merge(source=source, target=target, actor=actor)
            return BulkOutcome(action=MERGE, count=len(sources), merged_into=target)
    return BulkOutcome(action=action, count=len(tickets))
