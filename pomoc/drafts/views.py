"""The drafts endpoint: the ticket page saves as the agent types (debounced in drafts.js) and reads
the other agents' drafts when one starts or ends."""

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from pomoc.core.form_errors import error_messages
from pomoc.drafts import selectors, services
from pomoc.tickets.permissions import PermissionDenied, access_ticket, require_can_work_on
from pomoc.tickets.views_common import staff_required

# drafts.js saves at most once every two seconds per box; this only stops a runaway client.
SAVES_PER_MINUTE = 120


def _throttled(user) -> bool:
    key = f"pomoc:draft-saves:{user.pk}"
    cache.add(key, 0, timeout=60)
    try:
        return cache.incr(key) > SAVES_PER_MINUTE
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=60)
        return False


@staff_required
@require_http_methods(["GET", "POST"])
def ticket_drafts(request, ticket_id: int, kind: str = ""):
    ticket = access_ticket(request.user, ticket_id)
    if request.method == "GET":
        return JsonResponse(selectors.ticket_drafts(request.user, ticket))
    try:
        require_can_work_on(request.user, ticket)
    except PermissionDenied:
        return JsonResponse({"errors": {"__all__": [_("You cannot work on this ticket.")]}}, status=403)
    if _throttled(request.user):
        return JsonResponse({"errors": {"__all__": [_("Too many saves; the draft is saved again in a moment.")]}},
                            status=429)
    try:
        draft = services.draft_save(user=request.user, ticket=ticket, kind=kind,
                                    text=request.POST.get("text", ""), html=request.POST.get("html", ""))
    except ValidationError as error:
        return JsonResponse({"errors": error_messages(error)}, status=400)
    return JsonResponse({"saved": draft is not None,
                         "updated_at": draft.updated_at.isoformat() if draft else None})
