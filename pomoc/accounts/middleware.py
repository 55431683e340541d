import zoneinfo

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext, ngettext

from pomoc.accounts import ratelimit


class UserPreferencesMiddleware:
    """Activates the logged-in user's own language and time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            if user.time_zone:
                try:
                    timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
                except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                    timezone.deactivate()
        response = self.get_response(request)
        timezone.deactivate()
        return response


def refusal_page(request, scope: str) -> HttpResponse:
    """The 429 answer: a few lines of HTML built without the template engine, a session or the
    database, in the language the browser asks for."""
    seconds = ratelimit.window(scope)
    minutes = max(1, seconds // 60)
    with translation.override(translation.get_language_from_request(request)):
        if scope == ratelimit.LOGIN:
            message = ngettext("Too many failed login attempts. Please wait %(minutes)s minute and try again.",
                               "Too many failed login attempts. Please wait %(minutes)s minutes and try again.",
                               minutes) % {"minutes": minutes}
        else:
            message = ngettext(
                "Too many password reset requests. Please wait %(minutes)s minute and try again.",
                "Too many password reset requests. Please wait %(minutes)s minutes and try again.",
                minutes) % {"minutes": minutes}
        back = gettext("Log in")
        language = translation.get_language()
    body = (f'<!doctype html><html lang="{escape(language)}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(message)}</title></head><body><main>"
            f'<p role="alert">{escape(message)}</p>'
            f'<p><a href="{escape(reverse("accounts:login"))}">{escape(back)}</a></p>'
            f"</main></body></html>")
    response = HttpResponse(body, status=429, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Frame-Options"] = "DENY"
    response["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
    return response


def rate_limit_refusal(request) -> HttpResponse | None:
    """A 429 for a login or password-reset POST whose client or account has used up its attempts."""
    if request.method != "POST":
        return None
    path = request.path_info
    if path == reverse("accounts:login"):
        scope, field = ratelimit.LOGIN, "username"
    elif path == reverse("accounts:password_reset"):
        scope, field = ratelimit.RESET, "email"
    else:
        return None
    try:
        identifier = request.POST.get(field, "")
    except Exception:  # an unreadable body: the view answers it as it would have
        return None
    blocked = ratelimit.is_blocked(request, identifier) if scope == ratelimit.LOGIN \
        else ratelimit.reset_is_blocked(request, identifier)
    return refusal_page(request, scope) if blocked else None


class RateLimitMiddleware:
    """Refuses rate-limited login and password-reset POSTs first, cheaply.

    Placed near the top of ``MIDDLEWARE``: a refused request reads a couple of cache keys and gets
    a small 429 page; no session is loaded or saved, no template rendered, no password hashed, no
    database query made. Under the ASGI server the check runs on the event loop (the cache lookups
    are short), so a flood of refused attempts does not take worker threads from other requests.
    The views count the failures (``LoginView``) and requests (``PasswordResetView``).
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)

    def __call__(self, request):
        if self.async_mode:
            return self.__acall__(request)
        return rate_limit_refusal(request) or self.get_response(request)

    async def __acall__(self, request):
        refusal = rate_limit_refusal(request)
        if refusal is not None:
            return refusal
        return await self.get_response(request)
