"""Every error the API returns is JSON with a ``detail``; validation errors list each field.

Django ``ValidationError`` from our services becomes 422 in the shape ninja uses for schema
errors: ``{"detail": [{"type": ..., "loc": [...], "msg": ...}]}``.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from pomoc.tickets.permissions import PermissionDenied


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
                    items.append({"type": "value_error", "loc": loc, "msg": str(message)})
    else:
        for message in exc.messages:
            items.append({"type": "value_error", "loc": [location, *prefix], "msg": str(message)})
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

    api.add_exception_handler(RequestDataTooBig, on_too_big)
    api.add_exception_handler(TooManyFieldsSent, on_too_big)
    api.add_exception_handler(DjangoValidationError, on_django_validation_error)
    api.add_exception_handler(NinjaValidationError, on_ninja_validation_error)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(PermissionDenied, on_permission_denied)
    api.add_exception_handler(DjangoPermissionDenied, on_permission_denied)
    api.add_exception_handler(AuthenticationError, on_authentication_error)
    api.add_exception_handler(HttpError, on_http_error)
