"""``pomoc serve`` runs pages, static files, websockets and the task worker in one command."""

import json
import os
import signal
import sqlite3
import textwrap
import time
import urllib.request
from types import SimpleNamespace

import pytest
from aiosmtpd.controller import Controller
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from pomoc.testing.services import PomocServer, child_pids, free_port, pomoc, pomoc_env

pytestmark = pytest.mark.slow

SETUP = textwrap.dedent("""
    import json
    from django.test import Client
    from pomoc.testing.factories import DepartmentFactory, UserFactory, make_ticket
    from pomoc.tickets import services
    department = DepartmentFactory()
    agent = UserFactory(username="serve-agent")
    department.members.add(agent)
    ticket = make_ticket(department=department)
    reply = services.message_add(ticket=ticket, kind="reply", actor=agent, body_text="We are on it.")
    client = Client()
    client.force_login(agent)
    print(json.dumps({"reply": reply.pk, "ticket": ticket.pk, "session": client.cookies["sessionid"].value}))
""")

ANOTHER_REPLY = textwrap.dedent("""
    from pomoc.accounts.models import User
    from pomoc.tickets import services
    from pomoc.tickets.models import Ticket
    agent = User.objects.get(username="serve-agent")
    ticket = Ticket.objects.get(pk=TICKET)
    print(services.message_add(ticket=ticket, kind="reply", actor=agent, body_text="And now, live.").pk)
""")


