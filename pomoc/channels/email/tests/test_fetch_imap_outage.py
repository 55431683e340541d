import pytest
from django.db import OperationalError

from pomoc.channels.email.fetch import fetch_imap, store_mail
from pomoc.channels.email.models import MailboxState, RawMail
from pomoc.tickets.models import Ticket

from .fetching import fetching_inbox
from .helpers import mail

pytestmark = pytest.mark.django_db


def failing_from(call: int):
    """``store_mail`` whose ``call``-th call onwards fails as with the database down."""
    calls = []

    def store(inbox, raw):
        calls.append(raw)
        if len(calls) >= call:
            raise OperationalError("could not connect to server: Connection refused")
        return store_mail(inbox, raw)

    return store


def test_a_database_outage_stops_the_run_and_the_next_run_backfills(dovecot):
    dovecot.append(mail(subject="One"), mail(subject="Two"), mail(subject="Three"))
    inbox = fetching_inbox(dovecot)

    report = fetch_imap(inbox, store=failing_from(2))

    assert report.database_error and not report.complete and "OperationalError" in report.error
    assert report.fetched == 2 and report.statuses == {"stored": 1}
    assert MailboxState.objects.get(inbox=inbox).last_uid == 1
    assert [r"\Seen" in flags for _uid, flags in sorted(dovecot.flags().items())] == [True, False, False]

    # a long outage: more mail arrives meanwhile; the next run takes everything since
    dovecot.append(mail(subject="Four"))
    later = fetch_imap(inbox)
    assert later.complete and later.fetched == 3
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["Four", "One", "Three", "Two"]
    assert MailboxState.objects.get(inbox=inbox).last_uid == 4
    assert all(r"\Seen" in flags for flags in dovecot.flags().values())


def test_mail_kept_but_not_processed_before_the_outage_is_processed_not_kept_again(dovecot):
    dovecot.append(mail(subject="Half way"))
    inbox = fetching_inbox(dovecot)

    def kept_then_down(inbox, raw):
        from pomoc.channels.email.ingest import receive_raw

        receive_raw(inbox=inbox, raw=raw)
        raise OperationalError("server closed the connection unexpectedly")

    assert fetch_imap(inbox, store=kept_then_down).database_error
    assert RawMail.objects.get().status == "pending"

    assert fetch_imap(inbox).statuses == {"stored": 1}
    assert RawMail.objects.get().status == "stored" and Ticket.objects.get().subject == "Half way"


def test_an_unexpected_error_on_one_mail_does_not_block_the_others(dovecot):
    dovecot.append(mail(subject="One"), mail(subject="Bad luck"), mail(subject="Three"))
    inbox = fetching_inbox(dovecot)

    def store(inbox, raw):
        if b"Bad luck" in raw:
            raise RuntimeError("a bug")
        return store_mail(inbox, raw)

    report = fetch_imap(inbox, store=store)
    assert report.failed == 1 and report.statuses == {"stored": 2}
    assert MailboxState.objects.get(inbox=inbox).last_uid == 1  # tried again next run

    again = fetch_imap(inbox)
    assert again.complete and again.fetched == 2
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["Bad luck", "One", "Three"]
