import datetime as dt

import pytest
from django.utils import timezone

from pomoc.channels.email.ingest import receive_raw
from pomoc.channels.email.models import RawMail, RawMailStatus
from pomoc.channels.email.tasks import process_pending_mail
from pomoc.tickets.models import Message, Ticket

from .helpers import mail, make_inbox

pytestmark = pytest.mark.django_db


def _pending(inbox, age: dt.timedelta, **kwargs) -> RawMail:
    raw_mail = receive_raw(inbox=inbox, raw=mail(**kwargs))
    RawMail.objects.filter(pk=raw_mail.pk).update(received_at=timezone.now() - age)
    return raw_mail


def test_mail_left_pending_is_processed_once_and_young_mail_is_left_alone():
    inbox = make_inbox()
    old = [_pending(inbox, dt.timedelta(minutes=5), subject=f"Left behind {i}") for i in range(3)]
    young = _pending(inbox, dt.timedelta(seconds=5), subject="Still being received")

    assert process_pending_mail.call(limit=2) == {"stored": 2}
    assert process_pending_mail.call() == {"stored": 1}
    assert process_pending_mail.call() == {}  # nothing left: running again stores nothing twice

    assert set(RawMail.objects.filter(pk__in=[r.pk for r in old]).values_list("status", flat=True)) == {
        RawMailStatus.STORED}
    assert RawMail.objects.get(pk=young.pk).status == RawMailStatus.PENDING
    assert Ticket.objects.count() == 3 and Message.objects.count() == 3


def test_the_command_processes_pending_mail_and_prints_the_counts(capsys):
    from django.core.management import call_command

    _pending(make_inbox(), dt.timedelta(minutes=5), subject="After the outage")
    call_command("mail", "process-pending")
    assert capsys.readouterr().out.strip() == '{"stored": 1}'
