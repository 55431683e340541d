"""Inbox, REST API, ticket page and search response times on a large database.

    DATABASE_URL=postgres://USER@HOST:5432/pomoc_bench .venv/bin/python benchmarks/inbox.py [--tickets 100000]
    .venv/bin/python benchmarks/inbox.py --quick          (5,000 tickets, fewer iterations)

Migrates the database in DATABASE_URL, tops it up to N tickets with ``pomoc demo``, then times
each request through Django's test client (the whole stack: middleware, auth, ORM, templates),
signed in as an agent and with a bearer token. Beside each one it times the page's main SQL
query run through a plain database cursor: the ceiling no page can beat. Prints a table and
writes benchmarks/results/latest.json. Use a database of its own: it adds demo data.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
sys.path.insert(0, str(REPO))


@dataclass
class Result:
    name: str
    url: str
    status: str = "ok"  # ok, missing (404) or "HTTP <code>"
    samples: int = 0
    p50_ms: float | None = None
    p95_ms: float | None = None
    max_ms: float | None = None
    queries: int | None = None
    sql_ms: float | None = None  # time spent in SQL during one request (the rest is Python: views, templates)
    baseline_p50_ms: float | None = None
    baseline_p95_ms: float | None = None
    ratio: float | None = None
    baseline_sql: str = ""
    slowest_queries: list = field(default_factory=list)  # the page's three slowest SQL queries, once
    explain: str = field(default="", repr=False)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=None, help="tickets the database should hold (100000)")
    parser.add_argument("--quick", action="store_true", help="5,000 tickets and fewer iterations: a smoke run")
    parser.add_argument("--iterations", type=int, default=None, help="timed requests per operation (50)")
    parser.add_argument("--warmup", type=int, default=None, help="untimed requests first (5)")
    parser.add_argument("--user", default="agent1", help="the agent the pages are requested as (agent1)")
    parser.add_argument("--explain", action="store_true", help="store EXPLAIN ANALYZE of each baseline query")
    parser.add_argument("--output", default=str(RESULTS / "latest.json"), help="where the JSON results go")
    parser.add_argument("--seed", type=int, default=20240601, help="seed for the demo data")
    args = parser.parse_args(argv)
    args.tickets = args.tickets if args.tickets is not None else (5000 if args.quick else 100000)
    args.iterations = args.iterations or (15 if args.quick else 50)
    args.warmup = args.warmup if args.warmup is not None else (2 if args.quick else 5)
    return args


def setup_django() -> None:
    if not os.environ.get("DATABASE_URL"):
        sys.exit(
            "Set DATABASE_URL to a database of its own, e.g.\n"
            "  createdb -h 127.0.0.1 -U postgres pomoc_bench\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/pomoc_bench .venv/bin/python benchmarks/inbox.py\n"
            "(the benchmark adds demo data to it)."
        )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pomoc.settings")
    os.environ["DEBUG"] = "0"  # DEBUG keeps every query in memory and changes the timings
    import django

    django.setup()


def prepare(args) -> dict:
    from django.core.management import call_command

    from pomoc.contacts.models import Contact
    from pomoc.tickets.models import Message, Ticket

    call_command("migrate", interactive=False, verbosity=0)
    have = Ticket.objects.count()
    load_seconds = None
    if have < args.tickets:
        print(f"Loading {args.tickets - have} demo tickets ({have} present)…", flush=True)
        started = time.monotonic()
        call_command("demo", tickets=args.tickets - have, seed=args.seed, verbosity=1)
        load_seconds = round(time.monotonic() - started, 1)
        print(f"Loaded in {load_seconds:.1f} s", flush=True)
    with_stats()
    return {"tickets": Ticket.objects.count(), "messages": Message.objects.count(),
            "contacts": Contact.objects.count(), "load_seconds": load_seconds}


def with_stats() -> None:
    """Fresh planner statistics after a big load, as autovacuum would give them a little later."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def timed(fn, iterations: int, warmup: int, before=None) -> list[float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(iterations):
        if before is not None:
            before()
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


