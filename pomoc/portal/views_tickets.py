"""'My requests' under /my/tickets/: the customer's tickets from every channel, the conversation,
replies with attachments, closing and reopening."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from pomoc.core.form_errors import add_service_errors
from pomoc.orders import selectors as order_selectors
from pomoc.portal import selectors, services
from pomoc.portal.access import access_portal_attachment, access_portal_ticket, customer_required
from pomoc.portal.context import portal_context
from pomoc.portal.forms import ReplyForm
from pomoc.tickets.attachments import NewAttachment
from pomoc.tickets.downloads import attachment_response

MAX_FILES = 10


def _int(value, default=1) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@customer_required
@require_safe
def my_tickets(request):
    show = request.GET.get("show") if request.GET.get("show") in ("open", "solved") else "all"
    page = selectors.my_tickets(request.user, page=_int(request.GET.get("page")), show=show)
    return render(request, "portal/tickets/list.html", {**portal_context(request), "portal_section": "tickets",
                                                        "page": page, "show": show})


def _ticket_page(request, ticket, form, status=200):
    ticket.customer_state = selectors.customer_state(ticket.status)
    rma = order_selectors.return_for_ticket(ticket)
    return render(request, "portal/tickets/detail.html", {
        **portal_context(request), "portal_section": "tickets", "ticket": ticket, "form": form,
        "conversation": selectors.conversation(ticket), "solved": ticket.status in services.CLOSED,
        "rma": rma, "rma_steps": order_selectors.return_steps(rma) if rma else [],
    }, status=status)


@customer_required
@require_safe
def ticket(request, number):
    return _ticket_page(request, access_portal_ticket(request.user, number), ReplyForm())


@customer_required
@require_POST
def ticket_reply(request, number):
    ticket = access_portal_ticket(request.user, number)
    form = ReplyForm(request.POST)
    uploads = request.FILES.getlist("files")
    if len(uploads) > MAX_FILES:
        form.add_error(None, _("At most %(count)s files at a time.") % {"count": MAX_FILES})
    elif form.is_valid():
        files = [NewAttachment(file_name=upload.name, content=upload, content_type=upload.content_type or "")
                 for upload in uploads]
        try:
            services.portal_reply(user=request.user, ticket=ticket, text=form.cleaned_data["body"], attachments=files)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your reply has been sent."))
            return redirect("portal:ticket", number=ticket.number)
    return _ticket_page(request, ticket, form, status=400)


@customer_required
@require_POST
def ticket_status(request, number):
    ticket = access_portal_ticket(request.user, number)
    if request.POST.get("action") == "close":
        services.portal_close(user=request.user, ticket=ticket)
        messages.success(request, _("We are glad it is solved. If you need more help, reopen the request."))
    elif request.POST.get("action") == "reopen":
        services.portal_reopen(user=request.user, ticket=ticket)
        messages.success(request, _("The request is open again. Tell us what you still need."))
    return redirect("portal:ticket", number=ticket.number)


@customer_required
@require_safe
def attachment(request, public_id):
    return attachment_response(access_portal_attachment(request.user, public_id))
