import json
import logging

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from django.urls import reverse

from pomoc.accounts.models import Role
from pomoc.channels.email.tests.conftest import dovecot, dovecot_server  # noqa: F401 - fixtures (real IMAP/POP3)
from pomoc.channels.models import Inbox
from pomoc.channels.services import inbox_create
from pomoc.testing.factories import DepartmentFactory, UserFactory, make_customer_user
from pomoc.testing.services import free_port

pytestmark = pytest.mark.django_db

PASSWORD = "S3cret-Password-xyz"
UTF8_PASSWORD = "Heslo-Žluťoučký-1"


@pytest.fixture
def admin(client):
    user = UserFactory(role=Role.ADMINISTRATOR)
    client.force_login(user)
    return user


def form_data(**overrides) -> dict:
    data = {
        "name": "Support", "address": "Support@Example.org", "department": "", "active": "on", "fetch": "pipe",
        "imap_host": "", "imap_port": "993", "imap_security": "ssl", "imap_username": "", "imap_folder": "INBOX",
        "pop3_host": "", "pop3_port": "995", "pop3_security": "ssl", "pop3_username": "",
        "smtp_host": "smtp.example.org", "smtp_port": "587", "smtp_security": "starttls",
        "smtp_username": "support", "smtp_password": PASSWORD, "from_name": "Example support",
        "extra_addresses": "help@example.org\nHELP@example.org", "max_message_bytes": "1000000",
    }
    return data | overrides


def _our_logs(caplog) -> str:
    """Everything logged, except the test SMTP server's own protocol trace (it is not Pomoc)."""
    return "\n".join(r.getMessage() for r in caplog.records if r.name != "mail.log")


class _Handler:
    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.received.append(envelope.content)
        return "250 OK"


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"support" \
        and auth_data.password in (PASSWORD.encode(), UTF8_PASSWORD.encode("utf-8"))
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp_server():
    controller = Controller(_Handler(), hostname="127.0.0.1", port=free_port(), authenticator=_authenticator,
                            auth_require_tls=False)
    controller.start()
    yield controller
    controller.stop()


def test_an_inbox_is_created_with_its_password_encrypted_and_never_shown(client, admin):
    department = DepartmentFactory()
    response = client.post(reverse("administration:inbox_create") + "?kind=email", form_data(department=department.pk))
    assert response.status_code == 302
    inbox = Inbox.objects.get(name="Support")
    assert inbox.address == "support@example.org" and inbox.department == department
    assert inbox.config["smtp_host"] == "smtp.example.org" and inbox.config["smtp_username"] == "support"
    assert inbox.config["extra_addresses"] == ["help@example.org"]
    assert inbox.config["max_message_bytes"] == 1000000
    # encrypted at rest: neither the config nor the stored secrets hold the password in clear
    assert PASSWORD not in json.dumps(inbox.config) and PASSWORD not in json.dumps(inbox.secrets)
    assert inbox.get_secret("smtp_password") == PASSWORD

    page = client.get(reverse("administration:inbox", args=[inbox.pk]))
    html = page.content.decode()
    assert PASSWORD not in html
    assert 'placeholder="unchanged"' in html and "smtp_password_clear" in html
    assert "imap_password_clear" not in html  # nothing stored, nothing to clear
    assert "no-store" in page.headers.get("Cache-Control", "")


def test_an_empty_password_keeps_the_stored_one_and_clear_removes_it(client, admin):
    client.post(reverse("administration:inbox_create") + "?kind=email", form_data())
    inbox = Inbox.objects.get()
    url = reverse("administration:inbox", args=[inbox.pk])

    assert client.post(url, form_data(smtp_password="", from_name="Helpdesk")).status_code == 302
    inbox.refresh_from_db()
    assert inbox.get_secret("smtp_password") == PASSWORD and inbox.config["from_name"] == "Helpdesk"

    client.post(url, form_data(smtp_password="new-one-123"))
    inbox.refresh_from_db()
    assert inbox.get_secret("smtp_password") == "new-one-123"

    client.post(url, form_data(smtp_password="", smtp_password_clear="on"))
    inbox.refresh_from_db()
    assert inbox.get_secret("smtp_password") == "" and "smtp_password" not in inbox.secrets


