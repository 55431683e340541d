"""The running Pomoc's side of the MTA pipe (``POST /__pomoc/mail``), spoken to in ASGI: only the
right token is heard, an oversized mail is refused before its body is read, and a mail it takes is
committed (and its processing queued) before it answers."""

from __future__ import annotations

import asyncio
import json

import pytest
from django.test import override_settings

from pomoc.channels.email import pipe_endpoint
from pomoc.channels.email.models import RawMail
from pomoc.channels.email.pipe_client import ensure_token, pipe_token, publish_url
from pomoc.channels.email.pipe_endpoint import MailPipeEndpoint

from .helpers import mail, make_inbox

TOKEN = "the-pipe-token-of-this-test"


@pytest.fixture(autouse=True)
def token():
    pipe_endpoint._token_cache.clear()
    with override_settings(POMOC_MAIL_PIPE_TOKEN=TOKEN):
        yield
    pipe_endpoint._token_cache.clear()


async def _django_app(scope, receive, send):
    await send({"type": "http.response.start", "status": 404, "headers": []})
    await send({"type": "http.response.body", "body": b"django"})


def _call(body: bytes, *, method="POST", path="/__pomoc/mail", query=b"", headers=None) -> tuple[int, dict, bool]:
    """(status, JSON answer, whether the body was read) of one request."""
    sent, read = [], []
    given = headers if headers is not None else {"authorization": f"Bearer {TOKEN}",
                                                 "content-length": str(len(body))}
    scope = {"type": "http", "method": method, "path": path, "query_string": query, "client": ("127.0.0.1", 5),
             "headers": [(name.encode(), value.encode()) for name, value in given.items()]}

    async def receive():
        read.append(True)
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(MailPipeEndpoint(_django_app)(scope, receive, send))
    answer = sent[1]["body"]
    return sent[0]["status"], (json.loads(answer) if answer.startswith(b"{") else {"raw": answer}), bool(read)


@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_mail_and_queues_it_before_answering():
    inbox = make_inbox()
    raw = mail(message_id="<endpoint-1@example.cz>")
    status, answer, _read = _call(raw, query=b"inbox=Support")
    assert status == 200 and answer["status"] == "queued"
    kept = RawMail.objects.get(pk=answer["mail"])
    assert (bytes(kept.raw), kept.inbox_id) == (raw, inbox.pk)
    kept.refresh_from_db()
    # the test settings run tasks at once: queued and processed in the same commit
    assert kept.status == "stored" and kept.message is not None


@pytest.mark.django_db(transaction=True)
def test_inbox_names_may_be_any_unicode():
    inbox = make_inbox(name="Podpora – čeština", address="podpora@pomoc.example")
    make_inbox()
    status, answer, _read = _call(mail(), query=b"inbox=Podpora%20%E2%80%93%20%C4%8De%C5%A1tina")
    assert status == 200
    assert RawMail.objects.get(pk=answer["mail"]).inbox_id == inbox.pk


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("authorization", ["", "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x"])
def test_without_the_right_token_nothing_is_read_or_kept(authorization, caplog):
    make_inbox()
    headers = {"content-length": "100"} | ({"authorization": authorization} if authorization else {})
    status, answer, read = _call(mail(), headers=headers)
    assert (status, read) == (403, False)
    assert RawMail.objects.count() == 0
    assert "Refused a mail handed to the pipe endpoint" in caplog.text
    assert TOKEN not in caplog.text and "Bearer" not in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_mail_over_the_inbox_limit_is_refused_before_its_body_is_read():
    make_inbox(config={"max_message_bytes": 1000})
    raw = mail(text="x" * 2000)
    status, answer, read = _call(raw)
    assert (status, read) == (413, False)
    assert "limit of 1000 bytes" in answer["error"]
    assert RawMail.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_no_inbox_that_fits_is_an_error_answer():
    make_inbox()
    status, answer, _read = _call(mail(), query=b"inbox=Nope")
    assert status == 422 and "no e-mail inbox named" in answer["error"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("length", ["", "many", "5"])
def test_a_body_that_does_not_match_its_length_is_not_kept(length):
    make_inbox()
    headers = {"authorization": f"Bearer {TOKEN}"} | ({"content-length": length} if length else {})
    status, _answer, _read = _call(mail(), headers=headers)
    assert status in (400, 411)
    assert RawMail.objects.count() == 0


def test_only_post_and_only_its_path():
    assert _call(b"", method="GET")[0] == 405
    assert _call(b"", path="/__pomoc/mailx")[1] == {"raw": b"django"}


def test_without_a_token_the_path_is_an_ordinary_page(tmp_path):
    pipe_endpoint._token_cache.clear()
    with override_settings(POMOC_MAIL_PIPE_TOKEN="", DATA_DIR=tmp_path):
        assert _call(b"")[1] == {"raw": b"django"}


def test_the_token_is_made_once_and_only_its_owner_reads_it(tmp_path):
    first = ensure_token(tmp_path)
    assert len(first) >= 40 and ensure_token(tmp_path) == first == pipe_token(tmp_path)
    assert (tmp_path / "mail-pipe-token").stat().st_mode & 0o777 == 0o600
    publish_url(tmp_path, "http://127.0.0.1:8000/__pomoc/mail")
    assert (tmp_path / "mail-pipe-url").read_text() == "http://127.0.0.1:8000/__pomoc/mail\n"
