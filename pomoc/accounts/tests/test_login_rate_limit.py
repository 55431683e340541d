import time

import pytest
from django.contrib.sessions.backends.cache import SessionStore
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from pomoc.testing.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "pass-Word-123"
LIMIT = 3


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.LOGIN_RATE_LIMIT = LIMIT
    settings.LOGIN_RATE_WINDOW = 60


def attempt(ip: str, username: str, password: str):
    return Client(REMOTE_ADDR=ip).post(reverse("accounts:login"), {"username": username, "password": password})


def test_it_refuses_the_right_password_after_too_many_failures_for_a_username():
    UserFactory(username="alice")
    for n in range(LIMIT):
        assert attempt(f"10.0.0.{n}", "alice", "wrong").status_code == 200
    response = attempt("10.0.1.1", "alice", PASSWORD)
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert b"Too many failed login attempts" in response.content
    assert "sessionid" not in response.cookies


def test_the_username_counter_ignores_case():
    UserFactory(username="alice")
    for n in range(LIMIT):
        attempt(f"10.0.0.{n}", "ALICE", "wrong")
    assert attempt("10.0.1.1", "alice", PASSWORD).status_code == 429


def test_it_refuses_an_ip_that_tried_too_many_usernames():
    UserFactory(username="bob")
    for n in range(LIMIT):
        assert attempt("10.0.0.9", f"nobody{n}", "wrong").status_code == 200
    assert attempt("10.0.0.9", "bob", PASSWORD).status_code == 429
    # Another address is not affected.
    assert attempt("10.0.0.10", "bob", PASSWORD).status_code == 302


def test_a_success_elsewhere_does_not_reset_the_counters():
    UserFactory(username="carol")
    UserFactory(username="dave")
    for _n in range(LIMIT):
        attempt("10.0.0.5", "dave", "wrong")
    # carol logs in from another address; the attacker's address stays blocked.
    assert attempt("10.0.0.6", "carol", PASSWORD).status_code == 302
    assert attempt("10.0.0.5", "carol", PASSWORD).status_code == 429
    assert attempt("10.0.0.7", "dave", PASSWORD).status_code == 429


def test_successful_logins_do_not_count():
    UserFactory(username="erin")
    for _n in range(LIMIT + 2):
        assert attempt("10.0.0.8", "erin", PASSWORD).status_code == 302


def test_it_lets_people_in_again_when_the_window_has_passed(settings):
    settings.LOGIN_RATE_WINDOW = 1
    UserFactory(username="frank")
    for _n in range(LIMIT):
        attempt("10.0.0.11", "frank", "wrong")
    assert attempt("10.0.0.11", "frank", PASSWORD).status_code == 429
    time.sleep(1.2)
    assert attempt("10.0.0.11", "frank", PASSWORD).status_code == 302


def test_behind_a_proxy_it_counts_the_address_the_proxy_saw(settings):
    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXIES = ["172.16.0.0/12"]
    UserFactory(username="gina")
    for n in range(LIMIT):
        # The client forges the leftmost entries; our proxy appended the real address last.
        Client(REMOTE_ADDR="172.16.0.1", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 203.0.113.7").post(
            reverse("accounts:login"), {"username": f"x{n}", "password": "wrong"}
        )
    blocked = Client(REMOTE_ADDR="172.16.0.1", HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.7").post(
        reverse("accounts:login"), {"username": "gina", "password": PASSWORD}
    )
    assert blocked.status_code == 429
    other = Client(REMOTE_ADDR="172.16.0.1", HTTP_X_FORWARDED_FOR="203.0.113.8").post(
        reverse("accounts:login"), {"username": "gina", "password": PASSWORD}
    )
    assert other.status_code == 302


def test_a_refused_attempt_hashes_no_password_renders_nothing_and_queries_nothing(
        django_assert_num_queries, monkeypatch):
    UserFactory(username="hana")
    for n in range(LIMIT):
        attempt("10.0.0.12", f"nobody{n}", "wrong")
    calls = []
    monkeypatch.setattr("django.contrib.auth.forms.authenticate", lambda *a, **kw: calls.append(kw))
    monkeypatch.setattr("django.contrib.auth.hashers.MD5PasswordHasher.verify",
                        lambda *a: calls.append("verify"))
    monkeypatch.setattr("django.contrib.auth.hashers.MD5PasswordHasher.encode",
                        lambda *a: calls.append("encode"))
    client = Client(REMOTE_ADDR="10.0.0.12")
    with django_assert_num_queries(0):
        response = client.post(reverse("accounts:login"), {"username": "hana", "password": PASSWORD})
    assert response.status_code == 429
    assert calls == []
    assert response.templates == []  # no template rendered
    assert "sessionid" not in response.cookies and "csrftoken" not in response.cookies
    # The login page itself (GET) is still served to that address.
    assert client.get(reverse("accounts:login")).status_code == 200


def test_the_refusal_is_in_the_language_the_browser_asks_for():
    for n in range(LIMIT):
        attempt("10.0.0.13", f"nobody{n}", "wrong")
    response = Client(REMOTE_ADDR="10.0.0.13", HTTP_ACCEPT_LANGUAGE="cs").post(
        reverse("accounts:login"), {"username": "x", "password": "y"})
    assert response.status_code == 429
    assert b'lang="cs"' in response.content
    assert b"Too many failed login attempts" not in response.content


def test_attempts_in_flight_count_before_their_password_is_checked(monkeypatch):
    """Simultaneous attempts: each is counted before its password is checked, so only LIMIT of
    them are checked even when none has failed yet."""
    from pomoc.accounts.views import LoginView

    checked = []
    monkeypatch.setattr("django.contrib.auth.forms.authenticate", lambda *a, **kw: checked.append(kw))
    monkeypatch.setattr(LoginView, "form_invalid", lambda self, form: HttpResponse())

    # Straight to the view: as if 2 × LIMIT requests had all passed the middleware's check
    # before any of them failed.
    view = LoginView.as_view()
    statuses = []
    for _n in range(2 * LIMIT):
        request = RequestFactory().post("/accounts/login/", {"username": "jan", "password": "wrong"},
                                        REMOTE_ADDR="10.0.0.14")
        request._dont_enforce_csrf_checks = True
        request.session = SessionStore()
        response = view(request)
        statuses.append(getattr(response, "status_code", None))
    assert len(checked) == LIMIT
    assert statuses[LIMIT:] == [429] * LIMIT


def test_a_successful_login_is_not_counted_as_a_failure():
    UserFactory(username="kim")
    for _n in range(LIMIT - 1):
        attempt("10.0.0.15", "kim", "wrong")
    for _n in range(3):
        assert attempt("10.0.0.15", "kim", PASSWORD).status_code == 302
    assert attempt("10.0.0.15", "kim", "wrong").status_code == 200  # the LIMIT-th failure
    assert attempt("10.0.0.15", "kim", PASSWORD).status_code == 429
