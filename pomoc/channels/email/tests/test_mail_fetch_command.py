import json

import pytest
from django.core.management import call_command

from pomoc.channels.email.tasks import fetch_mailboxes
from pomoc.channels.models import Inbox
from pomoc.testing.services import free_port
from pomoc.tickets.models import Ticket

from .fetching import fetching_inbox
from .helpers import mail

pytestmark = pytest.mark.django_db


def run_fetch(capsys, *args) -> tuple[int, list[dict]]:
    code = 0
    try:
        call_command("mail", "fetch", *args)
    except SystemExit as exc:
        code = exc.code
    return code, [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_mail_fetch_fetches_every_active_imap_and_pop3_inbox(dovecot, capsys):
    dovecot.append(mail(subject="By IMAP"))
    fetching_inbox(dovecot, "imap", name="IMAP")
    other = dovecot.new_mailbox()
    other.append(mail(subject="By POP3"))
    fetching_inbox(other, "pop3", name="POP3")
    inactive = dovecot.new_mailbox()
    inactive.append(mail(subject="Not now"))
    Inbox.objects.filter(pk=fetching_inbox(inactive, "imap", name="Off").pk).update(active=False)
    Inbox.objects.create(name="Pipe", address="pipe@pomoc.example")  # gets mail from the MTA

    code, lines = run_fetch(capsys)

    assert code == 0
    assert [(line["inbox"], line["protocol"], line["fetched"], line["error"]) for line in lines] == [
        ("IMAP", "imap", 1, ""), ("POP3", "pop3", 1, "")]
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["By IMAP", "By POP3"]

    code, lines = run_fetch(capsys, "--inbox", "Off")
    assert code == 0 and lines[0]["fetched"] == 1


def test_an_unreachable_server_is_reported_and_the_other_inboxes_still_fetched(dovecot, capsys):
    fetching_inbox(dovecot, "imap", name="A down", imap_port=free_port())
    dovecot.append(mail(subject="Still here"))
    fetching_inbox(dovecot, "imap", name="B up")

    code, lines = run_fetch(capsys)

    assert code == 75
    assert lines[0]["inbox"] == "A down" and "Connection refused" in lines[0]["error"]
    assert lines[1]["inbox"] == "B up" and lines[1]["fetched"] == 1
    assert Ticket.objects.get().subject == "Still here"


def test_an_unknown_inbox_name_is_a_temporary_failure(capsys):
    with pytest.raises(SystemExit) as exit_status:
        call_command("mail", "fetch", "--inbox", "Nope")
    assert exit_status.value.code == 75 and "Nope" in capsys.readouterr().err


def test_the_background_task_fetches_too(dovecot):
    dovecot.append(mail(subject="From the worker"))
    fetching_inbox(dovecot)
    result = fetch_mailboxes.enqueue()
    assert result.return_value[0]["statuses"] == {"stored": 1}
    assert Ticket.objects.get().subject == "From the worker"
