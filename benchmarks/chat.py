"""Live chat under load: N concurrent chats over real WebSockets against ``pomoc serve`` on
PostgreSQL and Redis, beside a raw WebSocket relay measured in the same run as the ceiling.

    .venv/bin/python benchmarks/chat.py              1,000 chats (2,000 sockets), one message per 5 s each, 60 s
    .venv/bin/python benchmarks/chat.py --quick      50 chats, 20 s
    make bench-chat BENCH_ARGS=--quick

Each chat is what a visitor's widget and an agent's ticket page do: the visitor opens a session
(``POST /chat/api/<key>/session``), opens its socket (``/ws/chat/<key>/``) and says ``hello``, sends a
first message (which opens the conversation and its ticket); an agent (signed in through the login
form) opens the conversation's socket (``/ws/chat-agent/<id>/``) and says ``hello``. Then every
visitor sends one message every ``--interval`` seconds (each chat at its own random phase) for
``--seconds``, and the agent's socket records when each arrives.

Measured: end-to-end latency visitor send → agent receive (p50, p99, nearest rank), the visitor's
acknowledgement (send → ack: the message is stored), messages per second delivered, messages lost
(sent but never received, 20 s after the last one that arrived: must be 0), doubled and out of
order (must be 0), and resident memory per connection (the server's processes, all sockets open,
minus before any was opened, divided by the sockets). ``--web-processes N`` runs the server with N
web processes (``WEB_CONCURRENCY``).

The ceiling is a relay written with the ``websockets`` library alone, in a process of its own,
driven by the same client code: the visitor's frame is acknowledged and passed to the agent's
socket, with no database, no channel layer and no Django. The server runs behind what it takes for
a reverse proxy (``BEHIND_PROXY=1``) and each visitor sends its own ``X-Forwarded-For`` address, as
visitors behind a real proxy do: the per-address rate limits then count each visitor, not the
benchmark's one address.

Its database is ``BENCH_DATABASE_URL`` + ``_chat`` (dropped and created anew each run); Redis is
``REDIS_URL`` or the local one (database 3). Prints the table and writes
``benchmarks/results/chat.json``. The client runs on the same machine as the server and takes CPU
from it: compare the two columns of one run, not figures from different machines.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from login_flood import CSRF_INPUT, percentile  # noqa: E402
from run import DEFAULT_DATABASE_URL, with_database  # noqa: E402

from pomoc.testing.services import child_pids, free_port, pomoc_env  # noqa: E402

SITE = "http://shop.bench.example"  # the allowed origin of the benchmark's chat inbox
AGENT_PASSWORD = "bench-Chat-pass-2026"
CHATS_PER_AGENT = 100
OPEN_CONCURRENCY = 10
DRAIN_SECONDS = 20.0
DRAIN_MAX_SECONDS = 300.0

SETUP = """
import json
from pomoc.accounts.models import AgentPresence, Department, Presence, Role, User
from pomoc.channels.chat import services
from pomoc.channels.models import Inbox
department = Department.objects.create(name="Chat benchmark")
for n in range({agents}):
    user = User.objects.create_user(f"benchagent{{n}}", f"benchagent{{n}}@example.com", {password!r},
                                    role=Role.ADMINISTRATOR)
    department.members.add(user)
    AgentPresence.objects.update_or_create(
        user=user, defaults={{"status": Presence.ONLINE, "chat_capacity": {per_agent}}})
inbox = Inbox(name="Benchmark chat", kind="chat", department=department,
              config={{"allowed_origins": [{site!r}], "messages_per_minute": 600, "rating_enabled": False}})
