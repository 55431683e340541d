"""The MTA pipe's fast path: ``pomoc mail ingest`` hands the mail to a real running ``pomoc serve``,
and stores it itself when that does not work, with the exit statuses MTAs rely on (0 kept, 75 again
later). On the run's kind of database (``pipe_server.PipeDatabase``)."""

from __future__ import annotations

import json
import random
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from pomoc.testing.services import PomocServer

from .helpers import PNG, mail
from .pipe_server import POMOC, PipeDatabase, pipe, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    db = PipeDatabase(tmp_path_factory.mktemp("pipe"), "pipe")
    db.shell("from pomoc.channels.models import Inbox, InboxKind\n"
             "Inbox.objects.create(name='Support', kind=InboxKind.EMAIL, address='support@pomoc.example')\n"
             "Inbox.objects.create(name='Small', kind=InboxKind.EMAIL, address='small@pomoc.example', "
             "config={'max_message_bytes': 20000})")
    yield db
    db.drop()


@pytest.fixture(scope="module")
def server(database):
    running = PomocServer(database.data_dir, env=database.env, own_session=True).start()
    yield running
    running.stop()


def _raw_mails(database, message_id: str) -> list[tuple[str, str]]:
    return database.rows("SELECT r.status, i.name FROM inboxes_rawmail r JOIN inboxes_inbox i ON i.id = r.inbox_id "
                         f"WHERE r.message_id_header = '{message_id}' ORDER BY r.id")


def _messages(database, message_id: str) -> int:
    return database.rows(f"SELECT COUNT(*) FROM tickets_message WHERE external_id = '{message_id}'")[0][0]


def test_the_running_pomoc_takes_the_mail_without_django_starting(database, server):
    raw = mail(message_id="<fast-1@example.cz>", subject="Rychlá cesta")
    # settings that would stop Django at once: the fast path never gets that far
    env = {**database.env, "DJANGO_SETTINGS_MODULE": "no.such.settings"}
    done = pipe(env, raw, "--inbox", "Support")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"ticket": None, "message": None, "created": False, "duplicate": False,
                                       "classification": None, "status": "queued"}
    assert done.stderr == b""
    # committed before the answer, then processed by the server's worker
    assert _raw_mails(database, "<fast-1@example.cz>")[0][1] == "Support"
    wait_for(lambda: _raw_mails(database, "<fast-1@example.cz>") == [("stored", "Support")], "the worker",
             log=server.log)
    assert _messages(database, "<fast-1@example.cz>") == 1
    assert database.rows("SELECT t.subject FROM tickets_ticket t JOIN tickets_message m ON m.ticket_id = t.id "
                         "WHERE m.external_id = '<fast-1@example.cz>'") == [("Rychlá cesta",)]


def test_a_mail_delivered_again_is_kept_once_as_a_message(database, server):
    raw = mail(message_id="<fast-twice@example.cz>")
    assert pipe(database.env, raw, "--inbox", "Support").returncode == 0
    assert pipe(database.env, raw, "--inbox", "Support").returncode == 0
    wait_for(lambda: sorted(s for s, _ in _raw_mails(database, "<fast-twice@example.cz>")) == ["duplicate", "stored"],
             "both processed", log=server.log)
    assert _messages(database, "<fast-twice@example.cz>") == 1


def test_a_wrong_token_is_refused_and_the_pipe_stores_the_mail_itself(database, server):
    right = (database.data_dir / "mail-pipe-token").read_text().strip()
    env = {**database.env, "POMOC_MAIL_PIPE_TOKEN": "not-the-token"}
    done = pipe(env, mail(message_id="<wrong-token@example.cz>"), "--inbox", "Support")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "stored"
    assert "did not take the mail (HTTP 403" in done.stderr.decode()
    assert _raw_mails(database, "<wrong-token@example.cz>") == [("stored", "Support")]
    assert "Refused a mail handed to the pipe endpoint" in server.log()
    for secret in (right, "not-the-token"):
        assert secret not in server.log() and secret not in done.stderr.decode()


