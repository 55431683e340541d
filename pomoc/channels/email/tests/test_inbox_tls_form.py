"""The administrators' inbox form takes a private CA for IMAP/POP3 over TLS; "Test connection" uses it."""

import pytest
from django.urls import reverse

from pomoc.accounts.models import Role
from pomoc.channels.email.config import EmailInboxConfig
from pomoc.channels.models import Inbox
from pomoc.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def form_data(dovecot, **overrides) -> dict:
    return {
        "name": "Support", "address": "support@pomoc.example", "department": "", "active": "on", "fetch": "imap",
        "imap_host": dovecot.host, "imap_port": str(dovecot.imaps_port), "imap_security": "ssl",
        "imap_username": dovecot.user, "imap_password": dovecot.password, "imap_folder": "INBOX",
        "pop3_host": "", "pop3_port": "995", "pop3_security": "ssl", "pop3_username": "",
        "smtp_host": "", "smtp_port": "587", "smtp_security": "starttls", "smtp_username": "",
        "from_name": "", "extra_addresses": "", "max_message_bytes": "1000000",
        "tls_ca_certificates": dovecot.ca_pem,
    } | overrides


def test_a_private_ca_is_saved_and_used_by_the_connection_test(client, dovecot):
    client.force_login(UserFactory(role=Role.ADMINISTRATOR))
    response = client.post(reverse("administration:inbox_create") + "?kind=email",
                           form_data(dovecot, tls_ca_certificates="junk"))
    assert response.status_code == 200 and "PEM" in response.content.decode()
    assert not Inbox.objects.exists()

    assert client.post(reverse("administration:inbox_create") + "?kind=email", form_data(dovecot)).status_code == 302
    inbox = Inbox.objects.get()
    assert EmailInboxConfig.from_dict(inbox.config).tls_ca_certificates.strip() == dovecot.ca_pem.strip()
    page = client.post(reverse("administration:inbox_test", args=[inbox.pk]), follow=True).content.decode()
    assert "Connected, logged in and opened the folder" in page, page

    edit = reverse("administration:inbox", args=[inbox.pk])
    assert client.post(edit, form_data(dovecot, tls_ca_certificates="", imap_password="")).status_code == 302
    page = client.post(reverse("administration:inbox_test", args=[inbox.pk]), follow=True).content.decode()
    assert "certificate is not trusted" in page and "TLS CA certificates" in page
