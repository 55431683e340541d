"""Fetching over TLS from the test Dovecot (IMAPS, IMAP STARTTLS, POP3S, POP3 STLS), certificates
always verified: an unknown certificate is refused with a clear reason and nothing is touched."""

import pytest
from django.core.exceptions import ValidationError

from pomoc.channels import services as inbox_services
from pomoc.channels.email.connection_test import check_connection
from pomoc.channels.email.fetch import fetch_imap, fetch_pop3
from pomoc.channels.email.models import MailboxState, RawMail
from pomoc.channels.models import Inbox
from pomoc.tickets.models import Ticket

from .helpers import mail
from .tls import make_authority

pytestmark = pytest.mark.django_db


def tls_inbox(dovecot, fetch, security, **extra):
    inbox = Inbox(name="Support", address="support@pomoc.example",
                  config=dovecot.tls_inbox_config(fetch, security, **extra))
    inbox.set_secret(f"{fetch}_password", dovecot.password)
    inbox.save()
    return inbox


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_imap_over_tls(dovecot, security):
    dovecot.append(mail(subject=f"Přes {security}"))
    report = fetch_imap(tls_inbox(dovecot, "imap", security))
    assert report.complete and report.statuses == {"stored": 1}, report
    assert Ticket.objects.get().subject == f"Přes {security}"


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_pop3_over_tls(dovecot, security):
    dovecot.append(mail(subject=f"POP3 {security}"))
    report = fetch_pop3(tls_inbox(dovecot, "pop3", security))
    assert report.complete and report.statuses == {"stored": 1}, report


@pytest.mark.parametrize(("fetch", "security"), [("imap", "ssl"), ("imap", "starttls"), ("pop3", "ssl"),
                                                 ("pop3", "starttls")])
def test_an_unknown_certificate_is_refused_and_nothing_is_touched(dovecot, fetch, security):
    dovecot.append(mail(subject="Nesmí projít"))
    inbox = tls_inbox(dovecot, fetch, security, tls_ca_certificates=make_authority("Someone else").pem)
    report = (fetch_imap if fetch == "imap" else fetch_pop3)(inbox)
    assert not report.complete and report.fetched == 0
    assert "certificate is not trusted" in report.error and "TLS CA certificates" in report.error, report.error
    assert RawMail.objects.count() == 0 and not MailboxState.objects.exists()
    assert [r"\Seen" in flags for flags in dovecot.flags().values()] == [False]  # not marked read


def test_without_the_private_ca_the_system_cas_do_not_trust_it(dovecot):
    inbox = tls_inbox(dovecot, "imap", "ssl", tls_ca_certificates="")
    report = fetch_imap(inbox)
    assert "certificate is not trusted" in report.error and report.fetched == 0


def test_the_connection_test_explains_an_untrusted_certificate(dovecot):
    inbox = tls_inbox(dovecot, "imap", "starttls", tls_ca_certificates="")
    [result] = check_connection(inbox)
    assert not result.ok and "certificate is not trusted" in result.message and "TLS CA certificates" in result.message
    inbox.config = dovecot.tls_inbox_config("imap", "starttls")
    inbox.save()
    [result] = check_connection(inbox)
    assert result.ok, result.message


def test_the_ca_certificates_setting_accepts_only_pem_certificates(dovecot):
    inbox = tls_inbox(dovecot, "pop3", "ssl", tls_ca_certificates="")
    with pytest.raises(ValidationError) as error:
        inbox_services.inbox_update(inbox=inbox, changes={"config": {"tls_ca_certificates": "not a certificate"}})
    assert "config.tls_ca_certificates" in error.value.message_dict
    inbox_services.inbox_update(inbox=inbox, changes={"config": {"tls_ca_certificates": dovecot.ca_pem}})
    inbox.refresh_from_db()
    assert fetch_pop3(inbox).complete
