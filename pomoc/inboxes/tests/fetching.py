"""Inboxes that fetch from the test Dovecot, and broken mail to fetch."""

from pomoc.inboxes.models import Inbox

from .dovecot import Dovecot

# No From: the pipeline keeps it, but cannot make a ticket of it.
BROKEN = b"Subject: nobody sent this\r\nMessage-ID: <broken-1@example.cz>\r\n\r\nWho am I?\r\n"


def fetching_inbox(dovecot: Dovecot, fetch: str = "imap", name: str = "Support", **config) -> Inbox:
    inbox = Inbox(name=name, address="support@pomoc.example", config=dovecot.inbox_config(fetch, **config))
    inbox.set_secret(f"{fetch}_password", dovecot.password)
    inbox.save()
    return inbox
