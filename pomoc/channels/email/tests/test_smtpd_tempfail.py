"""``pomoc smtpd`` as a separate process with its database unreachable: it starts, answers
``451 4.3.0`` (try again later, the sender keeps the mail) and stays up; SIGTERM stops it cleanly."""

import os
import signal
import smtplib
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pomoc.core.testing.services import free_port, tcp_reachable

from .helpers import mail

POMOC = str(Path(sys.executable).with_name("pomoc"))


def _env(data_dir, **extra):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "POMOC_TESTING", "POMOC_TEST_DB_NAME"}}
    env.update({"DJANGO_SETTINGS_MODULE": "pomoc.settings", "POMOC_DATA_DIR": str(data_dir), "REDIS_URL": "",
                "PYTHONUNBUFFERED": "1", **extra})
    return env


def _start(tmp_path, env) -> tuple[subprocess.Popen, int]:
    port = free_port()
    log = (tmp_path / "smtpd.log").open("w+")
    process = subprocess.Popen(  # noqa: S603 - our own console script
        [POMOC, "smtpd", "--host", "127.0.0.1", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while not tcp_reachable("127.0.0.1", port, timeout=0.5):
        assert process.poll() is None, (tmp_path / "smtpd.log").read_text()
        assert time.monotonic() < deadline, "pomoc smtpd did not listen within 60 s"
        time.sleep(0.1)
    return process, port


def _stop(process: subprocess.Popen) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(30)


def test_database_unreachable_is_answered_451_and_the_receiver_stays_up(tmp_path):
    # port 1 on loopback: nothing listens, every connection is refused at once
    process, port = _start(tmp_path, _env(tmp_path, DATABASE_URL="postgres://pomoc@127.0.0.1:1/pomoc"))
    try:

        with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
            client.ehlo()
            for _attempt in range(2):
                with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
                    client.sendmail("jana@example.cz", ["support@pomoc.example"], mail())
                code, text = refused.value.recipients["support@pomoc.example"]
                assert (code, text[:5]) == (451, b"4.3.0")
            assert client.noop()[0] == 250
    finally:
        status = _stop(process)
    output = (tmp_path / "smtpd.log").read_text()
    assert status == 0, output
    assert "The database is unavailable" in output
    assert "answered 451" in output
    assert "tiskne" not in output  # never a mail body in the log


@pytest.mark.slow
def test_database_lost_while_storing_is_answered_451_then_mail_flows_again(tmp_path):
    env = _env(tmp_path)
    subprocess.run([POMOC, "migrate", "-v0"], env=env, check=True, timeout=120)  # noqa: S603
    subprocess.run([POMOC, "shell", "-c", "from pomoc.channels.models import Inbox; "  # noqa: S603
                    "Inbox.objects.create(name='Support', address='support@pomoc.example')"],
                   env=env, check=True, timeout=60)
    database = tmp_path / "pomoc.sqlite3"
    away = tmp_path / "away"
    away.mkdir()
    process, port = _start(tmp_path, env)
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
            assert client.sendmail("jana@example.cz", ["support@pomoc.example"], mail(message_id="<a@x.cz>")) == {}
            # the database file disappears: the next connection finds an empty database without tables
            for path in tmp_path.glob("pomoc.sqlite3*"):
                path.rename(away / path.name)
            client.ehlo()
            client.mail("jana@example.cz")
            assert client.rcpt("support@pomoc.example")[0] == 250  # the last known addresses
            code, text = client.data(mail(message_id="<b@x.cz>"))
            assert (code, text[:5]) == (451, b"4.3.0")
            # the database is back: the sender's retry is stored
            for path in tmp_path.glob("pomoc.sqlite3*"):
                path.unlink()
            for path in away.iterdir():
                path.rename(tmp_path / path.name)
            client.rset()
            assert client.sendmail("jana@example.cz", ["support@pomoc.example"], mail(message_id="<b@x.cz>")) == {}
    finally:
        status = _stop(process)
    assert status == 0, (tmp_path / "smtpd.log").read_text()
    stored = subprocess.run([POMOC, "shell", "-c", "from pomoc.tickets.models import Message; "  # noqa: S603
                            "print(sorted(Message.objects.values_list('external_id', flat=True)))"],
                           env=env, check=True, timeout=60, capture_output=True, text=True)
    assert stored.stdout.strip().splitlines()[-1] == "['<a@x.cz>', '<b@x.cz>']"
    assert database.exists()