def test_the_token_file_is_readable_by_its_owner_only(database, server):
    assert (database.data_dir / "mail-pipe-token").stat().st_mode & 0o777 == 0o600
    assert (database.data_dir / "mail-pipe-url").read_text().strip() == f"{server.url}/__pomoc/mail"


def test_a_mail_over_the_inbox_limit_is_refused_early_and_kept_as_before(database, server):
    raw = mail(message_id="<too-big@example.cz>", attachments=[("big.png", PNG * 2000, "image", "png")])
    assert len(raw) > 20000
    done = pipe(database.env, raw, "--inbox", "Small")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "unprocessable"
    assert "HTTP 413" in done.stderr.decode()
    # one row, kept by the pipe itself: the running Pomoc stored nothing
    assert _raw_mails(database, "<too-big@example.cz>") == [("unprocessable", "Small")]


def test_no_inbox_that_fits_is_a_temporary_failure(database, server):
    done = pipe(database.env, mail(message_id="<no-inbox@example.cz>"), "--inbox", "Nope")
    assert done.returncode == 75
    assert "There is no e-mail inbox named" in done.stderr.decode()
    assert _raw_mails(database, "<no-inbox@example.cz>") == []


def test_without_a_running_pomoc_the_pipe_stores_the_mail_itself(database, server, tmp_path):
    # the address of a Pomoc that is not running: nothing listens there
    env = {**database.env, "POMOC_MAIL_PIPE_URL": "http://127.0.0.1:9/__pomoc/mail"}
    done = pipe(env, mail(message_id="<server-down@example.cz>"), "--inbox", "Support")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "stored"
    assert "did not take the mail (ConnectionRefusedError" in done.stderr.decode()
    assert _messages(database, "<server-down@example.cz>") == 1


def test_nothing_running_and_the_database_away_asks_the_mta_to_retry(database, server):
    env = {**database.env, "POMOC_MAIL_PIPE_URL": "http://127.0.0.1:9/__pomoc/mail",
           "DATABASE_URL": "postgres://pomoc@127.0.0.1:1/pomoc"}
    done = pipe(env, mail(message_id="<all-down@example.cz>"), "--inbox", "Support")
    assert done.returncode == 75, done.stderr
    assert done.stdout == b""


@pytest.mark.parametrize("problem", ["unreadable env file", "settings that do not load", "unknown argument",
                                     "missing argument value"])
def test_a_pipe_that_cannot_start_is_a_temporary_failure(database, server, tmp_path, problem):
    env = {**database.env, "POMOC_MAIL_PIPE_URL": "http://127.0.0.1:9/__pomoc/mail"}
    args = ["--inbox", "Support"]
    if problem == "unreadable env file":
        args += ["--env-file", str(tmp_path / "missing.env")]
    elif problem == "settings that do not load":
        env["SECRET_KEY_FILE"] = str(tmp_path / "no-secret-key")
    elif problem == "unknown argument":
        args.append("--inboxx=Support")
    else:
        args.append("--env-file")
    done = pipe(env, mail(message_id="<cannot-start@example.cz>"), *args)
    assert done.returncode == 75, (problem, done.stderr)
    assert _raw_mails(database, "<cannot-start@example.cz>") == []


