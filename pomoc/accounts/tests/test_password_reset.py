import re

import pytest
from django.urls import reverse

from pomoc.testing.factories import UserFactory

pytestmark = pytest.mark.django_db
CSRF = re.compile(rb'"X-CSRFToken": "[^"]*"|name="csrfmiddlewaretoken" value="[^"]*"')


def test_the_answer_is_the_same_whether_or_not_the_address_exists(client, mailoutbox):
    UserFactory(username="alice", email="alice@example.com")
    url = reverse("accounts:password_reset")

    known = client.post(url, {"email": "alice@example.com"})
    assert len(mailoutbox) == 1
    unknown = client.post(url, {"email": "nobody@example.com"})
    assert len(mailoutbox) == 1

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("accounts:password_reset_done")
    assert known.content == unknown.content
    # The page they land on does not depend on the address either (masked CSRF tokens aside).
    page_known, page_unknown = client.get(known["Location"]), client.get(unknown["Location"])
    assert page_known.status_code == page_unknown.status_code == 200
    assert CSRF.sub(b"", page_known.content) == CSRF.sub(b"", page_unknown.content)


def test_the_link_in_the_mail_sets_a_new_password(client, mailoutbox, settings):
    settings.POMOC_BASE_URL = "https://help.example.com"
    settings.ALLOWED_HOSTS = ["*"]  # even when any Host is accepted, links use the configured URL
    user = UserFactory(username="alice", email="alice@example.com")
    client.post(reverse("accounts:password_reset"), {"email": "ALICE@example.com"}, HTTP_HOST="evil.example")
    body = mailoutbox[0].body
    assert "evil.example" not in body and "evil.example" not in mailoutbox[0].subject
    link = re.search(r"https://help\.example\.com(/accounts/reset/\S+/)", body).group(1)

    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"] is True
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "A-much-better-pass-42", "new_password2": "A-much-better-pass-42"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password("A-much-better-pass-42")
    # The link works once.
    assert client.get(link, follow=True).context["validlink"] is False


def test_inactive_users_get_no_mail(client, mailoutbox):
    UserFactory(username="gone", email="gone@example.com", is_active=False)
    response = client.post(reverse("accounts:password_reset"), {"email": "gone@example.com"})
    assert response.status_code == 302
    assert mailoutbox == []


def test_a_logged_in_user_changes_their_password(client):
    user = UserFactory(username="alice")
    client.force_login(user)
    assert client.get(reverse("accounts:password_change")).status_code == 200
    response = client.post(reverse("accounts:password_change"), {
        "old_password": "pass-Word-123", "new_password1": "Another-good-pass-77",
        "new_password2": "Another-good-pass-77",
    })
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change_done")
    user.refresh_from_db()
    assert user.check_password("Another-good-pass-77")
    # Still logged in afterwards (the session hash was updated).
    assert client.get(reverse("accounts:password_change_done")).status_code == 200


def test_a_wrong_old_password_changes_nothing(client):
    user = UserFactory(username="alice")
    client.force_login(user)
    response = client.post(reverse("accounts:password_change"), {
        "old_password": "wrong", "new_password1": "Another-good-pass-77", "new_password2": "Another-good-pass-77",
    })
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password("pass-Word-123")
