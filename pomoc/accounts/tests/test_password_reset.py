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


# --- the same work whatever the address; the mail from the task queue; rate limits -------------
def post_reset(client, email: str):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("accounts:password_reset"), {"email": email})
    return response, [query["sql"] for query in queries.captured_queries]


def test_an_existing_and_a_missing_address_take_the_same_path(client, queue, mailoutbox):
    from pomoc.accounts.tasks import send_password_reset

    UserFactory(username="alice", email="alice@example.com")
    known, known_sql = post_reset(client, "alice@example.com")
    unknown, unknown_sql = post_reset(client, "nobody@example.com")

    # No mail in the request; one task each, the same task with arguments of the same shape.
    assert mailoutbox == []
    assert [result.task.func for result in queue.results] == [send_password_reset.func] * 2
    shapes = [([type(arg) for arg in result.args], sorted(result.kwargs)) for result in queue.results]
    assert shapes[0] == shapes[1]
    assert [result.args[0] for result in queue.results] == ["alice@example.com", "nobody@example.com"]
    assert {result.task.queue_name for result in queue.results} == {"mail"}
    # The same queries (the address is never looked up here) and the same templates.
    assert known_sql == unknown_sql
    assert not any("accounts_user" in sql for sql in known_sql)
    assert [t.name for t in known.templates] == [t.name for t in unknown.templates]
    # The same answer.
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("accounts:password_reset_done")
    assert known.content == unknown.content


def test_the_task_mails_an_existing_account_and_nobody_else(mailoutbox, settings):
    from pomoc.accounts.tasks import send_password_reset

    settings.POMOC_BASE_URL = "https://help.example.com"
    UserFactory(username="alice", email="alice@example.com", language="cs")
    assert send_password_reset.call("nobody@example.com", "en", "r1") == 0
    assert mailoutbox == []
    assert send_password_reset.call("ALICE@example.com", "en", "r2") == 1
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["alice@example.com"]
    assert "https://help.example.com/accounts/reset/" in mailoutbox[0].body
    assert "alice" in mailoutbox[0].body
    # In the account's own language.
    assert "Choose a new password here" not in mailoutbox[0].body


def test_the_task_is_idempotent(mailoutbox):
    from pomoc.accounts.tasks import send_password_reset

    UserFactory(username="alice", email="alice@example.com")
    assert send_password_reset.call("alice@example.com", "en", "same-request") == 1
    assert send_password_reset.call("alice@example.com", "en", "same-request") == 0
    assert len(mailoutbox) == 1


@pytest.fixture
def small_reset_limits(settings):
    settings.PASSWORD_RESET_RATE_LIMIT_ADDRESS = 2
    settings.PASSWORD_RESET_RATE_LIMIT_CLIENT = 4
    settings.PASSWORD_RESET_RATE_WINDOW = 600


def reset_from(ip: str, email: str):
    from django.test import Client

    return Client(REMOTE_ADDR=ip).post(reverse("accounts:password_reset"), {"email": email})


def test_resets_are_limited_per_address(small_reset_limits, mailoutbox):
    UserFactory(username="alice", email="alice@example.com")
    assert reset_from("10.0.0.1", "alice@example.com").status_code == 302
    assert reset_from("10.0.0.2", "Alice@example.com").status_code == 302
    refused = reset_from("10.0.0.3", "alice@example.com")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "600"
    assert b"Too many password reset requests" in refused.content
    assert len(mailoutbox) == 2
    # The same for an address nobody has: the limit tells nothing about accounts.
    assert reset_from("10.0.0.1", "nobody@example.com").status_code == 302
    assert reset_from("10.0.0.2", "nobody@example.com").status_code == 302
    assert reset_from("10.0.0.3", "nobody@example.com").status_code == 429
    # Another address from the same clients is fine.
    assert reset_from("10.0.0.3", "bob@example.com").status_code == 302


def test_resets_are_limited_per_client(small_reset_limits, mailoutbox):
    UserFactory(username="alice", email="alice@example.com")
    for n in range(4):
        assert reset_from("10.0.0.9", f"someone{n}@example.com").status_code == 302
    assert reset_from("10.0.0.9", "alice@example.com").status_code == 429
    assert mailoutbox == []
    assert reset_from("10.0.0.10", "alice@example.com").status_code == 302
    assert len(mailoutbox) == 1


def test_the_reset_refusal_is_translated(small_reset_limits):
    from django.test import Client

    for _n in range(2):
        reset_from("10.0.0.20", "olga@example.com")
    response = Client(REMOTE_ADDR="10.0.0.20", HTTP_ACCEPT_LANGUAGE="pl").post(
        reverse("accounts:password_reset"), {"email": "olga@example.com"})
    assert response.status_code == 429
    assert "Zbyt wiele próśb o zresetowanie hasła" in response.content.decode()
