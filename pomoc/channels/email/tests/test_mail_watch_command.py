"""``pomoc mail watch`` as a service manager runs it: a process of its own on a fresh installation,
printing a JSON line per fetch that found mail, stopped by SIGTERM."""

import json
import select
import signal
import subprocess
import sys
import time

import pytest
from django.core.management import call_command

from pomoc.testing.services import pomoc, pomoc_env

from .helpers import mail

EX_TEMPFAIL = 75


@pytest.mark.django_db
def test_an_unknown_inbox_is_refused_with_tempfail(capsys):
    with pytest.raises(SystemExit) as exit_:
        call_command("mail", "watch", "--inbox", "Nope")
    assert exit_.value.code == EX_TEMPFAIL and "Nope" in capsys.readouterr().err


@pytest.mark.slow
def test_the_command_imports_pushed_mail_and_stops_on_sigterm(dovecot, tmp_path):
    env = pomoc_env(tmp_path)
    pomoc("migrate", "--verbosity", "0", env=env)
    config = json.dumps(dovecot.inbox_config("imap"))
    pomoc("shell", "-c", f"""
from pomoc.channels.models import Inbox
inbox = Inbox(name="Support", address="support@pomoc.example", config={config})
inbox.set_secret("imap_password", {dovecot.password!r})
inbox.save()
""", env=env)
    log = (tmp_path / "watch.err").open("w")
    process = subprocess.Popen([sys.executable, "-m", "pomoc.cli", "mail", "watch"], env=env,  # noqa: S603
                               stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        time.sleep(1.0)  # let it connect; mail appended earlier would be fetched anyway
        dovecot.append(mail(subject="Through the command"))
        readable, _w, _x = select.select([process.stdout], [], [], 30)
        assert readable, "no fetch report within 30 s"
        line = process.stdout.readline()  # the first fetch that found mail
        report = json.loads(line)
        assert report["inbox"] == "Support" and report["statuses"] == {"stored": 1}, report
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        log.close()
    shown = pomoc("shell", "-c", "from pomoc.tickets.models import Ticket; print(Ticket.objects.get().subject)",
                  env=env)
    assert shown.stdout.strip().splitlines()[-1] == "Through the command"
