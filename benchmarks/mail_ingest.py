"""E-mail ingestion rate: messages/second stored and threaded, on SQLite and PostgreSQL, in one run.

    .venv/bin/python benchmarks/mail_ingest.py [--quick] [--messages N] [--mta-messages N] [--pipe-messages N]
    make bench-mail                     (BENCH_ARGS=--quick for a short run)

Builds a corpus folder (``benchmarks/mail_corpus.py``: the 113 imap_tools messages, our samples,
generated conversations in four languages with replies, attachments, auto-replies, bounces and one
broken mail in the middle), then for each database kind (a fresh SQLite file in a temporary folder;
PostgreSQL ``pomoc_bench_mail``, dropped and created, server from ``BENCH_MAIL_PG``, default
``postgres://postgres@127.0.0.1:5432``) measures:

- ceiling: the standard library's own parse of the same corpus (``message_from_bytes`` with
  ``policy.default`` + ``get_body`` + ``iter_attachments`` + ``get_content``), no database;
- mta: ``pomoc mail ingest`` once per message, two at a time, with no Pomoc running: each call
  stores the mail itself (Django started per message; ``--mta-messages`` of the corpus, in order);
- pipe: ``pomoc mail ingest`` once per message, four at a time, handing each to a running ``pomoc
  serve`` (the fast path, no Django in the pipe): mails/s and the p50/p99 of one call, then how
  long until the server's worker has processed them all (``--pipe-messages`` of the corpus);
- postfix: the same through a real Postfix (``benchmarks/postfix_pipe.py``: a private instance
  with the documented master.cf transport, four at a time, and the documented wrapper): the mails
  are queued first and held, then released; mails/s from the release to the last delivery, and
  the p50/p99 of the time Postfix spent in the pipe per mail (its log's ``delays``). Needs root and
  the ``postfix`` package; without them the row says so (the pipe row above is the same pipe run
  four-way parallel, as Postfix runs it);
- worker: every message kept by ``receive_raw`` first (as the SMTP receiver and fetching do, not
  timed), then two worker processes running ``process_pending_mail`` (each its share) until no
  mail is pending: the time from their start to the last one's end;
- peer: ``benchmarks/peer/helpdesk.py`` (django-helpdesk) ingesting the same folder into a database
  of its own of the same kind (``pomoc_bench_mail_peer``), as shipped and at its best case.

Beside the figures it checks the result: every imap_tools message stored, every reply in its
question's ticket, nothing pending, the broken mail unprocessable and nothing behind it blocked.
Prints a table and writes ``benchmarks/results/mail_ingest.json``. ``run(quick)`` does the same for
a suite runner. Each step runs in processes of its own (Django is configured once per process).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import email
import fcntl
import json
import os
import platform
import resource
import shutil
import signal
import smtplib
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from email import policy
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
PYTHON = sys.executable
PEER = REPO / "benchmarks" / "peer" / "helpdesk.py"
PG_SERVER = os.environ.get("BENCH_MAIL_PG", "postgres://postgres@127.0.0.1:5432")
INBOX = "Bench"
BENCH_ADDRESS = "support@pomoc.test"
WORKERS = 2
PIPES = 4  # deliveries at a time through the pipe, as the documented Postfix transport runs them
POMOC_SCRIPT = str(Path(PYTHON).with_name("pomoc"))
sys.path.insert(0, str(REPO))


# --- the ceiling ------------------------------------------------------------------------------
def stdlib_parse(raw: bytes) -> int:
    """What any parser must at least do; 1 when the standard library raised."""
    try:
        msg = email.message_from_bytes(raw, policy=policy.default)
        body = msg.get_body(preferencelist=("plain", "html"))
        if body is not None:
            body.get_content()
        for part in msg.iter_attachments():
            part.get_content()
        return 0
    except Exception:
        return 1


def ceiling(raws: list[bytes], rounds: int = 3) -> dict:
    best, errors = float("inf"), 0
    for _ in range(rounds):
        started = time.perf_counter()
        errors = sum(stdlib_parse(raw) for raw in raws)
        best = min(best, time.perf_counter() - started)
    return {"seconds": best, "messages": len(raws), "per_second": len(raws) / best, "stdlib_errors": errors}


# --- databases --------------------------------------------------------------------------------
def _psql(sql: str) -> None:
    subprocess.run(["psql", f"{PG_SERVER}/postgres", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
                   check=True, capture_output=True)


def fresh_database(kind: str, name: str, tmp: Path) -> str:
    if kind == "sqlite":
        path = tmp / f"{name}.sqlite3"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _psql(f"CREATE DATABASE {name}")
    return f"{PG_SERVER}/{name}"


def postgres_available() -> str:
    try:
        _psql("SELECT 1")
    except (OSError, subprocess.CalledProcessError) as exc:
        return f"PostgreSQL at {PG_SERVER} not reachable ({type(exc).__name__})"
    return ""


def _env(url: str, data_dir: Path) -> dict:
    return {**os.environ, "DATABASE_URL": url, "POMOC_DATA_DIR": str(data_dir), "DEBUG": "0",
            "DJANGO_SETTINGS_MODULE": "pomoc.settings", "PYTHONPATH": str(REPO)}


def _helper(action: str, env: dict, *args: str, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run([PYTHON, str(Path(__file__).resolve()), action, *args], env=env, capture_output=True,
                          text=True, **kwargs)
    if done.returncode != 0:
        raise RuntimeError(f"step {action} failed (exit {done.returncode}): {done.stderr[-2000:]}")
    return done


def prepare(url: str, data_dir: Path) -> dict:
    """Migrate the fresh database and create the inbox; returns the environment for the steps."""
    env = _env(url, data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run([PYTHON, "-m", "pomoc.cli", "migrate", "--no-input", "-v", "0"], env=env, check=True,
                   capture_output=True, cwd=REPO)
    _helper("_inbox", env)
    return env


# --- pomoc through the MTA pipe -----------------------------------------------------------------
def mta(env: dict, files: list[Path]) -> dict:
    command = [PYTHON, "-m", "pomoc.cli", "mail", "ingest", "--inbox", INBOX]
    failures: list[str] = []

    def deliver(path: Path) -> None:
        done = subprocess.run(command, input=path.read_bytes(), env=env, capture_output=True, cwd=REPO)
        if done.returncode != 0:
            failures.append(f"{path.name}: exit {done.returncode} {done.stderr.decode()[-200:]}")

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(deliver, files))
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "messages": len(files), "per_second": len(files) / seconds,
            "failures": failures[:10], "failed": len(failures)}


# --- pomoc through the fast pipe, to a running pomoc serve ----------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def start_server(env: dict, command: list[str] | None = None) -> tuple[subprocess.Popen, int]:
    """``pomoc serve`` (with its worker) on a free port, in a session of its own."""
    port = _free_port()
    args = ["serve", "--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
    proc = subprocess.Popen(command(args) if command else [PYTHON, "-m", "pomoc.cli", *args], env=env, cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return proc, port
        except OSError:
            time.sleep(0.2)
    stop_server(proc)
    raise RuntimeError("pomoc serve did not start")


def stop_server(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(40)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass
    try:  # the worker child, should it outlive its server
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def session_cpu(session: int) -> float:
    """CPU seconds used so far by the living processes of a session (a server and its worker)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[3]) == session:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _count(env: dict, where: str) -> int:
    """Raw mails matching ``where``, read straight from the database (no Django start)."""
    url = env["DATABASE_URL"]
    sql = f"SELECT COUNT(*) FROM inboxes_rawmail WHERE {where}"
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30) as db:
            return db.execute(sql).fetchone()[0]
    done = subprocess.run(["psql", url, "-tAc", sql], capture_output=True, text=True, check=True)
    return int(done.stdout.strip())


