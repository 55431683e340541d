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
