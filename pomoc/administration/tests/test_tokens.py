import pytest
from django.urls import reverse

from pomoc.accounts.models import ApiToken, Role, hash_token
from pomoc.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client):
    user = UserFactory(role=Role.ADMINISTRATOR)
    client.force_login(user)
    return user


def test_the_raw_token_is_shown_once_and_only_its_hash_is_stored(client, admin):
    user = UserFactory(username="integration")
    url = reverse("administration:user_tokens", args=[user.pk])
    response = client.post(url, {"name": "CRM sync"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    raw = response.context["raw_token"]
    assert raw.startswith(ApiToken.PREFIX) and raw.encode() in response.content
    token = ApiToken.objects.get(user=user)
    assert token.key_hash == hash_token(raw) and token.name == "CRM sync"

    again = client.get(url)
    assert raw.encode() not in again.content
    assert token.key_hash.encode() not in again.content
    assert token.key_prefix.encode() in again.content


def test_revoking_a_token(client, admin):
    user = UserFactory()
    token, _raw = ApiToken.create_for(user, name="old")
    response = client.post(reverse("administration:token_revoke", args=[user.pk, token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_token_is_revoked_only_through_its_own_user(client, admin):
    owner, other = UserFactory(), UserFactory()
    token, _raw = ApiToken.create_for(owner)
    response = client.post(reverse("administration:token_revoke", args=[other.pk, token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_needs_a_post(client, admin):
    user = UserFactory()
    token, _raw = ApiToken.create_for(user)
    assert client.get(reverse("administration:token_revoke", args=[user.pk, token.pk])).status_code == 405
