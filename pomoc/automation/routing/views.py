"""The agent's presence switch in the top bar."""

from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pomoc.accounts.models import Presence
from pomoc.automation.routing.services import presence_set
from pomoc.tickets.views_common import staff_required

CHOOSABLE = (Presence.ONLINE, Presence.AWAY)


@staff_required
@require_POST
def presence(request):
    status = request.POST.get("presence", "")
    if status not in CHOOSABLE:
        return HttpResponseBadRequest(_("Choose online or away."))
    presence_set(request.user, status)
    if request.headers.get("HX-Request"):
        return render(request, "routing/_presence.html", {"presence": status})
    following = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(following, {request.get_host()}, require_https=request.is_secure()):
        following = reverse("tickets:inbox")
    return redirect(following)
