"""Issue 3's fault test: 1,000 mails through ``pomoc smtpd`` while it is killed and the database stops.

A private PostgreSQL (``initdb`` into a temporary folder, never the machine's shared one) and a real
``pomoc smtpd`` process. A client that behaves like a sending MTA delivers 1,000 distinct mails:
on a 4xx answer, a refused or a dropped connection it waits and sends the SAME mail again; a mail
counts as delivered only after ``250``. Meanwhile a chaos thread SIGKILLs the receiver at random
moments (and starts it again) and once stops PostgreSQL for a few seconds. Afterwards the pending
mail is processed and the database must hold every Message-ID in exactly one ticket message: nothing
lost, nothing doubled (the doubles a retry causes end as ``duplicate`` raw mails), replies in their
parent's ticket. Seeded, so a failing run can be repeated.
"""

from __future__ import annotations

import glob
import json
import os
import queue
import random
import shutil
import signal
import smtplib
import subprocess
import sys
import tempfile
import threading
import time
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

import pytest

from pomoc.core.testing.services import free_port, pomoc, pomoc_env, require_service, tcp_reachable

pytestmark = pytest.mark.slow

SEED = 20261122
MAILS = 1000
SENDERS = 4  # concurrent client connections, as an MTA's queue runner has
REPLY_EVERY = 5  # every fifth mail answers an earlier one
REPLY_GAP = 40  # ... sent this many mails before it
ATTACH_EVERY = 7
KILLS = 4
OUTAGE_S = 3.0
MAX_TRIES = 400
DEADLINE_S = 110.0  # a bound, not the expected time (about 70 s on two cores)
ADDRESS = "support@pomoc.example"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def pg_bindir() -> str | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.access(os.path.join(candidate, "initdb"), os.X_OK) and os.access(os.path.join(candidate, "pg_ctl"),
                                                                                os.X_OK):
            return candidate
    found = shutil.which("initdb")
    return os.path.dirname(found) if found and shutil.which("pg_ctl") else None


