"""Pomoc's benchmark suite: every operation beside its ceiling and beside a peer, in one run.

    make bench          1,000,000 tickets on PostgreSQL (generated once, reused), full iterations
    make bench-quick    5,000 tickets, fewer iterations (a few minutes)

For each operation it prints Pomoc's p50/p95, the ceiling measured in the same run (the page's
main SQL query alone, or the raw standard-library parse for e-mail), the peer (django-helpdesk from
PyPI, in a virtualenv of its own, loaded with the same data on the same PostgreSQL) and the
ratios, and writes everything to ``benchmarks/results/latest.json``.

The parts run as separate processes, each with its own database, so one Django configuration never
leaks into another: ``benchmarks/inbox.py`` (pages, API, search), ``benchmarks/peer/helpdesk.py``
(the peer), ``benchmarks/mail_ingest.py`` (e-mail ingestion), ``benchmarks/sla_sweep.py`` (the
SLA sweep over 100,000 open tickets, beside a plain SQL scan of them; its own database, the same
name + ``_sla``) and ``benchmarks/rule_evaluation.py`` (rules per event).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
PYTHON = sys.executable
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/pomoc_bench"

# Pomoc operation -> the peer operation a user of the peer would wait for instead (None: none).
PEER_OPERATION = {
    "inbox: open, first page": "ticket list (page + first rows)",
    "inbox: open, deep page": "ticket list (data, deep page)",
    "api: active, first page": "ticket list (data, first page)",
    "api: active, deep page": "ticket list (data, deep page)",
    "ticket page": "ticket page",
    "search: rare word": "search, rare word",
    "search: common word": "search, common word",
}
# Operations the product does not have yet: reported as such, never left out silently.
NOT_BUILT = {
    "knowledge base search": "no knowledge base yet",
}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="5,000 tickets and fewer iterations")
    parser.add_argument("--tickets", type=int, default=None, help="tickets in the database (1,000,000; quick: 5,000)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL,
                        help="Pomoc's benchmark database (PostgreSQL); the peer's is the same name + _peer")
    parser.add_argument("--skip", default="",
                        help="comma-separated parts to leave out: peer, mail, sla, reports, rules, chat")
    parser.add_argument("--output", default=str(RESULTS / "latest.json"))
    args = parser.parse_args(argv)
    args.tickets = args.tickets or (5_000 if args.quick else 1_000_000)
    if args.quick and args.database_url == (os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL):
        args.database_url += "_quick"  # a quick run never shrinks the big database's meaning
    args.skip = {part.strip() for part in args.skip.split(",") if part.strip()}
    return args


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database in ``url`` if it is missing."""
    import psycopg
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def step(title: str) -> None:
    print(f"\n== {title} ==", flush=True)


def run_json(command: list[str], *, env: dict | None = None, what: str) -> tuple[dict | None, str]:
    """Run a part; its stdout's last line is a JSON object. Returns (object, error)."""
    started = time.monotonic()
    proc = subprocess.run(command, cwd=REPO, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
                          stderr=None, text=True, check=False)
    took = time.monotonic() - started
    print(f"   ({what}: {took:.0f} s)", flush=True)
    if proc.returncode != 0:
        return None, f"{what} failed with exit status {proc.returncode}"
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    try:
        return json.loads(lines[-1]), ""
    except (IndexError, json.JSONDecodeError):
        return None, f"{what} printed no JSON result"


def pomoc_pages(args, json_path: Path) -> dict:
    command = [PYTHON, "benchmarks/inbox.py", "--tickets", str(args.tickets), "--output", str(json_path)]
    if args.quick:
        command.append("--quick")
    proc = subprocess.run(command, cwd=REPO, env={**os.environ, "DATABASE_URL": args.database_url}, check=False)
    if proc.returncode != 0:
        sys.exit(f"benchmarks/inbox.py failed with exit status {proc.returncode}")
    return json.loads(json_path.read_text())


