import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from pomoc.accounts.models import Role
from pomoc.channels.email.models import RawMail, RawMailStatus
from pomoc.channels.email.tests.helpers import ingest, mail, make_inbox
from pomoc.testing.factories import UserFactory, make_customer_user
from pomoc.tickets.models import Ticket

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def admin(client):
    user = UserFactory(role=Role.ADMINISTRATOR)
    client.force_login(user)
    return user


@pytest.fixture
def too_big():
    """A mail kept as unprocessable: larger than its inbox's limit."""
    inbox = make_inbox(config={"max_message_bytes": 10 * 1024})
    raw = mail(subject=HOSTILE, sender="Mallory <mallory@example.net>", text="x" * 20000)
    raw_mail, result = ingest(inbox, raw)
    assert result.status == "unprocessable"
    return raw_mail


def test_the_list_shows_unprocessable_mail_newest_first_and_escaped(client, admin, too_big):
    older, _result = ingest(too_big.inbox, mail(subject="Older one", text="y" * 20000))
    RawMail.objects.filter(pk=older.pk).update(received_at=timezone.now() - dt.timedelta(days=1))
    stored, result = ingest(make_inbox(name="Other", address="other@example.org"), mail(subject="Fine"))
    assert result.status == "stored"

    response = client.get(reverse("administration:raw_mails"))
    assert response.status_code == 200
    html = response.content.decode()
    assert [row["raw"].pk for row in response.context["rows"]] == [too_big.pk, older.pk]
    assert "<script>alert" not in html and "onerror=alert(1)>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "mallory@example.net" in html and "larger than the inbox" in html and "Support" in html
    assert "Fine" not in html
    assert reverse("administration:raw_mail_download", args=[too_big.pk]) in html


def test_ignored_mail_has_its_own_filter(client, admin):
    ignored, result = ingest(make_inbox(), mail(subject="Out of office", headers={"Auto-Submitted": "auto-replied"}))
    assert result.status == "ignored"
    assert client.get(reverse("administration:raw_mails")).context["rows"] == []
    rows = client.get(reverse("administration:raw_mails"), {"status": "ignored"}).context["rows"]
    assert [row["raw"].pk for row in rows] == [ignored.pk] and rows[0]["subject"] == "Out of office"


def test_the_raw_message_downloads_byte_for_byte(client, admin, too_big):
    response = client.get(reverse("administration:raw_mail_download", args=[too_big.pk]))
    assert response.status_code == 200
    assert response.content == bytes(RawMail.objects.get(pk=too_big.pk).raw)
    assert response["Content-Type"] == "message/rfc822"
    assert response["Content-Disposition"] == f'attachment; filename="mail-{too_big.pk}.eml"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_process_again_after_raising_the_limit_stores_the_mail(client, admin, too_big):
    url = reverse("administration:raw_mail_reprocess", args=[too_big.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert "still cannot be processed" in response.content.decode()
    assert Ticket.objects.count() == 0

    inbox = too_big.inbox
    inbox.config = {**inbox.config, "max_message_bytes": 1024 * 1024}
    inbox.save()
    response = client.post(url, follow=True)
    too_big.refresh_from_db()
    assert too_big.status == RawMailStatus.STORED and too_big.attempts == 3
    ticket = Ticket.objects.get()
    assert ticket.subject == HOSTILE
    assert f"ticket {ticket.number}" in response.content.decode()
    # processing again is idempotent
    client.post(url)
    assert Ticket.objects.count() == 1


def test_process_all_again(client, admin, too_big):
    second, _result = ingest(too_big.inbox, mail(subject="Second", text="z" * 20000))
    response = client.post(reverse("administration:raw_mail_reprocess_all"), follow=True)
    assert "0 stored, 2 still unprocessable" in response.content.decode()

    inbox = too_big.inbox
    inbox.config = {"max_message_bytes": 1024 * 1024}
    inbox.save()
    response = client.post(reverse("administration:raw_mail_reprocess_all"), follow=True)
    assert "2 stored, 0 still unprocessable" in response.content.decode()
    assert Ticket.objects.count() == 2
    assert not RawMail.objects.filter(status=RawMailStatus.UNPROCESSABLE).exists()


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.AGENT])
def test_staff_who_are_not_administrators_get_403(client, role, too_big):
    client.force_login(UserFactory(role=role))
    assert client.get(reverse("administration:raw_mails")).status_code == 403
    assert client.get(reverse("administration:raw_mail_download", args=[too_big.pk])).status_code == 403
    assert client.post(reverse("administration:raw_mail_reprocess", args=[too_big.pk])).status_code == 403
    assert client.post(reverse("administration:raw_mail_reprocess_all")).status_code == 403
    too_big.refresh_from_db()
    assert too_big.attempts == 1


def test_customers_get_403_and_visitors_the_login_page(client, too_big):
    url = reverse("administration:raw_mail_download", args=[too_big.pk])
    assert client.get(url).status_code == 302
    client.force_login(make_customer_user())
    assert client.get(url).status_code == 403
    assert client.get(reverse("administration:raw_mails")).status_code == 403
