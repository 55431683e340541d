import pytest
from django.urls import reverse

from pomoc.accounts.models import Role
from pomoc.testing.factories import UserFactory, make_customer_user, make_ticket

pytestmark = pytest.mark.django_db
PASSWORD = "pass-Word-123"


def test_it_logs_an_agent_in_and_sends_them_to_the_inbox(client):
    UserFactory(username="alice")
    response = client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("tickets:inbox")
    assert client.session["_auth_user_id"]


def test_it_renders_the_login_page_with_a_csrf_protected_form(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert b'name="csrfmiddlewaretoken"' in response.content
    assert b'name="password"' in response.content
    assert reverse("accounts:password_reset").encode() in response.content


def test_a_wrong_password_shows_an_error_and_does_not_log_in(client):
    UserFactory(username="alice")
    response = client.post(reverse("accounts:login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert response.context["form"].errors


def test_it_sends_customers_to_a_page_without_agent_data(client):
    customer = make_customer_user()
    make_ticket(subject="Secret agent stuff")
    response = client.post(
        reverse("accounts:login"),
        {"username": customer.username, "password": PASSWORD, "next": reverse("tickets:inbox")},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:staff_only")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b"Secret agent stuff" not in page.content
    assert customer.role == Role.CUSTOMER


def test_it_ignores_a_next_url_on_another_host(client):
    UserFactory(username="alice")
    response = client.post(
        reverse("accounts:login"), {"username": "alice", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("tickets:inbox")


def test_logout_needs_a_post(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


def test_an_inactive_user_cannot_log_in(client):
    UserFactory(username="gone", is_active=False)
    response = client.post(reverse("accounts:login"), {"username": "gone", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
