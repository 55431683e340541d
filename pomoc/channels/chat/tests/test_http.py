"""The widget's HTTP API: CORS for allowed origins only, tokens, refusals as JSON, limits."""

import json

import pytest
from django.test import Client

from pomoc.channels.chat import services, tokens
from pomoc.channels.chat.models import Conversation
from pomoc.channels.chat.tests.conftest import SECRET, SITE

pytestmark = pytest.mark.django_db

SESSIONS_PER_MINUTE = 60  # views.session's limit per address


def _url(inbox, name: str) -> str:
    return f"/chat/api/{inbox.chat.key}/{name}"


def _post(client, url, data, *, origin=SITE, token=""):
    headers = {"HTTP_ORIGIN": origin} if origin else {}
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client.post(url, data=json.dumps(data), content_type="application/json", **headers)


def test_a_session_answers_token_config_and_cors_for_the_allowed_site(inbox):
    response = _post(Client(), _url(inbox, "session"), {"page": {"url": f"{SITE}/", "title": "Home"}})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == SITE
    body = response.json()
    assert body["token"] and body["conversation"] is None
    assert body["config"]["title"] == "Shop" and body["config"]["online"] is False
    assert {"prechat_fields", "colour", "position", "max_upload_bytes", "accepted_types", "rating_enabled"} \
        <= set(body["config"])


def test_a_preflight_is_answered_for_the_allowed_site_only(inbox):
    allowed = Client().options(_url(inbox, "session"), HTTP_ORIGIN=SITE)
    assert allowed.status_code == 204 and allowed["Access-Control-Allow-Origin"] == SITE
    other = Client().options(_url(inbox, "session"), HTTP_ORIGIN="https://evil.example.net")
    assert "Access-Control-Allow-Origin" not in other


def test_another_site_is_refused(inbox):
    response = _post(Client(), _url(inbox, "session"), {}, origin="https://evil.example.net")
    assert response.status_code == 403 and response.json()["code"] == "origin"


def test_an_unknown_inbox_is_a_json_404():
    response = _post(Client(), "/chat/api/no-such-inbox-key/session", {})
    assert response.status_code == 404 and response.json()["code"] == "unknown_inbox"


def test_a_bad_identity_hash_is_a_403(inbox):
    response = _post(Client(), _url(inbox, "session"), {"identity": {"user_id": "7", "hash": "00"}})
    assert response.status_code == 403 and response.json()["error"]
    good = tokens.identity_hash(SECRET, "7")
    assert _post(Client(), _url(inbox, "session"), {"identity": {"user_id": "7", "hash": good}}).status_code == 200


def test_messages_after_n_need_the_visitors_own_token(inbox, visitor):
    for n in range(1, 5):
        services.visitor_message(visitor=visitor, client_id=f"c{n}", body=f"m{n}")
    token = tokens.visitor_token(inbox_id=inbox.pk, visitor_key=visitor.key)
    response = Client().get(_url(inbox, "messages") + "?after=2", HTTP_AUTHORIZATION=f"Bearer {token}",
                            HTTP_ORIGIN=SITE)
    body = response.json()
    assert [m["seq"] for m in body["messages"]] == [3, 4] and body["last_seq"] == 4
    assert body["messages"][0]["author"] == "visitor" and body["messages"][0]["client_id"] == "c3"
    stranger = services.session_open(inbox=inbox)
    theirs = Client().get(_url(inbox, "messages"), HTTP_AUTHORIZATION=f"Bearer {stranger.token}").json()
    assert theirs["messages"] == []
    assert Client().get(_url(inbox, "messages"), HTTP_AUTHORIZATION="Bearer forged").status_code == 401


