"""Keeping the report rollups current from the ticket event log (docs/decisions/0028-report-rollups.md).

Each ticket contributes to the day it was opened (tickets opened, first responses and their time, the
hour of the day) and to the day of its latest resolution (resolved, reopened, first contact
resolution, resolution time, handle time), under its department, channel, assignee and priority of
now, plus its SLA outcomes (``sla_met`` / ``sla_breached`` events) on their days. ``TicketFact``
remembers what each ticket contributes; refreshing a ticket subtracts that and adds what it
contributes now, so refreshing twice changes nothing (idempotent) and the order of refreshes does not
matter. ``advance`` refreshes the tickets of the events after the watermark; ``rebuild`` starts
again from nothing. Both take the one ``RollupState`` row's lock first, so two workers never add the
same change twice.
"""

from __future__ import annotations

import bisect
import datetime as dt
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from pomoc.reports import activity
from pomoc.reports.models import (
    BUCKET_MINUTES,
    NONE,
    ROLLUP_COLUMNS,
    SLICE_DIMENSIONS,
    VOLUME_COLUMNS,
    ActivityDirtyDay,
    DailyRollup,
    DaySlice,
    DayTotal,
    DayVolume,
    RollupDirty,
    RollupState,
    TicketFact,
)
from pomoc.tickets.models import EventType, Message, MessageKind, Ticket, TicketEvent
from pomoc.timetracking.selectors import handle_times

BATCH = 2000  # events per step
GAP_PATIENCE = dt.timedelta(minutes=10)  # an event id missing for longer was rolled back, never to come
SLA_TYPES = (EventType.SLA_MET, EventType.SLA_BREACHED)
SLA_TARGETS = ("first_response", "next_response", "resolution")


def zone() -> dt.tzinfo:
    """Rollup days are days in the installation's ``TIME_ZONE``."""
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def bucket_of(seconds: int) -> int:
    """A duration's histogram bucket: the index of the last ``BUCKET_MINUTES`` bound it reaches."""
    return max(bisect.bisect_right(BUCKET_MINUTES, max(int(seconds), 0) / 60) - 1, 0)


# --- what one ticket contributes -------------------------------------------------------------------
FIELDS = ("id", "created_at", "first_response_at", "resolved_at", "reopen_count", "merged_into_id",
          "department_id", "channel", "assignee_id", "priority")


def _contributions(ticket: dict, replies: int, handle: int | None, sla: list[tuple[str, str, dt.datetime]]
                   ) -> list[dict]:
    """``[{"k": [day, department, channel, agent, priority], "s": {column: n}}]`` (``ROLLUP_COLUMNS``)."""
    if ticket["merged_into_id"] is not None:
        return []  # merged tickets count on the ticket they were merged into
    tz = zone()
    dims = [ticket["department_id"] or NONE, ticket["channel"], ticket["assignee_id"] or NONE, ticket["priority"]]
    by_day: dict[str, dict] = {}

    def at(moment: dt.datetime) -> dict:
        day = moment.astimezone(tz).date().isoformat()
        return by_day.setdefault(day, {"k": [day, *dims], "s": Counter()})

    created = ticket["created_at"]
    entry = at(created)
    entry["s"]["opened"] += 1
    entry["s"][f"opened_h{created.astimezone(tz).hour}"] += 1
    if ticket["first_response_at"] is not None:
        seconds = max(int((ticket["first_response_at"] - created).total_seconds()), 0)
        entry["s"]["answered"] += 1
        entry["s"]["frt_seconds"] += seconds
        entry["s"][f"frt_b{bucket_of(seconds)}"] += 1
    if ticket["resolved_at"] is not None:
        entry = at(ticket["resolved_at"])
        seconds = max(int((ticket["resolved_at"] - created).total_seconds()), 0)
        entry["s"]["resolved"] += 1
        entry["s"]["resolution_seconds"] += seconds
        entry["s"][f"resolution_b{bucket_of(seconds)}"] += 1
        entry["s"]["reopened"] += 1 if ticket["reopen_count"] > 0 else 0
        entry["s"]["fcr"] += 1 if ticket["reopen_count"] == 0 and replies == 1 else 0
        if handle is not None:
            entry["s"]["handled"] += 1
            entry["s"]["handle_seconds"] += handle
            entry["s"][f"handle_b{bucket_of(handle)}"] += 1
    for type_, target, moment in sla:
        if target in SLA_TARGETS:
            outcome = "met" if type_ == EventType.SLA_MET else "breached"
            at(moment)["s"][f"sla_{target}_{outcome}"] += 1
    return [{"k": e["k"], "s": {k: v for k, v in sorted(e["s"].items()) if v}} for e in by_day.values()]


