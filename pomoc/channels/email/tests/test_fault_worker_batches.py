"""The workers' batches under faults: two worker processes store 3,000 kept mails in batches while
they are SIGKILLed at random moments (and, on PostgreSQL, the database stops for a while).
Afterwards every mail is in exactly one ticket message and every reply in its question's ticket.
Seeded, so a failing run can be repeated. The database is a private one (a SQLite file, or a
PostgreSQL cluster of the test's own), never the machine's shared one."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from pomoc.testing.services import pomoc, pomoc_env

from .test_fault_ingestion import PrivatePostgres

pytestmark = pytest.mark.slow

SEED = 20261123
MAILS = 3000
KILLS = 5

KEEP = textwrap.dedent("""
    import datetime as dt
    from email.message import EmailMessage
    from django.utils import timezone
    from pomoc.channels.email.ingest import receive_raw
    from pomoc.channels.models import Inbox
    from pomoc.channels.email.models import RawMail
    inbox = Inbox.objects.create(name="Support", address="support@pomoc.example")
    for n in range(MAILS):
        msg = EmailMessage()
        msg["From"] = f"customer{n % 97}@example.cz"
        msg["To"] = "support@pomoc.example"
        msg["Subject"] = f"Question {n}" if n % 4 else f"Re: question {n - 20}"
        msg["Message-ID"] = f"<batch-{n}@example.cz>"
        if n % 4 == 0 and n >= 20:
            msg["In-Reply-To"] = f"<batch-{n - 20}@example.cz>"
        msg.set_content(f"Mail number {n}.")
        if n % 7 == 3:
            msg.add_attachment(b"%PDF-1.4 " + bytes(str(n), "ascii"), maintype="application", subtype="pdf",
                               filename=f"invoice-{n}.pdf")
        receive_raw(inbox=inbox, raw=msg.as_bytes())
    RawMail.objects.update(received_at=timezone.now() - dt.timedelta(minutes=5))
""").replace("MAILS", str(MAILS))

WORK = textwrap.dedent("""
    import sys
    from pomoc.channels.email.tasks import process_pending_mail
    shard, shards = SHARD, 2
    while True:
        done = process_pending_mail.call(shard=shard, shards=shards)
        if not done or done.get("retry_later"):
            break
""")

CHECK = textwrap.dedent("""
    import json
    from collections import Counter
    from pomoc.channels.email.models import RawMail
    from pomoc.tickets.models import Attachment, Message
    rows = list(Message.objects.filter(external_id__startswith="<batch-").values_list("external_id", "ticket_id"))
    print(json.dumps({
        "messages": rows,
        "raw": dict(Counter(RawMail.objects.values_list("status", flat=True))),
        "attachments": Attachment.objects.count(),
    }))
""")


def _database(kind: str, tmp_path):
    if kind == "sqlite":
        return None, pomoc_env(tmp_path)
    pg = PrivatePostgres.required()
    pg.init()
    return pg, pomoc_env(tmp_path, DATABASE_URL=pg.url)


def _worker(env: dict, shard: int, log) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 -- our own interpreter and arguments
        [sys.executable, "-m", "pomoc.cli", "shell", "-c", WORK.replace("SHARD", str(shard))],
        env=env, stdout=log, stderr=subprocess.STDOUT)


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_no_mail_lost_or_doubled_while_batch_workers_are_killed(kind, tmp_path):
    rng = random.Random(SEED)
    pg, env = _database(kind, tmp_path)
    try:
        pomoc("migrate", "--no-input", "--verbosity", "0", env=env)
        pomoc("shell", "-c", KEEP, env=env, timeout=300)
        log = (tmp_path / "workers.log").open("a")
        workers = [_worker(env, shard, log) for shard in range(2)]
        outage = rng.randrange(KILLS) if pg is not None else -1
        hits = 0  # kills of a worker still at work (it exits once nothing is pending)
        for kill in range(KILLS):
            time.sleep(rng.uniform(0.2, 0.6))
            victim = rng.randrange(2)
            hits += workers[victim].poll() is None
            workers[victim].send_signal(signal.SIGKILL)
            workers[victim].wait(10)
            if kill == outage:
                pg.stop()
                time.sleep(2)
                pg.start()
            workers[victim] = _worker(env, victim, log)
        assert hits >= 3, f"only {hits} of {KILLS} kills met a working worker: more mail"
        for worker in workers:  # then let them finish (one that met the stopped database exits with an error)
            worker.wait(240)
        for shard in range(2):  # whatever a worker left when the database stopped under it; must succeed
            pomoc("shell", "-c", WORK.replace("SHARD", str(shard)), env=env, timeout=240)

        result = json.loads(pomoc("shell", "-c", CHECK, env=env).stdout.strip().splitlines()[-1])
        tickets: dict[str, list[int]] = {}
        for key, ticket in result["messages"]:
            tickets.setdefault(key, []).append(ticket)
        missing = [n for n in range(MAILS) if f"<batch-{n}@example.cz>" not in tickets]
        doubled = [key for key, found in tickets.items() if len(found) != 1]
        assert not missing and not doubled, (missing[:10], doubled[:10], result["raw"])
        assert result["raw"] == {"stored": MAILS}
        assert result["attachments"] == len([n for n in range(MAILS) if n % 7 == 3])
        for n in range(20, MAILS, 4):  # every reply in its question's ticket
            assert tickets[f"<batch-{n}@example.cz>"] == tickets[f"<batch-{n - 20}@example.cz>"], n
    finally:
        if pg is not None:
            pg.cleanup()
