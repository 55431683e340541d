import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from pomoc.accounts.models import ApiToken
from pomoc.api.tests.conftest import Api

pytestmark = pytest.mark.django_db


def test_a_valid_token_authenticates(world):
    response = Api(world["agent"]).get("/me")
    assert response.status_code == 200
    assert response.json()["username"] == "supporter"


def test_no_credentials_is_401_with_a_clear_message(world):
    response = Client().get("/api/v1/tickets")
    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_unknown_token_is_401(world):
    response = Api(token="pomoc_not-a-real-token").get("/tickets")
    assert response.status_code == 401
    assert "not valid" in response.json()["detail"]


def test_a_wrong_scheme_is_401(world):
    response = Client().get("/api/v1/tickets", headers={"Authorization": "Basic Zm9vOmJhcg=="})
    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]


def test_a_revoked_token_is_refused(world):
    token, raw = ApiToken.create_for(world["agent"])
    token.revoked_at = timezone.now()
    token.save()
    response = Api(token=raw).get("/tickets")
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_an_inactive_users_token_is_refused(world):
    api = Api(world["agent"])
    world["agent"].is_active = False
    world["agent"].save()
    response = api.get("/tickets")
    assert response.status_code == 401


def test_last_used_at_is_written_at_most_once_a_minute(world):
    token, raw = ApiToken.create_for(world["agent"])
    api = Api(token=raw)
    assert api.get("/me").status_code == 200
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    api.get("/me")
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - dt.timedelta(minutes=2))
    api.get("/me")
    token.refresh_from_db()
    assert token.last_used_at > first - dt.timedelta(minutes=2)


def test_session_auth_reads_without_csrf_and_writes_only_with_it(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["agent"])
    assert client.get("/api/v1/me").status_code == 200
    number = world["ticket"].number
    body = json.dumps({"subject": "Changed by session"})
    refused = client.patch(f"/api/v1/tickets/{number}", body, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    world["ticket"].refresh_from_db()
    assert world["ticket"].subject == "Printer on fire"

    client.get("/api/v1/docs")  # any page that sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    accepted = client.patch(f"/api/v1/tickets/{number}", body, content_type="application/json",
                            headers={"X-CSRFToken": csrf})
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["subject"] == "Changed by session"


def test_an_inactive_session_user_is_refused(world):
    client = Client()
    client.force_login(world["agent"])
    world["agent"].is_active = False
    world["agent"].save()
    assert client.get("/api/v1/me").status_code == 401