class PrivatePostgres:
    """A throwaway PostgreSQL cluster on a free loopback port (run as ``postgres`` when we are root)."""

    @classmethod
    def required(cls) -> PrivatePostgres:
        """An instance (not started yet), or the test skipped (failed on CI) saying what is missing."""
        bindir = pg_bindir()
        require_service("PostgreSQL server binaries (initdb, pg_ctl)", bindir is not None,
                        hint="apt-get install postgresql")
        if os.geteuid() == 0:
            require_service("a 'postgres' system user to run initdb as", shutil.which("runuser") is not None
                            and _has_user("postgres"))
        return cls(bindir)

    def __init__(self, bindir: str):
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="pomoc-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/pomoc"
        self.as_root = os.geteuid() == 0

    def _run(self, *args: str, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess:
        command = [os.path.join(self.bindir, args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)  # noqa: S603
        if check and result.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed: {result.stdout}{result.stderr}")
        return result

    def init(self) -> None:
        self.root.chmod(0o755)
        if self.as_root:
            import pwd

            entry = pwd.getpwnam("postgres")
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8",
                  "--locale", "C")
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "pomoc")

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c full_page_writes=off -c max_connections=50")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "postgres.log"), "-w",
                  "start")

    def stop(self, check: bool = True) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=check)

    def cleanup(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.stop(check=False)
        shutil.rmtree(self.root, ignore_errors=True)


class Receiver:
    """``pomoc smtpd`` as a child process on a fixed port, killed and started again at will."""

    def __init__(self, env: dict, port: int, log_path: Path):
        self.env, self.port, self.log_path = env, port, log_path
        self.process: subprocess.Popen | None = None
        self.lock = threading.Lock()

    def start(self) -> None:
        with self.lock:
            self._log = self.log_path.open("a")
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                [sys.executable, "-m", "pomoc.cli", "smtpd", "--host", "127.0.0.1", "--port", str(self.port),
                 "--hostname", "pomoc.test"],
                env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
            )

    def wait_listening(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if tcp_reachable("127.0.0.1", self.port, timeout=0.5):
                return
            if self.process is not None and self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError(f"pomoc smtpd did not start:\n{self.log_path.read_text(errors='replace')[-3000:]}")

    def kill(self) -> None:
        with self.lock:
            if self.process is not None and self.process.poll() is None:
                self.process.send_signal(signal.SIGKILL)
                self.process.wait(10)
            if self.process is not None:
                self._log.close()

    def stop(self) -> None:
        with self.lock:
            if self.process is None or self.process.poll() is not None:
                return
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
            self._log.close()


def message_id(n: int) -> str:
    return f"<fault-{SEED}-{n:04d}@sender.example>"


def build_mail(n: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Customer {n % 37} <customer{n % 37}@sender.example>"
    msg["To"] = ADDRESS
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id(n)
    parent = reply_parent(n)
    if parent is None:
        msg["Subject"] = f"Problem number {n}"
    else:
        msg["Subject"] = f"Re: Problem number {parent}"
        msg["In-Reply-To"] = message_id(parent)
        msg["References"] = message_id(parent)
    msg.set_content(f"Mail {n} of the fault test.\n")
    if n % ATTACH_EVERY == 3:
        msg.add_attachment(PNG, maintype="image", subtype="png", filename=f"screen-{n}.png")
    return msg.as_bytes()


def reply_parent(n: int) -> int | None:
    """Replies answer a mail sent earlier that is not itself a reply (so every thread has one root)."""
    if n % REPLY_EVERY != REPLY_EVERY - 1 or n < REPLY_GAP:
        return None
    parent = n - REPLY_GAP
    while reply_parent(parent) is not None:
        parent -= 1
    return parent


class Client:
    """Delivers mails like an MTA: the same mail again after 4xx, a refused or a dropped connection."""

    def __init__(self, port: int, deadline: float):
        self.port, self.deadline = port, deadline
        self.delivered: dict[int, float] = {}
        self.delivered_event: dict[int, threading.Event] = {n: threading.Event() for n in range(MAILS)}
        self.retries = 0
        self.failures: list[str] = []
        self.lock = threading.Lock()
        self.todo: queue.Queue[int] = queue.Queue()
        for n in range(MAILS):
            self.todo.put(n)

    def _connection(self, local: threading.local) -> smtplib.SMTP:
        if getattr(local, "smtp", None) is None:
            local.smtp = smtplib.SMTP("127.0.0.1", self.port, local_hostname="sender.example", timeout=15)
        return local.smtp

    @staticmethod
    def _drop(local: threading.local) -> None:
        smtp, local.smtp = getattr(local, "smtp", None), None
        if smtp is not None:
            try:
                smtp.close()
            except OSError:
                pass

    def send_one(self, n: int, local: threading.local) -> None:
        parent = reply_parent(n)
        if parent is not None:  # an answer is written after its question arrived
            self.delivered_event[parent].wait(max(0.0, self.deadline - time.monotonic()))
        raw = build_mail(n)
        attempt = 0
        for attempt in range(1, MAX_TRIES + 1):  # noqa: B007 - reported below
            if time.monotonic() > self.deadline:
                break
            try:
                smtp = self._connection(local)
                refused = smtp.sendmail(f"customer{n % 37}@sender.example", [ADDRESS], raw)
                if not refused:
                    with self.lock:
                        self.delivered[n] = time.monotonic()
                    self.delivered_event[n].set()
                    return
            except smtplib.SMTPRecipientsRefused as exc:
                codes = [code for code, _ in exc.recipients.values()]
                if any(code >= 500 for code in codes):
                    self.failures.append(f"mail {n}: recipient refused {exc.recipients}")
                    return
                self._reset(local)
            except smtplib.SMTPResponseException as exc:
                if exc.smtp_code >= 500:
                    self.failures.append(f"mail {n}: {exc.smtp_code} {exc.smtp_error!r}")
                    return
                self._reset(local)
            except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError):
                self._drop(local)  # refused, reset or dropped mid-conversation: the mail is still ours
            with self.lock:
                self.retries += 1
            time.sleep(min(0.05 * attempt, 0.5))
        self.failures.append(f"mail {n}: not delivered after {attempt} tries")

    def _reset(self, local: threading.local) -> None:
        """After a 4xx the conversation goes on (RSET), as an MTA's would; a broken one is dropped."""
        try:
            local.smtp.rset()
        except (smtplib.SMTPException, OSError, AttributeError):
            self._drop(local)

    def run(self) -> None:
        local = threading.local()
        try:
            while True:
                try:
                    n = self.todo.get_nowait()
                except queue.Empty:
                    return
                self.send_one(n, local)
        finally:
            if getattr(local, "smtp", None) is not None:
                try:
                    local.smtp.quit()
                except (smtplib.SMTPException, OSError):
                    pass
            self._drop(local)


CHECK = """
import json
from collections import Counter
from pomoc.channels.email.ingest import process
from pomoc.channels.email.models import RawMail
from pomoc.tickets.models import Message
for pk in RawMail.objects.filter(status="pending").order_by("received_at", "id").values_list("id", flat=True):
    process(pk)
ours = RawMail.objects.filter(message_id_header__startswith="<fault-")
messages = [
    {"id": m.external_id, "ticket": m.ticket_id, "created": m.created_at.isoformat(), "attachments": m.n}
    for m in Message.objects.filter(external_id__startswith="<fault-").annotate(n=__import__("django").db.models
                                                                                 .Count("attachments"))
]
print(json.dumps({
    "messages": messages,
    "raw": dict(Counter(ours.values_list("status", flat=True))),
    "raw_ids_stored": sorted(set(ours.filter(status="stored").values_list("message_id_header", flat=True))),
    "errors": dict(Counter(e[:120] for e in RawMail.objects.exclude(error="").values_list("error", flat=True))),
}))
"""


def test_no_mail_lost_or_doubled_while_smtpd_is_killed_and_the_database_stops(tmp_path):
    pg = PrivatePostgres.required()
    started = time.monotonic()
    rng = random.Random(SEED)
    receiver: Receiver | None = None
    stats = {"kills": 0, "outage_s": 0.0}
    try:
        pg.init()
        env = pomoc_env(tmp_path, DATABASE_URL=pg.url)
        pomoc("migrate", "--no-input", env=env)
        pomoc("shell", "-c", "from pomoc.channels.models import Inbox; "
                             f"Inbox.objects.create(name='Support', address='{ADDRESS}')", env=env)
        print(f"\nsetup done after {time.monotonic() - started:.1f} s")
        receiver = Receiver(env, free_port(), tmp_path / "smtpd.log")
        receiver.start()
        receiver.wait_listening()

        client = Client(receiver.port, deadline=time.monotonic() + DEADLINE_S)
        senders = [threading.Thread(target=client.run, daemon=True) for _ in range(SENDERS)]
        done = threading.Event()
        chaos_errors: list[str] = []

        def chaos() -> None:
            outage_after = rng.randrange(1, KILLS)
            try:
                for kill in range(KILLS):
                    if done.wait(rng.uniform(1.5, 4.0)):
                        return
                    receiver.kill()
                    stats["kills"] += 1
                    time.sleep(rng.uniform(0.1, 0.8))
                    receiver.start()
                    if kill == outage_after:
                        if done.wait(rng.uniform(0.5, 1.5)):
                            return
                        down = time.monotonic()
                        pg.stop()
                        time.sleep(OUTAGE_S)
                        pg.start()
                        stats["outage_s"] = round(time.monotonic() - down, 1)
            except Exception as exc:  # surfaced by the assertions below
                chaos_errors.append(repr(exc))

        chaos_thread = threading.Thread(target=chaos, daemon=True)
        for thread in senders:
            thread.start()
        chaos_thread.start()
        for thread in senders:
            thread.join(DEADLINE_S + 30)
        done.set()
        chaos_thread.join(30)
        receiver.stop()

        assert not chaos_errors, chaos_errors
        assert not client.failures, client.failures[:10]
        assert len(client.delivered) == MAILS
        assert stats["kills"] >= 3 and stats["outage_s"] >= OUTAGE_S, stats

        result = json.loads(pomoc("shell", "-c", CHECK, env=env, timeout=120).stdout.strip().splitlines()[-1])
        by_id: dict[str, list[dict]] = {}
        for row in result["messages"]:
            by_id.setdefault(row["id"], []).append(row)
        missing = [message_id(n) for n in range(MAILS) if message_id(n) not in by_id]
        doubled = [key for key, rows in by_id.items() if len(rows) != 1]
        assert not missing, f"{len(missing)} mails lost, e.g. {missing[:5]}; raw mails {result['raw']}, " \
                            f"errors {result['errors']}"
        assert not doubled, f"{len(doubled)} mails stored twice, e.g. {doubled[:5]}"
        assert len(by_id) == MAILS
        assert set(result["raw"]) <= {"stored", "duplicate"}, result["raw"]
        assert len(result["raw_ids_stored"]) == MAILS and result["raw"]["stored"] == MAILS

        unthreadable = 0
        for n in range(MAILS):
            row = by_id[message_id(n)][0]
            if n % ATTACH_EVERY == 3:
                assert row["attachments"] == 1, (n, row)
            parent = reply_parent(n)
            if parent is None:
                continue
            parent_row = by_id[message_id(parent)][0]
            if parent_row["created"] > row["created"]:
                # the question's mail was stored but left pending (the receiver died or the database
                # stopped right after the bytes were committed): an answer can only thread to a known question
                unthreadable += 1
                continue
            assert row["ticket"] == parent_row["ticket"], (n, parent, row, parent_row)
        assert unthreadable <= 5, unthreadable
        tickets = len({row[0]["ticket"] for row in by_id.values()})
        print(f"\nfault test: {MAILS} mails delivered into {tickets} tickets, "
              f"{stats['kills']} SIGKILLs, database down {stats['outage_s']} s, {client.retries} retries, "
              f"raw mails {result['raw']}, {unthreadable} replies before their question, "
              f"{time.monotonic() - started:.1f} s")
    finally:
        if receiver is not None:
            receiver.kill()
        pg.cleanup()


def _has_user(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