def _current(ticket_ids: list[int]) -> dict[int, list[dict]]:
    """What each ticket contributes now (deleted tickets: nothing); a fixed number of queries."""
    tickets = {row["id"]: row for row in Ticket.objects.filter(pk__in=ticket_ids).values(*FIELDS)}
    replies = dict(Message.objects.filter(ticket_id__in=ticket_ids, kind=MessageKind.REPLY)
                   .values_list("ticket_id").annotate(n=Count("pk")).order_by())
    handled = handle_times(list(tickets))
    sla: dict[int, list] = defaultdict(list)
    for ticket_id, type_, data, moment in (TicketEvent.objects.filter(ticket_id__in=ticket_ids, type__in=SLA_TYPES)
                                           .values_list("ticket_id", "type", "data", "at")):
        sla[ticket_id].append((type_, (data or {}).get("target") if isinstance(data, dict) else None, moment))
    return {pk: _contributions(row, replies.get(pk, 0), handled.get(pk), sla[pk]) for pk, row in tickets.items()}


# --- applying the differences -------------------------------------------------------------------------
def _opened_day(entries: list[dict]) -> set[str]:
    return {entry["k"][0] for entry in entries if entry["s"].get("opened")}


def refresh(ticket_ids: Iterable[int], *, opened_days: set[str] | None = None) -> int:
    """Bring the rollups up to date for ``ticket_ids`` (call with the ``RollupState`` lock held).
    The days on which a ticket appeared, vanished (merged, deleted) or moved are added to
    ``opened_days``: their active customers (``activity``) change."""
    ids = sorted(set(ticket_ids))
    changed = 0
    for start in range(0, len(ids), 1000):
        chunk = ids[start:start + 1000]
        now = _current(chunk)
        before = dict(TicketFact.objects.filter(ticket_id__in=chunk).values_list("ticket_id", "contributions"))
        sums: dict[tuple, Counter] = defaultdict(Counter)
        for pk in chunk:
            old, new = before.get(pk, []), now.get(pk, [])
            if old == new:
                continue
            changed += 1
            if opened_days is not None and _opened_day(old) != _opened_day(new):
                opened_days |= _opened_day(old) | _opened_day(new)
            for sign, entries in ((-1, old), (1, new)):
                for entry in entries:
                    key = tuple(entry["k"])
                    for name, value in entry["s"].items():
                        sums[key][name] += sign * value
        _add_sums({key: counts for key, counts in sums.items() if any(counts.values())})
        gone = [pk for pk in chunk if pk not in now]
        TicketFact.objects.filter(ticket_id__in=gone).delete()
        facts = [TicketFact(ticket_id=pk, contributions=entries) for pk, entries in now.items()
                 if before.get(pk) != entries]
        TicketFact.objects.bulk_create(facts, update_conflicts=True, unique_fields=["ticket_id"],
                                       update_fields=["contributions"], batch_size=500)
    return changed


KEY = ("day", "department_id", "channel", "agent_id", "priority")


