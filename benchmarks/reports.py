"""The main report over one year of tickets on PostgreSQL, from the rollups, beside a raw SQL aggregate
of the tickets as the ceiling; and how many ticket events per second the incremental rollup takes in.

    DATABASE_URL=postgres://USER@HOST:5432/pomoc_bench_reports .venv/bin/python benchmarks/reports.py
    .venv/bin/python benchmarks/reports.py --quick          (20,000 tickets, fewer iterations)

Migrates the database in DATABASE_URL (use one of its own: it adds tickets) and tops it up to N
tickets spread evenly over the year before a fixed moment, written with one SQL statement each for the
tickets and their ``created`` events (five departments, twenty agents, six channels, four priorities;
90 % answered, 80 % resolved, 5 % reopened). Then:

- ``rebuild``: ``manage.py rebuild_report_rollups`` from nothing (tickets per second);
- ``report (rollups)``: ``selectors.report_for`` of the whole year as an administrator, with the year
  before for comparison, the backlog now and the survey figures (what the page and the API compute);
- ``part: …``: each part of it timed alone: the rollup figures of one period, the backlog now, the
  survey figures, CSAT by channel, churn (``CustomerDay``) and deflection (``FormVisit``);
- ``filtered: …``: the whole report (both periods) of one priority, of one department, and as an
  agent of one department (``bench-agent-0`` in ``Bench 0``: that department's tickets and their own);
- ``report (tickets)``: the same report read from the tickets (``rollups=False``), fewer iterations
  (``--skip-direct`` leaves it out: minutes per run at 200,000 tickets);
- ``ceiling``: one raw SQL aggregate over the year's tickets (counts, mean first response and
  resolution times): what any report that reads the tickets costs at least;
- ``incremental``: status changes on random tickets written as events (with the ticket's new
  resolution), then ``rollups.advance`` timed: events per second, beside the aim of 100.

Prints the table and writes ``benchmarks/results/reports.json``. The aims: the report under 300 ms,
the rollup faster than 100 events per second.
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

ORIGIN = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)  # the newest ticket is opened just before this moment
YEAR = dt.timedelta(days=365)
AIM_REPORT_MS = 300.0
AIM_EVENTS_PER_SECOND = 100.0
CHANNELS = ("email", "chat", "web", "phone", "sms", "social")

LOAD_TICKETS = """
INSERT INTO tickets_ticket (number, subject, status, priority, channel, custom_fields, created_at, updated_at,
    first_response_at, resolved_at, reopen_count, assignee_id, department_id, requester_id)
SELECT %(base)s + i, 'Benchmark ticket ' || i,
    CASE WHEN i %% 10 < 8 THEN 'resolved' ELSE 'open' END,
    1 + i %% 4, (%(channels)s::text[])[1 + i %% 6], '{}'::jsonb, t, t,
    CASE WHEN i %% 10 < 9 THEN t + make_interval(mins => (i * 37) %% 600) END,
    CASE WHEN i %% 10 < 8 THEN t + make_interval(hours => 1 + (i * 13) %% 96) END,
    CASE WHEN i %% 20 = 0 THEN 1 ELSE 0 END,
    (%(agents)s::bigint[])[1 + i %% 20], (%(departments)s::bigint[])[1 + i %% 5], %(requester)s
FROM generate_series(1, %(count)s) AS i,
     LATERAL (SELECT %(origin)s::timestamptz - make_interval(secs => i * %(spread)s) AS t) AS times
"""
LOAD_EVENTS = """
INSERT INTO tickets_ticketevent (ticket_id, type, data, at)
SELECT id, 'created', jsonb_build_object('status', 'new', 'channel', channel), created_at
FROM tickets_ticket WHERE id > %(after)s
"""
CEILING_SQL = """
SELECT count(*), count(first_response_at), avg(extract(epoch FROM first_response_at - created_at)),
       count(resolved_at), avg(extract(epoch FROM resolved_at - created_at)), count(*) FILTER (WHERE reopen_count > 0)
