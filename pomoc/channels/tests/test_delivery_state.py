"""Honest delivery state: a reply is never shown as sent when nothing could send it; a reply waiting
for another attempt shows the last error and when the next attempt is due; inboxes whose sending
fails are flagged in the administration."""

import datetime as dt
import re
import socket

import pytest
from django.utils import timezone

from pomoc.accounts.models import Role
from pomoc.channels import outbound
from pomoc.channels import services as inbox_services
from pomoc.channels.models import Inbox
from pomoc.testing.factories import ContactFactory, UserFactory, make_ticket
from pomoc.tickets import services
from pomoc.tickets.models import DeliveryState, EventType, MessageKind

pytestmark = pytest.mark.django_db

CONSOLE = "django.core.mail.backends.console.EmailBackend"


@pytest.fixture
def admin(client):
    user = UserFactory(username="boss", role=Role.ADMINISTRATOR)
    client.force_login(user)
    return user


def closed_port() -> int:
    """A local port nothing listens on (the connection is refused at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_without_an_outgoing_mail_server_a_reply_fails_with_the_way_to_fix_it(client, admin, settings, capsys,
                                                                                django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = CONSOLE  # what an installation without EMAIL_HOST has
    ticket = make_ticket(requester=ContactFactory(email="jana@example.cz"))
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "No outgoing mail server is configured" in page  # said before anyone writes
    assert 'href="/manage/inboxes/"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/tickets/{ticket.number}/reply/", {"body": "We are on it."}, follow=True)
    html = response.content.decode()
    assert "could not be sent: No outgoing mail server is configured" in html
    reply = ticket.messages.get(kind=MessageKind.REPLY)
    assert reply.delivery_state == DeliveryState.FAILED
    assert "EMAIL_HOST" in reply.delivery_error and "SMTP server" in reply.delivery_error
    assert "This reply was not sent." in html and "Send again" in html
    assert capsys.readouterr().out == ""  # nothing was "sent" to the console either
    assert list(ticket.events.filter(type__startswith="delivery").values_list("type", flat=True)) == [
        EventType.DELIVERY_FAILED]
    # "Send again" before a server is set up: failed again, never sent.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/tickets/{ticket.number}/messages/{reply.pk}/retry/")
    reply.refresh_from_db()
    assert reply.delivery_state == DeliveryState.FAILED
    # With a server, the same reply goes out.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/tickets/{ticket.number}/messages/{reply.pk}/retry/")
    reply.refresh_from_db()
    assert reply.delivery_state == DeliveryState.SENT


def test_an_inbox_with_its_own_smtp_server_needs_no_installation_server(settings):
    settings.EMAIL_BACKEND = CONSOLE
    inbox = inbox_services.inbox_create(kind="email", name="Support", address="support@example.com",
                                        config={"smtp_host": "127.0.0.1", "smtp_port": closed_port()})
    agent = UserFactory()
    ticket = make_ticket(reply_inbox=inbox)
    reply = services.message_add(ticket=ticket, kind=MessageKind.REPLY, actor=agent, body_text="Hello.")
    assert reply.delivery_state == DeliveryState.QUEUED  # attempted: its server decides


def test_a_reply_waiting_for_another_attempt_shows_the_last_error_and_the_next_attempt(client, admin, settings):
    settings.EMAIL_TIMEOUT = 2
    inbox = inbox_services.inbox_create(kind="email", name="Support", address="support@example.com",
                                        config={"smtp_host": "127.0.0.1", "smtp_port": closed_port()})
    ticket = make_ticket(reply_inbox=inbox, requester=ContactFactory(email="mari@example.ee"))
    reply = services.message_add(ticket=ticket, kind=MessageKind.REPLY, actor=admin, body_text="Hello.")
    retry_at = timezone.now() + dt.timedelta(minutes=4)
    assert outbound.deliver(reply.pk, retry_at=retry_at) == outbound.RETRY
    html = client.get(f"/tickets/{ticket.number}/").content.decode()
    article = re.search(rf'<article id="message-{reply.pk}".*?</article>', html, re.S).group(0)
    assert "Waiting to be sent again" in article
    assert "Not sent yet; it will be tried again." in article
    assert "ConnectionRefusedError" in article
    local = timezone.localtime(retry_at)
    assert f'datetime="{local.isoformat()}"' in article
    assert "Reply not sent yet, another attempt follows: ConnectionRefusedError" in html  # the history line

    # The inbox is flagged in the administration while its sending fails…
    inbox.refresh_from_db()
    assert inbox.sending_failing_since is not None and "ConnectionRefusedError" in inbox.sending_error
    since = inbox.sending_failing_since
    outbound.deliver(reply.pk, retry_at=retry_at)
    inbox.refresh_from_db()
    assert inbox.sending_failing_since == since  # failing since the first failure, not the latest
    listing = client.get("/manage/inboxes/").content.decode()
    assert "Sending failing since" in listing and "ConnectionRefusedError" in listing

    # …and no longer once a reply goes out.
    inbox_services.inbox_update(inbox=inbox, changes={"config": {"smtp_host": ""}})
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbound.deliver(reply.pk) == outbound.SENT
    inbox.refresh_from_db()
    assert inbox.sending_failing_since is None and inbox.sending_error == ""
    assert "Sending failing since" not in client.get("/manage/inboxes/").content.decode()


def test_the_administration_says_which_inboxes_cannot_send_at_all(client, admin, settings):
    settings.EMAIL_BACKEND = CONSOLE
    Inbox.objects.create(name="No server", address="plain@example.com")
    inbox_services.inbox_create(kind="email", name="Own server", address="own@example.com",
                                config={"smtp_host": "smtp.example.com"})
    listing = client.get("/manage/inboxes/").content.decode()
    assert listing.count("Replies cannot be sent") == 1
    row = re.search(r"No server.*?</tr>", listing, re.S).group(0)
    assert "Replies cannot be sent" in row and "EMAIL_HOST" in row
