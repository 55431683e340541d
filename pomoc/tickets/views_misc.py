"""Global search, the contact page and opening a ticket on a customer's behalf."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from pomoc.contacts.models import Contact, IdentityKind
from pomoc.contacts.selectors import contacts_matching
from pomoc.contacts.services import contact_get_or_create, identity_add
from pomoc.core.form_errors import add_service_errors, error_messages
from pomoc.core.ids import is_id
from pomoc.core.text import text_problem
from pomoc.tickets import reply_routes, selectors, services
from pomoc.tickets.composer import message_bodies, uploaded_files, uploaded_names
from pomoc.tickets.forms import NewTicketForm
from pomoc.tickets.models import Channel, MessageKind
from pomoc.tickets.permissions import visible_tickets
from pomoc.tickets.views_common import staff_required

SNIPPET_CHARS = 90


def snippet(text: str, term: str) -> str:
    """A short piece of ``text`` around the first place ``term`` occurs (plain text; escaped later)."""
    text = " ".join((text or "").split())
    at = text.lower().find(term.lower())
    if at < 0:
        return text[: SNIPPET_CHARS * 2] + ("…" if len(text) > SNIPPET_CHARS * 2 else "")
    start = max(0, at - SNIPPET_CHARS)
    end = min(len(text), at + len(term) + SNIPPET_CHARS)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


@staff_required
@require_GET
def search(request):
    query = (request.GET.get("q") or "").strip()[:200]
    problem = text_problem(query)
    if problem:  # a NUL character is nothing a database can search for
        messages.error(request, problem)
        return render(request, "tickets/search.html", {"query": "", "search_query": "", "results": None,
                                                       "message_hits": [], "too_short": False}, status=400)
    number = query.lstrip("#")
    if is_id(number):  # a ticket number opens that ticket, when there is one this agent may see
        found = visible_tickets(request.user).filter(number=int(number)).values_list("number", flat=True).first()
        if found is not None:
            return redirect("tickets:detail", number=found)
    results = selectors.global_search(request.user, query) if query else None
    message_hits = [(message, snippet(message.body_text, query)) for message in results.messages] if results else []
    too_short = bool(query) and len(query) < 2 and not query.isdigit()
    return render(request, "tickets/search.html",
                  {"query": query, "search_query": query, "results": results, "message_hits": message_hits,
                   "too_short": too_short})


@staff_required
@require_GET
def contact_lookup(request):
    """Contacts matching what the agent types (name, e-mail address or phone number), as JSON for the
    new-ticket form's requester picker (composer.js). Contacts are visible to every agent."""
    found = contacts_matching(request.GET.get("q", ""))
    return JsonResponse({"contacts": [
        {"id": contact.pk, "name": contact.name or str(contact),
         "identities": [identity.value for identity in contact.identities.all()],
         "company": contact.company.name if contact.company_id else ""}
        for contact in found]})


def _requester(form: NewTicketForm) -> Contact:
    """The contact picked, or the one found or created on the spot by e-mail address and/or phone number."""
    data = form.cleaned_data
    if data.get("contact"):
        requester = Contact.objects.filter(pk=data["contact"]).first()
        if requester is None:
            raise ValidationError({"contact": _("There is no contact with this id.")})
        return requester
    name = data.get("requester_name", "")
    if data.get("requester_email"):
        requester, _created = contact_get_or_create(kind=IdentityKind.EMAIL, value=data["requester_email"], name=name)
        if data.get("requester_phone"):
            try:
                identity_add(contact=requester, kind=IdentityKind.PHONE, value=data["requester_phone"])
            except ValidationError as error:
                raise ValidationError({"requester_phone": error_messages(error).get("value", error.messages)}) from None
        return requester
    try:
        requester, _created = contact_get_or_create(kind=IdentityKind.PHONE, value=data["requester_phone"], name=name)
    except ValidationError as error:
        raise ValidationError({"requester_phone": error_messages(error).get("value", error.messages)}) from None
    return requester


@staff_required
def new_ticket(request):
    """Open a ticket: the customer's request as they told it, or a message to the customer sent at once."""
    form = NewTicketForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outbound = data.get("direction") == NewTicketForm.OUTBOUND
        body_text, body_html = message_bodies(data)
        try:
            with transaction.atomic():
                requester = _requester(form)
                reply_inbox, reply_identity = reply_routes.initial_route(requester=requester,
                                                                        option=form.chosen_reply_inbox())
                ticket = services.ticket_create(
                    requester=requester, subject=data["subject"], body_text=body_text, body_html=body_html,
                    channel=Channel.AGENT, actor=request.user, department=data.get("department"),
                    priority=data["priority"], assignee=request.user if data.get("assign_to_me") else None,
                    reply_inbox=reply_inbox, reply_identity=reply_identity, custom_fields=form.custom_field_values(),
                    attachments=uploaded_files(request),
                    message_kind=MessageKind.REPLY if outbound else MessageKind.CUSTOMER,
                    **({"cc": data["cc"], "bcc": data["bcc"], "signed": data["signed"]} if outbound else {}),
                )
        except ValidationError as error:
            add_service_errors(form, error, aliases={"value": "requester_email", "body": "body", "attachments": None,
                                                    **form.custom_field_aliases()})
        else:
            if outbound:
                messages.success(request, _("Ticket #%(number)s opened; your message is on its way.")
                                 % {"number": ticket.number})
            if visible_tickets(request.user).filter(pk=ticket.pk).exists():
                return redirect("tickets:detail", number=ticket.number)
            return redirect("tickets:inbox")
    picked = None
    if form.is_bound and is_id(str(form["contact"].value() or "")):
        picked = Contact.objects.filter(pk=int(form["contact"].value())).prefetch_related("identities").first()
    return render(request, "tickets/new.html",
                  {"form": form, "picked": picked,
                   "dropped_files": uploaded_names(request) if request.method == "POST" else []},
                  status=400 if form.errors else 200)
