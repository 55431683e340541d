"""``pomoc smtpd`` with STARTTLS and AUTH: a real SMTP conversation over TLS (a certificate from a
throwaway CA), senders that must log in, passwords only over TLS."""

import smtplib
import ssl
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from pomoc.channels.email.models import RawMail
from pomoc.channels.email.outbound import _SMTP
from pomoc.channels.email.smtpd import PasswordAuthenticator, PomocSMTPHandler, SMTPReceiver, load_routes, tls_context
from pomoc.testing.services import free_port
from pomoc.tickets.models import Ticket

from .helpers import mail, make_inbox
from .tls import make_authority, write_server_certificate

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Heslo-Žluťoučký-1"  # noqa: S105 - a throwaway password of a throwaway server


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    authority = make_authority()
    cert_file, key_file = write_server_certificate(authority, tmp_path_factory.mktemp("smtpd-tls"))
    return authority, cert_file, key_file


@contextmanager
def secure_receiver(certificate, **kwargs):
    authority, cert_file, key_file = certificate
    handler = PomocSMTPHandler(hostname="pomoc.test")
    handler.routes = load_routes()
    server = SMTPReceiver(handler, host="127.0.0.1", port=free_port(),
                          tls_context=tls_context(str(cert_file), str(key_file)), **kwargs)
    server.start()
    try:
        # the client replies are sent with: logins in UTF-8
        with _SMTP("127.0.0.1", server.port, local_hostname="client.test", timeout=30) as client:
            yield client, ssl.create_default_context(cadata=authority.pem)
    finally:
        server.stop()


def test_starttls_is_offered_and_the_mail_is_stored(certificate):
    make_inbox()
    with secure_receiver(certificate) as (client, context):
        client.ehlo()
        assert client.has_extn("starttls")
        client.starttls(context=context)  # the client checks the certificate (name and CA)
        client.ehlo()
        assert client.sendmail("jana@example.cz", ["support@pomoc.example"], mail(subject="Přes TLS")) == {}
    assert Ticket.objects.get().subject == "Přes TLS"


def test_with_require_starttls_plain_mail_is_refused(certificate):
    make_inbox()
    with secure_receiver(certificate, require_starttls=True) as (client, _context):
        client.ehlo()
        code, answer = client.mail("jana@example.cz")
        assert code == 530 and b"STARTTLS" in answer
    assert RawMail.objects.count() == 0


def test_senders_must_log_in_over_tls(certificate):
    make_inbox()
    authenticator = PasswordAuthenticator("mta", PASSWORD)
    with secure_receiver(certificate, authenticator=authenticator) as (client, context):
        client.ehlo()
        assert not client.has_extn("auth")  # never offered in clear
        client.starttls(context=context)
        client.ehlo()
        assert client.has_extn("auth")
        code, _answer = client.mail("jana@example.cz")
        assert code == 530  # not logged in
        client.rset()
        with pytest.raises(smtplib.SMTPAuthenticationError):
            client.login("mta", "wrong")
        client.login("mta", PASSWORD)
        assert client.sendmail("jana@example.cz", ["support@pomoc.example"], mail(subject="Logged in")) == {}
    assert Ticket.objects.get().subject == "Logged in"


def test_auth_without_tls_is_refused():
    with pytest.raises(ValueError, match="TLS"):
        SMTPReceiver(PomocSMTPHandler(hostname="x"), authenticator=PasswordAuthenticator("mta", PASSWORD))


@pytest.mark.parametrize(("args", "env", "message"), [
    (["--auth-user", "mta"], {"POMOC_SMTPD_PASSWORD": PASSWORD}, "--tls-cert"),
    (["--tls-cert", "x.pem"], {}, "--tls-key"),
    (["--require-starttls"], {}, "--tls-cert"),
    (["--tls-cert", "/nonexistent/cert.pem", "--tls-key", "/nonexistent/key.pem"], {}, "cannot be used"),
])
def test_the_command_refuses_incomplete_security_settings(monkeypatch, args, env, message):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(CommandError, match=message):
        call_command("smtpd", "--port", str(free_port()), *args)


def test_the_command_needs_the_password_for_auth(monkeypatch, certificate):
    _authority, cert_file, key_file = certificate
    monkeypatch.delenv("POMOC_SMTPD_PASSWORD", raising=False)
    monkeypatch.delenv("POMOC_SMTPD_PASSWORD_FILE", raising=False)
    with pytest.raises(CommandError, match="POMOC_SMTPD_PASSWORD"):
        call_command("smtpd", "--port", str(free_port()), "--tls-cert", str(cert_file), "--tls-key", str(key_file),
                     "--auth-user", "mta")