def peer_pages(args, pages: dict) -> tuple[dict | None, str]:
    peer_url = args.database_url + "_peer"
    _setup, error = run_json([PYTHON, "benchmarks/peer/helpdesk.py", "setup"], what="peer venv")
    if error:
        return None, error
    loaded, error = run_json([PYTHON, "benchmarks/peer/helpdesk.py", "load", "--from-database-url",
                              args.database_url, "--database-url", peer_url], what="peer load")
    if error:
        return None, error
    command = [PYTHON, "benchmarks/peer/helpdesk.py", "measure", "--database-url", peer_url,
               "--iterations", str(pages["iterations"]), "--warmup", str(pages["warmup"]),
               "--rare", pages["words"]["rare"], "--common", pages["words"]["common"], "--user", pages["user"]]
    if pages.get("ticket_id"):
        command += ["--ticket", str(pages["ticket_id"])]
    measured, error = run_json(command, what="peer pages")
    if measured is not None:
        measured["load"] = loaded
    return measured, error


def mail_ingestion(args, json_path: Path) -> tuple[dict | None, str]:
    command = [PYTHON, "benchmarks/mail_ingest.py", "--output", str(json_path)]
    if args.quick:
        command.append("--quick")
    proc = subprocess.run(command, cwd=REPO, check=False)
    if proc.returncode != 0 or not json_path.exists():
        return None, f"benchmarks/mail_ingest.py failed with exit status {proc.returncode}"
    return json.loads(json_path.read_text()), ""


def sla_sweep(args, json_path: Path) -> tuple[dict | None, str]:
    url = with_database(args.database_url, urlsplit(args.database_url).path.lstrip("/") + "_sla")
    ensure_database(url)
    command = [PYTHON, "benchmarks/sla_sweep.py", "--output", str(json_path)]
    if args.quick:
        command.append("--quick")
    proc = subprocess.run(command, cwd=REPO, env={**os.environ, "DATABASE_URL": url}, check=False)
    if proc.returncode != 0 or not json_path.exists():
        return None, f"benchmarks/sla_sweep.py failed with exit status {proc.returncode}"
    return json.loads(json_path.read_text()), ""


def reports(args, json_path: Path) -> tuple[dict | None, str]:
    url = with_database(args.database_url, urlsplit(args.database_url).path.lstrip("/") + "_reports")
    ensure_database(url)
    command = [PYTHON, "benchmarks/reports.py", "--output", str(json_path)]
    if args.quick:
        command.append("--quick")
    proc = subprocess.run(command, cwd=REPO, env={**os.environ, "DATABASE_URL": url}, check=False)
    if proc.returncode != 0 or not json_path.exists():
        return None, f"benchmarks/reports.py failed with exit status {proc.returncode}"
    return json.loads(json_path.read_text()), ""


def rule_evaluation(args, json_path: Path) -> tuple[dict | None, str]:
    command = [PYTHON, "benchmarks/rule_evaluation.py", "--output", str(json_path)]
    if args.quick:
        command.append("--quick")
    proc = subprocess.run(command, cwd=REPO, check=False)
    if proc.returncode != 0 or not json_path.exists():
        return None, f"benchmarks/rule_evaluation.py failed with exit status {proc.returncode}"
    return json.loads(json_path.read_text()), ""


def chat_load(args, json_path: Path) -> tuple[dict | None, str]:
    """benchmarks/chat.py: concurrent chats over real sockets beside a raw websocket relay."""
    command = [PYTHON, "benchmarks/chat.py", "--output", str(json_path), "--database-url",
               with_database(args.database_url, urlsplit(args.database_url).path.lstrip("/") + "_chat")]
    if args.quick:
        command.append("--quick")
    proc = subprocess.run(command, cwd=REPO, check=False)
    if not json_path.exists():
        return None, f"benchmarks/chat.py failed with exit status {proc.returncode}"
    result = json.loads(json_path.read_text())
    return result, "" if proc.returncode == 0 else "benchmarks/chat.py: messages were lost"


def ratio(a, b) -> float | None:
    return round(a / b, 2) if a and b else None


def generic_name(name: str) -> str:
    """'inbox: open, row 899990' -> 'inbox: open, deep page' (rows differ with the data size)."""
    head, _sep, tail = name.rpartition(", ")
    return f"{head}, deep page" if tail.startswith("row ") else name