FROM tickets_ticket WHERE created_at >= %s AND created_at < %s AND merged_into_id IS NULL
"""


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="20,000 tickets and fewer iterations")
    parser.add_argument("--tickets", type=int, default=None, help="tickets over the year (1,000,000; quick: 20,000)")
    parser.add_argument("--iterations", type=int, default=None)
    parser.add_argument("--events", type=int, default=None, help="events for the incremental step (20,000)")
    parser.add_argument("--skip-rebuild", action="store_true",
                        help="measure again on a database an earlier run loaded and rolled up (no rebuild)")
    parser.add_argument("--skip-direct", action="store_true",
                        help="leave out the report read from the tickets (minutes per run at 200,000 tickets)")
    parser.add_argument("--output", default=str(RESULTS / "reports.json"))
    args = parser.parse_args(argv)
    args.tickets = args.tickets or (20_000 if args.quick else 1_000_000)
    args.iterations = args.iterations or (5 if args.quick else 20)
    args.events = args.events or (2_000 if args.quick else 20_000)
    return args


def setup_django() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database of its own, e.g.\n"
                 "  createdb -h 127.0.0.1 -U postgres pomoc_bench_reports\n"
                 "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/pomoc_bench_reports "
                 ".venv/bin/python benchmarks/reports.py --quick")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pomoc.settings")
    os.environ["DEBUG"] = "0"
    os.environ["TIME_ZONE"] = "UTC"
    import django

    django.setup()


def load(count: int) -> dict:
    from django.core.management import call_command
    from django.db import connection, transaction

    from pomoc.accounts.models import Department, Role, User
    from pomoc.contacts.models import Contact
    from pomoc.tickets.models import Ticket

    call_command("migrate", interactive=False, verbosity=0)
    departments = [Department.objects.get_or_create(name=f"Bench {i}")[0].pk for i in range(5)]
    agents = [User.objects.get_or_create(username=f"bench-agent-{i}", defaults={"role": Role.AGENT})[0].pk
              for i in range(20)]
    User.objects.get_or_create(username="bench-admin", defaults={"role": Role.ADMINISTRATOR})
    User.objects.get(pk=agents[0]).departments.add(departments[0])  # the agent of one department
    have = Ticket.objects.count()
    if have >= count:
        return {"tickets": have, "load_seconds": None}
    started = time.monotonic()
    requester = Contact.objects.get_or_create(name="Benchmark customer")[0].pk
    after = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    base = (Ticket.objects.order_by("-number").values_list("number", flat=True).first() or 0)
    # The tickets already there are the newest; the new ones go on further back in time.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(LOAD_TICKETS, {"base": base, "channels": list(CHANNELS), "agents": agents,
                                      "departments": departments, "requester": requester, "count": count - have,
                                      "origin": ORIGIN - YEAR * have / count, "spread": YEAR.total_seconds() / count})
        cursor.execute(LOAD_EVENTS, {"after": after})
        cursor.execute("ANALYZE")
    return {"tickets": Ticket.objects.count(), "load_seconds": round(time.monotonic() - started, 1)}


def timed(fn, iterations: int, warmup: int = 1) -> list[float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(iterations):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def stats(samples: list[float]) -> dict:
    return {"p50_ms": round(percentile(samples, 50), 1), "p95_ms": round(percentile(samples, 95), 1),
            "n": len(samples)}


def breakdown(admin, start, end, iterations: int) -> dict:
    """Where the report's time goes: each part of ``report_for`` timed on its own."""
    from django.utils import timezone

    from pomoc.reports import metrics, rollup_read
    from pomoc.reports.selectors import _answers, churn_for, deflection_for, filtered_tickets
    from pomoc.surveys.selectors import csat_by_channel, figures

    period = metrics.Period(start, end)
    parts = {
        "  part: rollup figures (1 period)": lambda: rollup_read.period_figures(admin, start=start, end=end),
        "  part: backlog now": lambda: metrics.backlog(filtered_tickets(admin), at=timezone.now()),
        "  part: survey figures": lambda: figures(_answers(admin, period)),
        "  part: CSAT by channel": lambda: csat_by_channel(_answers(admin, period)),
        "  part: churn (customer days)": lambda: churn_for(admin, period),
        "  part: deflection": lambda: deflection_for(admin, period),
    }
    return {name: stats(timed(fn, iterations)) for name, fn in parts.items()}


def filtered(admin, start, end, iterations: int) -> dict:
    """The whole report (both periods, backlog and surveys) with a filter, and as an agent."""
    from pomoc.accounts.models import Department, User
    from pomoc.reports.selectors import report_for

    department = Department.objects.get(name="Bench 0")
    agent = User.objects.get(username="bench-agent-0")
    reports = {
        "filtered: one priority": lambda: report_for(admin, start=start, end=end, priority=2),
        "filtered: one department": lambda: report_for(admin, start=start, end=end, department=department),
        "filtered: agent of a department": lambda: report_for(agent, start=start, end=end),
    }
    for fn in reports.values():
        assert fn().from_rollups
    return {name: stats(timed(fn, iterations)) for name, fn in reports.items()}


