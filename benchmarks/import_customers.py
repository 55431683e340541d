"""CSV import of contacts and order lines, on SQLite and PostgreSQL, beside a raw-insert ceiling.

    .venv/bin/python benchmarks/import_customers.py            (100,000 contacts, 1,000,000 order lines)
    .venv/bin/python benchmarks/import_customers.py --quick    (10,000 contacts, 100,000 order lines)

For each database (a fresh SQLite file; a fresh PostgreSQL database ``pomoc_bench_import`` (BENCH_PG_NAME) on
BENCH_PG_SERVER, default postgres://postgres@127.0.0.1:5432) it generates the two CSV files, migrates,
and runs the real import (``pomoc.orders.imports.import_run``, the code the worker runs: streamed by
byte offset, batches of 1,000 upserted with their progress committed) in a child process, sampling its
resident memory every 0.1 s. Memory is flat when the peak after the first tenth of the rows is about the
peak of the whole run. The ceiling is the same rows written by the database driver alone into a bare
table of the same columns (SQLite ``executemany``, PostgreSQL ``COPY``), without lookups, upserts or
progress. Prints a table and writes ``benchmarks/results/import_customers.json``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
PYTHON = sys.executable
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
PG_NAME = os.environ.get("BENCH_PG_NAME", "pomoc_bench_import")
PRODUCTS = ["Electric kettle", "Coffee grinder", "Espresso machine", "Milk frother", "Descaler", "Water filter",
            "Mug set", "Tea infuser", "Teapot", "Scale"]


# --- the files -----------------------------------------------------------------------------------
def write_files(folder: Path, contacts: int, lines: int, seed: int = 1) -> tuple[Path, Path]:
    rng = random.Random(seed)
    contacts_csv, orders_csv = folder / "contacts.csv", folder / "orders.csv"
    with contacts_csv.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["email", "name", "phone"])
        for i in range(contacts):
            w.writerow([f"customer{i}@example.org", f"Customer {i}", ""])
    with orders_csv.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["order_id", "email", "name", "order_number", "status", "currency", "placed_at", "line_id",
                    "product", "sku", "quantity", "unit_price"])
        order, written = 0, 0
        while written < lines:
            order += 1
            customer = rng.randrange(contacts)
            day = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            for line in range(1, min(rng.randint(1, 4), lines - written) + 1):
                product = rng.choice(PRODUCTS)
                w.writerow([order, f"customer{customer}@example.org", f"Customer {customer}", f"#{order}", "paid",
                            "EUR", day, line, product, product[:3].upper() + str(line), rng.randint(1, 3),
                            f"{rng.randint(1, 300)}.{rng.randint(0, 99):02d}"])
                written += 1
    return contacts_csv, orders_csv


# --- the child: one import, its memory sampled ---------------------------------------------------
def _rss_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def child(kind: str, path: str, rows: int) -> None:
    import django

    django.setup()
    from django.core.files import File

    from pomoc.orders import imports, services
    from pomoc.orders.models import ImportJob

    source = services.source_get_or_create(key="bench") if kind == "orders" else None
    with open(path, "rb") as f:
        job = ImportJob(kind=kind, source=source, file_name=Path(path).name, size=os.path.getsize(path), runner="bench")
        job.file.save(Path(path).name, File(f), save=True)
    samples: list[tuple[int, int]] = []  # (rows committed, rss kB)
    done = threading.Event()

    def sample() -> None:
        from django.db import connections

        while not done.wait(0.1):
            samples.append((0, _rss_kb()))
        connections.close_all()

    thread = threading.Thread(target=sample, daemon=True)
    start_rss = _rss_kb()
    started = time.perf_counter()
    thread.start()
    result = imports.import_run(job.pk, "bench")
    elapsed = time.perf_counter() - started
    done.set()
    thread.join()
    rss = [kb for _r, kb in samples] or [_rss_kb()]
    tenth = rss[: max(1, len(rss) // 10)]
    print(json.dumps({"rows": result.rows_done, "failed": result.rows_failed, "seconds": elapsed,
                      "rows_per_s": result.rows_done / elapsed, "rss_start_mb": start_rss / 1024,
                      "rss_first_tenth_mb": max(tenth) / 1024, "rss_peak_mb": max(rss) / 1024}))


def ceiling_child(kind: str, path: str) -> None:
    """The same rows through the driver alone into a bare table (no lookups, no upserts)."""
    import django

    django.setup()
    from django.db import connection

    columns = ["email", "name", "phone"] if kind == "contacts" else [
        "order_id", "email", "name", "order_number", "status", "currency", "placed_at", "line_id", "product", "sku",
        "quantity", "unit_price"]
    table = f"bench_ceiling_{kind}"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(f"CREATE TABLE {table} ({', '.join(c + ' text' for c in columns)})")
    started = time.perf_counter()
    count = 0
    with open(path, newline="", encoding="utf-8") as f, connection.cursor() as cursor:
        reader = csv.reader(f)
        next(reader)
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in reader:
                    copy.write_row(row)
                    count += 1
        else:
            placeholders = ", ".join("%s" for _c in columns)
            batch = []
            for row in reader:
                batch.append(row)
                if len(batch) == 10_000:
                    cursor.executemany(f"INSERT INTO {table} VALUES ({placeholders})", batch)
                    count += len(batch)
                    batch = []
            cursor.executemany(f"INSERT INTO {table} VALUES ({placeholders})", batch)
            count += len(batch)
    elapsed = time.perf_counter() - started
    print(json.dumps({"rows": count, "seconds": elapsed, "rows_per_s": count / elapsed}))


# --- the driver ----------------------------------------------------------------------------------
def _psql(sql: str) -> None:
    subprocess.run(["psql", f"{PG_SERVER}/postgres", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True,
                   capture_output=True)


def _run(env: dict, *args: str) -> dict:
    done = subprocess.run([PYTHON, str(Path(__file__).resolve()), *args], env=env, capture_output=True, text=True,
                          cwd=REPO)
    if done.returncode != 0:
        raise RuntimeError(f"{args[0]} failed: {done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_database(vendor: str, tmp: Path, contacts_csv: Path, orders_csv: Path) -> dict:
    data_dir = tmp / vendor
    data_dir.mkdir()
    if vendor == "sqlite":
        url = f"sqlite:///{data_dir / 'bench.sqlite3'}"
    else:
        _psql(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
        _psql(f"CREATE DATABASE {PG_NAME}")
        url = f"{PG_SERVER}/{PG_NAME}"
    env = {**os.environ, "DATABASE_URL": url, "POMOC_DATA_DIR": str(data_dir), "DEBUG": "0",
           "DJANGO_SETTINGS_MODULE": "pomoc.settings", "PYTHONPATH": str(REPO)}
    subprocess.run([PYTHON, "-m", "pomoc.cli", "migrate", "--no-input", "-v", "0"], env=env, check=True, cwd=REPO)
    return {
        "contacts": _run(env, "_import", "contacts", str(contacts_csv)),
        "orders": _run(env, "_import", "orders", str(orders_csv)),
        "contacts_ceiling": _run(env, "_ceiling", "contacts", str(contacts_csv)),
        "orders_ceiling": _run(env, "_ceiling", "orders", str(orders_csv)),
    }


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_import":
        return child(sys.argv[2], sys.argv[3], 0)
    if len(sys.argv) > 1 and sys.argv[1] == "_ceiling":
        return ceiling_child(sys.argv[2], sys.argv[3])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10,000 contacts and 100,000 order lines")
    parser.add_argument("--contacts", type=int, default=None)
    parser.add_argument("--lines", type=int, default=None)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--output", default=str(RESULTS / "import_customers.json"))
    args = parser.parse_args()
    contacts = args.contacts or (10_000 if args.quick else 100_000)
    lines = args.lines or (100_000 if args.quick else 1_000_000)
    results = {"contacts": contacts, "lines": lines, "databases": {}}
    with tempfile.TemporaryDirectory(prefix="pomoc-bench-import-") as tmp:
        tmp_path = Path(tmp)
        contacts_csv, orders_csv = write_files(tmp_path, contacts, lines)
        print(f"{contacts:,} contacts ({contacts_csv.stat().st_size / 1e6:.1f} MB), {lines:,} order lines "
              f"({orders_csv.stat().st_size / 1e6:.1f} MB)")
        for vendor in args.databases.split(","):
            results["databases"][vendor] = r = bench_database(vendor, tmp_path, contacts_csv, orders_csv)
            for kind in ("contacts", "orders"):
                m, c = r[kind], r[f"{kind}_ceiling"]
                print(f"{vendor:<10} {kind:<8} {m['rows']:>9,} rows {m['seconds']:>7.1f} s "
                      f"{m['rows_per_s']:>9,.0f} rows/s"
                      f"   ceiling {c['rows_per_s']:>10,.0f} rows/s   RSS start {m['rss_start_mb']:.0f} MB, "
                      f"first tenth {m['rss_first_tenth_mb']:.0f} MB, peak {m['rss_peak_mb']:.0f} MB")
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