def combine(pages: dict, peer: dict | None) -> list[dict]:
    peer_ops = {op["name"]: op for op in (peer or {}).get("operations", [])}
    if "ticket list (page)" in peer_ops and "ticket list (data, first page)" in peer_ops:
        # The peer's list page is an empty shell that fetches its rows: a user waits for both.
        shell, data = peer_ops["ticket list (page)"], peer_ops["ticket list (data, first page)"]
        if shell.get("p50_ms") and data.get("p50_ms"):
            peer_ops["ticket list (page + first rows)"] = {
                "name": "ticket list (page + first rows)", "p50_ms": shell["p50_ms"] + data["p50_ms"],
                "p95_ms": shell["p95_ms"] + data["p95_ms"], "url": f"{shell.get('url')} + {data.get('url')}"}
    rows = []
    for result in pages["results"]:
        name = generic_name(result["name"])
        peer_op = peer_ops.get(PEER_OPERATION.get(name) or "")
        row = {
            "operation": result["name"],
            "pomoc": {"p50_ms": result["p50_ms"], "p95_ms": result["p95_ms"], "queries": result["queries"],
                      "status": result["status"]},
            "ceiling": {"p50_ms": result["baseline_p50_ms"], "p95_ms": result["baseline_p95_ms"],
                        "what": "the page's main SQL query alone"} if result["baseline_p50_ms"] else None,
            "peer": {"operation": peer_op["name"], "p50_ms": peer_op.get("p50_ms"), "p95_ms": peer_op.get("p95_ms"),
                     "url": peer_op.get("url"), "note": peer_op.get("note", "")} if peer_op else None,
        }
        row["pomoc_over_ceiling"] = ratio(result["p50_ms"], result["baseline_p50_ms"])
        row["peer_over_pomoc"] = ratio(peer_op.get("p50_ms") if peer_op else None, result["p50_ms"])
        rows.append(row)
    return rows


def mail_rows(mail: dict | None) -> list[dict]:
    """E-mail ingestion in messages per second (higher is better), beside the standard library's raw
    parse of the same corpus (the ceiling) and django-helpdesk's best case and as-shipped run."""
    if not mail:
        return []
    ceiling = (mail.get("ceiling") or {}).get("per_second")
    rows = []
    for kind, parts in (mail.get("kinds") or {}).items():
        peer = parts.get("peer") or {}
        best = (peer.get("best_case") or {}).get("per_second")
        shipped = peer.get("as_shipped") or {}
        for way, label in (("worker", "worker"), ("mta", "mail ingest pipe")):
            rate = (parts.get(way) or {}).get("per_second")
            rows.append({
                "operation": f"{label}, {kind}",
                "pomoc": {"messages_per_second": rate, "messages": (parts.get(way) or {}).get("messages")},
                "ceiling": {"messages_per_second": ceiling, "what": "standard-library parse of the same corpus"},
                "peer": {"best_case_per_second": best, "as_shipped_per_second": shipped.get("per_second"),
                         "as_shipped_processed": shipped.get("processed"), "stopped_at": shipped.get("stopped_at")},
                "share_of_ceiling": ratio(rate, ceiling),
                "over_peer_best_case": ratio(rate, best),
            })
    return rows


def print_table(rows: list[dict], mail: dict | None, errors: dict) -> None:
    def ms(value):
        return f"{value:9.1f}" if isinstance(value, (int, float)) else "        -"

    def times(value):
        return f"{value:7.1f}x" if isinstance(value, (int, float)) else "       -"

    print()
    print(f"{'operation':<40} {'p50 ms':>9} {'p95 ms':>9} {'ceil p50':>9} {'peer p50':>9} {'peer p95':>9} "
          f"{'/ceiling':>8} {'peer/us':>8}")
    for row in rows:
        peer = row["peer"] or {}
        ceiling = row["ceiling"] or {}
        print(f"{row['operation']:<40} {ms(row['pomoc']['p50_ms'])} {ms(row['pomoc']['p95_ms'])} "
              f"{ms(ceiling.get('p50_ms'))} {ms(peer.get('p50_ms'))} {ms(peer.get('p95_ms'))} "
              f"{times(row['pomoc_over_ceiling'])} {times(row['peer_over_pomoc'])}")
    for name, reason in NOT_BUILT.items():
        print(f"{name:<40} not measured: {reason}")
    if mail:
        print(f"\n{'e-mail ingestion (messages/s)':<40} {'Pomoc':>9} {'ceiling':>9} {'peer best':>9} "
              f"{'shipped':>9} {'%ceil':>8} {'x peer':>8}")
        for row in mail_rows(mail):
            print(f"{row['operation']:<40} {ms(row['pomoc']['messages_per_second'])} "
                  f"{ms(row['ceiling']['messages_per_second'])} {ms(row['peer']['best_case_per_second'])} "
                  f"{ms(row['peer']['as_shipped_per_second'])} {times(row['share_of_ceiling'])} "
                  f"{times(row['over_peer_best_case'])}")
        print("(shipped: django-helpdesk's own get_email, which stops the whole mailbox at the first message "
              "that raises)")
    for part, error in errors.items():
        print(f"\n{part}: NOT MEASURED: {error}")
    print("\n/ceiling = Pomoc p50 / ceiling p50 (1.0 would be no overhead above the raw query);"
          "\npeer/us = peer p50 / Pomoc p50 (above 1: Pomoc is faster).")


