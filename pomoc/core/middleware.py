from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings

# No inline scripts or styles anywhere in Pomoc's own pages: htmx is told not to inject its
# indicator styles (see base.html), and everything else comes from /static/.
AGENT_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self' ws: wss:",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
# Django's admin and the API docs ship a few inline styles/scripts of their own.
RELAXED_CSP = AGENT_CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'").replace(
    "script-src 'self'", "script-src 'self' 'unsafe-inline'"
)
RELAXED_PREFIXES = ("/admin/", "/api/v1/docs")


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            relaxed = request.path.startswith(RELAXED_PREFIXES)
            response["Content-Security-Policy"] = RELAXED_CSP if relaxed else AGENT_CSP
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if settings.DEBUG:
            response["X-Pomoc-Debug"] = "1"
        return response


class HealthCheckMiddleware:
    """Answers ``/healthz`` and ``/readyz`` before anything else looks at the request.

    A load balancer probes each process directly: by its address (``Host: 10.0.0.5:8000``, not in
    ``ALLOWED_HOSTS``) and over plain HTTP (which ``SECURE_SSL_REDIRECT`` would redirect). Placed
    first in ``MIDDLEWARE``, this answers those two paths, and only those, without the HTTPS
    redirect or the Host check; every other path still gets both. Neither answer uses the Host
    header. In the ASGI server ``/healthz`` is answered on the event loop, so it stays quick even
    when every worker thread is busy.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)

    @staticmethod
    def _view(request):
        if request.method not in ("GET", "HEAD"):
            return None
        from pomoc.core import views

        return {"/healthz": views.healthz, "/readyz": views.readyz}.get(request.path_info)

    def __call__(self, request):
        if self.async_mode:
            return self.__acall__(request)
        view = self._view(request)
        return view(request) if view is not None else self.get_response(request)

    async def __acall__(self, request):
        view = self._view(request)
        if view is None:
            return await self.get_response(request)
        from pomoc.core import views

        if view is views.healthz:
            return view(request)  # no I/O
        return await sync_to_async(view)(request)
