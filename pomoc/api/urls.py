from django.http import JsonResponse
from django.urls import path, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from pomoc.api.api import api
from pomoc.api.errors import json_errors


def _wrapped(patterns):
    # Every API view answers errors in JSON and is never cached (see pomoc.api.errors).
    for pattern in patterns:
        pattern.callback = json_errors(pattern.callback)
    return patterns


@csrf_exempt
def not_found(request, rest=""):
    # Paths no endpoint matches (e.g. /tickets/abc) answer in JSON like the rest of the API, for
    # every method: an unsafe method is not turned into an HTML CSRF page first.
    return JsonResponse({"detail": _("Not found.")}, status=404)


_patterns, _app_name, _namespace = api.urls

urlpatterns = [
    path("", (_wrapped(_patterns), _app_name, _namespace)),
    re_path(r"^(?P<rest>.*)$", json_errors(not_found)),
]
