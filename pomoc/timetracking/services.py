"""Writes of time spent: activity reported by the ticket page, and entries agents add by hand.

Time entries are not ticket events: a heartbeat every half minute would bury the timeline, and the
time an agent spends changes nothing about the ticket. They are their own record (``TimeEntry``),
read by the ticket page, the API and the reports' handle time (``selectors.handle_times``).
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pomoc.core import refusals
from pomoc.core.text import text_problem
from pomoc.tickets.models import Ticket
from pomoc.tickets.permissions import PermissionDenied, require_staff
from pomoc.tickets.services import refuse_if_merged
from pomoc.timetracking.models import TimeEntry, TimeSource

MAX_MANUAL_MINUTES = 24 * 60  # one entry is at most a day; more is a typing mistake


def heartbeat() -> dt.timedelta:
    return dt.timedelta(seconds=settings.TIME_TRACKING_HEARTBEAT_SECONDS)


def activity_record(*, ticket: Ticket, agent, now: dt.datetime | None = None) -> TimeEntry | None:
    """The ticket page says ``agent`` has been active on ``ticket`` (visible tab, recent input) since
    its last report. Adds the time since the agent's previous report on this ticket, at most one
    heartbeat, to the current stretch; a first report, or one after a pause (two heartbeats missed),
    starts a new stretch counting one heartbeat. Two tabs on one ticket count the time once.
    A merged ticket (read-only) counts nothing: None."""
    require_staff(agent)
    if ticket.merged_into_id:
        return None
    now = now or timezone.now()
    beat = heartbeat()
    with transaction.atomic():
        entry = (TimeEntry.objects.select_for_update()
                 .filter(ticket=ticket, agent=agent, source=TimeSource.TRACKED,
                         last_activity_at__gte=now - 2 * beat - dt.timedelta(seconds=5))
                 .order_by("-last_activity_at", "-id").first())
        if entry is None:
            return TimeEntry.objects.create(ticket=ticket, agent=agent, source=TimeSource.TRACKED,
                                            seconds=int(beat.total_seconds()), started_at=now - beat,
                                            last_activity_at=now, created_at=now, updated_at=now)
        credit = min(max(now - entry.last_activity_at, dt.timedelta(0)), beat)
        entry.seconds += int(credit.total_seconds())
        entry.last_activity_at = max(now, entry.last_activity_at)
        entry.updated_at = now
        entry.save(update_fields=["seconds", "last_activity_at", "updated_at"])
    return entry


def _clean_manual(minutes, note: str) -> tuple[int, str]:
    errors = {}
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MAX_MANUAL_MINUTES:
        errors["minutes"] = _("Enter whole minutes from 1 to %(max)d.") % {"max": MAX_MANUAL_MINUTES}
    note = " ".join((note or "").split())
    problem = text_problem(note, single_line=True)
    if problem:
        errors["note"] = problem
    elif len(note) > 200:
        errors["note"] = _("Keep the note under 200 characters.")
    if errors:
        raise ValidationError(errors)
    return minutes, note


def time_entry_add(*, ticket: Ticket, agent, minutes: int, note: str = "") -> TimeEntry:
    """Time ``agent`` spent on ``ticket`` away from its page (a call, a visit), in whole minutes."""
    require_staff(agent)
    refuse_if_merged(ticket)
    minutes, note = _clean_manual(minutes, note)
    now = timezone.now()
    return TimeEntry.objects.create(ticket=ticket, agent=agent, source=TimeSource.MANUAL, seconds=minutes * 60,
                                    started_at=now, note=note, created_at=now, updated_at=now)


def _own_manual(entry: TimeEntry, agent) -> None:
    if entry.agent_id != agent.pk:
        raise PermissionDenied("Only the agent who added the time can change it.")
    if entry.source != TimeSource.MANUAL:
        raise refusals.conflict("entry", _("Measured time cannot be changed; add an entry by hand instead."))
    refuse_if_merged(entry.ticket)


def time_entry_update(*, entry: TimeEntry, agent, minutes: int, note: str = "") -> TimeEntry:
    """Correct one of ``agent``'s own entries added by hand."""
    _own_manual(entry, agent)
    entry.seconds, entry.note = _clean_manual(minutes, note)
    entry.seconds *= 60
    entry.updated_at = timezone.now()
    entry.save(update_fields=["seconds", "note", "updated_at"])
    return entry


def time_entry_delete(*, entry: TimeEntry, agent) -> None:
    """Remove one of ``agent``'s own entries added by hand."""
    _own_manual(entry, agent)
    entry.delete()
