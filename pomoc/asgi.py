import gc
import os
from urllib.parse import urlsplit

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pomoc.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import WebsocketDenier  # noqa: E402
from django.conf import settings  # noqa: E402
from django.http.request import split_domain_port, validate_host  # noqa: E402

from pomoc.channels.chat.websocket_urls import agent_urlpatterns as chat_agent_urls  # noqa: E402
from pomoc.channels.chat.websocket_urls import visitor_urlpatterns as chat_visitor_urls  # noqa: E402
from pomoc.channels.email.pipe_endpoint import MailPipeEndpoint  # noqa: E402
from pomoc.core.realtime_relay import RelayMiddleware  # noqa: E402
from pomoc.tickets.websocket_urls import websocket_urlpatterns  # noqa: E402

DEFAULT_PORTS = {"http": 80, "https": 443}


def parse_origin(value: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an origin such as ``https://help.example.com``; None when it is not one."""
    try:
        parts = urlsplit(value.strip())
        scheme, host, port = parts.scheme.lower(), (parts.hostname or "").lower(), parts.port
    except ValueError:
        return None
    if scheme not in DEFAULT_PORTS or not host or parts.path not in ("", "/") or parts.query or parts.username:
        return None
    return scheme, host, port or DEFAULT_PORTS[scheme]


class SameOriginValidator:
    """Websockets only from pages of this site: scheme, host and port of the Origin must all match.

    Allowed are the origin the socket itself was opened at (its Host header, when ALLOWED_HOSTS
    accepts it, with https for wss or for X-Forwarded-Proto: https behind a proxy), POMOC_BASE_URL
    and CSRF_TRUSTED_ORIGINS. A page on http://help.example.com:8080 cannot open a socket to
    https://help.example.com, which channels' AllowedHostsOriginValidator (host only) allowed.
    """

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not self.allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)

    @staticmethod
    def _headers(scope) -> dict[str, str]:
        return {name.decode("latin1").lower(): value.decode("latin1") for name, value in scope.get("headers", [])}

    def allowed(self, scope) -> bool:
        headers = self._headers(scope)
        origin = parse_origin(headers.get("origin", ""))
        if origin is None:
            return False
        return origin == self._own_origin(scope, headers) or origin in self._configured_origins()

    @staticmethod
    def _own_origin(scope, headers) -> tuple[str, str, int] | None:
        secure = scope.get("scheme") == "wss"
        proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
        if proxy_header:
            name, value = proxy_header
            name = name.removeprefix("HTTP_").replace("_", "-").lower()
            secure = secure or headers.get(name, "").split(",")[0].strip().lower() == value
        host = headers.get("host", "")
        if getattr(settings, "USE_X_FORWARDED_HOST", False) and headers.get("x-forwarded-host"):
            host = headers["x-forwarded-host"].split(",")[0].strip()
        domain, _port = split_domain_port(host)
        if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
            return None
        return parse_origin(f"{'https' if secure else 'http'}://{host}")

    @staticmethod
    def _configured_origins() -> set[tuple[str, str, int]]:
        candidates = [settings.POMOC_BASE_URL, *settings.CSRF_TRUSTED_ORIGINS]
        origins = set()
        for candidate in candidates:
            parts = urlsplit(candidate or "")
            parsed = parse_origin(f"{parts.scheme}://{parts.netloc}") if parts.scheme and parts.netloc else None
            if parsed:
                origins.add(parsed)
        return origins


class LivenessShortcut:
    """``GET``/``HEAD /healthz`` answered on the event loop, before Django's handler.

    Django's ASGI handler runs every request's start and finish in a worker thread; under a flood
    (a login flood refused by ``RateLimitMiddleware`` still pays that) a load balancer's liveness
    probe waited in the same queue and could take seconds. "The process answers" needs none of
    Django: the same answer as ``core.views.healthz``, at once. ``/readyz`` (the database) still
    goes through Django."""

    BODY = b'{"status": "ok"}'
    HEADERS = [(b"content-type", b"application/json"), (b"x-content-type-options", b"nosniff"),
               (b"cache-control", b"max-age=0, no-cache, no-store, must-revalidate, private")]

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope.get("path") == "/healthz" and scope.get("method") in ("GET", "HEAD"):
            body = self.BODY if scope["method"] == "GET" else b""
            await send({"type": "http.response.start", "status": 200,
                        "headers": [*self.HEADERS, (b"content-length", str(len(self.BODY)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        await self.application(scope, receive, send)


class ChatVisitorSplit:
    """The chat widget's socket (``/ws/chat/<key>/``) is opened from the sites of an inbox, not from
    Pomoc's pages: it skips the same-origin check and the session (its consumer checks the inbox's
    allowed origins and the visitor token). Every other socket goes through both."""

    def __init__(self, visitors, staff):
        self.visitors, self.staff = visitors, staff

    async def __call__(self, scope, receive, send):
        if scope.get("path", "").startswith("/ws/chat/"):
            return await self.visitors(scope, receive, send)
        return await self.staff(scope, receive, send)


application = ProtocolTypeRouter(
    {
        "http": LivenessShortcut(MailPipeEndpoint(RelayMiddleware(django_asgi_app))),
        "websocket": ChatVisitorSplit(
            URLRouter(chat_visitor_urls),
            SameOriginValidator(AuthMiddlewareStack(URLRouter([*websocket_urlpatterns, *chat_agent_urls])))),
    }
)


def _tune_collector() -> None:
    """The web process keeps thousands of long-lived objects (sockets, their consumers, the loaded
    app), and Python's collector walked them all every few thousand allocations: under live-chat
    load those pauses stopped every socket at once (1,000 chats: p99 700 ms with them, 240 ms
    without; docs/performance.md). What is loaded at start leaves the collector's care
    (``gc.freeze``) and young objects are collected every ``GC_THRESHOLD`` allocations (0: Python's
    defaults)."""
    if settings.GC_THRESHOLD:
        gc.freeze()
        gc.set_threshold(settings.GC_THRESHOLD, 20, 100)


_tune_collector()