def _event(socket, event: str, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        data = json.loads(socket.recv(timeout=max(0.1, deadline - time.monotonic())))
        if data.get("event") == event:
            return data


def _get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - a local test server
        return response.status


def _delivery_state(data_dir, message_id: int) -> str:
    with sqlite3.connect(data_dir / "pomoc.sqlite3", timeout=10) as db:
        return db.execute("SELECT delivery_state FROM tickets_message WHERE id = ?", (message_id,)).fetchone()[0]


def _wait_for(condition, timeout: float, what: str, server: PomocServer):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    pytest.fail(f"timed out waiting for {what}:\n{server.log()}")


class _Collector:
    """What the local SMTP server received."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture
def local_smtp():
    """A real SMTP server for replies to leave through (without one Pomoc marks them not sent): the
    settings that point Pomoc at it, and what it received."""
    collector = _Collector()
    smtp = Controller(collector, hostname="127.0.0.1", port=free_port())
    smtp.start()
    yield SimpleNamespace(env={"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp.port)},
                          envelopes=collector.envelopes)
    smtp.stop()


def test_it_serves_pages_static_files_websockets_and_runs_the_worker(tmp_path, local_smtp):
    env = pomoc_env(tmp_path, **local_smtp.env)
    pomoc("migrate", "--verbosity", "0", env=env)
    server = PomocServer(tmp_path, env=env).start()
    try:
        assert f"Pomoc is running at {server.url}/" in server.log()
        assert _get(f"{server.url}/healthz") == 200
        for path in ("pomoc/app.css", "pomoc/live.js", "vendor/htmx/htmx.min.js"):
            assert _get(f"{server.url}/static/{path}") == 200, path

        # A reply queued in the database is delivered by the worker that serve started.
        created = json.loads(pomoc("shell", "-c", SETUP, env=env).stdout.strip().splitlines()[-1])
        _wait_for(lambda: _delivery_state(tmp_path, created["reply"]) == "sent", 30, "the reply's delivery", server)
        assert any(b"We are on it." in envelope.content for envelope in local_smtp.envelopes)

        # Websockets: anonymous sockets are closed with 4401, a logged-in agent's socket works.
        ws_url = f"ws://127.0.0.1:{server.port}/ws/live/"
        with connect(ws_url, origin=server.url, open_timeout=10) as socket:
            with pytest.raises(ConnectionClosed) as closed:
                socket.recv(timeout=10)
            assert closed.value.rcvd.code == 4401
        cookie = f"sessionid={created['session']}"
        with connect(ws_url, origin=server.url, additional_headers={"Cookie": cookie}, open_timeout=10) as socket:
            socket.send(json.dumps({"action": "ping"}))
            assert json.loads(socket.recv(timeout=10)) == {"event": "pong"}

            # What the worker child publishes (a reply's delivery) reaches the web process's sockets
            # through the relay, although without Redis each process has a channel layer of its own.
            socket.send(json.dumps({"action": "subscribe_ticket", "ticket": created["ticket"]}))
            _event(socket, "subscribed", 10)
            script = ANOTHER_REPLY.replace("TICKET", str(created["ticket"]))
            reply = int(pomoc("shell", "-c", script, env=env).stdout.strip().splitlines()[-1])
            delivered = _event(socket, "message.delivery", 30)
            assert (delivered["message"], delivered["state"], delivered["ticket"]) == (reply, "sent",
                                                                                       created["ticket"])

        # A worker that dies is started again.
        workers = _wait_for(lambda: child_pids(server.process.pid), 10, "the worker process", server)
        os.kill(workers[0], signal.SIGKILL)
        _wait_for(lambda: [pid for pid in child_pids(server.process.pid) if pid != workers[0]], 15,
                  "the restarted worker", server)
        assert "restarting" in server.log()
    finally:
        status = server.stop()
    assert status == 0, server.log()
    assert child_pids(server.process.pid) == []


def test_no_worker_starts_only_the_web_server(tmp_path):
    env = pomoc_env(tmp_path)
    pomoc("migrate", "--verbosity", "0", env=env)
    with PomocServer(tmp_path, "--no-worker", env=env) as server:
        assert _get(f"{server.url}/healthz") == 200
        time.sleep(1)
        assert child_pids(server.process.pid) == []
    assert server.process.returncode == 0


LEFT_PENDING = textwrap.dedent("""
    import datetime as dt
    from django.utils import timezone
    from pomoc.channels.email.ingest import receive_raw
    from pomoc.channels.models import Inbox
    from pomoc.channels.email.models import RawMail
    inbox = Inbox.objects.create(name="Support", address="support@pomoc.example")
    raw = (b"From: jana@example.cz\\r\\nSubject: Kept before a crash\\r\\nMessage-ID: <left@example.cz>\\r\\n\\r\\n"
           b"Hello\\r\\n")
    raw_mail = receive_raw(inbox=inbox, raw=raw)
    RawMail.objects.filter(pk=raw_mail.pk).update(received_at=timezone.now() - dt.timedelta(minutes=5))
    print(raw_mail.pk)
""")


def _raw_mail_status(data_dir, raw_mail_id: int) -> str:
    with sqlite3.connect(data_dir / "pomoc.sqlite3", timeout=10) as db:
        return db.execute("SELECT status FROM inboxes_rawmail WHERE id = ?", (raw_mail_id,)).fetchone()[0]


def test_its_scheduler_has_the_worker_process_mail_left_pending(tmp_path):
    """Nothing but ``pomoc serve``: no cron, no second command, and mail kept but not processed
    (its receiver died) becomes a ticket."""
    env = pomoc_env(tmp_path, POMOC_SCHEDULER_TICK="1")
    pomoc("migrate", "--verbosity", "0", env=env)
    raw_mail = int(pomoc("shell", "-c", LEFT_PENDING, env=env).stdout.strip().splitlines()[-1])
    with PomocServer(tmp_path, env=env) as server:
        _wait_for(lambda: _raw_mail_status(tmp_path, raw_mail) == "stored", 60, "the pending mail", server)


def test_the_sign_in_notice_comes_last_and_routine_task_lines_stay_off_the_console(tmp_path, local_smtp):
    """What `make run` relies on: init's notice, handed over in POMOC_SIGN_IN_NOTICE, is written
    under the server's and the worker's start-up lines; a task run writes no line by default."""
    env = pomoc_env(tmp_path, POMOC_SIGN_IN_NOTICE="Sign in at http://127.0.0.1/accounts/login/ as: admin",
                    **local_smtp.env)
    pomoc("migrate", "--verbosity", "0", env=env)
    server = PomocServer(tmp_path, env=env).start()
    try:
        _wait_for(lambda: "Sign in at" in server.log(), 30, "the sign-in notice", server)
        created = json.loads(pomoc("shell", "-c", SETUP, env=env).stdout.strip().splitlines()[-1])
        _wait_for(lambda: _delivery_state(tmp_path, created["reply"]) == "sent", 30, "the reply's delivery", server)
        time.sleep(1)
        log = server.log()
    finally:
        server.stop()
    lines = log.splitlines()
    notice = next(i for i, line in enumerate(lines) if "Sign in at" in line)
    assert notice > next(i for i, line in enumerate(lines) if "Pomoc is running at" in line)
    assert notice > next(i for i, line in enumerate(lines) if "Starting worker" in line), log
    assert "Task id=" not in log  # the delivery ran, quietly


def test_routine_task_lines_are_logged_when_asked_for(tmp_path, local_smtp):
    env = pomoc_env(tmp_path, POMOC_LOG_TASKS="true", **local_smtp.env)
    pomoc("migrate", "--verbosity", "0", env=env)
    with PomocServer(tmp_path, env=env) as server:
        created = json.loads(pomoc("shell", "-c", SETUP, env=env).stdout.strip().splitlines()[-1])
        _wait_for(lambda: _delivery_state(tmp_path, created["reply"]) == "sent", 30, "the reply's delivery", server)
        _wait_for(lambda: "Task id=" in server.log(), 10, "the task's log line", server)
