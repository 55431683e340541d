import poplib

import pytest
from django.db import OperationalError

from pomoc.channels.email.fetch import fetch_pop3, store_mail
from pomoc.channels.email.models import MailboxState, RawMail
from pomoc.tickets.models import Ticket

from .fetching import BROKEN, fetching_inbox
from .helpers import mail

pytestmark = pytest.mark.django_db


def server_uidls(dovecot) -> list[str]:
    client = poplib.POP3(dovecot.host, dovecot.pop3_port, timeout=10)
    client.user(dovecot.user)
    client.pass_(dovecot.password)
    try:
        return [line.split()[1].decode() for line in client.uidl()[1]]
    finally:
        client.quit()


def test_pop3_fetches_each_mail_once_by_uidl(dovecot):
    dovecot.append(mail(subject="Pop one"), BROKEN)
    inbox = fetching_inbox(dovecot, "pop3")

    report = fetch_pop3(inbox)
    assert report.complete and report.fetched == 2 and report.statuses == {"stored": 1, "unprocessable": 1}
    assert Ticket.objects.get().subject == "Pop one"
    state = MailboxState.objects.get(inbox=inbox, protocol="pop3")
    assert state.seen_uidls == server_uidls(dovecot)

    assert fetch_pop3(inbox).fetched == 0
    dovecot.append(mail(subject="Pop two"))
    later = fetch_pop3(inbox)
    assert later.fetched == 1 and later.statuses == {"stored": 1}
    assert RawMail.objects.count() == 3 and len(server_uidls(dovecot)) == 3  # nothing deleted by default


def test_pop3_deletes_from_the_server_only_when_asked_and_only_what_was_stored(dovecot):
    dovecot.append(mail(subject="Keep me"), mail(subject="Delete me"))
    inbox = fetching_inbox(dovecot, "pop3", pop3_delete=True)



    def down_at_second(inbox, raw, calls=[]):  # noqa: B006 - a counter for this test only
        calls.append(raw)
        if len(calls) == 2:
            raise OperationalError("database down")
        return store_mail(inbox, raw)

    report = fetch_pop3(inbox, store=down_at_second)
    assert report.database_error and report.statuses == {"stored": 1}
    assert len(server_uidls(dovecot)) == 1  # the stored one is gone, the other waits

    again = fetch_pop3(inbox)
    assert again.complete and again.fetched == 1
    assert server_uidls(dovecot) == []
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["Delete me", "Keep me"]
    # deleted mail does not come back: the next run forgets its UIDLs
    assert fetch_pop3(inbox).fetched == 0 and MailboxState.objects.get(inbox=inbox).seen_uidls == []