def _until_processed(env: dict, started: float, expected: int, timeout: float) -> float | None:
    """Seconds from ``started`` until ``expected`` mails are kept and none is pending (None: not by then)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _count(env, "TRUE") >= expected and _count(env, "status = 'pending'") == 0:
            return time.perf_counter() - started
        time.sleep(0.2)
    return None


def pipe(env: dict, files: list[Path]) -> dict:
    """``pomoc mail ingest`` per mail, ``PIPES`` at a time, to a running ``pomoc serve``."""
    server, _port = start_server(env)
    latencies: list[float] = []
    failures: list[str] = []
    fell_back = 0

    def deliver(path: Path) -> None:
        nonlocal fell_back
        begun = time.perf_counter()
        done = subprocess.run([POMOC_SCRIPT, "mail", "ingest", "--inbox", INBOX], input=path.read_bytes(), env=env,
                              capture_output=True)
        latencies.append(time.perf_counter() - begun)
        if done.returncode != 0:
            failures.append(f"{path.name}: exit {done.returncode} {done.stderr.decode()[-200:]}")
        elif b'"queued"' not in done.stdout:
            fell_back += 1
    try:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)  # the pipes' processes, reaped by run()
        server_before = session_cpu(server.pid)
        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(PIPES) as pool:
            list(pool.map(deliver, files))
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        processed = _until_processed(env, started, len(files), timeout=600)
        server_cpu = session_cpu(server.pid) - server_before
    finally:
        stop_server(server)
    return {"seconds": seconds, "messages": len(files), "per_second": len(files) / seconds,
            "p50_ms": 1000 * _percentile(latencies, 0.5), "p99_ms": 1000 * _percentile(latencies, 0.99),
            # what one call costs in CPU whatever the load: what a busy machine's wall clock hides
            "cpu_ms_per_call": 1000 * cpu / len(files),
            # the server taking each mail and its worker processing it (a second's idle polling included)
            "server_cpu_ms_per_mail": 1000 * server_cpu / len(files),
            "fell_back": fell_back, "failures": failures[:10], "failed": len(failures),
            "processed_seconds": processed, "processed_per_second": len(files) / processed if processed else None}


def through_postfix(env: dict, files: list[Path], tmp: Path, relay: bool = False) -> dict:
    """The documented Postfix pipe set-up (``postfix_pipe``) delivering to a running ``pomoc serve``;
    ``relay``: the documented relay set-up, to ``pomoc smtpd`` (which processes each mail before it
    answers)."""
    from benchmarks import postfix_pipe

    missing = postfix_pipe.unavailable()
    if missing:
        return {"missing": missing}
    data_dir = Path(env["POMOC_DATA_DIR"])
    tmp.mkdir(parents=True, exist_ok=True)
    for folder in (tmp.parent, tmp):  # the pipe's user passes through to its files
        folder.chmod(0o755)
    settings = {"DATABASE_URL": env["DATABASE_URL"], "POMOC_DATA_DIR": str(data_dir), "DEBUG": "0",
                "REDIS_URL": "", "DJANGO_SETTINGS_MODULE": "pomoc.settings"}
    env_file = tmp / "postfix-pipe.env"
    env_file.write_text("".join(f"{name}={value}\n" for name, value in settings.items()))
    env_file.chmod(0o644)
    # the pipe's user owns the data directory (token, SQLite database) and runs the server, as `pomoc` does
    subprocess.run(["chown", "-R", postfix_pipe.PIPE_USER, str(data_dir)], check=True)
    relay_port = _free_port() if relay else None
    if relay:
        server = subprocess.Popen([PYTHON, "-m", "pomoc.cli", "smtpd", "--host", "127.0.0.1", "--port", str(relay_port),
                                   "--inbox", INBOX, "--hostname", "pomoc.test"], env=env, cwd=REPO,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", relay_port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
    else:
        server, _port = start_server({**os.environ}, command=lambda args: postfix_pipe.as_pipe_user(
            args, {**settings, "PATH": "/usr/bin:/bin", "HOME": str(data_dir)}))
    postfix = postfix_pipe.PrivatePostfix(tmp / "postfix", smtp_port=_free_port(), inbox=INBOX, env_file=env_file,
                                          address=BENCH_ADDRESS, relay_port=relay_port)
    try:
        postfix.write()
        postfix.start()

        def submit(chunk: list[Path]) -> None:
            with smtplib.SMTP("127.0.0.1", postfix.port, timeout=60) as smtp:
                for path in chunk:
                    smtp.sendmail("bench@pomoc.test", [postfix.address], path.read_bytes())
        with concurrent.futures.ThreadPoolExecutor(PIPES) as pool:
            list(pool.map(submit, [files[index::PIPES] for index in range(PIPES)]))
        time.sleep(1)  # the last ones reach the (held) queue
        started = time.perf_counter()
        postfix.release()
        deadline = time.monotonic() + 60 + len(files)
        while len(postfix.delivered()) < len(files) and time.monotonic() < deadline:
            time.sleep(0.2)
        seconds = time.perf_counter() - started
        delays = postfix.delivered()
        processed = _until_processed(env, started, len(files), timeout=600)
    finally:
        postfix.stop()
        stop_server(server)
    return {"seconds": seconds, "messages": len(delays), "per_second": len(delays) / seconds,
            "p50_ms": 1000 * _percentile(delays, 0.5), "p99_ms": 1000 * _percentile(delays, 0.99),
            "deferred": postfix.deferred(), "expected": len(files),
            "processed_seconds": processed, "processed_per_second": len(files) / processed if processed else None}


# --- pomoc through the worker -------------------------------------------------------------------
def worker(env: dict, corpus: Path, profile: str = "") -> dict:
    _helper("_receive", env, str(corpus))
    extra = {"BENCH_PROFILE": profile} if profile else {}
    procs = [subprocess.Popen([PYTHON, str(Path(__file__).resolve()), "_work", str(shard), str(WORKERS)],
                              env={**env, **extra}, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
             for shard in range(WORKERS)]
    for proc in procs:  # Django set up and connected: the timing starts with the work
        assert proc.stdout.readline().strip() == "ready"
    started = time.perf_counter()
    for proc in procs:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    counts: dict[str, int] = {}
    for proc in procs:
        out, _err = proc.communicate()
        for key, value in json.loads(out.strip().splitlines()[-1]).items():
            counts[key] = counts.get(key, 0) + value
    seconds = time.perf_counter() - started
    # every mail that is no longer pending was processed by the workers: also the questions a
    # worker processed first for a reply (they are not in its counts)
    checks = json.loads(_helper("_check", env, str(corpus)).stdout)
    processed = checks["raw_mails"] - checks["pending"]
    return {"seconds": seconds, "messages": processed, "per_second": processed / seconds, "counts": counts,
            "checks": checks}


# --- the peer ---------------------------------------------------------------------------------
def peer(kind: str, corpus: Path, tmp: Path) -> dict:
    if not PEER.exists():
        return {"missing": "benchmarks/peer/helpdesk.py is not there (yet)"}
    try:
        subprocess.run([PYTHON, str(PEER), "setup"], check=True, capture_output=True, text=True, timeout=600)
        url = fresh_database(kind, "pomoc_bench_mail_peer", tmp)
        done = subprocess.run([PYTHON, str(PEER), "ingest", "--database-url", url, "--corpus", str(corpus)],
                              check=True, capture_output=True, text=True, timeout=1800)
        return json.loads(done.stdout.strip().splitlines()[-1])
    except subprocess.CalledProcessError as exc:
        return {"missing": f"{PEER.name} failed (exit {exc.returncode}): {(exc.stderr or '')[-300:]}"}
    except (OSError, subprocess.TimeoutExpired, ValueError, IndexError) as exc:
        return {"missing": f"{PEER.name} failed: {type(exc).__name__}: {str(exc)[:300]}"}


# --- one database kind --------------------------------------------------------------------------
def run_kind(kind: str, corpus: Path, manifest: dict, tmp: Path, mta_messages: int, pipe_messages: int) -> dict:
    files = [corpus / entry["file"] for entry in manifest["entries"]]
    result: dict = {}
    env = prepare(fresh_database(kind, "pomoc_bench_mail", tmp), tmp / f"data-{kind}-worker")
    result["worker"] = worker(env, corpus, os.environ.get("BENCH_PROFILE_DIR", ""))
    env = prepare(fresh_database(kind, "pomoc_bench_mail", tmp), tmp / f"data-{kind}-mta")
    subset = files[:mta_messages]
    result["mta"] = mta(env, subset)
    result["mta"]["checks"] = json.loads(_helper("_check", env, str(corpus), str(len(subset))).stdout)
    env = prepare(fresh_database(kind, "pomoc_bench_mail", tmp), tmp / f"data-{kind}-pipe")
    subset = files[:pipe_messages]
    result["pipe"] = pipe(env, subset)
    result["pipe"]["checks"] = json.loads(_helper("_check", env, str(corpus), str(len(subset))).stdout)
    # the pipe's user must reach the SQLite file: it lies in the data directory it is given
    data_dir = tmp / f"data-{kind}-postfix"
    env = prepare(fresh_database(kind, "pomoc_bench_mail", data_dir), data_dir)
    result["postfix"] = through_postfix(env, subset, tmp / f"postfix-{kind}")
    if not result["postfix"].get("missing"):
        result["postfix"]["checks"] = json.loads(_helper("_check", env, str(corpus), str(len(subset))).stdout)
    data_dir = tmp / f"data-{kind}-relay"
    env = prepare(fresh_database(kind, "pomoc_bench_mail", data_dir), data_dir)
    result["relay"] = through_postfix(env, subset, tmp / f"relay-{kind}", relay=True)
    if not result["relay"].get("missing"):
        result["relay"]["checks"] = json.loads(_helper("_check", env, str(corpus), str(len(subset))).stdout)
    result["peer"] = peer(kind, corpus, tmp)
    return result


def run(quick: bool = False, messages: int | None = None, mta_messages: int | None = None,
        kinds: tuple[str, ...] = ("sqlite", "postgresql"), pipe_messages: int | None = None) -> dict:
    from benchmarks.mail_corpus import build

    messages = messages or (300 if quick else 2000)
    # one run at a time on a machine: a second would drop the first one's databases
    lock = open(Path(tempfile.gettempdir()) / "pomoc-bench-mail.lock", "w")  # noqa: SIM115 -- held until return
    fcntl.flock(lock, fcntl.LOCK_EX)
    mta_messages = min(messages, mta_messages or (60 if quick else 200))
    pipe_messages = min(messages, pipe_messages or (200 if quick else 1000))
    tmp = Path(tempfile.mkdtemp(prefix="pomoc-bench-mail-"))
    try:
        corpus = tmp / "corpus"
        manifest = build(corpus, messages)
        raws = [(corpus / entry["file"]).read_bytes() for entry in manifest["entries"]]
        report = {
            "python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count(),
            "messages": len(raws), "mta_messages": mta_messages, "pipe_messages": pipe_messages,
            "megabytes": round(sum(map(len, raws)) / 1e6, 2),
            "ceiling": ceiling(raws), "kinds": {},
            # a busy machine slows every row alike; compare rows of one run, not runs
            "load_average_before": round(os.getloadavg()[0], 2),
        }
        for kind in kinds:
            missing = postgres_available() if kind == "postgresql" else ""
            report["kinds"][kind] = {"missing": missing} if missing else run_kind(kind, corpus, manifest, tmp,
                                                                                 mta_messages, pipe_messages)
        report["load_average_after"] = round(os.getloadavg()[0], 2)
        return report
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        lock.close()


# --- the table --------------------------------------------------------------------------------
def _ratio(rate: float | None, other: float | None) -> str:
    return f"{rate / other:.2f}×" if rate and other else "–"


def print_report(report: dict) -> None:
    ceiling_rate = report["ceiling"]["per_second"]
    print(f"Python {report['python']} on {report['machine']}, {report['cpus']} CPUs; corpus {report['messages']} "
          f"messages ({report['megabytes']} MB), mta path on the first {report['mta_messages']}; load average "
          f"{report['load_average_before']} → {report['load_average_after']}")
    print(f"{'database':<11} {'ops':<24} {'messages':>8} {'seconds':>8} {'msg/s':>8} {'÷ceiling':>9} "
          f"{'÷peer shipped':>13} {'÷peer best':>10}")
    print(f"{'-':<11} {'stdlib parse (ceiling)':<24} {report['ceiling']['messages']:>8} "
          f"{report['ceiling']['seconds']:>8.2f} {ceiling_rate:>8.0f} {'1.00×':>9}")
    for kind, rows in report["kinds"].items():
        if rows.get("missing"):
            print(f"{kind:<11} missing: {rows['missing']}")
            continue
        peer_row = rows["peer"]
        shipped = (peer_row.get("as_shipped") or {}).get("per_second")
        best = (peer_row.get("best_case") or {}).get("per_second")
        for label, key in (("pomoc worker (2 procs)", "worker"), ("pomoc mail ingest (2×)", "mta"),
                           ("pipe → serve (4×)", "pipe"), ("Postfix pipe → serve", "postfix"),
                           ("Postfix relay → smtpd", "relay")):
            row = rows.get(key) or {"missing": "not run"}
            if row.get("missing"):
                print(f"{kind:<11} {label:<24} missing: {row['missing']}")
                continue
            print(f"{kind:<11} {label:<24} {row['messages']:>8} {row['seconds']:>8.2f} {row['per_second']:>8.1f} "
                  f"{_ratio(row['per_second'], ceiling_rate):>9} {_ratio(row['per_second'], shipped):>13} "
                  f"{_ratio(row['per_second'], best):>10}")
        if peer_row.get("missing"):
            print(f"{kind:<11} {'peer (django-helpdesk)':<24} missing: {peer_row['missing']}")
        else:
            for label, key in (("peer as shipped", "as_shipped"), ("peer best case", "best_case")):
                row = peer_row.get(key) or {}
                note = f" stopped at {row.get('stopped_at')}: {str(row.get('error'))[:60]}" if row.get("error") else ""
                print(f"{kind:<11} {label:<24} {row.get('processed', row.get('stored', '–'))!s:>8} "
                      f"{row.get('seconds', 0):>8.2f} {row.get('per_second') or 0:>8.1f} "
                      f"{_ratio(row.get('per_second'), ceiling_rate):>9}{note}")
        for key in ("worker", "mta", "pipe", "postfix", "relay"):
            if "checks" not in (rows.get(key) or {}):
                continue
            checks = rows[key]["checks"]
            print(f"{kind:<11} checks ({key}): " + "; ".join(f"{k}={v}" for k, v in checks.items()
                                                          if k != "problems"))
            for problem in checks.get("problems", [])[:20]:
                print(f"{'':<11}   ! {problem}")


def print_pipes(report: dict) -> None:
    """The MTA pipe per call, beside the worker and the ceiling: what an MTA waits for."""
    print(f"\nMTA pipe, {report.get('pipe_messages')} mails, {PIPES} deliveries at a time (per call: p50/p99 in ms, "
          f"CPU time of the pipe's process and of the server with its worker per mail;\n"
          f"processed: from the first delivery until the server's worker had processed every mail)")
    print(f"{'database':<11} {'path':<24} {'msg/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms':>7} {'server':>7} "
          f"{'processed msg/s':>16} {'fell back':>9} {'failed':>6}")
    for kind, rows in report["kinds"].items():
        for label, key in (("pipe → serve", "pipe"), ("Postfix pipe → serve", "postfix"),
                           ("Postfix relay → smtpd", "relay")):
            row = rows.get(key) or {}
            if not row or row.get("missing"):
                print(f"{kind:<11} {label:<24} missing: {row.get('missing', 'not run')}")
                continue
            processed = row.get("processed_per_second")
            cpu, server = row.get("cpu_ms_per_call"), row.get("server_cpu_ms_per_mail")
            print(f"{kind:<11} {label:<24} {row['per_second']:>8.1f} {row['p50_ms']:>8.0f} {row['p99_ms']:>8.0f} "
                  f"{(f'{cpu:.0f}' if cpu else '–'):>7} {(f'{server:.0f}' if server else '–'):>7} "
                  f"{(f'{processed:.1f}' if processed else 'not all'):>16} "
                  f"{row.get('fell_back', row.get('deferred', 0)):>9} "
                  f"{row.get('failed', row.get('expected', 0) - row['messages']):>6}")
        worker = rows.get("worker") or {}
        if worker.get("per_second"):
            print(f"{kind:<11} {'(worker, 2 procs)':<24} {worker['per_second']:>8.1f}")
    print(f"{'-':<11} {'(stdlib parse ceiling)':<24} {report['ceiling']['per_second']:>8.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="about 300 messages (60 through the MTA pipe)")
    parser.add_argument("--messages", type=int, default=None, help="corpus size (2000)")
    parser.add_argument("--mta-messages", type=int, default=None, help="messages sent through the MTA pipe (200)")
    parser.add_argument("--pipe-messages", type=int, default=None,
                        help="messages sent through the fast pipe and through Postfix (1000)")
    parser.add_argument("--kinds", default="sqlite,postgresql", help="database kinds (sqlite,postgresql)")
    parser.add_argument("--output", default=str(RESULTS / "mail_ingest.json"))
    args = parser.parse_args()
    report = run(args.quick, args.messages, args.mta_messages, tuple(args.kinds.split(",")), args.pipe_messages)
    print_report(report)
    print_pipes(report)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    print(f"written to {os.path.relpath(args.output, REPO)}")


# --- the steps that run inside Django (one process each) ------------------------------------------
def _django() -> None:
    import django

    django.setup()


def _inbox_step() -> None:
    _django()
    from pomoc.channels.models import Inbox, InboxKind

    Inbox.objects.get_or_create(name=INBOX, defaults={"kind": InboxKind.EMAIL, "address": BENCH_ADDRESS})


def _receive_step(corpus: str) -> None:
    """Keep every message as the SMTP receiver does (pending), received over a minute ago."""
    _django()
    import datetime as dt

    from django.utils import timezone

    from pomoc.channels.email.ingest import receive_raw
    from pomoc.channels.email.models import RawMail
    from pomoc.channels.models import Inbox

    inbox = Inbox.objects.get(name=INBOX)
    manifest = json.loads((Path(corpus) / "manifest.json").read_text())
    for entry in manifest["entries"]:
        receive_raw(inbox=inbox, raw=(Path(corpus) / entry["file"]).read_bytes())
    RawMail.objects.update(received_at=timezone.now() - dt.timedelta(minutes=5))


def _work_step(shard: int, shards: int) -> None:
    _django()
    from django.db import connection

    from pomoc.channels.email.tasks import process_pending_mail

    connection.ensure_connection()
    print("ready", flush=True)
    sys.stdin.readline()
    profile_dir = os.environ.get("BENCH_PROFILE")
    profiler = None
    if profile_dir:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    counts: dict[str, int] = {}
    while True:
        done = process_pending_mail.call(shard=shard, shards=shards)
        for key, value in done.items():
            counts[key] = counts.get(key, 0) + value
        if not done or done.get("retry_later"):
            break
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(str(Path(profile_dir) / f"worker-{connection.vendor}-{shard}.prof"))
    print(json.dumps(counts), flush=True)


def _check_step(corpus: str, first: int | None = None) -> dict:
    """What the corpus says should have happened, against the database."""
    _django()
    from pomoc.channels.email.models import RawMail, RawMailStatus

    manifest = json.loads((Path(corpus) / "manifest.json").read_text())
    entries = manifest["entries"][:first] if first else manifest["entries"]
    rows = {r.message_id_header: r for r in RawMail.objects.select_related("message").exclude(message_id_header="")}
    unnamed = [r for r in RawMail.objects.select_related("message") if not r.message_id_header]
    problems: list[str] = []
    statuses: dict[str, int] = {}
    for row in list(rows.values()) + unnamed:
        statuses[row.status] = statuses.get(row.status, 0) + 1
    imap_tools = [e for e in entries if e["kind"] == "imap_tools"]
    imap_statuses: dict[str, int] = {}
    automatic: list[str] = []
    for entry in imap_tools:
        row = rows.get(entry["message_id"])
        status = row.status if row is not None else "missing"
        imap_statuses[status] = imap_statuses.get(status, 0) + 1
        if status == RawMailStatus.IGNORED:  # a deliberate status: recognised as automatic mail, kept
            automatic.append(f"{entry['file']} ({row.classification})")
        elif status != RawMailStatus.STORED:
            problems.append(f"imap_tools {entry['file']}: {status} {(row.error if row else '')[:100]}")
    replies = [e for e in entries if e["kind"] == "reply"]
    threaded = 0
    for entry in replies:
        row, question = rows.get(entry["message_id"]), rows.get(entry["thread"])
        if row and question and row.message and question.message and \
                row.message.ticket_id == question.message.ticket_id:
            threaded += 1
        else:
            problems.append(f"reply {entry['file']} not in its question's ticket "
                            f"({row.status if row else 'missing'})")
    broken = [e for e in entries if e["kind"] == "broken"]
    broken_ok = all(r.status == RawMailStatus.UNPROCESSABLE for r in unnamed) and len(unnamed) == len(broken)
    behind = entries[entries.index(broken[0]) + 1:] if broken else []
    behind_done = sum(1 for e in behind if e["message_id"] in rows
                      and rows[e["message_id"]].status != RawMailStatus.PENDING)
    return {
        "raw_mails": len(rows) + len(unnamed), "expected": len(entries), "statuses": statuses,
        "imap_tools_stored": f"{imap_statuses.get(RawMailStatus.STORED, 0)}/{len(imap_tools)}",
        "imap_tools": imap_statuses,
        "imap_tools_automatic": ", ".join(automatic),
        "replies_threaded": f"{threaded}/{len(replies)}",
        "pending": statuses.get(RawMailStatus.PENDING, 0),
        "broken_unprocessable": broken_ok,
        "processed_behind_broken": f"{behind_done}/{len(behind)}",
        "problems": problems[:30],
    }


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1].startswith("_"):
        step, rest = sys.argv[1], sys.argv[2:]
        if step == "_inbox":
            _inbox_step()
        elif step == "_receive":
            _receive_step(rest[0])
        elif step == "_work":
            _work_step(int(rest[0]), int(rest[1]))
        elif step == "_check":
            print(json.dumps(_check_step(rest[0], int(rest[1]) if len(rest) > 1 else None)))
    else:
        main()
