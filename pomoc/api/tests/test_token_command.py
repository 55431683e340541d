import io

import pytest
from django.core.management import CommandError, call_command

from pomoc.accounts.models import ApiToken, hash_token
from pomoc.api.tests.conftest import Api

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = io.StringIO()
    call_command("token", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def test_create_prints_a_working_token_once(world):
    raw = _run("create", "supporter", "--name", "CRM sync")
    assert raw.startswith("pomoc_")
    token = ApiToken.objects.get(key_hash=hash_token(raw))
    assert token.name == "CRM sync"
    assert Api(token=raw).get("/me").json()["username"] == "supporter"
    listing = _run("list", "supporter")
    assert token.key_prefix in listing and "CRM sync" in listing
    assert raw not in listing


def test_revoke_by_prefix_stops_the_token(world):
    raw = _run("create", "supporter")
    prefix = ApiToken.objects.get(key_hash=hash_token(raw)).key_prefix
    assert "Revoked" in _run("revoke", prefix)
    assert Api(token=raw).get("/me").status_code == 401
    assert "revoked" in _run("list", "supporter")
    with pytest.raises(CommandError):
        _run("revoke", prefix)


def test_unknown_user_is_an_error(world):
    with pytest.raises(CommandError):
        _run("create", "nobody")
