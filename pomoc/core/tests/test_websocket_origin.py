"""The live socket opens only for pages of this very site: scheme, host and port of the Origin all count."""

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from pomoc.asgi import application, parse_origin

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def site(settings):
    settings.ALLOWED_HOSTS = ["help.example.com", "localhost"]
    settings.POMOC_BASE_URL = "https://help.example.com"
    settings.CSRF_TRUSTED_ORIGINS = []
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.SECURE_PROXY_SSL_HEADER = None
    settings.USE_X_FORWARDED_HOST = False


def _opens(origin: str | None, *, host: str = "help.example.com", scheme: str = "wss", **extra: str) -> bool:
    headers = [(b"host", host.encode())]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    headers.extend((name.encode(), value.encode()) for name, value in extra.items())

    async def scenario():
        communicator = WebsocketCommunicator(application, "/ws/live/", headers=headers)
        communicator.scope["scheme"] = scheme
        # The consumer accepts anyone and then closes anonymous sockets with its own code; the
        # origin check refuses before that, so "connected" says whether the origin passed.
        connected, _ = await communicator.connect(timeout=5)
        if connected:
            await communicator.disconnect()
        return connected

    return async_to_sync(scenario)()


def test_the_sites_own_origin_opens_a_socket():
    assert _opens("https://help.example.com")
    assert _opens("https://help.example.com:443")
    assert _opens("HTTPS://Help.Example.com")


def test_another_scheme_or_port_on_the_same_host_does_not():
    assert not _opens("http://help.example.com:8080")
    assert not _opens("http://help.example.com")
    assert not _opens("https://help.example.com:8443")


def test_other_hosts_and_odd_origins_do_not():
    for origin in ("https://evil.example", "https://help.example.com.evil.example", "null", "",
                   "https://help.example.com/path", "https://user@help.example.com", "ftp://help.example.com"):
        assert not _opens(origin), origin
    assert not _opens(None)


def test_a_plain_http_site_is_matched_by_its_own_socket(settings):
    settings.POMOC_BASE_URL = "http://127.0.0.1:8000"
    assert _opens("http://localhost:8000", host="localhost:8000", scheme="ws")
    assert not _opens("https://localhost:8000", host="localhost:8000", scheme="ws")
    assert not _opens("http://localhost:8001", host="localhost:8000", scheme="ws")
    # A Host header the site does not serve never vouches for an origin.
    assert not _opens("http://attacker.example", host="attacker.example", scheme="ws")


def test_behind_a_proxy_the_forwarded_scheme_and_host_count(settings):
    settings.POMOC_BASE_URL = "http://127.0.0.1:8000"
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.USE_X_FORWARDED_HOST = True
    forwarded = {"x-forwarded-proto": "https", "x-forwarded-host": "help.example.com"}
    assert _opens("https://help.example.com", host="127.0.0.1:8000", scheme="ws", **forwarded)
    assert not _opens("http://help.example.com", host="127.0.0.1:8000", scheme="ws", **forwarded)


def test_configured_origins_are_allowed_with_their_scheme_and_port(settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://desk.example.org:8443"]
    assert _opens("https://desk.example.org:8443")
    assert not _opens("https://desk.example.org")
    assert not _opens("http://desk.example.org:8443")


def test_parse_origin():
    assert parse_origin("https://a.example") == ("https", "a.example", 443)
    assert parse_origin("http://a.example:8080") == ("http", "a.example", 8080)
    assert parse_origin("http://[::1]:8000") == ("http", "::1", 8000)
    assert parse_origin("http://a.example:99999") is None
    assert parse_origin("javascript:alert(1)") is None
