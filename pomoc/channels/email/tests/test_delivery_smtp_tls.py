"""An inbox's SMTP server with a certificate of a private CA (made at test time): replies, Pomoc's own
mail and "Test connection" trust it through the inbox's TLS CA certificates, as fetching does, and
refuse it, saying why, without them. A real aiosmtpd server speaks SMTPS or STARTTLS."""

import pytest

from pomoc.channels import outbound as delivery
from pomoc.channels.email import outbound
from pomoc.channels.email.connection_test import check_connection
from pomoc.channels.email.smtpd import tls_context
from pomoc.channels.email.tests.tls import make_authority, write_server_certificate
from pomoc.tickets.models import DeliveryState, Ticket

from .test_delivery_smtp import SMTPServer, customer_mail, ingest, make_inbox, reply

pytestmark = pytest.mark.django_db

SECURITIES = ["starttls", "ssl"]


@pytest.fixture(scope="module")
def authority(tmp_path_factory):
    """A private CA and a server certificate (for 127.0.0.1) it signed."""
    ca = make_authority("Pomoc Private SMTP CA")
    cert_file, key_file = write_server_certificate(ca, tmp_path_factory.mktemp("smtp-tls"))
    return ca, cert_file, key_file


def tls_server(authority, security) -> SMTPServer:
    """aiosmtpd with TLS from the first byte (``ssl``) or STARTTLS required before MAIL and AUTH
    (``starttls``). aiosmtpd counts only STARTTLS as TLS for AUTH, so with ``ssl`` it is not asked to."""
    _ca, cert_file, key_file = authority
    context = tls_context(str(cert_file), str(key_file))
    if security == "ssl":
        return SMTPServer(ssl_context=context)
    return SMTPServer(tls_context=context, require_starttls=True, auth_require_tls=True)


@pytest.fixture(params=SECURITIES)
def server(request, authority):
    with tls_server(authority, request.param) as running:
        running.security = request.param
        yield running


def tls_inbox(server, ca_pem=""):
    return make_inbox(server.port, smtp_security=server.security, tls_ca_certificates=ca_pem)


def ticket_of(inbox):
    return Ticket.objects.get(number=ingest(inbox, customer_mail()).ticket_number)


def test_a_reply_is_sent_over_tls_when_the_inbox_trusts_the_private_ca(server, authority):
    inbox = tls_inbox(server, authority[0].pem)
    sent = reply(ticket_of(inbox))
    assert sent.delivery_state == DeliveryState.SENT, sent.delivery_error
    assert server.handler.logins == ["support"]  # the login went over the verified TLS connection
    assert server.handler.envelopes[0].rcpt_tos == ["jana@zakaznik.example"]
    assert server.handler.mail()["Message-ID"] == sent.external_id


def test_without_the_ca_the_reply_fails_saying_why_and_nothing_leaves(server):
    inbox = tls_inbox(server)  # the system's CAs only
    sent = reply(ticket_of(inbox), deliver=False)
    assert delivery.deliver(sent.pk) == delivery.FAILED  # a configuration to fix: no retry can help
    sent.refresh_from_db()
    assert sent.delivery_state == DeliveryState.FAILED
    assert "certificate is not trusted" in sent.delivery_error
    assert "certificate verify failed" in sent.delivery_error or "unable to get local issuer" in sent.delivery_error
    assert "TLS CA certificates" in sent.delivery_error  # the way out
    assert server.handler.envelopes == [] and server.handler.logins == []  # no password was sent


def test_another_ca_is_not_enough(server):
    inbox = tls_inbox(server, make_authority("Some Other CA").pem)
    sent = reply(ticket_of(inbox))
    assert sent.delivery_state == DeliveryState.FAILED
    assert "certificate is not trusted" in sent.delivery_error
    assert server.handler.envelopes == []


def test_after_the_ca_is_added_the_failed_reply_is_sent_again(server, authority):
    inbox = tls_inbox(server)
    sent = reply(ticket_of(inbox))
    assert sent.delivery_state == DeliveryState.FAILED
    inbox.config = {**inbox.config, "tls_ca_certificates": authority[0].pem}
    inbox.save(update_fields=["config"])
    sent.delivery_state = DeliveryState.QUEUED  # what the agent's "Retry" does (retry_delivery)
    sent.save(update_fields=["delivery_state"])
    assert delivery.deliver(sent.pk) == delivery.SENT
    assert len(server.handler.envelopes) == 1


def test_automatic_mail_uses_the_inbox_ca_too(server, authority):
    trusting = tls_inbox(server, authority[0].pem)
    result = outbound.send_automatic(to="jana@zakaznik.example", subject="Received", body_text="We got it.",
                                     inbox=trusting)
    assert result.outcome == outbound.SENT, result.reason
    assert server.handler.mail()["Auto-Submitted"] == "auto-replied"

    trusting.config = {**trusting.config, "tls_ca_certificates": ""}
    trusting.save(update_fields=["config"])
    refused = outbound.send_automatic(to="petr@zakaznik.example", subject="Received", body_text="We got it.",
                                      inbox=trusting)
    assert refused.outcome == outbound.FAILED
    assert "certificate is not trusted" in refused.reason
    assert len(server.handler.envelopes) == 1


def test_the_connection_test_trusts_the_inbox_ca(server, authority):
    [result] = check_connection(tls_inbox(server, authority[0].pem))
    assert (result.protocol, result.ok) == ("SMTP", True)
    assert result.message == "Connected and logged in."
    assert server.handler.logins == ["support"]


def test_the_connection_test_explains_an_untrusted_certificate(server):
    [result] = check_connection(tls_inbox(server))
    assert (result.protocol, result.ok) == ("SMTP", False)
    assert result.message.startswith("Could not connect: the server's certificate is not trusted")
    assert "TLS CA certificates" in result.message  # the way out, as for IMAP and POP3
    assert server.handler.logins == []
