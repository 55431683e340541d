"""The periodic sweep: fire the warnings and breaches that have come due, once each.

One indexed question (``next_check_at <= now``) finds the few tickets with something due among all
the open ones. Rows are taken in batches under ``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL), so
two workers sweeping at once share the work instead of doubling it, and every row is written back
only if its ``version`` is still the one read, so even a database without row locks (SQLite) never
fires an alarm twice. Alarms fired are remembered on the row (``fired``); a sweep after downtime
finds everything that came due meanwhile and fires each once, its breach dated at the due time.

Notifications are sent only while the policy's calendar is open, unless the policy says otherwise:
the others wait on the row (``notices``) until it opens.
"""

from __future__ import annotations

import datetime as dt
import json

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from pomoc.automation.sla import notify
from pomoc.automation.sla.clock import ROUND_THE_CLOCK
from pomoc.automation.sla.models import TicketSla
from pomoc.automation.sla.policies import LoadedPolicy, load_policies
from pomoc.automation.sla.timers import next_check
from pomoc.calendars.schedule import NeverOpen
from pomoc.tickets import events
from pomoc.tickets.models import Priority
from pomoc.tickets.services import ticket_update

BATCH = 1000
MAX_BATCHES = 1000  # a guard: a sweep never loops for ever


def has_work() -> bool:
    return TicketSla.objects.filter(next_check_at__lte=timezone.now()).exists()


def sla_sweep(now: dt.datetime | None = None, *, batch: int = BATCH) -> int:
    """Fire every warning and breach due by ``now``; returns how many breaches were recorded."""
    now = now or timezone.now()
    policies = {loaded.policy.pk: loaded for loaded in load_policies(active_only=False)}
    breaches = 0
    for _ in range(MAX_BATCHES):
        found, recorded = _sweep_batch(now, policies, batch)
        breaches += recorded
        if found < batch:
            break
    return breaches


def _sweep_batch(now: dt.datetime, policies: dict[int, LoadedPolicy], batch: int) -> tuple[int, int]:
    # Row locks (PostgreSQL) keep other sweeps off these rows until the commit; without them (SQLite)
    # every row is written back only if nobody changed it since it was read.
    locked = connection.features.has_select_for_update_skip_locked
    with transaction.atomic():
        rows = list(TicketSla.objects.select_for_update(skip_locked=True, of=("self",))
                    .filter(next_check_at__lte=now).select_related("ticket").order_by("next_check_at")[:batch])
        breach_events, actions, to_send = [], [], []
        for row in rows:
            loaded = policies.get(row.policy_id)
            due_keys = sorted(key for key, at in row.alarms.items()
                              if key not in row.fired and dt.datetime.fromisoformat(at) <= now)
            notices = [n for n in row.notices or () if n.get("not_before")]  # the ones held back
            fresh = []
            for key in due_keys:
                kind, target = key.split(":")[:2]
                due = dt.datetime.fromisoformat(row.alarms[key])
                if kind == "breach":
                    breach_events.append(events.sla_breached_event(
                        row.ticket, target=target, due=due, policy_id=row.policy_id,
                        policy_name=loaded.policy.name if loaded else "", noticed_at=now))
                    if loaded is not None:
                        actions.append((row.ticket, loaded))
                if loaded is not None and (kind == "warn" or loaded.policy.notify):
                    fresh.append({"key": key, "kind": kind, "target": target, "due": due.isoformat()})
            sendable, held = _when_to_send(notices + fresh, loaded, now)
            row.fired = [*row.fired, *due_keys]
            row.notices = held
            row.next_check_at = next_check(row)
            if not locked:
                claimed = TicketSla.objects.filter(pk=row.pk, version=row.version).update(
                    fired=row.fired, notices=held, next_check_at=row.next_check_at, version=F("version") + 1)
                if not claimed:  # another sweep got there first (no row locks here): it fired them
                    breach_events = [e for e in breach_events if e.ticket_id != row.pk]
                    actions = [a for a in actions if a[0].pk != row.pk]
                    continue
            row.version += 1
            if sendable:
                to_send.append((row.ticket, sendable))
        if locked and rows:  # the rows are ours until the commit: one statement writes them all
            _write_back(rows)
        if breach_events:
            events.record_many(breach_events)
        for ticket, loaded in actions:
            _act(ticket, loaded)
        if to_send:
            transaction.on_commit(lambda: [notify.send(ticket, notices) for ticket, notices in to_send])
    return len(rows), len(breach_events)


def _write_back(rows: list[TicketSla]) -> None:
    """One ``UPDATE … FROM (VALUES …)`` for a batch of locked rows (PostgreSQL): a statement per row
    costs a round trip each, Django's ``bulk_update`` a CASE per column that grows with the batch."""
    quote = connection.ops.quote_name
    values = ", ".join(["(%s, %s::jsonb, %s::jsonb, %s::timestamptz)"] * len(rows))
    params: list = []
    for row in rows:
        params += [row.pk, json.dumps(row.fired), json.dumps(row.notices), row.next_check_at]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(TicketSla._meta.db_table)} AS s SET fired = v.fired, notices = v.notices, "  # noqa: S608
            f"next_check_at = v.next_check_at, version = s.version + 1 "
            f"FROM (VALUES {values}) AS v(id, fired, notices, next_check_at) WHERE s.ticket_id = v.id", params)


def _when_to_send(notices: list[dict], loaded: LoadedPolicy | None, now: dt.datetime) -> tuple[list, list]:
    """The notices that may go now, and those held until the calendar opens (with that moment)."""
    if not notices:
        return [], []
    schedule = loaded.schedule if loaded else ROUND_THE_CLOCK
    if loaded is None or loaded.policy.notify_outside_hours or schedule.is_open(now):
        return [{k: v for k, v in n.items() if k != "not_before"} for n in notices], []
    try:
        opens = schedule.next_open(now)
    except NeverOpen:
        return notices, []
    return [], [{**n, "not_before": opens.isoformat()} for n in notices]


def _act(ticket, loaded: LoadedPolicy) -> None:
    """The policy's actions on a breach: escalate (move to a department, assign to someone) and raise
    the priority; each through the ticket services, with its own event."""
    policy = loaded.policy
    changes: dict = {}
    if policy.raise_priority and ticket.priority < Priority.URGENT:
        changes["priority"] = ticket.priority + 1
    if policy.escalate_department_id and policy.escalate_department_id != ticket.department_id:
        changes["department"] = policy.escalate_department
    if policy.escalate_to_id and policy.escalate_to.is_active and policy.escalate_to_id != ticket.assignee_id:
        changes["assignee"] = policy.escalate_to
    if changes:
        ticket_update(ticket=ticket, actor=None, changes=changes)
