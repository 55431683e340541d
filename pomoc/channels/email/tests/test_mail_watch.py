"""``pomoc mail watch`` against a real Dovecot: IMAP IDLE imports new mail within seconds, IDLE is
renewed, a dropped connection or a restarted server is reconnected to (and the mail that arrived
meanwhile imported), and servers without IDLE (and POP3) are polled."""

import time

import pytest
from django.db import OperationalError

from pomoc.channels.email.models import RawMail
from pomoc.channels.email.watch import Watcher, WatchOptions
from pomoc.testing.services import require_service
from pomoc.tickets.models import Ticket

from .dovecot import Dovecot, unavailable_reason
from .fetching import fetching_inbox
from .helpers import mail

pytestmark = pytest.mark.django_db(transaction=True)

DEADLINE = 15.0  # seconds; IDLE takes well under one, the figures are printed


def wait_for(condition, timeout=DEADLINE, what="the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = condition()
        except OperationalError:  # SQLite's shared in-memory test database: "table is locked" while written
            value = None
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"{what} did not happen within {timeout} s")


def subjects():
    return sorted(Ticket.objects.values_list("subject", flat=True))


@pytest.fixture
def watch():
    watchers = []

    def start(inbox, **options):
        watcher = Watcher(inbox.name, options=WatchOptions(**{"backoff": (0.2,), "rescan": 0.5, **options}))
        watchers.append(watcher)
        watcher.start()
        wait_for(lambda: inbox.pk in watcher.threads, what="the inbox's watcher")
        return watcher.threads[inbox.pk]

    yield start
    for watcher in watchers:
        watcher.stop()


@pytest.fixture
def own_dovecot():
    """A Dovecot of this test's own (it gets halted, or configured differently)."""
    servers = []

    def start(**kwargs):
        reason = unavailable_reason()
        require_service("Dovecot", not reason, hint=reason)
        server = Dovecot(**kwargs)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()


def imported_within(subject, timeout=DEADLINE) -> float:
    started = time.monotonic()
    wait_for(lambda: Ticket.objects.filter(subject=subject).exists(), timeout, f"a ticket “{subject}”")
    return time.monotonic() - started


def test_idle_imports_new_mail_within_seconds(dovecot, watch):
    dovecot.append(mail(subject="Before watching"))
    thread = watch(fetching_inbox(dovecot), idle_renew=300)
    wait_for(lambda: thread.stats.mode == "idle" and subjects() == ["Before watching"], what="the first fetch")

    dovecot.append(mail(subject="Pushed"))
    seconds = imported_within("Pushed")
    print(f"IMAP IDLE: appended mail became a ticket after {seconds * 1000:.0f} ms")
    assert thread.stats.pushes >= 1 and thread.stats.reconnects == 0, thread.stats
    # flagged after storing, as fetch does (just after the commit: waited for)
    wait_for(lambda: all(r"\Seen" in flags for flags in dovecot.flags().values()), what="both flagged \\Seen")
    assert RawMail.objects.count() == 2


def test_idle_is_renewed_before_the_server_limit(dovecot, watch):
    thread = watch(fetching_inbox(dovecot), idle_renew=0.3)
    wait_for(lambda: thread.stats.idle_cycles >= 4, what="four IDLE cycles")
    dovecot.append(mail(subject="After renewals"))
    imported_within("After renewals")
    assert not thread.stats.errors and thread.stats.reconnects == 0


def test_a_dropped_connection_is_reconnected(dovecot, watch):
    thread = watch(fetching_inbox(dovecot), idle_renew=300)
    wait_for(lambda: thread.stats.mode == "idle" and thread.connected, what="IDLE")
    dovecot.kick()
    wait_for(lambda: thread.stats.sessions >= 2 and thread.connected, what="a reconnect")
    dovecot.append(mail(subject="After the kick"))
    imported_within("After the kick")
    assert thread.stats.errors, "the drop is logged"


def test_a_restarted_server_is_reconnected_and_mail_of_meanwhile_imported(own_dovecot, watch):
    server = own_dovecot()
    thread = watch(fetching_inbox(server), idle_renew=300, backoff=(1.0,))
    wait_for(lambda: thread.stats.mode == "idle" and thread.connected, what="IDLE")
    server.halt()
    wait_for(lambda: len(thread.stats.errors) >= 1, what="the watcher noticing the drop")
    server.resume()
    server.append(mail(subject="While it was away"))  # before the watcher is back (its backoff is 1 s)
    imported_within("While it was away")
    assert thread.stats.reconnects >= 1 and thread.stats.mode == "idle"


def test_a_server_without_idle_is_polled(own_dovecot, watch):
    server = own_dovecot(extra_config="imap_capability = IMAP4rev1 LITERAL+ SASL-IR ENABLE UIDPLUS\n")
    thread = watch(fetching_inbox(server), poll_interval=0.3)
    wait_for(lambda: thread.stats.mode == "poll", what="polling")
    server.append(mail(subject="Polled"))
    imported_within("Polled")
    assert thread.stats.idle_cycles == 0


def test_pop3_inboxes_are_polled(dovecot, watch):
    thread = watch(fetching_inbox(dovecot, "pop3"), poll_interval=0.3)
    dovecot.append(mail(subject="By POP3"))
    imported_within("By POP3")
    assert thread.stats.mode == "poll"