def _upsert(model, key_columns: tuple[str, ...], value_columns: tuple[str, ...], rows: list[tuple]) -> None:
    """``INSERT … ON CONFLICT (key) DO UPDATE SET v = v + excluded.v``: adds to the row of each key, or
    makes it. PostgreSQL gets every row in one statement (one array per column); SQLite one per row."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    columns = (*key_columns, *value_columns)
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in value_columns)
    conflict = f" ON CONFLICT ({', '.join(key_columns)}) DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            types = [_pg_type(model, column) for column in columns]
            arrays = ", ".join(f"%s::{kind}[]" for kind in types)
            # Names from the models, values as parameters.
            sql = f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM unnest({arrays})"  # noqa: S608
            cursor.execute(sql + conflict, [list(column) for column in zip(*rows, strict=True)])
        else:
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
            cursor.executemany(sql + conflict, rows)


def _pg_type(model, column: str) -> str:
    internal = model._meta.get_field(column).get_internal_type()
    return {"DateField": "date", "CharField": "text", "BigIntegerField": "bigint"}.get(internal, "integer")


def _add_sums(sums: dict[tuple, Counter]) -> None:
    """Add each key's differences to its row, to its ``DayVolume`` row, to its day's ``DayTotal`` row
    and to the ``DaySlice`` row of each part of its key; only the columns that change somewhere go in
    the statements."""
    changing = {name for counts in sums.values() for name, value in counts.items() if value}
    columns = tuple(name for name in ROLLUP_COLUMNS if name in changing)
    if not columns:
        return
    _upsert(DailyRollup, KEY, columns, [(dt.date.fromisoformat(key[0]), *key[1:],
                                         *(counts.get(name, 0) for name in columns))
                                        for key, counts in sums.items()])
    totals: dict[str, Counter] = defaultdict(Counter)
    slices: dict[tuple[str, str, str], Counter] = defaultdict(Counter)
    for key, counts in sums.items():
        totals[key[0]].update(counts)
        for dimension, column in SLICE_DIMENSIONS.items():
            slices[(key[0], dimension, str(key[KEY.index(column)]))].update(counts)
    _upsert(DayTotal, ("day",), columns, [(dt.date.fromisoformat(day), *(counts.get(name, 0) for name in columns))
                                          for day, counts in totals.items()])
    _upsert(DaySlice, ("day", "dimension", "value"), columns,
            [(dt.date.fromisoformat(day), dimension, value, *(counts.get(name, 0) for name in columns))
             for (day, dimension, value), counts in slices.items()])
    volume_columns = tuple(name for name in VOLUME_COLUMNS if name in changing)
    if volume_columns:
        _upsert(DayVolume, KEY, volume_columns,
                [(dt.date.fromisoformat(key[0]), *key[1:], *(counts.get(name, 0) for name in volume_columns))
                 for key, counts in sums.items() if any(counts.get(name, 0) for name in volume_columns)])


# --- from the event log ---------------------------------------------------------------------------------
def _locked_state() -> RollupState:
    """The state row, written first so that its lock is ours until the commit (a row lock on
    PostgreSQL, the write lock on SQLite): a second worker waits here, then sees our watermark."""
    now = timezone.now()
    if not RollupState.objects.filter(pk=1).update(advanced_at=now):
        RollupState.objects.get_or_create(pk=1, defaults={"advanced_at": now})
        RollupState.objects.filter(pk=1).update(advanced_at=now)
    return RollupState.objects.get(pk=1)


def advance(*, batch: int = BATCH, max_batches: int = 50) -> int:
    """Take the events after the watermark into account (and the tickets marked dirty); returns how
    many events were read. Safe to run in two workers at once, and to run again."""
    read = 0
    for _ in range(max_batches):
        with transaction.atomic():
            state = _locked_state()
            events = list(TicketEvent.objects.filter(pk__gt=state.watermark).order_by("pk")
                          .values_list("pk", "ticket_id")[:batch])
            ids = {ticket_id for _pk, ticket_id in events}
            ids |= _late_arrivals(state)
            dirty = list(RollupDirty.objects.values_list("ticket_id", flat=True)[:batch])
            days: set[str] = set()
            refresh(ids | set(dirty), opened_days=days)
            RollupDirty.objects.filter(ticket_id__in=dirty).delete()
            activity.refresh_days({dt.date.fromisoformat(day) for day in days} | set(activity.dirty_days()))
            if events:
                _note_gaps(state, [pk for pk, _ticket in events])
                state.watermark = events[-1][0]
            state.save(update_fields=["watermark", "gaps"])
        read += len(events)
        if len(events) < batch and len(dirty) < batch:
            break
    return read


def _note_gaps(state: RollupState, seen: list[int]) -> None:
    """Ids skipped between the watermark and the newest event read: a transaction may still commit
    them (ids are handed out before the commit), so they are looked for again on the next steps."""
    now = timezone.now().isoformat()
    expected = state.watermark + 1
    for pk in seen:
        for missing in range(expected, min(pk, expected + 1000)):
            state.gaps.setdefault(str(missing), now)
        expected = pk + 1


def _late_arrivals(state: RollupState) -> set[int]:
    """Tickets of events that filled a gap since; gaps older than ``GAP_PATIENCE`` are dropped."""
    if not state.gaps:
        return set()
    found = dict(TicketEvent.objects.filter(pk__in=[int(pk) for pk in state.gaps]).values_list("pk", "ticket_id"))
    limit = timezone.now() - GAP_PATIENCE
    state.gaps = {pk: seen for pk, seen in state.gaps.items()
                  if int(pk) not in found and dt.datetime.fromisoformat(seen) > limit}
    return set(found.values())


def rebuild(*, batch: int = 5000) -> int:
    """Start again from nothing: every ticket refreshed, the watermark at the newest event. Returns the
    number of tickets. Holds the state lock throughout, so the periodic job waits."""
    with transaction.atomic():
        state = _locked_state()
        watermark = TicketEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        DailyRollup.objects.all().delete()
        DayTotal.objects.all().delete()
        DaySlice.objects.all().delete()
        DayVolume.objects.all().delete()
        TicketFact.objects.all().delete()
        RollupDirty.objects.all().delete()
        last, count = 0, 0
        while True:
            ids = list(Ticket.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch])
            if not ids:
                break
            refresh(ids)
            count += len(ids)
            last = ids[-1]
        activity.rebuild()
        state.watermark, state.gaps, state.rebuilt_at = watermark, {}, timezone.now()
        state.save(update_fields=["watermark", "gaps", "rebuilt_at"])
    return count


def mark_dirty(ticket_ids: Iterable[int]) -> None:
    RollupDirty.objects.bulk_create([RollupDirty(ticket_id=pk) for pk in set(ticket_ids)], ignore_conflicts=True)


def has_work() -> bool:
    state = RollupState.objects.filter(pk=1).values_list("watermark", "gaps").first() or (0, {})
    return (bool(state[1]) or TicketEvent.objects.filter(pk__gt=state[0]).exists() or RollupDirty.objects.exists()
            or ActivityDirtyDay.objects.exists())
