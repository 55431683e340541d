import pytest

from pomoc.channels.email.fetch import fetch_imap
from pomoc.channels.email.models import MailboxState, RawMail
from pomoc.tickets.models import Message, Ticket

from .fetching import fetching_inbox
from .helpers import mail

pytestmark = pytest.mark.django_db

FOLDER = "Support"


def test_a_recreated_folder_is_scanned_again_without_duplicates(dovecot):
    first, second = mail(subject="First"), mail(subject="Second")
    dovecot.create(FOLDER)
    dovecot.append(first, second, folder=FOLDER)
    inbox = fetching_inbox(dovecot, imap_folder=FOLDER)
    assert fetch_imap(inbox).fetched == 2
    old = MailboxState.objects.get(inbox=inbox)

    # the same mail, new UIDs under a new UIDVALIDITY (a recreated folder, a migrated server), one new
    third = mail(subject="Third")
    dovecot.recreate(FOLDER, first, second, third)
    assert dovecot.uidvalidity(FOLDER) != old.uidvalidity

    report = fetch_imap(inbox)
    assert report.complete and report.fetched == 3, report
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["First", "Second", "Third"]
    assert Message.objects.count() == 3
    assert RawMail.objects.count() == 3  # the same bytes were not kept twice
    state = MailboxState.objects.get(inbox=inbox)
    assert state.uidvalidity == dovecot.uidvalidity(FOLDER) and state.last_uid == 3


def test_a_migrated_server_that_changed_the_bytes_still_stores_nothing_twice(dovecot):
    original = mail(subject="Moved", message_id="<moved-1@example.cz>")
    dovecot.create(FOLDER)
    dovecot.append(original, folder=FOLDER)
    inbox = fetching_inbox(dovecot, imap_folder=FOLDER)
    fetch_imap(inbox)

    dovecot.recreate(FOLDER, b"X-Migrated-By: imapsync\r\n" + original)
    report = fetch_imap(inbox)
    assert report.statuses == {"duplicate": 1}
    assert Message.objects.count() == 1 and Ticket.objects.count() == 1
