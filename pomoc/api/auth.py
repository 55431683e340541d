"""Who is calling: a bearer token (scripts, integrations) or the browser session (our own pages).

Token requests need no CSRF token (the browser never sends a bearer token on its own); session
requests do, for every method that changes something.
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from pomoc.accounts.models import ApiToken, hash_token

# Writing last_used_at on every request would turn every read into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


class ApiAuthenticationError(AuthenticationError):
    """401 with a message that says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(status_code=401, message=message)


def _activate_user_language(user) -> None:
    # The locale middleware ran before we knew who the token belongs to.
    if user.language:
        translation.activate(user.language)


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer pomoc_…`` checked against the SHA-256 of stored API tokens."""

    def __call__(self, request):
        header = request.headers.get(self.header)
        if header and not header.lower().startswith("bearer "):
            raise ApiAuthenticationError(_("Unsupported Authorization header; use “Bearer <token>”."))
        return super().__call__(request)

    def authenticate(self, request, token: str):
        token = (token or "").strip()
        api_token = (
            ApiToken.objects.select_related("user").filter(key_hash=hash_token(token)).first() if token else None
        )
        if api_token is None:
            raise ApiAuthenticationError(_("The API token is not valid."))
        if api_token.revoked_at is not None:
            raise ApiAuthenticationError(_("The API token has been revoked."))
        user = api_token.user
        if not user.is_active:
            raise ApiAuthenticationError(_("The account this API token belongs to is deactivated."))
        now = timezone.now()
        if api_token.last_used_at is None or now - api_token.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.user = user
        request.api_token = api_token
        _activate_user_language(user)
        return user


class SessionAuth(APIKeyCookie):
    """The logged-in browser session, with Django's CSRF check on unsafe methods."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        # CSRF is checked in authenticate(), and only for a logged-in session: an anonymous
        # request should hear "log in" (401), not "CSRF failed" (403).
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not user.is_active:
            return None
        if request.method not in SAFE_METHODS and not getattr(request, "_ninja_csrf_exempt", False):
            if check_csrf(request) is not None:
                raise HttpError(403, _("CSRF check failed: send the X-CSRFToken header with the csrftoken cookie."))
        return user


API_AUTH = [BearerTokenAuth(), SessionAuth()]