def main(argv=None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    RESULTS.mkdir(parents=True, exist_ok=True)
    ensure_database(args.database_url)
    errors: dict[str, str] = {}

    step(f"Pomoc: pages, API and search ({args.tickets:,} tickets)")
    pages = pomoc_pages(args, RESULTS / "pages.json")

    peer = None
    if "peer" not in args.skip:
        step("Peer: django-helpdesk with the same data")
        peer, error = peer_pages(args, pages)
        if error:
            errors["peer"] = error

    mail = None
    if "mail" not in args.skip:
        step("E-mail ingestion")
        mail, error = mail_ingestion(args, RESULTS / "mail_ingest.json")
        if error:
            errors["mail"] = error

    sla = None
    if "sla" not in args.skip:
        step("SLA sweep")
        sla, error = sla_sweep(args, RESULTS / "sla_sweep.json")
        if error:
            errors["sla"] = error

    report = None
    if "reports" not in args.skip:
        step("Reports (rollups)")
        report, error = reports(args, RESULTS / "reports.json")
        if error:
            errors["reports"] = error

    rules = None
    if "rules" not in args.skip:
        step("Rule evaluation (200 active rules)")
        rules, error = rule_evaluation(args, RESULTS / "rule_evaluation.json")
        if error:
            errors["rules"] = error

    chat = None
    if "chat" not in args.skip:
        step("Live chat: concurrent chats over real sockets")
        json_path = RESULTS / "chat.json"
        json_path.unlink(missing_ok=True)
        chat, error = chat_load(args, json_path)
        if error:
            errors["chat"] = error

    rows = combine(pages, peer)
    print_table(rows, mail, errors)
    for row in (sla or {}).get("operations", []):
        print(f"{row['operation']:<40} {row['p50_s']:8.3f} s (max {row['max_s']:.3f} s; {row['due_tickets']} tickets "
              f"due; scan of all {sla['data']['tickets']:,} open tickets {row['ceiling_scan_p50_s']:.3f} s; "
              f"aim {row['aim_s']:.0f} s)")
    if rules:
        print(f"\nrule evaluation per event, {rules['rules']} rules: p50 {rules['evaluate']['p50_ms']:.3f} ms, "
              f"p95 {rules['evaluate']['p95_ms']:.3f} ms (aim {rules['ceiling_ms']} ms; baseline of "
              f"{rules['rules']} trivial checks p50 {rules['baseline']['p50_ms']:.3f} ms)")
    for row in (chat or {}).get("runs", []):
        print(f"chat, {row['target']:<22} {row['chats']:,} chats: p50 {row['p50_ms']:.1f} ms, "
              f"p99 {row['p99_ms']:.1f} ms, {row['messages_per_s']:.1f} messages/s, {row['lost']} lost, "
              f"{row['rss_per_socket_kb']:.0f} KB per socket")
    report = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": pages.get("commit"),
        "quick": args.quick,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "database": pages.get("database"),
                    "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None},
        "data": {"tickets": pages.get("tickets"), "messages": pages.get("messages"), "contacts": pages.get("contacts"),
                 "load_seconds": pages.get("load_seconds")},
        "method": {"iterations": pages.get("iterations"), "warmup": pages.get("warmup"), "user": pages.get("user"),
                   "percentile": "nearest rank"},
        "operations": rows,
        "mail_ingestion": mail_rows(mail),
        "not_built": [{"operation": k, "reason": v} for k, v in NOT_BUILT.items()],
        "peer": {k: v for k, v in (peer or {}).items() if k != "operations"} or None,
        "mail_ingest": mail,
        "sla_sweep": sla,
        "reports": report,
        "rule_evaluation": rules,
        "chat": chat,
        "errors": errors,
        "pages": pages,
        "seconds": round(time.monotonic() - started),
    }
    output = Path(args.output)
    output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"\nWhole run: {report['seconds']} s. Results written to "
          f"{output.relative_to(REPO) if output.is_relative_to(REPO) else output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