class Bench:
    def __init__(self, args):
        from django.db import connection
        from django.test import Client

        from pomoc.accounts.models import ApiToken, User

        self.args = args
        self.connection = connection
        self.user = User.objects.get(username=args.user)
        self.page_client = Client(HTTP_HOST="localhost")
        self.page_client.force_login(self.user)
        ApiToken.objects.filter(user=self.user, name="benchmark").delete()
        _token, raw = ApiToken.create_for(self.user, name="benchmark")
        self.api_client = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {raw}")
        self.results: list[Result] = []
        self.ticket = None  # the ticket whose page is timed (the peer times the same one)

    # --- the equivalent SQL, through a plain cursor -----------------------------------------
    def sql_of(self, queryset) -> tuple[str, tuple]:
        return queryset.query.sql_with_params()

    def run_sql(self, sql: str, params) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    def explain(self, sql: str, params) -> str:
        if self.connection.vendor != "postgresql":
            return ""
        with self.connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            return "\n".join(row[0] for row in cursor.fetchall())

    # --- one operation ----------------------------------------------------------------------
    def measure(self, name: str, client, url: str, baseline=None, before=None, **headers) -> Result:
        from django.test.utils import CaptureQueriesContext

        result = Result(name=name, url=url)
        response = client.get(url, headers=headers)
        if response.status_code == 404:
            result.status = "missing"
        elif response.status_code != 200:
            result.status = f"HTTP {response.status_code}"
        if result.status == "ok":
            if before is not None:
                before()
            with CaptureQueriesContext(self.connection) as captured:
                client.get(url, headers=headers)
            result.queries = len(captured.captured_queries)
            result.sql_ms = round(sum(float(q["time"]) for q in captured.captured_queries) * 1000, 1)
            slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:3]
            result.slowest_queries = [{"ms": round(float(q["time"]) * 1000, 1), "sql": q["sql"]} for q in slowest]
            samples = timed(lambda: client.get(url, headers=headers), self.args.iterations, self.args.warmup, before)
            result.samples = len(samples)
            result.p50_ms, result.p95_ms = percentile(samples, 50), percentile(samples, 95)
            result.max_ms = max(samples)
        if baseline is not None:
            # one (sql, params) pair, or a list of them run one after another (the sidebar's counts)
            queries = baseline if isinstance(baseline, list) else [baseline]

            def run_all():
                for sql, params in queries:
                    self.run_sql(sql, params)

            base = timed(run_all, self.args.iterations, self.args.warmup)
            result.baseline_p50_ms, result.baseline_p95_ms = percentile(base, 50), percentile(base, 95)
            result.baseline_sql = ";\n".join(
                self.connection.ops.compose_sql(sql, params) if hasattr(self.connection.ops, "compose_sql") else sql
                for sql, params in queries)
            if self.args.explain:
                result.explain = "\n\n".join(self.explain(sql, params) for sql, params in queries)
            if result.p50_ms is not None and result.baseline_p50_ms:
                result.ratio = result.p50_ms / result.baseline_p50_ms
        self.results.append(result)
        print(f"  {name:<28} {result.status:<8} " + (f"p50 {result.p50_ms:7.1f} ms" if result.p50_ms else ""),
              flush=True)
        return result

    # --- the operations ---------------------------------------------------------------------
    def page_query(self, filters, cursor=None):
        """The queryset ``selectors.ticket_list`` runs for one page."""
        from django.conf import settings

        from pomoc.tickets import selectors

        qs = selectors.filter_tickets(self.user, filters).select_related("requester", "assignee", "department")
        fields = selectors.SORTS[filters.sort]
        if cursor:
            qs = qs.filter(selectors.keyset_q(fields, selectors.decode_cursor(cursor, filters.sort)))
        qs = qs.order_by(*[f"-{name}" if desc else name for name, desc in fields])
        return qs[: settings.POMOC_PAGE_SIZE + 1]

    def count_queries(self) -> list:
        """The capped count of every view the agent has, as ``selectors.view_count`` runs them."""
        from pomoc.tickets import selectors
        from pomoc.tickets.view_counts import COUNT_CAP, all_views, as_querydict

        queries = []
        for view in all_views(self.user):
            filters = selectors.TicketFilters.from_mapping(as_querydict(view["filters"]))
            limited = selectors.filter_tickets(self.user, filters).order_by().values("pk")[: COUNT_CAP + 1]
            sql, params = limited.query.sql_with_params()
            queries.append((f"SELECT COUNT(*) FROM ({sql}) AS capped", params))
        return queries

    def deep_cursor(self, filters, fraction: float = 0.9) -> tuple[str | None, int]:
        """The cursor of a page ``fraction`` of the way down the list (how far an agent could scroll)."""
        from pomoc.tickets import selectors

        fields = selectors.SORTS[filters.sort]
        order = [f"-{name}" if desc else name for name, desc in fields]
        qs = selectors.filter_tickets(self.user, filters).order_by(*order)
        total = qs.count()
        if total < 2:
            return None, 0
        position = int(total * fraction)
        row = qs.values_list(*[name for name, _desc in fields])[position - 1]
        return selectors.encode_cursor(list(row)), position

    def run(self) -> None:
        from pomoc.tickets import selectors
        from pomoc.tickets.models import Message, MessageKind, Ticket

        open_filters = selectors.TicketFilters.from_mapping({"status": "active"})
        done_filters = selectors.TicketFilters.from_mapping({"status": "resolved,closed"})
        self.measure("inbox: open, first page", self.page_client, "/inbox/?view=open",
                     self.sql_of(self.page_query(open_filters)))
        cursor, position = self.deep_cursor(open_filters)
        if cursor:
            self.measure(f"inbox: open, row {position}", self.page_client, "/inbox/?" + urlencode(
                {"view": "open", "cursor": cursor}), self.sql_of(self.page_query(open_filters, cursor)))
        cursor, position = self.deep_cursor(done_filters)
        if cursor:
            self.measure(f"inbox: resolved, row {position}", self.page_client, "/inbox/?" + urlencode(
                {"view": "resolved", "cursor": cursor}), self.sql_of(self.page_query(done_filters, cursor)))
        # Every other built-in view's first page (its filters are what the sidebar links to).
        for view in selectors.builtin_views(self.user):
            if view["key"] == "open":
                continue
            filters = selectors.TicketFilters.from_mapping(view["filters"])
            label = f"department {view['name']}" if view["key"].startswith("dept-") else view["key"]
            self.measure(f"inbox: {label}, first page", self.page_client, f"/inbox/?view={view['key']}",
                         self.sql_of(self.page_query(filters)))
        # The sidebar's view counts, never cached: each counts at most COUNT_CAP tickets through an index.
        from django.core.cache import cache

        counts = self.count_queries()
        self.measure("inbox: view counts, uncached", self.page_client, "/inbox/?view=open&fragment=sidebar", counts,
                     before=cache.clear, HX_Request="true")
        self.measure("api: view counts, uncached", self.api_client, "/api/v1/views/counts", counts,
                     before=cache.clear)
        self.measure("api: active, first page", self.api_client, "/api/v1/tickets?status=active",
                     self.sql_of(self.page_query(open_filters)))
        cursor, position = self.deep_cursor(open_filters)
        if cursor:
            self.measure(f"api: active, row {position}", self.api_client, "/api/v1/tickets?" + urlencode(
                {"status": "active", "cursor": cursor}), self.sql_of(self.page_query(open_filters, cursor)))
        # A ticket with a real conversation, among those the agent sees.
        ticket = (selectors.filter_tickets(self.user, open_filters).filter(messages__kind=MessageKind.REPLY)
                  .order_by("-updated_at", "-id").first()) or Ticket.objects.order_by("-id").first()
        if ticket is not None:
            timeline = Message.objects.filter(ticket=ticket).select_related("author_user", "author_contact") \
                .order_by("created_at", "id")
            self.ticket = ticket
            self.measure("ticket page", self.page_client, f"/tickets/{ticket.number}/", self.sql_of(timeline))
            # The page asks for its sidebar (customer, fields, time, other tickets) as soon as it is shown.
            others = Ticket.objects.filter(requester_id=ticket.requester_id).exclude(pk=ticket.pk) \
                .order_by("-updated_at", "-id")[:10]
            self.measure("ticket page: its sidebar", self.page_client, f"/tickets/{ticket.number}/sidebar/",
                         self.sql_of(others), HX_Request="true")
        from django.core.exceptions import EmptyResultSet

        from pomoc.demo.content import RARE_WORD
        from pomoc.tickets.permissions import visible_tickets

        for label, word in (("rare", RARE_WORD), ("common", COMMON_WORD)):
            # selectors.matching_text: the matches fetched through the index (at most SEARCH_CANDIDATES),
            # then the page of tickets: both queries, as the page runs them.
            visible = visible_tickets(self.user)
            tickets = selectors.matching_text(visible, word).select_related("requester", "assignee") \
                .order_by("-updated_at", "-id")[:20]
            queries = [self.sql_of(selectors.search_candidates(visible, word))]
            try:
                queries.append(self.sql_of(tickets))
            except EmptyResultSet:  # nothing matched (a small database): the page needs no second query
                pass
            self.measure(f"search: {label} word", self.page_client, "/search/?" + urlencode({"q": word}), queries)
        # The preferences page: its time-zone list once read the tz database on every request.
        from pomoc.accounts.models import User

        self.measure("preferences page", self.page_client, "/accounts/preferences/",
                     self.sql_of(User.objects.filter(pk=self.user.pk)))

        # Reports: the heaviest of the page's queries (first response times over 30 days) is the baseline.
        import datetime as dt

        from django.utils import timezone

        from pomoc.reports import metrics

        end = timezone.now()
        answered = (metrics.measured(visible_tickets(self.user))
                    .filter(created_at__gte=end - dt.timedelta(days=30), created_at__lt=end,
                            first_response_at__isnull=False).values_list("created_at", "first_response_at"))
        self.measure("reports: last 30 days", self.page_client, "/reports/?period=30", self.sql_of(answered))