def test_wrong_values_are_shown_on_their_fields_and_nothing_is_saved(client, admin):
    inbox_create(kind="email", name="Sales", address="sales@example.org")
    response = client.post(reverse("administration:inbox_create") + "?kind=email", form_data(
        name="sales", address="not an address", smtp_host="bad host;rm", smtp_port="70000",
        fetch="imap", imap_host="", extra_addresses="ok@example.org\nnope", max_message_bytes="5",
    ))
    assert response.status_code == 200
    errors = response.context["form"].errors
    for field in ("name", "address", "smtp_host", "smtp_port", "extra_addresses", "max_message_bytes"):
        assert field in errors, field
    assert Inbox.objects.count() == 1
    html = response.content.decode()
    assert "Another inbox already has this name." in html and PASSWORD not in html

    # IMAP needs its server, username and folder
    response = client.post(reverse("administration:inbox_create") + "?kind=email", form_data(fetch="imap", imap_folder=""))
    errors = response.context["form"].errors
    assert {"imap_host", "imap_username", "imap_folder"} <= set(errors)
    assert Inbox.objects.count() == 1


def test_deactivating_an_inbox_keeps_it(client, admin):
    inbox = inbox_create(kind="email", name="Old", address="old@example.org")
    assert client.get(reverse("administration:inbox_deactivate", args=[inbox.pk])).status_code == 405
    assert client.post(reverse("administration:inbox_deactivate", args=[inbox.pk])).status_code == 302
    inbox.refresh_from_db()
    assert not inbox.active
    listing = client.get(reverse("administration:inboxes")).content.decode()
    assert "Old" in listing and "Deactivated" in listing


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.AGENT])
def test_only_administrators_manage_inboxes(client, role):
    inbox = inbox_create(kind="email", name="Support", address="support@example.org",
                         secrets={"smtp_password": PASSWORD})
    client.force_login(UserFactory(role=role))
    for name, args in [("inboxes", []), ("inbox_create", []), ("inbox", [inbox.pk])]:
        assert client.get(reverse(f"administration:{name}", args=args)).status_code == 403
    for name in ("inbox", "inbox_deactivate", "inbox_test"):
        assert client.post(reverse(f"administration:{name}", args=[inbox.pk]), form_data()).status_code == 403
    inbox.refresh_from_db()
    assert inbox.active and inbox.name == "Support"


def test_customers_and_visitors_are_kept_out(client):
    inbox = inbox_create(kind="email", name="Support", address="support@example.org")
    assert client.get(reverse("administration:inboxes")).status_code == 302  # to the login page
    client.force_login(make_customer_user())
    assert client.get(reverse("administration:inbox", args=[inbox.pk])).status_code == 403
    assert client.post(reverse("administration:inbox_test", args=[inbox.pk])).status_code == 403


def test_connection_test_logs_in_to_a_real_smtp_server(client, admin, smtp_server, caplog):
    caplog.set_level(logging.DEBUG)
    client.post(reverse("administration:inbox_create") + "?kind=email", form_data(
        smtp_host="127.0.0.1", smtp_port=str(smtp_server.port), smtp_security="none",
    ))
    inbox = Inbox.objects.get()
    response = client.post(reverse("administration:inbox_test", args=[inbox.pk]))
    assert response.status_code == 200
    [result] = response.context["results"]
    assert result.protocol == "SMTP" and result.ok, result.message
    html = response.content.decode()
    assert "Connected and logged in." in html and PASSWORD not in html
    assert PASSWORD not in _our_logs(caplog)