def test_a_pomoc_killed_before_its_commit_leaves_the_mail_to_the_pipe(database, server):
    """The server has the request but cannot write yet (the table is held); it is killed right then.
    The pipe sees the connection break, stores the mail itself once writing is possible again, and
    exits 0: one raw mail, one message."""
    raw = mail(message_id="<killed-mid-request@example.cz>")
    with database.writes_held():
        delivery = subprocess.Popen([POMOC, "mail", "ingest", "--inbox", "Support"], env=database.env,
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        delivery.stdin.write(raw)
        delivery.stdin.close()
        time.sleep(2)  # the request is in the server, waiting to write
        assert delivery.poll() is None
        server.kill()
        time.sleep(2)  # the pipe falls back to storing the mail itself, and waits to write too
    delivery.wait(120)
    out, err = delivery.stdout.read(), delivery.stderr.read()
    server.start()
    assert delivery.returncode == 0, err
    assert "did not take the mail" in err.decode() and "did not take the mail (HTTP" not in err.decode()
    assert json.loads(out)["status"] == "stored"
    assert _raw_mails(database, "<killed-mid-request@example.cz>") == [("stored", "Support")]
    assert _messages(database, "<killed-mid-request@example.cz>") == 1


def test_nothing_is_lost_or_doubled_when_the_running_pomoc_is_killed_mid_request(database, server):
    """Four pipes at a time deliver mails of 60-250 KB while the server (and its worker) is SIGKILLed
    three times; a pipe answering 75 is run again with the same mail, as the MTA would. Every mail
    ends as exactly one ticket message."""
    rng = random.Random(20261206)
    mails = {f"<kill-{n}@example.cz>": mail(message_id=f"<kill-{n}@example.cz>", subject=f"Kill {n}",
                                            attachments=[("a.png", PNG * rng.randint(2000, 8000), "image", "png")])
             for n in range(60)}
    tries: dict[str, int] = {}
    fell_back: list[str] = []
    delivered: list[str] = []
    stop = threading.Event()

    def deliver(message_id: str) -> None:
        while True:
            tries[message_id] = tries.get(message_id, 0) + 1
            done = pipe(database.env, mails[message_id], "--inbox", "Support")
            if b"did not take the mail" in done.stderr:
                fell_back.append(done.stderr.decode().split("did not take the mail")[1][:60])
            if done.returncode == 0:
                delivered.append(message_id)
                return
            assert done.returncode == 75, done.stderr
            assert tries[message_id] < 20
            time.sleep(0.2)

    def chaos() -> None:
        # killed at points of progress, not of time, so the kills meet deliveries on a fast machine too
        for threshold in (10 + rng.randint(0, 5), 25 + rng.randint(0, 5), 40 + rng.randint(0, 5)):
            while len(delivered) < threshold:
                if stop.wait(0.02):
                    return
            server.kill()
            time.sleep(0.3)
            server.start()

    killer = threading.Thread(target=chaos)
    killer.start()
    try:
        with ThreadPoolExecutor(4) as delivering:
            list(delivering.map(deliver, mails))
    finally:
        stop.set()
        killer.join()
    if server.process.poll() is not None:
        server.start()
    # a worker killed mid-task leaves its mail pending: processed the way the periodic job does (the
    # server's worker may hold the database meanwhile, so as often as that takes)
    pending_sql = ("SELECT id, attempts, error FROM inboxes_rawmail WHERE status = 'pending' "
                   "AND message_id_header LIKE '<kill-%'")
    for _ in range(10):
        if not database.rows(pending_sql):
            break
        database.shell("from pomoc.channels.email.ingest import process\n"
                       "from pomoc.channels.email.models import RawMail\n"
                       "for pk in RawMail.objects.filter(status='pending').values_list('id', flat=True):\n"
                       "    try:\n        process(pk)\n    except Exception as exc:\n        print(pk, exc)")
        time.sleep(1)
    assert database.rows(pending_sql) == [], server.log()
    doubles = database.rows("SELECT COUNT(*) FROM inboxes_rawmail WHERE status = 'duplicate' "
                            "AND message_id_header LIKE '<kill-%'")[0][0]
    print(f"{len(mails)} mails, {sum(tries.values())} deliveries, {len(fell_back)} stored by the pipe itself "
          f"({sum('Connection' in reason or 'HTTP' in reason for reason in fell_back)} refused or broken), "
          f"{doubles} kept twice and recognised as duplicates")
    assert fell_back, "the kills should have met deliveries"
    for message_id in mails:
        assert _messages(database, message_id) == 1, (message_id, _raw_mails(database, message_id))
        kept = [status for status, _inbox in _raw_mails(database, message_id)]
        assert kept.count("stored") == 1 and set(kept) <= {"stored", "duplicate"}, (message_id, kept)
