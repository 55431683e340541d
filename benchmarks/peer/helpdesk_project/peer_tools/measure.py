"""Time django-helpdesk's staff pages the way benchmarks/inbox.py times Pomoc's.

    python -m peer_tools.measure --database-url URL --iterations N --warmup W \
        --rare WORD --common WORD --user USERNAME [--ticket ID]

Django's test client, signed in as a staff user, requests each page (the whole stack:
middleware, auth, ORM, templates); W untimed requests, then N timed ones; nearest-rank p50/p95.
helpdesk's ticket list is an HTML shell whose rows come from a DataTables JSON endpoint, so both
are timed, the endpoint for the first page and for a page 90 % of the way down. Search is the
list's ``q`` parameter: the page, then the JSON endpoint that runs the search (one sample is both
requests, as a browser needs both to show results). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import html
import re
import time
from urllib.parse import urlencode

from peer_tools import database
from peer_tools.output import emit, fail, keep_stdout_for_result, peer_label, percentile, progress

SLOW_MS = 10_000  # an operation slower than this gets fewer samples
SLOW_ITERATIONS = 3
PAGE_LENGTH = 25  # helpdesk's default tickets_per_page, what the DataTable asks for
DATA_URL = re.compile(r'"url":\s*"([^"]*datatables_ticket_list/[^"]*)"')


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--iterations", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--rare", required=True, help="a word few tickets contain")
    parser.add_argument("--common", required=True, help="a word many tickets contain")
    parser.add_argument("--user", required=True, help="the staff user the pages are requested as")
    parser.add_argument("--ticket", type=int, default=None,
                        help="the ticket page to time (default: the latest open ticket with a conversation)")
    args = parser.parse_args(argv)
    if args.iterations < 1 or args.warmup < 0:
        parser.error("--iterations must be at least 1 and --warmup at least 0")
    return args


def datatables_query(start: int) -> str:
    """The parameters DataTables sends for one page (the list's template sets ``order: []``)."""
    return urlencode({"draw": 1, "start": start, "length": PAGE_LENGTH, "search[value]": "",
                      "search[regex]": "false"})


class Bench:
    def __init__(self, args, client, connection):
        self.args = args
        self.client = client
        self.connection = connection
        self.operations: list[dict] = []

    def get(self, url: str):
        response = self.client.get(url)
        if response.status_code != 200:
            raise RequestFailed(url, response.status_code)
        return response

    def measure(self, name: str, urls: list[str], extra: dict | None = None) -> None:
        """Time one operation: a sample is the requests in ``urls`` one after another."""
        from django.test.utils import CaptureQueriesContext

        operation = {"name": name, "url": urls[-1] if len(urls) == 1 else urls[0], **(extra or {})}
        if len(urls) > 1:
            operation["requests"] = urls
        iterations, warmup = self.args.iterations, self.args.warmup

        def once() -> None:
            for url in urls:
                self.get(url)

        try:
            started = time.perf_counter()
            with CaptureQueriesContext(self.connection) as captured:
                once()
            first_ms = (time.perf_counter() - started) * 1000
        except RequestFailed as exc:
            operation.update(status=exc.status, error=str(exc), samples=0, p50_ms=None, p95_ms=None)
            self.operations.append(operation)
            progress(f"  {name:<34} HTTP {exc.status}")
            return
        operation["status"] = 200
        operation["queries"] = len(captured.captured_queries)
        if first_ms > SLOW_MS:
            iterations, warmup = min(iterations, SLOW_ITERATIONS), 0
            operation["note"] = (f"one request took {first_ms / 1000:.1f} s: cut to {iterations} timed "
                                 f"iterations without warm-up")
        for _ in range(max(0, warmup - 1)):  # the probe above was the first warm-up request
            once()
        samples = []
        for _ in range(iterations):
            started = time.perf_counter()
            once()
            samples.append((time.perf_counter() - started) * 1000)
        operation.update(p50_ms=round(percentile(samples, 50), 2), p95_ms=round(percentile(samples, 95), 2),
                         max_ms=round(max(samples), 2), samples=len(samples))
        self.operations.append(operation)
        progress(f"  {name:<34} p50 {operation['p50_ms']:9.1f} ms  p95 {operation['p95_ms']:9.1f} ms")

    def data_url(self, page_url: str) -> str:
        """The JSON endpoint the list page's DataTable loads its rows from."""
        match = DATA_URL.search(self.get(page_url).content.decode())
        if not match:
            raise RuntimeError(f"no datatables_ticket_list URL in the page {page_url}")
        return html.unescape(match.group(1))

    def run(self) -> None:
        from helpdesk.models import FollowUp, Ticket

        list_url = "/tickets/"
        data_url = self.data_url(list_url)
        self.measure("ticket list (page)", [list_url])
        first = f"{data_url}?{datatables_query(0)}"
        total = self.get(first).json()["recordsTotal"]
        self.measure("ticket list (data, first page)", [first], {"rows": total})
        deep_start = (int(total * 0.9) // PAGE_LENGTH) * PAGE_LENGTH
        self.measure("ticket list (data, deep page)", [f"{data_url}?{datatables_query(deep_start)}"],
                     {"rows": total, "start": deep_start})

        ticket_id = self.args.ticket
        if ticket_id is None:  # as Pomoc's benchmark picks one: the latest open ticket with a staff reply
            ticket = (Ticket.objects.filter(status__in=Ticket.OPEN_STATUSES, followup__user__is_staff=True)
                      .order_by("-modified", "-id").first())
            ticket_id = ticket.id if ticket else None
        if ticket_id is not None:
            followups = FollowUp.objects.filter(ticket_id=ticket_id).count()
            self.measure("ticket page", [f"/tickets/{ticket_id}/"], {"ticket": ticket_id, "followups": followups})

        for label, word in (("rare", self.args.rare), ("common", self.args.common)):
            page = f"{list_url}?{urlencode({'q': word})}"
            search_data = f"{self.data_url(page)}?{datatables_query(0)}"
            matches = self.get(search_data).json()["recordsFiltered"]
            self.measure(f"search, {label} word", [page, search_data], {"word": word, "matches": matches})


class RequestFailed(Exception):
    def __init__(self, url: str, status: int):
        super().__init__(f"GET {url} answered HTTP {status}")
        self.url = url
        self.status = status


def main(argv=None) -> int:
    args = parse_args(argv)
    keep_stdout_for_result()
    try:
        db = database.use(args.database_url)
    except database.DatabaseUrlError as exc:
        fail(str(exc))
    if not database.exists(args.database_url):
        fail(f"no database at {database.redact(args.database_url)}: run `load` first")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from helpdesk.models import FollowUp, Ticket

    try:
        user = User.objects.get(username=args.user)
    except User.DoesNotExist:
        fail(f"no user {args.user!r} in the peer's database: run `load` first")
    if not user.is_staff:
        fail(f"{args.user!r} is not a staff user")
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    tickets, followups = Ticket.objects.count(), FollowUp.objects.count()
    progress(f"Measuring {args.iterations} requests per operation (after {args.warmup} warm-up) as {args.user}, "
             f"{tickets} tickets, {followups} follow-ups…")
    bench = Bench(args, client, connection)
    try:
        bench.run()
    except (RequestFailed, RuntimeError) as exc:
        fail(str(exc))
    emit({"peer": peer_label(), "database": db["vendor"], "tickets": tickets, "followups": followups,
          "user": args.user, "iterations": args.iterations, "warmup": args.warmup, "operations": bench.operations})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
