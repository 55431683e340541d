from django.http import JsonResponse
from django.urls import path, re_path
from django.utils.translation import gettext as _

from pomoc.api.api import api


def not_found(request, rest=""):
    # Paths no endpoint matches (e.g. /tickets/abc) answer in JSON like the rest of the API.
    return JsonResponse({"detail": _("Not found.")}, status=404)


urlpatterns = [
    path("", api.urls),
    re_path(r"^(?P<rest>.*)$", not_found),
]