inbox.save()
print(json.dumps({{"key": services.inbox_key(inbox)}}))
"""


# --- the processes measured -----------------------------------------------------------------------
def rss_bytes(pid: int) -> int:
    """Resident memory of ``pid`` and its children (the worker of ``pomoc serve``)."""
    total = 0
    for one in [pid, *child_pids(pid)]:
        try:
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing answered on port {port} within {timeout} s")


class PomocTarget:
    label = "pomoc serve"

    def __init__(self, database_url: str, redis_url: str, agents: int, data_dir: Path, web_processes: int = 1):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = pomoc_env(data_dir, DATABASE_URL=database_url, REDIS_URL=redis_url, BEHIND_PROXY="1",
                             LOG_LEVEL="WARNING", POMOC_SCHEDULER="0", POMOC_BASE_URL=self.url,
                             WEB_CONCURRENCY=str(web_processes))
        if web_processes > 1:
            self.label = f"pomoc serve ×{web_processes}"
        self.agents = agents
        self.log = data_dir / "serve.log"
        self.process: subprocess.Popen | None = None
        self.sessions: list[str] = []

    def manage(self, *args: str) -> str:
        result = subprocess.run([sys.executable, "-m", "pomoc.cli", *args], env=self.env, cwd=REPO,  # noqa: S603
                                capture_output=True, text=True, timeout=600)
        if result.returncode:
            raise SystemExit(f"pomoc {args[0]} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start(self) -> None:
        self.manage("migrate", "-v", "0")
        out = self.manage("shell", "-c", SETUP.format(agents=self.agents, password=AGENT_PASSWORD, site=SITE,
                                                      per_agent=CHATS_PER_AGENT))
        self.key = json.loads(out.strip().splitlines()[-1])["key"]
        self._log = self.log.open("w")
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, "-m", "pomoc.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--no-access-log"], env=self.env, cwd=REPO, stdout=self._log, stderr=subprocess.STDOUT)
        wait_for_port(self.port, self.process, self.log)
        self.sessions = [self.sign_in(f"benchagent{n}") for n in range(self.agents)]

    def sign_in(self, username: str) -> str:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request("GET", "/accounts/login/")
        response = conn.getresponse()
        page = response.read().decode()
        secret = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "").group(1)
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": CSRF_INPUT.search(page).group(1),
                                       "username": username, "password": AGENT_PASSWORD})
        conn.request("POST", "/accounts/login/", body=body, headers={
            "Cookie": f"csrftoken={secret}", "Content-Type": "application/x-www-form-urlencoded",
            "Origin": self.url, "Referer": f"{self.url}/accounts/login/"})
        response = conn.getresponse()
        response.read()
        conn.close()
        found = re.search(r"sessionid=([^;]+)", response.getheader("Set-Cookie") or "")
        if not found:
            raise SystemExit(f"{username} could not sign in (HTTP {response.status})")
        return found.group(1)

    def api(self, method: str, path: str, *, body=None, token: str = "", ip: str = "") -> dict:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Origin": SITE, "X-Forwarded-For": ip, "Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        conn.request(method, f"/chat/api/{self.key}/{path}", body=json.dumps(body) if body is not None else None,
                     headers=headers)
        response = conn.getresponse()
        data = json.loads(response.read() or b"{}")
        conn.close()
        if response.status >= 400:
            raise RuntimeError(f"{method} {path}: HTTP {response.status} {data}")
        return data

    async def visitor_socket(self, i: int, connect):
        ip = f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"
        page = {"page": {"url": f"{SITE}/p/{i}"}}
        token = (await asyncio.to_thread(self.api, "POST", "session", body=page, ip=ip))["token"]
        socket = await connect(f"ws://127.0.0.1:{self.port}/ws/chat/{self.key}/?token={token}", origin=SITE,
                               additional_headers={"X-Forwarded-For": ip}, max_queue=None, open_timeout=60)
        await socket.send(json.dumps({"type": "hello", "after": 0}))
        return socket, token, ip

    async def conversation_of(self, token: str, ip: str) -> int:
        data = await asyncio.to_thread(self.api, "GET", "messages?after=0", token=token, ip=ip)
        return int(data["conversation"])

    async def agent_socket(self, i: int, conversation: int, connect):
        session = self.sessions[i % len(self.sessions)]
        socket = await connect(f"ws://127.0.0.1:{self.port}/ws/chat-agent/{conversation}/", origin=self.url,
                               additional_headers={"Cookie": f"sessionid={session}"}, max_queue=None, open_timeout=60)
        await socket.send(json.dumps({"type": "hello", "after": 0}))
        return socket

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


class RelayTarget:
    """The ceiling: ``benchmarks/chat.py --relay PORT`` in a process of its own."""

    label = "raw websocket relay"

    def __init__(self, data_dir: Path):
        self.port = free_port()
        self.log = data_dir / "relay.log"

    def start(self) -> None:
        self._log = self.log.open("w")
        self.process = subprocess.Popen([sys.executable, __file__, "--relay", str(self.port)],  # noqa: S603
                                        stdout=self._log, stderr=subprocess.STDOUT)
        wait_for_port(self.port, self.process, self.log)

    async def visitor_socket(self, i: int, connect):
        socket = await connect(f"ws://127.0.0.1:{self.port}/v/{i}", max_queue=None, open_timeout=60)
        await socket.send(json.dumps({"type": "hello", "after": 0}))
        return socket, "", ""

    async def conversation_of(self, token: str, ip: str) -> int:
        return 0

    async def agent_socket(self, i: int, conversation: int, connect):
        socket = await connect(f"ws://127.0.0.1:{self.port}/a/{i}", max_queue=None, open_timeout=60)
        await socket.send(json.dumps({"type": "hello", "after": 0}))
        return socket

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(20)
        self._log.close()


def relay_server(port: int) -> None:
    """Visitor frames acknowledged and passed on to the agent socket of the same chat: the least a
    chat server does, with nothing stored."""
    from websockets.asyncio.server import serve

    agents: dict[str, object] = {}
    seqs: dict[str, int] = {}

    async def handler(socket):
        kind, chat = socket.request.path.strip("/").split("/")
        if kind == "a":
            agents[chat] = socket
        async for raw in socket:
            frame = json.loads(raw)
            if kind == "v" and frame.get("type") == "message":
                seqs[chat] = seqs.get(chat, 0) + 1
                await socket.send(json.dumps({"type": "ack", "client_id": frame["client_id"], "seq": seqs[chat]}))
                agent = agents.get(chat)
                if agent is not None:
                    await agent.send(json.dumps({"type": "message", "seq": seqs[chat], "author": "visitor",
                                                 "client_id": frame["client_id"], "body": frame["body"]}))

    async def main() -> None:
        async with serve(handler, "127.0.0.1", port, max_queue=None, open_timeout=60):
            await asyncio.Future()

    asyncio.run(main())


# --- the load -------------------------------------------------------------------------------------
async def drive(target, *, chats: int, seconds: float, interval: float) -> dict:
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    gate = asyncio.Semaphore(OPEN_CONCURRENCY)
    sent: dict[str, float] = {}
    acks_due: dict[str, float] = {}  # client id → when it was sent, until its ack comes
    ack_latencies: list[float] = []
    latencies: list[float] = []
    received: set[str] = set()
    doubled = 0
    out_of_order = 0
    closed = 0
    agents_dropped: list[int] = []
    last_n: dict[int, int] = {}
    readers: list[asyncio.Task] = []

    async def visitor_reader(socket):
        try:
            async for raw in socket:
                now = time.perf_counter()
                frame = json.loads(raw)
                if frame.get("type") == "ack" and (at := acks_due.pop(frame.get("client_id"), None)) is not None:
                    ack_latencies.append(now - at)
        except Exception:  # noqa: BLE001 - a closed socket ends the reader
            return

    async def agent_reader(i: int, socket):
        nonlocal doubled, out_of_order
        try:
            async for raw in socket:
                now = time.perf_counter()
                frame = json.loads(raw)
                if frame.get("type") != "message" or frame.get("author") != "visitor":
                    continue
                body = frame.get("body") or ""
                if not body.startswith("m "):
                    continue
                if body in received:
                    doubled += 1
                    continue
                received.add(body)
                latencies.append(now - sent[body])
                n = int(body.split()[2])
                if n < last_n.get(i, -1):
                    out_of_order += 1
                last_n[i] = max(n, last_n.get(i, -1))
        except Exception:  # noqa: BLE001 - the server dropped the agent's socket: what it would have had is lost here
            agents_dropped.append(i)

    async def open_chat(i: int):
        async with gate:
            visitor, token, ip = await target.visitor_socket(i, connect)
            await visitor.send(json.dumps({"type": "message", "client_id": str(uuid.uuid4()),
                                           "body": f"hello from chat {i}", "attachments": []}))
            while True:  # the ack: the conversation and its ticket exist
                frame = json.loads(await visitor.recv())
                if frame.get("type") == "ack":
                    break
            conversation = await target.conversation_of(token, ip)
            agent = await target.agent_socket(i, conversation, connect)
            readers.append(asyncio.create_task(visitor_reader(visitor)))
            readers.append(asyncio.create_task(agent_reader(i, agent)))
            return visitor, agent

    before = rss_bytes(target.process.pid)
    opened_at = time.perf_counter()
    pairs = await asyncio.gather(*(open_chat(i) for i in range(chats)))
    open_seconds = time.perf_counter() - opened_at
    await asyncio.sleep(2)
    after = rss_bytes(target.process.pid)

    async def talk(i: int, visitor, stop_at: float):
        await asyncio.sleep(random.uniform(0, interval))  # noqa: S311 - a phase, not a secret
        nonlocal closed
        n = 0
        while time.perf_counter() < stop_at:
            body, client_id = f"m {i} {n}", str(uuid.uuid4())
            acks_due[client_id] = time.perf_counter()
            try:
                await visitor.send(json.dumps({"type": "message", "client_id": client_id, "body": body,
                                               "attachments": []}))
            except ConnectionClosed:
                closed += 1  # the server dropped the visitor's socket: this chat stops talking
                return
            sent[body] = acks_due[client_id]
            n += 1
            await asyncio.sleep(interval)

    started = time.perf_counter()
    await asyncio.gather(*(talk(i, visitor, started + seconds) for i, (visitor, _) in enumerate(pairs)))
    # Late is not lost: wait while messages still arrive; lost is what never came, DRAIN_SECONDS
    # after the last one that did (at most DRAIN_MAX_SECONDS).
    last_count, last_progress, drain_until = -1, time.perf_counter(), time.perf_counter() + DRAIN_MAX_SECONDS
    while len(received) < len(sent) and time.perf_counter() < drain_until:
        if len(received) != last_count:
            last_count, last_progress = len(received), time.perf_counter()
        elif time.perf_counter() - last_progress > DRAIN_SECONDS:
            break
        await asyncio.sleep(0.2)
    elapsed = time.perf_counter() - started
    for visitor, agent in pairs:
        await visitor.close()
        await agent.close()
    for task in readers:
        task.cancel()
    sockets = 2 * chats
    return {
        "target": target.label, "chats": chats, "sockets": sockets, "interval_s": interval, "seconds": seconds,
        "open_seconds": round(open_seconds, 1),
        "sent": len(sent), "received": len(received), "lost": len(sent) - len(received),
        "doubled": doubled, "out_of_order": out_of_order, "visitor_sockets_dropped": closed,
        "agent_sockets_dropped": len(agents_dropped),
        "messages_per_s": round(len(received) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 50) * 1000, 1), "p99_ms": round(percentile(latencies, 99) * 1000, 1),
        "max_ms": round(max(latencies) * 1000, 1) if latencies else None,
        "ack_p50_ms": round(percentile(ack_latencies, 50) * 1000, 1),
        "ack_p99_ms": round(percentile(ack_latencies, 99) * 1000, 1),
        "rss_before_mb": round(before / 2**20, 1), "rss_after_mb": round(after / 2**20, 1),
        "rss_per_socket_kb": round((after - before) / sockets / 1024, 1),
    }


def recreate_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = urllib.parse.urlsplit(url).path.lstrip("/")
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def report(rows: list[dict]) -> None:
    pomoc, ceiling = rows
    print(f"\n{'':<34} {'pomoc serve':>14} {'raw relay':>14}")
    lines = [("chats (sockets)", "chats", lambda r: f"{r['chats']:,} ({r['sockets']:,})"),
             ("messages sent", "sent", lambda r: f"{r['sent']:,}"),
             ("messages lost", "lost", lambda r: f"{r['lost']:,}"),
             ("doubled / out of order", "doubled", lambda r: f"{r['doubled']} / {r['out_of_order']}"),
             ("sockets dropped by the server", "closed",
              lambda r: f"{r['visitor_sockets_dropped']} + {r['agent_sockets_dropped']}"),
             ("latency p50 (ms)", "p50_ms", lambda r: f"{r['p50_ms']:.1f}"),
             ("latency p99 (ms)", "p99_ms", lambda r: f"{r['p99_ms']:.1f}"),
             ("acknowledged, p50 / p99 (ms)", "ack_p50_ms", lambda r: f"{r['ack_p50_ms']:.0f} / {r['ack_p99_ms']:.0f}"),
             ("messages/s delivered", "messages_per_s", lambda r: f"{r['messages_per_s']:.1f}"),
             ("resident memory, all open (MB)", "rss_after_mb", lambda r: f"{r['rss_after_mb']:.0f}"),
             ("memory per socket (KB)", "rss_per_socket_kb", lambda r: f"{r['rss_per_socket_kb']:.1f}"),
             ("opening all chats (s)", "open_seconds", lambda r: f"{r['open_seconds']:.1f}")]
    for label, _, show in lines:
        print(f"{label:<34} {show(pomoc):>14} {show(ceiling):>14}")
    print("\nAim (issue 13, 2 cores): 1,000 chats at one message per 5 s each, p99 under 150 ms, "
          "under 1 GB resident, nothing lost.")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="50 chats for 20 s")
    parser.add_argument("--chats", type=int, default=None, help="concurrent chats (1,000; quick: 50)")
    parser.add_argument("--seconds", type=float, default=None, help="how long the visitors talk (60; quick: 20)")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between two messages of a visitor")
    parser.add_argument("--database-url", default=with_database(
        os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL,
        urllib.parse.urlsplit(os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL).path.lstrip("/") + "_chat"))
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/3")
    parser.add_argument("--web-processes", type=int, default=1,
                        help="web server processes of pomoc serve (WEB_CONCURRENCY; default 1)")
    parser.add_argument("--output", default=str(RESULTS / "chat.json"))
    parser.add_argument("--relay", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.chats = args.chats or (50 if args.quick else 1000)
    args.seconds = args.seconds or (20.0 if args.quick else 60.0)
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.relay:
        relay_server(args.relay)
        return 0
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 8 * args.chats + 1024)), hard))
    recreate_database(args.database_url)
    rows = []
    tmp = tempfile.mkdtemp(prefix="pomoc-bench-chat-")  # kept: the servers' logs, for a run that went wrong
    print(f"logs: {tmp}", flush=True)
    agents = max(1, math.ceil(args.chats / CHATS_PER_AGENT))
    for target in (PomocTarget(args.database_url, args.redis_url, agents, Path(tmp), args.web_processes),
                   RelayTarget(Path(tmp))):
        print(f"== {target.label}: {args.chats:,} chats, one message per {args.interval:g} s each, "
              f"{args.seconds:g} s ==", flush=True)
        target.start()
        try:
            rows.append(asyncio.run(drive(target, chats=args.chats, seconds=args.seconds, interval=args.interval)))
        finally:
            target.stop()
        print(json.dumps(rows[-1]), flush=True)
    report(rows)
    RESULTS.mkdir(parents=True, exist_ok=True)
    result = {"quick": args.quick, "cpus": os.cpu_count(), "runs": rows}
    Path(args.output).write_text(json.dumps(result, indent=2) + "\n")
    return 0 if all(row["lost"] == 0 for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