# In about one demo ticket in four (English greetings and sign-offs).
COMMON_WORD = "thanks"


def database_label() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
    return f"{connection.vendor} {connection.Database.sqlite_version}" if connection.vendor == "sqlite" \
        else connection.vendor


def git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True,
                              check=False).stdout.strip()
    except OSError:
        return ""


def print_table(results: list[Result]) -> None:
    def ms(value):
        return f"{value:8.1f}" if value is not None else "       -"

    print()
    print(f"{'operation':<30} {'status':<8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>7} "
          f"{'SQL ms':>8} {'base p50':>8} {'ratio':>6}")
    for r in results:
        ratio = f"{r.ratio:6.1f}" if r.ratio is not None else "     -"
        queries = f"{r.queries:7d}" if r.queries is not None else "      -"
        print(f"{r.name:<30} {r.status:<8} {ms(r.p50_ms)} {ms(r.p95_ms)} {ms(r.max_ms)} {queries} "
              f"{ms(r.sql_ms)} {ms(r.baseline_p50_ms)} {ratio}")
    print("\nSQL ms: time in SQL during one request. base p50: the page's main SQL query alone, through a plain")
    print("cursor (the ceiling); ratio = p50 / base p50.")


def main(argv=None) -> int:
    args = parse_args(argv)
    setup_django()
    data = prepare(args)
    from pomoc.demo.content import RARE_WORD

    print(f"Measuring {args.iterations} requests per operation (after {args.warmup} warm-up) as "
          f"{args.user}, {data['tickets']} tickets, {data['messages']} messages…", flush=True)
    bench = Bench(args)
    bench.run()
    print_table(bench.results)
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "database": database_label(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        **data,
        "user": args.user,
        "words": {"rare": RARE_WORD, "common": COMMON_WORD},
        "ticket_id": bench.ticket.pk if bench.ticket else None,
        "iterations": args.iterations,
        "warmup": args.warmup,
        "results": [asdict(r) for r in bench.results],
    }
    output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"Results written to {output.relative_to(REPO) if output.is_relative_to(REPO) else output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
