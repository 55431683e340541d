"""A login flood against ``pomoc serve``: does the rest of the server stay available?

    .venv/bin/python benchmarks/login_flood.py [--seconds 10] [--threads 32] [--before REV]

Each run starts ``pomoc serve`` on a free port with a fresh SQLite data directory (the laptop
defaults: database task queue, local-memory cache, no Redis), then for ``--seconds`` floods
``POST /accounts/login/`` (a valid CSRF token, a wrong password for ``agent1``) from ``--threads``
threads, each sending its next request as soon as the last one is answered. Meanwhile a prober asks
for ``/healthz`` and for the login page (``GET /accounts/login/``) every 50 ms, each on a new
connection as a load balancer or a person would, and records how long they take. After the flood
it measures how long the server takes to answer the login page again (the drain).

Runs, printed side by side:

- ``after``: this tree, the default limit (10 failures per 15 minutes): after the first ten
  failures every POST is refused by ``RateLimitMiddleware`` with a small 429;
- ``limiter off``: this tree with ``POMOC_LOGIN_RATE_LIMIT`` huge: every POST checks a password
  (PBKDF2, as in production): what a flood costs when nothing refuses it early;
- ``before`` (with ``--before REV``, e.g. the commit before the hardening): that revision's code,
  exported with ``git archive`` into a temporary directory and run the same way.

Percentiles are nearest-rank; a probe that got no answer within 30 s counts as 30 s. Timings depend
on the machine (the flooding threads share its CPUs with the server); compare the runs of one
invocation, not figures from different machines. No assertion: this is a measurement.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pomoc.testing.services import free_port, pomoc_env  # noqa: E402

PROBE_INTERVAL = 0.05
PROBE_TIMEOUT = 30.0
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))]


class Server:
    def __init__(self, source: Path, data_dir: Path, extra_env: dict[str, str]):
        self.source = source
        self.port = free_port()
        self.env = pomoc_env(data_dir, LOG_LEVEL="WARNING", POMOC_SCHEDULER="0", **extra_env)
        self.env["PYTHONPATH"] = str(source)
        self.log_path = data_dir / "serve.log"
        self.process: subprocess.Popen | None = None

    def manage(self, *args: str) -> None:
        subprocess.run([sys.executable, "-m", "pomoc.cli", *args], env=self.env, cwd=self.source,  # noqa: S603
                       check=True, capture_output=True, timeout=300)

    def start(self) -> None:
        self.manage("migrate", "-v", "0")
        self.manage("shell", "-c", "from pomoc.accounts.models import User; "
                    "User.objects.create_user('agent1', 'agent1@example.com', 'the-right-pass-42')")
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, "-m", "pomoc.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--no-access-log", "--no-worker"],
            env=self.env, cwd=self.source, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"pomoc serve exited:\n{self.log_path.read_text()}")
            try:
                if request("GET", self.port, "/healthz", timeout=2)[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("pomoc serve did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def request(method: str, port: int, path: str, *, body: str | None = None, headers: dict | None = None,
            timeout: float = PROBE_TIMEOUT, connection: http.client.HTTPConnection | None = None):
    conn = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read(), response.getheader("Set-Cookie") or ""
    finally:
        if connection is None:
            conn.close()


def csrf(port: int) -> tuple[str, str]:
    status, body, cookie = request("GET", port, "/accounts/login/")
    token = CSRF_INPUT.search(body.decode()).group(1)
    secret = re.search(r"csrftoken=([^;]+)", cookie).group(1)
    return secret, token


def flood(port: int, seconds: float, threads: int) -> dict:
    secret, token = csrf(port)
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": "agent1", "password": "wrong"})
    headers = {"Cookie": f"csrftoken={secret}", "Content-Type": "application/x-www-form-urlencoded"}
    stop = time.monotonic() + seconds
    statuses: dict[int | str, int] = {}
    lock = threading.Lock()

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=PROBE_TIMEOUT)
        while time.monotonic() < stop:
            try:
                status = request("POST", port, "/accounts/login/", body=body, headers=headers, connection=conn)[0]
            except (OSError, http.client.HTTPException):
                status = "error"
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=PROBE_TIMEOUT)
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
        conn.close()

    workers = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    started = time.monotonic()
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    elapsed = time.monotonic() - started
    return {"statuses": statuses, "rate": sum(statuses.values()) / elapsed}


def open_loop_flood(port: int, seconds: float, rate: float) -> dict:
    """``rate`` POSTs a second for ``seconds``, each on a new connection, whether or not the earlier
    ones were answered (as a botnet sends them); waits for every answer (at most 30 s each)."""
    import asyncio

    secret, token = csrf(port)
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": "agent1", "password": "wrong"})
    raw = (f"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: csrftoken={secret}\r\n"
           f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
           f"Connection: close\r\n\r\n{body}").encode()
    statuses: dict[int | str, int] = {}
    times: dict[str, float] = {}

    async def one() -> None:
        status: int | str = "error"
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), PROBE_TIMEOUT)
            writer.write(raw)
            await writer.drain()
            line = await asyncio.wait_for(reader.readline(), PROBE_TIMEOUT)
            status = int(line.split()[1]) if line else "error"
            writer.close()
        except (OSError, TimeoutError, ValueError, IndexError):
            pass
        statuses[status] = statuses.get(status, 0) + 1
        times["last answer"] = time.monotonic()

    async def send_all() -> None:
        loop = asyncio.get_running_loop()
        started, sent, pending = loop.time(), 0, []
        while loop.time() - started < seconds:
            due = started + sent / rate
            if due > loop.time():
                await asyncio.sleep(due - loop.time())
            pending.append(asyncio.create_task(one()))
            sent += 1
        times["sent"] = time.monotonic()
        await asyncio.gather(*pending)

    asyncio.run(send_all())
    return {"statuses": statuses, "rate": sum(statuses.values()) / seconds,
            "last answer": times.get("last answer", times["sent"]) - times["sent"]}


def probe(port: int, path: str) -> float:
    started = time.monotonic()
    try:
        request("GET", port, path)
    except (OSError, http.client.HTTPException):
        return PROBE_TIMEOUT
    return time.monotonic() - started


def measure(port: int, seconds: float, threads: int, rate: float) -> dict:
    timings: dict[str, list[float]] = {"/healthz": [], "/accounts/login/": []}
    stop = threading.Event()

    def prober(path: str) -> None:
        while not stop.is_set():
            timings[path].append(probe(port, path))
            stop.wait(PROBE_INTERVAL)

    # Idle figures first, then the same probes during the flood.
    idle = {path: [probe(port, path) for _ in range(20)] for path in timings}
    probers = [threading.Thread(target=prober, args=(path,), daemon=True) for path in timings]
    for thread in probers:
        thread.start()
    result = open_loop_flood(port, seconds, rate) if rate else flood(port, seconds, threads)
    flood_ended = time.monotonic()
    stop.set()
    for thread in probers:
        thread.join(PROBE_TIMEOUT + 5)
    # Drain: how long until the login page answers within a second again, counted from the flood's end.
    while probe(port, "/accounts/login/") > 1.0 and time.monotonic() - flood_ended < 300:
        pass
    result["drain"] = time.monotonic() - flood_ended
    result["idle"] = idle
    result["flood"] = timings
    return result


def run(label: str, source: Path, extra_env: dict[str, str], seconds: float, threads: int, rate: float) -> dict:
    data_dir = Path(tempfile.mkdtemp(prefix="pomoc-flood-"))
    server = Server(source, data_dir, extra_env)
    try:
        server.start()
        print(f"{label}: flooding for {seconds:.0f} s...", file=sys.stderr, flush=True)
        result = measure(server.port, seconds, threads, rate)
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
    result["label"] = label
    return result


def export(revision: str) -> Path:
    target = Path(tempfile.mkdtemp(prefix="pomoc-before-"))
    archive = subprocess.run(["git", "-C", str(REPO), "archive", revision], check=True,  # noqa: S603,S607
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)  # noqa: S603,S607
    return target


def ms(value: float) -> str:
    return f"{value * 1000:8.1f}"


def report(results: list[dict]) -> None:
    print(f"{'run':<14}{'POST/s':>8}  {'answers':<28}{'healthz p50/p95 ms (idle → flood)':>42}"
          f"{'login GET p50/p95 ms (idle → flood)':>44}{'drain s':>9}{'last answer s':>15}")
    for result in results:
        answers = ", ".join(f"{status}: {count}" for status, count in sorted(result["statuses"].items(), key=str))
        cells = []
        for path in ("/healthz", "/accounts/login/"):
            idle, flooded = result["idle"][path], result["flood"][path]
            cells.append(f"{ms(percentile(idle, 50))}/{ms(percentile(idle, 95)).strip()} →"
                         f"{ms(percentile(flooded, 50))}/{ms(percentile(flooded, 95)).strip()}")
        print(f"{result['label']:<14}{result['rate']:>8.0f}  {answers:<28}{cells[0]:>42}{cells[1]:>44}"
              f"{result['drain']:>9.1f}{result.get('last answer', 0):>15.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--threads", type=int, default=32, help="closed loop: threads sending one after another")
    parser.add_argument("--rate", type=float, default=0,
                        help="open loop instead: POSTs a second, each on a new connection, answered or not")
    parser.add_argument("--before", metavar="REV", help="also run this git revision's code (the 'before' figure)")
    parser.add_argument("--no-limiter-off", action="store_true", help="skip the run with the limiter disabled")
    args = parser.parse_args()

    plan = [("after", REPO, {})]
    if not args.no_limiter_off:
        plan.append(("limiter off", REPO, {"POMOC_LOGIN_RATE_LIMIT": str(10**9)}))
    exported = None
    if args.before:
        exported = export(args.before)
        plan.insert(0, ("before", exported, {}))
    try:
        results = [run(label, source, env, args.seconds, args.threads, args.rate) for label, source, env in plan]
    finally:
        if exported:
            shutil.rmtree(exported, ignore_errors=True)
    how = f"{args.rate:.0f} POSTs/s open loop" if args.rate else f"{args.threads} threads"
    print(f"login flood: {args.seconds:.0f} s, {how}, {os.cpu_count()} CPUs, "
          f"Python {sys.version.split()[0]}")
    report(results)


if __name__ == "__main__":
    main()
