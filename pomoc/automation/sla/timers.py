"""Keeping each ticket's due times: after every committed change (the dispatcher's SLA slot) the
clocks of the tickets it touched are worked out again from the ticket and its timeline.

Everything is recomputed rather than adjusted: the status history (``created`` and
``status_changed`` events) says when the clock ran, the messages (``message_added``) say which
customer message waits for an answer. So a missed or repeated dispatch cannot drift the clocks,
and a batch of tickets costs the same few queries as one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from pomoc.automation.sla import clock
from pomoc.automation.sla.models import Target, TicketSla
from pomoc.automation.sla.policies import LoadedPolicy, load_policies, policy_for
from pomoc.calendars.schedule import NeverOpen
from pomoc.tickets import events as ticket_events
from pomoc.tickets.models import DONE_STATUSES, EventType, MessageKind, Status, Ticket, TicketEvent

SLA_OUTCOMES = (EventType.SLA_BREACHED, EventType.SLA_MET)
HISTORY_TYPES = (EventType.CREATED, EventType.STATUS_CHANGED, EventType.MESSAGE_ADDED)
CLOCK_FIELDS = ("policy", "paused", "first_response_due", "next_response_due", "next_response_since",
                "resolution_due", "due_at", "alarms", "next_check_at", "updated_at")


def on_events(events: list[TicketEvent]) -> None:
    """The dispatcher's subscriber: recompute the clocks of every ticket the events touched (but for
    the sweep's own breach events, which change no clock)."""
    ids = sorted({e.ticket_id for e in events if e.type not in SLA_OUTCOMES})
    if ids:
        recompute(ids)


def recompute(ticket_ids, *, now: dt.datetime | None = None, policies: list[LoadedPolicy] | None = None) -> None:
    """Work out the clocks of ``ticket_ids`` again and store them (warnings and breaches already
    fired stay fired). A fixed number of queries whatever the number of tickets."""
    ticket_ids = sorted(set(ticket_ids))
    if not ticket_ids:
        return
    now = now or timezone.now()
    policies = load_policies() if policies is None else policies
    if not policies and not TicketSla.objects.filter(ticket_id__in=ticket_ids).filter(
            Q(policy__isnull=False) | Q(due_at__isnull=False) | Q(next_check_at__isnull=False)).exists():
        return  # no policy and no clock left to stop: nothing to work out (a desk without SLAs pays one query)
    tickets = list(Ticket.objects.filter(pk__in=ticket_ids).select_related("requester").only(
        "id", "status", "priority", "channel", "department_id", "requester__company_id", "created_at",
        "first_response_at", "resolved_at", "closed_at", "merged_into_id"))
    history: dict[int, list] = defaultdict(list)
    for ticket_id, type_, data, at in (TicketEvent.objects.filter(ticket_id__in=ticket_ids, type__in=HISTORY_TYPES)
                                       .order_by("at", "id").values_list("ticket_id", "type", "data", "at")):
        history[ticket_id].append((type_, data if isinstance(data, dict) else {}, at))
    with transaction.atomic():
        rows = {row.pk: row for row in TicketSla.objects.select_for_update().filter(ticket_id__in=ticket_ids)}
        new, changed, met = [], [], []
        for ticket in tickets:
            row = rows.get(ticket.pk)
            before = None if row is None else _clock_state(row)
            if row is None:
                row = TicketSla(ticket_id=ticket.pk)
            pending = {key: at for key, at in (row.alarms or {}).items()
                       if key.startswith("breach:") and key not in (row.fired or ())}
            loaded = policy_for(ticket, policies)
            _apply(row, ticket, history[ticket.pk], loaded, now)
            met += met_targets(row, ticket, history[ticket.pk], pending, loaded)
            if before is None:
                if loaded is not None or row.next_check_at is not None:
                    new.append(row)  # a ticket no policy covers needs no row
            elif _clock_state(row) != before:
                changed.append(row)  # an unchanged clock is not written again
        if new:
            TicketSla.objects.bulk_create(new, update_conflicts=True, unique_fields=["ticket"],
                                          update_fields=[*CLOCK_FIELDS, "version"])
        if changed:
            TicketSla.objects.bulk_update(changed, [*CLOCK_FIELDS, "fired", "version"])
        if met:
            ticket_events.record_many(met)


# What a recompute may change in a row, to tell whether it has to be written: the clock fields (by
# column, so the policy is compared by id without being read) and the targets already counted.
STATE_COLUMNS = tuple(TicketSla._meta.get_field(name).attname for name in (*CLOCK_FIELDS, "fired")
                      if name != "updated_at")


def _clock_state(row: TicketSla) -> tuple:
    return tuple(getattr(row, column) for column in STATE_COLUMNS)


