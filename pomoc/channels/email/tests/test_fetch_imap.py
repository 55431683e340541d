import pytest

from pomoc.channels.email.fetch import fetch_imap, store_mail
from pomoc.channels.email.models import MailboxState, RawMail, RawMailStatus
from pomoc.tickets.models import Message, Ticket

from .fetching import BROKEN, fetching_inbox
from .helpers import mail

pytestmark = pytest.mark.django_db


def test_new_mail_becomes_tickets_and_is_flagged_seen_only_after_storing(dovecot):
    dovecot.append(mail(sender="jana@example.cz", subject="Printer"), BROKEN,
                   mail(sender="piotr@example.pl", subject="Drukarka"))
    inbox = fetching_inbox(dovecot)
    flags_while_storing = []

    def store(inbox, raw):
        flags_while_storing.append(dict(dovecot.flags()))
        return store_mail(inbox, raw)

    report = fetch_imap(inbox, store=store)

    assert report.complete and report.fetched == 3, report
    assert report.statuses == {"stored": 2, "unprocessable": 1}
    assert RawMail.objects.count() == 3
    assert RawMail.objects.filter(status=RawMailStatus.UNPROCESSABLE).get().message_id_header == "<broken-1@example.cz>"
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["Drukarka", "Printer"]
    # while a mail was being stored, it (and the ones after it) were not yet \Seen; the ones before were
    for index, flags in enumerate(flags_while_storing):
        assert [r"\Seen" in flags[uid] for uid in sorted(flags)] == [i < index for i in range(3)]
    assert all(r"\Seen" in f for f in dovecot.flags().values())
    state = MailboxState.objects.get(inbox=inbox, protocol="imap", folder="INBOX")
    assert state.last_uid == 3 and state.uidvalidity == dovecot.uidvalidity()


def test_a_second_run_fetches_nothing_and_later_mail_only_is_fetched(dovecot):
    dovecot.append(mail(subject="One"), mail(subject="Two"))
    inbox = fetching_inbox(dovecot)
    assert fetch_imap(inbox).fetched == 2

    again = fetch_imap(inbox)
    assert again.complete and again.fetched == 0 and RawMail.objects.count() == 2

    dovecot.append(mail(subject="Three"))
    later = fetch_imap(inbox)
    assert later.fetched == 1 and later.statuses == {"stored": 1}
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["One", "Three", "Two"]


def test_mail_read_by_a_person_in_their_mail_client_is_still_fetched(dovecot):
    dovecot.append(mail(subject="Already read"))
    client = dovecot.imap()
    client.select("INBOX")
    client.uid("STORE", "1", "+FLAGS", r"(\Seen)")
    client.logout()
    report = fetch_imap(fetching_inbox(dovecot))
    assert report.fetched == 1 and Ticket.objects.get().subject == "Already read"


def test_a_chosen_folder_with_a_non_ascii_name(dovecot):
    folder = "Podpora & Žádosti"
    dovecot.create(folder)
    dovecot.append(mail(subject="Do složky"), folder=folder)
    dovecot.append(mail(subject="Not this one"))
    inbox = fetching_inbox(dovecot, imap_folder=folder)
    report = fetch_imap(inbox)
    assert report.complete and report.fetched == 1, report
    assert Ticket.objects.get().subject == "Do složky"
    assert MailboxState.objects.get(inbox=inbox).folder == folder


def test_a_wrong_password_is_reported_and_stores_nothing(dovecot):
    inbox = fetching_inbox(dovecot)
    inbox.set_secret("imap_password", "wrong")
    inbox.save()
    dovecot.append(mail())
    report = fetch_imap(inbox)
    assert not report.complete and "wrong" not in report.error and report.fetched == 0
    assert Message.objects.count() == 0