def test_uploads_are_checked_and_answered(inbox, visitor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    token = tokens.visitor_token(inbox_id=inbox.pk, visitor_key=visitor.key)
    good = Client().post(_url(inbox, "upload"), {"file": SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n123")},
                         HTTP_AUTHORIZATION=f"Bearer {token}")
    assert good.status_code == 201 and good.json()["type"] == "image/png"
    bad = Client().post(_url(inbox, "upload"), {"file": SimpleUploadedFile("a.png", b"<script>x</script>")},
                        HTTP_AUTHORIZATION=f"Bearer {token}")
    assert bad.status_code == 415 and bad.json()["code"] == "type"


def test_offline_rating_and_transcript(inbox, visitor):
    offline = _post(Client(), _url(inbox, "offline"), {"name": "Jana", "email": "jana@example.com",
                                                       "message": "Nobody here?"})
    assert offline.status_code == 201 and isinstance(offline.json()["ticket"], int)
    assert _post(Client(), _url(inbox, "offline"), {"email": "x", "message": "y"}).status_code == 400
    token = tokens.visitor_token(inbox_id=inbox.pk, visitor_key=visitor.key)
    assert _post(Client(), _url(inbox, "rating"), {"score": 5}, token=token).status_code == 409  # no chat yet
    services.visitor_message(visitor=visitor, client_id="c", body="Hello")
    assert _post(Client(), _url(inbox, "rating"), {"score": 9}, token=token).status_code == 400
    assert _post(Client(), _url(inbox, "rating"), {"score": 4, "comment": "ok"}, token=token).status_code == 200
    assert Conversation.objects.get(visitor=visitor).rated
    assert _post(Client(), _url(inbox, "transcript"), {"email": "jana@example.com"}, token=token).status_code == 202


def test_too_many_offline_messages_are_rate_limited(inbox):
    answers = [_post(Client(), _url(inbox, "offline"), {"name": "J", "email": "j@example.com", "message": "hi"})
               for _ in range(6)]
    assert [a.status_code for a in answers][-1] == 429
    assert int(answers[-1]["Retry-After"]) > 0


@pytest.fixture
def one_minute(monkeypatch):
    """The limits' one-minute windows never turn over in the middle of a test."""
    from pomoc.channels.chat import limits

    monkeypatch.setattr(limits.time, "time", lambda: 1_800_000_000.0)


def test_newcomers_from_many_addresses_are_never_limited_together(inbox, one_minute):
    """Sessions are limited per address, not in one window for every new visitor of the site."""
    page = {"page": {"url": f"{SITE}/"}}
    for n in range(SESSIONS_PER_MINUTE + 10):
        client = Client(REMOTE_ADDR=f"198.51.100.{n + 1}")
        assert _post(client, _url(inbox, "session"), page).status_code == 200
    one_address = [_post(Client(REMOTE_ADDR="203.0.113.7"), _url(inbox, "session"), page).status_code
                   for _ in range(SESSIONS_PER_MINUTE + 1)]
    assert one_address[:-1] == [200] * SESSIONS_PER_MINUTE and one_address[-1] == 429


def test_an_ipv6_network_counts_as_one_address(inbox, one_minute):
    form = {"name": "J", "email": "j@example.com", "message": "hi"}
    answers = [_post(Client(REMOTE_ADDR=f"2001:db8:1:2::{n + 1:x}"), _url(inbox, "offline"), form).status_code
               for n in range(6)]
    assert answers == [201] * 5 + [429]


def test_newcomers_together_have_a_ceiling_per_inbox(inbox, one_minute):
    """Offline forms from many addresses still open a bounded number of tickets a minute."""
    from pomoc.channels.chat import limits

    form = {"name": "J", "email": "j@example.com", "message": "hi"}
    ceiling = 5 * limits.SITE_CEILING
    answers = [_post(Client(REMOTE_ADDR=f"198.51.{n // 250}.{n % 250 + 1}"), _url(inbox, "offline"), form).status_code
               for n in range(ceiling + 1)]
    assert 429 not in answers[:ceiling] and answers[-1] == 429


def test_bad_json_is_a_400(inbox):
    response = Client().post(_url(inbox, "session"), data="{nope", content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "bad_json"