def _apply(row: TicketSla, ticket: Ticket, history: list, loaded: LoadedPolicy | None, now: dt.datetime) -> None:
    row.policy = loaded.policy if loaded else None
    row.paused = ticket.status == Status.PENDING
    row.first_response_due = row.next_response_due = row.resolution_due = row.next_response_since = None
    row.alarms = {}
    if loaded is not None:
        try:
            _clocks(row, ticket, history, loaded)
        except NeverOpen:  # a calendar that never opens: no due time can be given
            row.first_response_due = row.next_response_due = row.resolution_due = None
            row.alarms = {}
    dues = [d for d in (row.first_response_due, row.next_response_due, row.resolution_due) if d is not None]
    row.due_at = min(dues) if dues else None
    row.next_check_at = next_check(row)
    row.version += 1
    row.updated_at = now


def _clocks(row: TicketSla, ticket: Ticket, history: list, loaded: LoadedPolicy) -> None:
    changes, waiting_since = status_changes_and_waiting(ticket, history)
    intervals = clock.running_intervals(changes)
    done = ticket.status in DONE_STATUSES
    policy, schedule = loaded.policy, loaded.schedule
    starts = {
        Target.FIRST_RESPONSE: ticket.created_at if ticket.first_response_at is None and not done else None,
        Target.NEXT_RESPONSE: waiting_since if ticket.first_response_at and not done else None,
        Target.RESOLUTION: ticket.created_at if not done else None,
    }
    for target, since in starts.items():
        minutes = policy.target_minutes(target)
        if since is None or not minutes:
            continue
        due = clock.due(schedule, since, dt.timedelta(minutes=minutes), intervals)
        setattr(row, f"{target}_due", due)
        if target == Target.NEXT_RESPONSE:
            row.next_response_since = since
        if due is None:
            continue
        key = alarm_key(target, since if target == Target.NEXT_RESPONSE else None)
        row.alarms[f"breach:{key}"] = due.isoformat()
        if policy.warn_minutes and minutes > policy.warn_minutes:
            warn = clock.due(schedule, since, dt.timedelta(minutes=minutes - policy.warn_minutes), intervals)
            if warn is not None:
                row.alarms[f"warn:{key}"] = warn.isoformat()


def met_targets(row: TicketSla, ticket: Ticket, history: list, pending: dict[str, str],
                loaded: LoadedPolicy | None) -> list[TicketEvent]:
    """``sla_met`` events for the targets that were running (a breach alarm not fired yet) and are
    now met in time: the first reply, the reply to a waiting customer message, the resolution. Each
    met target is remembered in ``fired`` (``met:<key>``) so that it is never counted twice."""
    out = []
    for alarm, due_text in pending.items():
        key = alarm.removeprefix("breach:")
        if f"met:{key}" in (row.fired or ()) or alarm in row.alarms:
            continue  # counted already, or still running
        due = dt.datetime.fromisoformat(due_text)
        target, _sep, since = key.partition(":")
        met_at = None
        if target == Target.FIRST_RESPONSE:
            met_at = ticket.first_response_at
        elif target == Target.RESOLUTION and ticket.status in DONE_STATUSES:
            met_at = ticket.resolved_at or ticket.closed_at
        elif target == Target.NEXT_RESPONSE and since:
            waited_from = dt.datetime.fromisoformat(since)
            met_at = next((at for type_, data, at in history if type_ == EventType.MESSAGE_ADDED
                           and data.get("kind") == MessageKind.REPLY and at >= waited_from), None)
        if met_at is None or met_at > due:
            continue  # paused, moved to another policy, or answered late (the sweep records that breach)
        row.fired = [*(row.fired or ()), f"met:{key}"]
        out.append(ticket_events.sla_met_event(
            ticket, target=target, due=due, met_at=met_at, policy_id=row.policy_id,
            policy_name=loaded.policy.name if loaded else ""))
    return out


def alarm_key(target: str, since: dt.datetime | None) -> str:
    """A next-response target is a new one for each customer message waiting for an answer."""
    return f"{target}:{since.isoformat()}" if since is not None else target


def status_changes_and_waiting(ticket: Ticket, history: list) -> tuple[list, dt.datetime | None]:
    """The ticket's statuses in time order, and the first customer message after the latest agent
    reply (None when there was no reply yet, or when it was answered)."""
    changes: list[tuple[dt.datetime, str]] = []
    last_reply = waiting = None
    for type_, data, at in history:
        if type_ == EventType.CREATED:
            changes.append((at, data.get("status") or Status.NEW))
        elif type_ == EventType.STATUS_CHANGED:
            if not changes:  # a ticket older than its timeline: it had the status it changed from
                changes.append((ticket.created_at, data.get("from") or Status.NEW))
            changes.append((at, data.get("to") or ""))
        elif data.get("kind") == MessageKind.REPLY:
            last_reply, waiting = at, None
        elif data.get("kind") == MessageKind.CUSTOMER and last_reply is not None and waiting is None:
            waiting = at
    if not changes:
        changes.append((ticket.created_at, ticket.status))
    return changes, waiting


def next_check(row: TicketSla) -> dt.datetime | None:
    """When the sweep has something to do for ``row``: its next alarm not fired, or the moment its
    held-back notifications may go out."""
    fired = set(row.fired or ())
    times = [dt.datetime.fromisoformat(at) for key, at in row.alarms.items() if key not in fired]
    times += [dt.datetime.fromisoformat(n["not_before"]) for n in row.notices or () if n.get("not_before")]
    return min(times) if times else None