def incremental(events: int) -> dict:
    """``events`` status changes on random tickets (the ticket reopened or resolved now), then the
    rollup's advance over them, timed."""
    import random

    from django.db import connection, transaction

    from pomoc.reports import rollups
    from pomoc.tickets.models import Ticket

    rollups.advance(max_batches=10_000)  # catch up first
    rng = random.Random(7)
    top = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first()
    ids = [rng.randint(1, top) for _ in range(events)]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO tickets_ticketevent (ticket_id, type, data, at)
            SELECT id, 'status_changed', '{"from": "open", "to": "resolved"}'::jsonb, %s
            FROM unnest(%s::bigint[]) AS id""",
                       [ORIGIN, ids])
        cursor.execute("""UPDATE tickets_ticket SET resolved_at = %s, status = 'resolved',
                          reopen_count = reopen_count + 1 WHERE id = ANY(%s)""", [ORIGIN - dt.timedelta(hours=1), ids])
    started = time.perf_counter()
    read = rollups.advance(max_batches=10_000)
    seconds = time.perf_counter() - started
    return {"events": read, "seconds": round(seconds, 2), "events_per_second": round(read / seconds, 1),
            "aim_events_per_second": AIM_EVENTS_PER_SECOND}


def main(argv=None) -> int:
    args = parse_args(argv)
    setup_django()
    from django.db import connection

    from pomoc.accounts.models import User
    from pomoc.reports import rollups
    from pomoc.reports.selectors import report_for

    data = load(args.tickets)
    print(f"{data['tickets']} tickets (loaded in {data['load_seconds']} s)" if data["load_seconds"] else
          f"{data['tickets']} tickets", flush=True)
    rebuild_seconds = None
    if not args.skip_rebuild:
        started = time.monotonic()
        rebuilt = rollups.rebuild()
        rebuild_seconds = time.monotonic() - started
        print(f"rebuild: {rebuilt} tickets in {rebuild_seconds:.1f} s", flush=True)
        with connection.cursor() as cursor:
            # What autovacuum does on a live installation (this database may run without it): the
            # statistics and visibility map of the tables just written, so the plans are the real ones.
            cursor.execute("VACUUM ANALYZE")
    admin = User.objects.get(username="bench-admin")
    start, end = ORIGIN - YEAR, ORIGIN
    results = {}
    results["report (rollups)"] = stats(timed(lambda: report_for(admin, start=start, end=end), args.iterations))
    assert report_for(admin, start=start, end=end).from_rollups
    results.update(breakdown(admin, start, end, args.iterations))
    results.update(filtered(admin, start, end, args.iterations))
    if not args.skip_direct:
        results["report (tickets)"] = stats(timed(lambda: report_for(admin, start=start, end=end, rollups=False),
                                                  max(2, args.iterations // 5)))

    def ceiling():
        with connection.cursor() as cursor:
            cursor.execute(CEILING_SQL, [start, end])
            cursor.fetchall()

    results["ceiling: raw SQL aggregate"] = stats(timed(ceiling, args.iterations))
    incremental_result = incremental(args.events)
    out = {"at": dt.datetime.now(dt.UTC).isoformat(), "tickets": data["tickets"],
           "rebuild": None if rebuild_seconds is None else {
               "tickets": rebuilt, "seconds": round(rebuild_seconds, 1),
               "tickets_per_second": round(rebuilt / rebuild_seconds, 1)},
           "report": results, "aim_report_ms": AIM_REPORT_MS, "incremental": incremental_result}
    print(f"\n{'operation':36} {'p50 ms':>10} {'p95 ms':>10}")
    for name, row in results.items():
        print(f"{name:36} {row['p50_ms']:>10} {row['p95_ms']:>10}")
    print(f"aim: the report under {AIM_REPORT_MS:.0f} ms from the rollups")
    print(f"incremental: {incremental_result['events']} events in {incremental_result['seconds']} s = "
          f"{incremental_result['events_per_second']} events/s (aim: {AIM_EVENTS_PER_SECOND:.0f})")
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