def test_a_password_with_accented_letters_logs_in_as_replies_do(client, admin, smtp_server):
    client.post(reverse("administration:inbox_create") + "?kind=email", form_data(
        smtp_host="127.0.0.1", smtp_port=str(smtp_server.port), smtp_security="none", smtp_password=UTF8_PASSWORD,
    ))
    response = client.post(reverse("administration:inbox_test", args=[Inbox.objects.get().pk]))
    [result] = response.context["results"]
    assert result.ok, result.message
    assert UTF8_PASSWORD not in response.content.decode()


def test_connection_test_says_clearly_when_the_login_fails(client, admin, smtp_server, caplog):
    caplog.set_level(logging.DEBUG)
    wrong = "Wr0ng-Pass-Word-777"
    client.post(reverse("administration:inbox_create") + "?kind=email", form_data(
        smtp_host="127.0.0.1", smtp_port=str(smtp_server.port), smtp_security="none", smtp_password=wrong,
    ))
    response = client.post(reverse("administration:inbox_test", args=[Inbox.objects.get().pk]))
    [result] = response.context["results"]
    assert not result.ok and "login failed" in result.message and "535" in result.message
    assert wrong not in response.content.decode() and wrong not in _our_logs(caplog)


def test_connection_test_logs_in_to_real_imap_and_pop3_servers(client, admin, dovecot):  # noqa: F811
    client.post(reverse("administration:inbox_create") + "?kind=email", form_data(
        smtp_host="", fetch="imap", imap_host=dovecot.host, imap_port=str(dovecot.imap_port), imap_security="none",
        imap_username=dovecot.user, imap_password=dovecot.password,
        pop3_host=dovecot.host, pop3_port=str(dovecot.pop3_port), pop3_security="none",
        pop3_username=dovecot.user, pop3_password="not-the-password",
    ))
    inbox = Inbox.objects.get()
    response = client.post(reverse("administration:inbox_test", args=[inbox.pk]))
    [imap] = response.context["results"]  # fetching by IMAP: POP3 is not tried
    assert imap.protocol == "IMAP" and imap.ok, imap.message
    assert "INBOX" in imap.message and dovecot.password not in response.content.decode()

    client.post(reverse("administration:inbox", args=[inbox.pk]), form_data(
        smtp_host="", fetch="pop3", imap_host=dovecot.host, imap_port=str(dovecot.imap_port), imap_security="none",
        pop3_host=dovecot.host, pop3_port=str(dovecot.pop3_port), pop3_security="none",
        pop3_username=dovecot.user, pop3_password="",
    ))
    [pop3] = client.post(reverse("administration:inbox_test", args=[inbox.pk])).context["results"]
    assert pop3.protocol == "POP3" and not pop3.ok and "login failed" in pop3.message
    assert "not-the-password" not in pop3.message


def test_connection_test_reports_a_closed_port(client, admin, caplog):
    caplog.set_level(logging.DEBUG)
    port = free_port()  # nothing listens there
    client.post(reverse("administration:inbox_create") + "?kind=email", form_data(
        smtp_host="127.0.0.1", smtp_port=str(port), smtp_security="none",
        fetch="imap", imap_host="127.0.0.1", imap_port=str(free_port()), imap_security="none",
        imap_username="support", imap_password=PASSWORD,
    ))
    response = client.post(reverse("administration:inbox_test", args=[Inbox.objects.get().pk]))
    results = {r.protocol: r for r in response.context["results"]}
    assert set(results) == {"IMAP", "SMTP"}
    for result in results.values():
        assert not result.ok and "Could not connect" in result.message and "connection refused" in result.message
    assert PASSWORD not in response.content.decode() and PASSWORD not in _our_logs(caplog)


def test_error_texts_are_cleaned_of_the_secret():
    import base64

    from pomoc.channels.email.connection_test import sanitize

    plain = base64.b64encode(f"\0support\0{PASSWORD}".encode()).decode()
    text = sanitize(f"535 bad {PASSWORD} {plain}\r\nX-Injected: 1", secret=PASSWORD, username="support")
    assert PASSWORD not in text and plain not in text and "\n" not in text and "•••" in text
