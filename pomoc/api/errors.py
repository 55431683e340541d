"""Every error the API returns is JSON with a ``detail``; validation errors list each field.

Django ``ValidationError`` from our services becomes 422 in the shape ninja uses for schema
errors: ``{"detail": [{"type": ..., "loc": [...], "msg": ...}]}``; its ``type`` is ``value_error``
for a rule the OpenAPI schema states, or the code of a refusal that depends on the data
(``pomoc.core.refusals``). Every other error is
``{"detail": "<message>"}``: 400 (a body that cannot be parsed), 401, 403, 404 (also for paths no
endpoint matches), 405 (a method the path does not have), 413, and 500 (an unexpected failure:
logged with its traceback, answered without internals).

``json_errors`` wraps every view under ``/api/v1/`` so that nothing reaches the client as an HTML
error page, and marks every API response as personal and not to be stored by caches.
"""

import functools
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from pomoc.core import refusals
from pomoc.tickets.permissions import PermissionDenied

logger = logging.getLogger("pomoc.api")
CACHE_CONTROL = {"no_store": True, "private": True}


def _error_type(error: DjangoValidationError) -> str:
    """``value_error`` for a rule of the request's shape; a refusal's own code when the data said no."""
    code = getattr(error, "code", None)
    return code if code in refusals.DATA_CODES else "value_error"


def validation_error_items(exc: DjangoValidationError, location: str, prefix: tuple = ()) -> list[dict]:
    """Flatten a Django ValidationError into ninja-style error items."""
    items: list[dict] = []
    if hasattr(exc, "error_dict"):
        for key, errors in exc.error_dict.items():
            loc = [location, *prefix]
            if key != "__all__":
                loc.extend(key.split("."))
            for error in errors:
                for message in error.messages:
                    items.append({"type": _error_type(error), "loc": loc, "msg": str(message)})
    else:
        for error in exc.error_list:
            for message in error.messages:
                items.append({"type": _error_type(error), "loc": [location, *prefix], "msg": str(message)})
    return items


def _location(request) -> str:
    return "query" if request.method in ("GET", "HEAD") else "body"


def install(api) -> None:
    def on_django_validation_error(request, exc):
        return api.create_response(request, {"detail": validation_error_items(exc, _location(request))}, status=422)

    def on_ninja_validation_error(request, exc):
        return api.create_response(request, {"detail": exc.errors}, status=422)

    def on_not_found(request, exc):
        return api.create_response(request, {"detail": _("Not found.")}, status=404)

    def on_permission_denied(request, exc):
        message = str(exc) if str(exc) else _("You are not allowed to do this.")
        return api.create_response(request, {"detail": message}, status=403)

    def on_authentication_error(request, exc):
        message = exc.message if exc.message != "Unauthorized" else _(
            "Authentication required: send “Authorization: Bearer <token>” or log in."
        )
        response = api.create_response(request, {"detail": message}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="pomoc"'
        return response

    def on_http_error(request, exc):
        return api.create_response(request, {"detail": exc.message}, status=exc.status_code)

    def on_too_big(request, exc):
        return api.create_response(
            request, {"detail": _("The request is too large. Attachments go as multipart files, up to %(mb)d MB each.")
                      % {"mb": settings.MAX_ATTACHMENT_BYTES // (1024 * 1024)}}, status=413)

    def on_unexpected(request, exc):
        # Django's own handler would answer with an HTML page (or a traceback with DEBUG on).
        log_unexpected(request, exc)
        return api.create_response(request, {"detail": server_error_message()}, status=500)

    api.add_exception_handler(Exception, on_unexpected)
    api.add_exception_handler(RequestDataTooBig, on_too_big)
    api.add_exception_handler(TooManyFieldsSent, on_too_big)
    api.add_exception_handler(DjangoValidationError, on_django_validation_error)
    api.add_exception_handler(NinjaValidationError, on_ninja_validation_error)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(PermissionDenied, on_permission_denied)
    api.add_exception_handler(DjangoPermissionDenied, on_permission_denied)
    api.add_exception_handler(AuthenticationError, on_authentication_error)
    api.add_exception_handler(HttpError, on_http_error)


def server_error_message() -> str:
    return _("Something went wrong on the server. The error has been logged.")


def log_unexpected(request, exc: BaseException) -> None:
    logger.error("Unexpected error in %s %s", request.method, request.path,
                 exc_info=(type(exc), exc, exc.__traceback__))


def _default_message(status: int) -> str:
    if status == 404:
        return _("Not found.")
    if status == 405:
        return _("This method is not allowed here.")
    if status == 403:
        return _("You are not allowed to do this.")
    if status == 400:
        return _("The request could not be understood.")
    if status >= 500:
        return server_error_message()
    return _("The request failed.")


def _is_json(response) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip() == "application/json"


def as_json_error(response: HttpResponse) -> HttpResponse:
    """An error response that is not JSON (405 from the router, a bare 404 or 500) rewritten as JSON."""
    if response.status_code < 400 or _is_json(response) or getattr(response, "streaming", False):
        return response
    replacement = JsonResponse({"detail": _default_message(response.status_code)}, status=response.status_code)
    for header in ("Allow", "WWW-Authenticate", "Retry-After"):
        if header in response:
            replacement[header] = response[header]
    return replacement


def finish(response: HttpResponse) -> HttpResponse:
    response = as_json_error(response)
    # Every answer depends on who asks and may hold personal data: no shared or browser cache keeps it.
    patch_cache_control(response, **CACHE_CONTROL)
    patch_vary_headers(response, ("Authorization", "Cookie"))
    return response


def json_errors(view):
    """Wrap an API view: JSON for every error, a JSON 500 for anything unexpected, no caching."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except Exception as exc:
            log_unexpected(request, exc)
            response = JsonResponse({"detail": server_error_message()}, status=500)
        return finish(response)

    return wrapper

