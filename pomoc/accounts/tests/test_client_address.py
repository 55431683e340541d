"""Which address the rate limits count: forwarded headers only from trusted proxies."""

import os
import subprocess
import sys

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from pomoc.accounts import ratelimit
from pomoc.testing.factories import UserFactory

LIMIT = 3


def request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/inbox/", **extra)


def test_without_a_trusted_proxy_the_header_is_never_read(settings):
    settings.TRUSTED_PROXIES = []
    assert ratelimit.client_ip(request("127.0.0.1", "1.2.3.4")) == "127.0.0.1"
    assert ratelimit.client_ip(request("198.51.100.9", "1.2.3.4, 5.6.7.8")) == "198.51.100.9"


def test_a_trusted_proxy_gives_the_rightmost_address_it_did_not_write_itself(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.10", "10.1.0.0/16"]
    # The client forged "1.2.3.4"; the outer proxy appended the real client, the inner one the outer.
    assert ratelimit.client_ip(request("10.0.0.10", "1.2.3.4, 203.0.113.7, 10.1.2.3")) == "203.0.113.7"
    assert ratelimit.client_ip(request("10.1.9.9", "203.0.113.8")) == "203.0.113.8"
    # A proxy that sent no header: the proxy's own address.
    assert ratelimit.client_ip(request("10.0.0.10")) == "10.0.0.10"
    # A peer that is not a trusted proxy cannot choose its address.
    assert ratelimit.client_ip(request("198.51.100.9", "203.0.113.7")) == "198.51.100.9"


def test_ipv6_and_ports(settings):
    settings.TRUSTED_PROXIES = ["::1", "127.0.0.1"]
    assert ratelimit.client_ip(request("::1", "2001:db8::5")) == "2001:db8::5"
    assert ratelimit.client_ip(request("127.0.0.1", "203.0.113.7:51000")) == "203.0.113.7"
    assert ratelimit.client_ip(request("127.0.0.1", "[2001:db8::6]:443")) == "2001:db8::6"


@pytest.mark.django_db
@pytest.mark.parametrize("trusted", [False, True])
def test_a_spoofed_header_changes_the_limiters_key_only_from_a_trusted_proxy(settings, trusted):
    settings.LOGIN_RATE_LIMIT = LIMIT
    settings.LOGIN_RATE_WINDOW = 60
    settings.TRUSTED_PROXIES = ["127.0.0.1"] if trusted else []
    UserFactory(username="ivan")

    def attempt(forwarded: str, username: str, password: str):
        return Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded).post(
            reverse("accounts:login"), {"username": username, "password": password})

    # Each failure claims another address in the header, for another username.
    for n in range(LIMIT):
        assert attempt(f"198.51.100.{n}", f"nobody{n}", "wrong").status_code == 200
    # Untrusted: all were counted against 127.0.0.1, which is now refused whatever the header says.
    # Trusted: each was counted against the address the proxy gave, so a fresh one is let in.
    status = attempt("198.51.100.200", "ivan", "pass-Word-123").status_code
    assert status == (302 if trusted else 429)


SHOW = "from django.conf import settings; print(settings.BEHIND_PROXY, settings.TRUSTED_PROXIES)"


@pytest.mark.parametrize(("environment", "expected"), [
    ({}, "False []"),
    ({"BEHIND_PROXY": "1"}, "True ['127.0.0.1', '::1']"),
    ({"BEHIND_PROXY": "1", "TRUSTED_PROXIES": "10.0.0.10, 10.1.0.0/16"}, "True ['10.0.0.10', '10.1.0.0/16']"),
    ({"TRUSTED_PROXIES": "10.0.0.10"}, "True ['10.0.0.10']"),
    ({"FORWARDED_ALLOW_IPS": "10.0.0.11"}, "True ['10.0.0.11']"),
    ({"BEHIND_PROXY": "0", "TRUSTED_PROXIES": "10.0.0.10"}, "False []"),
])
def test_the_settings(tmp_path, environment, expected):
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "POMOC_DATA_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "pomoc.settings", **environment}
    result = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {SHOW}"], env=env,
                            capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == expected


def test_a_wildcard_or_a_name_is_refused_by_the_system_checks(settings):
    from pomoc.accounts.checks import trusted_proxies_check

    settings.TRUSTED_PROXIES = ["10.0.0.10", "10.1.0.0/16", "::1"]
    assert trusted_proxies_check() == []
    for bad in ("*", "proxy.internal"):
        settings.TRUSTED_PROXIES = ["10.0.0.10", bad]
        errors = trusted_proxies_check()
        assert [error.id for error in errors] == ["pomoc.E101"]
        assert bad in errors[0].msg
