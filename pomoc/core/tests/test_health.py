import json
import os
import subprocess
import sys

import pytest
from django.urls import reverse

READYZ_WITHOUT_DATABASE = """
import django
django.setup()
from django.test import Client
response = Client().get("/readyz")
print(response.status_code, response.content.decode())
"""


def test_healthz_answers_without_touching_the_database(client):
    # No django_db mark: any query here would fail the test.
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_ok_when_the_database_answers(client):
    response = client.get(reverse("readyz"))
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_readyz_is_503_when_the_database_is_unreachable(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "POMOC_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "pomoc.settings",
        "ALLOWED_HOSTS": "testserver",
        # Nothing listens on port 1: the connection is refused at once.
        "DATABASE_URL": "postgres://pomoc:pomoc@127.0.0.1:1/pomoc?connect_timeout=3",
        "LOG_LEVEL": "CRITICAL",
    }
    result = subprocess.run([sys.executable, "-c", READYZ_WITHOUT_DATABASE], env=env, capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().split(" ", 1)
    assert status == "503"
    assert json.loads(body) == {"status": "unavailable", "database": "unreachable"}


# --- a load balancer probing the process directly, under production settings ------------------
@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["help.example.com"]
    settings.BEHIND_PROXY = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.USE_X_FORWARDED_HOST = True
    settings.SECURE_HSTS_SECONDS = 31536000


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_a_probe_by_address_over_http_gets_200(client, production, path):
    for method in (client.get, client.head):
        response = method(path, HTTP_HOST="10.0.0.5:8000")
        assert response.status_code == 200, response
        assert "no-cache" in response["Cache-Control"]
    assert client.get(path, HTTP_HOST="10.0.0.5:8000").json()["status"] == "ok"


@pytest.mark.django_db
def test_everything_else_keeps_the_host_check_and_the_https_redirect(client, production):
    # Any other path with the probe's Host: 400 (the Host check), not a page and not a redirect.
    for path in ("/accounts/login/", "/healthz/", "/readyz/x", "/"):
        assert client.get(path, HTTP_HOST="10.0.0.5:8000").status_code == 400, path
    # The health paths with another method are not special either.
    assert client.post("/healthz", HTTP_HOST="10.0.0.5:8000").status_code == 400
    # The right host over plain HTTP is still redirected to HTTPS.
    response = client.get("/accounts/login/", HTTP_HOST="help.example.com")
    assert response.status_code == 301
    assert response["Location"] == "https://help.example.com/accounts/login/"
    # And over HTTPS it is served.
    assert client.get("/accounts/login/", HTTP_HOST="help.example.com", secure=True).status_code == 200


PROBE = """
import django
django.setup()
from django.test import Client
client = Client()
for path in ("/healthz", "/readyz", "/accounts/login/"):
    print(path, client.get(path, HTTP_HOST="10.0.0.5:8000").status_code)
print("http", client.get("/accounts/login/", HTTP_HOST="help.example.com").status_code)
"""


def test_the_documented_production_settings_answer_probes(tmp_path):
    """The environment .ci/run checks with ``check --deploy``, on SQLite: a fresh process."""
    env = {
        "PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "POMOC_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "pomoc.settings", "SECRET_KEY": "x" * 60, "DEBUG": "0",
        "ALLOWED_HOSTS": "help.example.com", "CSRF_TRUSTED_ORIGINS": "https://help.example.com",
        "POMOC_BASE_URL": "https://help.example.com", "BEHIND_PROXY": "1", "SECURE_SSL_REDIRECT": "1",
        "SECURE_COOKIES": "1", "SECURE_HSTS_SECONDS": "31536000", "LOG_LEVEL": "CRITICAL",
    }
    subprocess.run([sys.executable, "-m", "pomoc.cli", "migrate", "-v", "0"], env=env, check=True, timeout=120)
    result = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=60,
                            check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:4] == ["/healthz 200", "/readyz 200", "/accounts/login/ 400", "http 301"]


def test_the_asgi_server_answers_healthz_without_django_and_everything_else_through_it():
    """``pomoc.asgi.LivenessShortcut``: /healthz is answered on the event loop (a flood queued in
    Django's worker threads never delays a load balancer's liveness probe); other paths pass on."""
    from asgiref.sync import async_to_sync
    from asgiref.testing import ApplicationCommunicator

    from pomoc.asgi import LivenessShortcut

    passed_on = []

    async def django(scope, receive, send):
        passed_on.append(scope["path"])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    def request(method, path):
        scope = {"type": "http", "method": method, "path": path, "headers": [], "query_string": b""}
        communicator = ApplicationCommunicator(LivenessShortcut(django), scope)

        async def run():
            await communicator.send_input({"type": "http.request", "body": b""})
            start = await communicator.receive_output(1)
            body = await communicator.receive_output(1)
            return start, body

        return async_to_sync(run)()

    start, body = request("GET", "/healthz")
    assert start["status"] == 200 and body["body"] == b'{"status": "ok"}'
    assert (b"cache-control", b"max-age=0, no-cache, no-store, must-revalidate, private") in start["headers"]
    start, body = request("HEAD", "/healthz")
    assert start["status"] == 200 and body["body"] == b""
    assert passed_on == []
    for method, path in [("POST", "/healthz"), ("GET", "/readyz"), ("GET", "/healthz/"), ("GET", "/")]:
        assert request(method, path)[0]["status"] == 204
    assert passed_on == ["/healthz", "/readyz", "/healthz/", "/"]
