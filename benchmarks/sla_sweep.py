"""The SLA sweep over 100,000 open tickets on PostgreSQL, beside a plain SQL scan of the same rows.

    DATABASE_URL=postgres://USER@HOST:5432/pomoc_bench_sla .venv/bin/python benchmarks/sla_sweep.py
    .venv/bin/python benchmarks/sla_sweep.py --quick          (10,000 tickets, fewer iterations)

Migrates the database in DATABASE_URL (use one of its own: it adds tickets) and tops it up to N
open tickets, one opened every ``SPREAD`` seconds going back from a fixed moment, each with its SLA
clocks worked out by the real code (``timers.recompute``) under one round-the-clock policy: first
response in 1 hour (warning 15 minutes before), resolution in 3 days. Then it times
``sweep.sla_sweep`` at moments chosen so that a known number of tickets has something due:

- idle: nothing due (the sweep the scheduler runs every minute, most of the time);
- one minute: the warnings and breaches of the tickets that fell due in the last minute;
- catch-up: everything that fell due during an hour (and a day) of downtime.

Each sweep runs in a transaction rolled back afterwards, so every iteration finds the same work.
Beside them, the ceiling ``scan``: one plain SQL statement reading every open ticket with its SLA row
(what a sweep that looked at every ticket would at least cost). Prints the table, the aim (under
5 s per sweep) and writes ``benchmarks/results/sla_sweep.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
sys.path.insert(0, str(REPO))

ORIGIN = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)  # the newest ticket is opened at this moment
SPREAD = 3  # seconds between two tickets
AIM_SECONDS = 5.0
POLICY = {"name": "Benchmark", "first_response_minutes": 60, "warn_minutes": 15, "resolution_minutes": 3 * 24 * 60,
          "notify": False}
SCAN_SQL = """SELECT count(*), min(s.due_at), max(s.next_check_at) FROM tickets_ticket t
JOIN sla_ticketsla s ON s.ticket_id = t.id WHERE t.status IN ('new', 'open', 'pending')"""


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10,000 tickets and fewer iterations")
    parser.add_argument("--tickets", type=int, default=None, help="open tickets (100,000; quick: 10,000)")
    parser.add_argument("--iterations", type=int, default=None)
    parser.add_argument("--output", default=str(RESULTS / "sla_sweep.json"))
    args = parser.parse_args(argv)
    args.tickets = args.tickets or (10_000 if args.quick else 100_000)
    args.iterations = args.iterations or (3 if args.quick else 5)
    return args


def setup_django() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database of its own, e.g.\n"
                 "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/pomoc_bench_sla .venv/bin/python "
                 "benchmarks/sla_sweep.py")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pomoc.settings")
    os.environ["DEBUG"] = "0"
    import django

    django.setup()


def prepare(tickets: int) -> dict:
    """Top the database up to ``tickets`` open tickets with their SLA clocks; returns counts."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from pomoc.automation.sla import timers
    from pomoc.automation.sla.models import SlaPolicy
    from pomoc.automation.sla.policies import load_policies
    from pomoc.contacts.models import Contact
    from pomoc.tickets.models import EventType, Status, Ticket, TicketEvent

    call_command("migrate", interactive=False, verbosity=0)
    if not SlaPolicy.objects.filter(name=POLICY["name"]).exists():
        SlaPolicy.objects.all().delete()
        # Stored directly, not through services.policy_create: that would enqueue a recompute of every
        # ticket, which the loading below does batch by batch.
        SlaPolicy.objects.create(**POLICY)
    have = Ticket.objects.filter(status=Status.OPEN).count()
    started = time.monotonic()
    if have < tickets:
        print(f"Adding {tickets - have:,} open tickets ({have:,} present)…", flush=True)
        contacts = list(Contact.objects.values_list("pk", flat=True)[:1000])
        if len(contacts) < 1000:
            Contact.objects.bulk_create([Contact(name=f"Customer {n}") for n in range(1000 - len(contacts))])
            contacts = list(Contact.objects.values_list("pk", flat=True)[:1000])
        number = (Ticket.objects.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        policies = load_policies()
        for start in range(have, tickets, 2000):
            batch = []
            for n in range(start, min(start + 2000, tickets)):
                at = ORIGIN - dt.timedelta(seconds=SPREAD * n)
                batch.append(Ticket(number=number, subject=f"Benchmark ticket {n}", status=Status.OPEN,
                                    requester_id=contacts[n % len(contacts)], created_at=at, updated_at=at,
                                    last_customer_message_at=at))
                number += 1
            with transaction.atomic():
                saved = Ticket.objects.bulk_create(batch)
                TicketEvent.objects.bulk_create([TicketEvent(ticket=t, type=EventType.CREATED, at=t.created_at,
                                                             data={"status": Status.OPEN, "channel": t.channel})
                                                 for t in saved])
                timers.recompute([t.pk for t in saved], policies=policies, now=ORIGIN)
            print(f"  {min(start + 2000, tickets):,}", end="\r", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE tickets_ticket")
            cursor.execute("ANALYZE sla_ticketsla")
        print()
    return {"tickets": Ticket.objects.filter(status=Status.OPEN).count(),
            "load_seconds": round(time.monotonic() - started, 1)}


class _Rollback(Exception):
    pass


def time_sweep(now: dt.datetime, iterations: int) -> tuple[list[float], int]:
    from django.db import transaction

    from pomoc.automation.sla.sweep import sla_sweep

    times, fired = [], 0
    for _ in range(iterations):
        try:
            with transaction.atomic():
                started = time.perf_counter()
                fired = sla_sweep(now)
                times.append(time.perf_counter() - started)
                raise _Rollback
        except _Rollback:
            pass
    return times, fired


def time_scan(iterations: int) -> list[float]:
    from django.db import connection

    times = []
    with connection.cursor() as cursor:
        for _ in range(iterations):
            started = time.perf_counter()
            cursor.execute(SCAN_SQL)
            cursor.fetchall()
            times.append(time.perf_counter() - started)
    return times


def main(argv=None) -> int:
    args = parse_args(argv)
    setup_django()
    data = prepare(args.tickets)
    from pomoc.automation.sla.models import TicketSla

    newest_breach = ORIGIN + dt.timedelta(hours=1)  # the newest ticket's first response falls due then
    # Moments: nothing due yet; one minute of tickets due; an hour of downtime (breaches and warnings).
    oldest_open = ORIGIN - dt.timedelta(seconds=SPREAD * (args.tickets - 1))
    first_due = oldest_open + dt.timedelta(minutes=45)  # the oldest ticket's warning
    scenarios = {
        "idle (nothing due)": first_due - dt.timedelta(seconds=1),
        "one minute due": first_due + dt.timedelta(minutes=1),
        "one hour of downtime": first_due + dt.timedelta(hours=1),
        "one day of downtime": first_due + dt.timedelta(days=1),
    }
    rows = []
    scan = time_scan(args.iterations + 1)[1:]
    for name, now in scenarios.items():
        due = TicketSla.objects.filter(next_check_at__lte=now).count()
        times, breaches = time_sweep(now, args.iterations)
        rows.append({"operation": f"sla sweep: {name}", "due_tickets": due, "breaches": breaches,
                     "p50_s": round(percentile(times, 50), 4), "max_s": round(max(times), 4),
                     "ceiling_scan_p50_s": round(percentile(scan, 50), 4), "aim_s": AIM_SECONDS,
                     "within_aim": max(times) < AIM_SECONDS})
    assert newest_breach > ORIGIN
    print(f"\nSLA sweep over {data['tickets']:,} open tickets (PostgreSQL), {args.iterations} runs each")
    print(f"{'operation':<36} {'due':>7} {'breaches':>9} {'p50 s':>8} {'max s':>8} {'scan s':>8} {'aim s':>6}")
    for row in rows:
        print(f"{row['operation']:<36} {row['due_tickets']:>7} {row['breaches']:>9} {row['p50_s']:>8.3f} "
              f"{row['max_s']:>8.3f} {row['ceiling_scan_p50_s']:>8.3f} {row['aim_s']:>6.1f}"
              f"{'' if row['within_aim'] else '  OVER THE AIM'}")
    print("scan = one plain SQL statement reading every open ticket with its SLA row (the ceiling a sweep "
          "reading all tickets could not beat).")
    report = {"when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "data": data,
              "iterations": args.iterations, "operations": rows, "scan_sql": SCAN_SQL}
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
