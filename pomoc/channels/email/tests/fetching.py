"""Inboxes that fetch from the test Dovecot, and broken mail to fetch."""

from pomoc.channels.models import Inbox

from .dovecot import Dovecot

# No From: the pipeline keeps it, but cannot make a ticket of it.
# no sender and no other header of a mail: kept as unprocessable (a mail with a subject but no sender
# opens a ticket from a contact without an address)
BROKEN = b"Message-ID: <broken-1@example.cz>\r\n\r\nWho am I?\r\n"


def fetching_inbox(dovecot: Dovecot, fetch: str = "imap", name: str = "Support", **config) -> Inbox:
    inbox = Inbox(name=name, address="support@pomoc.example", config=dovecot.inbox_config(fetch, **config))
    inbox.set_secret(f"{fetch}_password", dovecot.password)
    inbox.save()
    return inbox
