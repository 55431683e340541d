"""The agents' pages of canned responses: the list, the editor with its preview, and the two JSON
answers the reply box asks while an agent types ``#…`` (search, then use)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pomoc.automation.canned import selectors, services
from pomoc.automation.canned.forms import CannedForm
from pomoc.automation.canned.models import CannedResponse, Scope
from pomoc.automation.canned.permissions import (
    access_canned,
    access_canned_attachment,
    manages_team_canned,
    may_change_canned,
)
from pomoc.automation.placeholders import PLACEHOLDERS, template_error
from pomoc.core.form_errors import add_service_errors
from pomoc.tickets.attachments import NewAttachment
from pomoc.tickets.downloads import attachment_response
from pomoc.tickets.models import Ticket
from pomoc.tickets.permissions import PermissionDenied, access_ticket_by_number, visible_tickets
from pomoc.tickets.views_common import staff_required


def _ticket_from(request, value):
    """The ticket named by number in the request, if the agent may see it (404 otherwise); None if none named."""
    if not value:
        return None
    ticket = access_ticket_by_number(request.user, value)
    # what the placeholders read, once for all the hits of a search
    return (Ticket.objects.select_related("requester__company", "department")
            .prefetch_related("requester__identities").get(pk=ticket.pk))


@staff_required
@require_GET
def canned_list(request):
    items = selectors.canned_list(request.user)
    groups = [(scope, [c for c in items if c.scope == scope]) for scope in Scope]
    return render(request, "canned/list.html", {
        "groups": groups, "may_change": {c.pk for c in items if may_change_canned(request.user, c)},
        "manages_team": manages_team_canned(request.user),
    })


def _uploads(request) -> list[NewAttachment]:
    return [NewAttachment(file_name=f.name, content=f, content_type=f.content_type or "")
            for f in request.FILES.getlist("attachments")]


def _initial(canned: CannedResponse) -> dict:
    data = {"name": canned.name, "scope": canned.scope, "department": canned.department_id, "body": canned.body}
    data.update({f"variant_{v.language}": v.body for v in canned.variants.all()})
    return data


@staff_required
@require_http_methods(["GET", "POST"])
def canned_edit(request, pk: int | None = None):
    canned = access_canned(request.user, pk) if pk is not None else None
    if canned is not None and not may_change_canned(request.user, canned):
        raise Http404  # seen in the list, but not this agent's to change
    form = CannedForm(request.POST or None, request.FILES or None, user=request.user,
                      initial=_initial(canned) if canned else {"scope": Scope.PERSONAL})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                if canned is None:
                    canned = services.canned_create(
                        actor=request.user, name=data["name"], body=data["body"], scope=data["scope"],
                        department=data.get("department"), variants=form.variants(), attachments=_uploads(request))
                else:
                    services.canned_update(canned=canned, actor=request.user, changes={
                        "name": data["name"], "body": data["body"], "scope": data["scope"],
                        "department": data.get("department"), "variants": form.variants()})
                    services.canned_attachments_add(canned=canned, actor=request.user, attachments=_uploads(request))
        except ValidationError as error:
            add_service_errors(form, error, aliases={f"variants.{c}": f"variant_{c}" for c in ("en", "cs", "pl", "et")})
            canned = access_canned(request.user, pk) if pk is not None else None
        except PermissionDenied as error:
            form.add_error(None, str(error))
            canned = access_canned(request.user, pk) if pk is not None else None
        else:
            messages.success(request, _("Canned response #%(name)s saved.") % {"name": canned.name})
            return redirect("canned:list")
    status = 400 if request.method == "POST" else 200
    return render(request, "canned/edit.html", {"form": form, "canned": canned, "placeholders": PLACEHOLDERS,
                                                "languages": settings.LANGUAGES}, status=status)


@staff_required
@require_POST
def canned_delete(request, pk: int):
    canned = access_canned(request.user, pk)
    try:
        services.canned_delete(canned=canned, actor=request.user)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("Canned response #%(name)s deleted.") % {"name": canned.name})
    return redirect("canned:list")


@staff_required
@require_POST
def canned_attachment_remove(request, public_id: str):
    attachment = access_canned_attachment(request.user, public_id)
    try:
        services.canned_attachment_remove(attachment=attachment, actor=request.user)
    except PermissionDenied:
        raise Http404 from None
    return redirect("canned:edit", pk=attachment.canned_id)


@staff_required
@require_GET
def canned_attachment(request, public_id: str):
    return attachment_response(access_canned_attachment(request.user, public_id))


@staff_required
@require_POST
def canned_preview(request):
    """The editor's preview: the text as the customer would read it, for one of the agent's tickets
    (the one named, else the latest they can see) or with empty placeholders."""
    language = request.POST.get("language", "")
    language = language if language in services.LANGUAGES else None
    body = request.POST.get("body", "")
    if language and request.POST.get(f"variant_{language}", "").strip():
        body = request.POST[f"variant_{language}"]
    problem = template_error(body) if body.strip() else _("Write a text to preview it.")
    ticket = _ticket_from(request, request.POST.get("ticket")) or \
        visible_tickets(request.user).select_related("requester").order_by("-updated_at", "-id").first()
    text, _html, _files = services.canned_render(CannedResponse(body=body), ticket=ticket, agent=request.user,
                                                 body=body, language=language,
                                                 with_attachments=False) if not problem else ("", "", [])
    return render(request, "canned/_preview.html", {"text": text, "problem": problem, "ticket": ticket})


def _json_item(canned: CannedResponse, text: str) -> dict:
    return {"id": canned.pk, "name": canned.name, "scope": canned.scope, "scope_label": str(canned.get_scope_display()),
            "department": canned.department.name if canned.department_id else "", "preview": text[:600],
            "attachments": [a.file_name for a in canned.attachments.all()]}


@staff_required
@require_GET
def canned_search(request):
    """Search as you type (``q``: what follows ``#``), each hit previewed for the ticket named."""
    ticket = _ticket_from(request, request.GET.get("ticket"))
    items = []
    for canned in selectors.canned_search(request.user, request.GET.get("q", "")):
        text, _html, _files = services.canned_render(canned, ticket=ticket, agent=request.user, with_attachments=False)
        items.append(_json_item(canned, text))
    return JsonResponse({"items": items})


@staff_required
@require_POST
def canned_use(request, pk: int):
    """Insert: the rendered text and html for the ticket, the attachments' download links; counts one use."""
    canned = access_canned(request.user, pk)
    ticket = _ticket_from(request, request.POST.get("ticket"))
    text, html, _files = services.canned_render(canned, ticket=ticket, agent=request.user, with_attachments=False)
    services.canned_used(canned=canned)
    return JsonResponse({
        "id": canned.pk, "name": canned.name, "text": text, "html": html,
        "attachments": [{"name": a.file_name, "content_type": a.content_type, "size": a.size,
                         "url": reverse("canned:attachment", args=[a.public_id])} for a in canned.attachments.all()],
    })


