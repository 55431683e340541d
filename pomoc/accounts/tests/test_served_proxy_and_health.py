"""Through the real server (``pomoc serve``, uvicorn): forwarded headers and health checks."""

import http.client
import re
import urllib.parse

import pytest

from pomoc.testing.services import PomocServer, pomoc, pomoc_env

pytestmark = pytest.mark.slow


def call(server: PomocServer, method: str, path: str, body: str | None = None, headers: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode(), response.getheader("Set-Cookie") or ""
    finally:
        connection.close()


def failed_logins(server: PomocServer, forwarded_addresses: list[str]) -> list[int]:
    _status, page, cookie = call(server, "GET", "/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    secret = re.search(r"csrftoken=([^;]+)", cookie).group(1)
    statuses = []
    for n, address in enumerate(forwarded_addresses):
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": f"nobody{n}", "password": "x"})
        statuses.append(call(server, "POST", "/accounts/login/", body, {
            "Cookie": f"csrftoken={secret}", "Content-Type": "application/x-www-form-urlencoded",
            "X-Forwarded-For": address,
        })[0])
    return statuses


@pytest.mark.parametrize(("trusted", "expected"), [("", [200, 200, 429]), ("127.0.0.1", [200, 200, 200])])
def test_a_forwarded_address_counts_only_from_a_trusted_proxy(tmp_path, trusted, expected):
    env = pomoc_env(tmp_path, POMOC_LOGIN_RATE_LIMIT="2", POMOC_SCHEDULER="0", TRUSTED_PROXIES=trusted)
    pomoc("migrate", "--verbosity", "0", env=env)
    with PomocServer(tmp_path, "--no-worker", env=env) as server:
        assert failed_logins(server, ["198.51.100.1", "198.51.100.2", "198.51.100.3"]) == expected


def test_a_load_balancer_probes_the_process_directly_under_production_settings(tmp_path):
    env = pomoc_env(tmp_path, DEBUG="0", ALLOWED_HOSTS="help.example.com", SECRET_KEY="k" * 60,
                    CSRF_TRUSTED_ORIGINS="https://help.example.com", POMOC_BASE_URL="https://help.example.com",
                    BEHIND_PROXY="1", SECURE_SSL_REDIRECT="1", SECURE_COOKIES="1", SECURE_HSTS_SECONDS="31536000",
                    POMOC_SCHEDULER="0")
    pomoc("migrate", "--verbosity", "0", env=env)
    # PomocServer waits for /healthz with Host 127.0.0.1, not in ALLOWED_HOSTS: that it starts at
    # all already shows the health check answering.
    with PomocServer(tmp_path, "--no-worker", env=env) as server:
        probe = {"Host": "10.0.0.5:8000"}
        assert call(server, "GET", "/healthz", headers=probe)[0] == 200
        assert call(server, "GET", "/readyz", headers=probe)[0] == 200
        assert call(server, "HEAD", "/readyz", headers=probe)[0] == 200
        assert call(server, "GET", "/accounts/login/", headers=probe)[0] == 400
        assert call(server, "GET", "/accounts/login/", headers={"Host": "help.example.com"})[0] == 301

