"""The ticket page: conversation, properties, reply and note, merge and split."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pomoc.accounts.models import STAFF_ROLES, Department, User
from pomoc.accounts.services import user_ticket_history_show
from pomoc.core.form_errors import add_service_errors, error_messages
from pomoc.core.ids import is_id
from pomoc.core.text import clean_text, text_problem
from pomoc.tickets import (
    custom_fields,
    forwarding,
    history,
    merging,
    page_query,
    rendering,
    reply_routes,
    selectors,
    services,
    snooze,
    unread,
)
from pomoc.tickets.composer import message_bodies, uploaded_files, uploaded_names
from pomoc.tickets.downloads import attachment_response
from pomoc.tickets.forms import (
    ForwardForm,
    MergeForm,
    MessageForm,
    ReplyForm,
    SnoozeForm,
    departments,
    split_tags,
    staff_users,
)
from pomoc.tickets.models import DeliveryState, Message, MessageKind, Priority, Status, Ticket
from pomoc.tickets.permissions import (
    access_attachment,
    access_message,
    access_ticket_by_number,
    require_can_work_on,
    visible_messages,
    visible_tickets,
)
from pomoc.tickets.views_common import is_htmx, staff_required

PUBLIC_KINDS = (MessageKind.CUSTOMER, MessageKind.REPLY)


def load_ticket(request, number, *, main: bool = True, sidebar: bool = True) -> Ticket:
    """The ticket with what its page shows; without ``sidebar`` (or ``main``) for answers that leave
    the sidebar (or all but the sidebar) out: the page loads its sidebar afterwards (``sidebar_partial``)."""
    return access_ticket_by_number(request.user, number,
                                   page_query.ticket_page_queryset(request.user, main=main, sidebar=sidebar))


def load_ticket_message(request, number, message_id) -> tuple[Ticket, Message]:
    """The ticket and one of its messages, both checked against the requester; 404 otherwise."""
    ticket = load_ticket(request, number)
    message = access_message(request.user, message_id)
    if message.ticket_id != ticket.pk:
        raise Http404
    return ticket, message


def flash_errors(request, error: ValidationError) -> None:
    for field_messages in error_messages(error).values():
        for text in field_messages:
            messages.error(request, text)


def header_context(request, ticket: Ticket, errors: dict | None = None) -> dict:
    return {
        "ticket": ticket, "tag_names": sorted(ticket.tags.values_list("name", flat=True)),
        "statuses": Status.choices, "priorities": Priority.choices, "agents": staff_users(),
        "departments": departments(), "header_errors": errors or {},
    }


def conversation_context(request, ticket: Ticket) -> dict:
    timeline = selectors.ticket_timeline(request.user, ticket)
    events = history.ticket_events(ticket)
    waits = history.delivery_waits(events, timeline)
    for message in timeline:
        message.delivery_wait = waits.get(message.pk)
    # Messages whose original a channel keeps (e-mail's raw mail store) offer it for download.
    raw_ids = {m.pk for m in timeline if m.keeps_original}
    return {"ticket": ticket, "timeline": timeline, "newest_message_id": max((m.pk for m in timeline), default=0),
            "ticket_events": events,
            "raw_message_ids": raw_ids, "items": history.interleaved(timeline, history.ticket_history(events)),
            "show_history": getattr(request.user, "show_ticket_history", True)}


def sidebar_context(request, ticket: Ticket) -> dict:
    return {
        "ticket": ticket, "requester": ticket.requester, "identities": list(ticket.requester.identities.all()),
        "other_tickets": selectors.requester_other_tickets(request.user, ticket),
        **custom_fields_context(request, ticket),
    }


def custom_fields_context(request, ticket: Ticket, errors: dict | None = None, sent: dict | None = None,
                          saved: bool = False) -> dict:
    """The ticket's custom fields as the sidebar edits them (``tickets/_custom_fields.html``); ``sent``
    keeps what the agent typed into a field that was refused."""
    sent = sent or {}
    rows = [
        {"definition": definition, "name": custom_fields.FORM_PREFIX + definition.key,
         "value": sent[definition.key] if definition.key in sent
         else custom_fields.text_from_value(ticket.custom_fields.get(definition.key)),
         "shown": history.field_value(definition, ticket.custom_fields.get(definition.key)),
         "errors": (errors or {}).get(f"custom_fields.{definition.key}", [])}
        for definition in custom_fields.active_definitions()
    ]
    return {"ticket": ticket, "custom_field_rows": rows, "custom_fields_saved": saved,
            "custom_field_errors": (errors or {}).get(None, []) + (errors or {}).get("custom_fields", [])}


def reply_route_context(request, ticket: Ticket, errors: dict | None = None) -> dict:
    """Where a reply goes now and where else it could go (``tickets/_reply_route.html``)."""
    return {"ticket": ticket, "reply_route": reply_routes.route_choice(ticket), "route_errors": errors or {}}


def page_context(request, ticket: Ticket, *, sidebar_later: bool = False, **extra) -> dict:
    """The whole ticket page. With ``sidebar_later`` the sidebar (customer, fields, time, other
    tickets) is not read here: the page asks for it as soon as it is shown (``sidebar_partial``), so
    the conversation and the composer come first. Pages answering a refused form keep it inline, with
    whatever it says about the refusal."""
    context = {**header_context(request, ticket), **conversation_context(request, ticket),
               **reply_route_context(request, ticket), "sidebar_later": sidebar_later}
    if not sidebar_later:
        context.update(sidebar_context(request, ticket))
    context["merged_into_number"] = merged_into_number(ticket)
    newest = context["newest_message_id"]
    context.setdefault("reply_form", ReplyForm(auto_id="reply-%s", initial={"seen_message_id": newest}))
    context.setdefault("note_form", MessageForm(auto_id="note-%s", initial={"seen_message_id": newest}))
    context.setdefault("merge_form", MergeForm(auto_id="merge-%s"))
    context.setdefault("undoable_merges", merging.undoable_merges(ticket, events=context["ticket_events"]))
    context.update(extra)
    return context


def merged_into_number(ticket: Ticket) -> int | None:
    """The number of the ticket this one was merged into (read with the ticket by ``load_ticket``)."""
    if not ticket.merged_into_id:
        return None
    number = getattr(ticket, "merged_into_number", None)
    return number if number is not None else ticket.merged_into.number


@staff_required
@require_GET
def detail(request, number):
    ticket = load_ticket(request, number, sidebar=False)
    unread.opened(request.user, ticket)
    # ?images=<message id>[,…] or ?images=all: the agent asked to load the remote images of those messages
    remote_images = rendering.parse_remote_images(request.GET.get("images"))
    response = render(request, "tickets/detail.html",
                      page_context(request, ticket, sidebar_later=True, remote_images=remote_images))
    if remote_images:
        response["Content-Security-Policy"] = rendering.REMOTE_IMAGES_CSP
    return response


@staff_required
@require_GET
def header_partial(request, number):
    ticket = load_ticket(request, number, sidebar=False)
    return render(request, "tickets/_header.html", header_context(request, ticket))


@staff_required
@require_GET
def conversation_partial(request, number):
    ticket = load_ticket(request, number, sidebar=False)
    unread.opened(request.user, ticket)  # the agent is on the page: what it now shows is read
    return render(request, "tickets/_conversation.html", conversation_context(request, ticket))


@staff_required
@require_GET
def sidebar_partial(request, number):
    ticket = load_ticket(request, number, main=not is_htmx(request))
    if not is_htmx(request):  # the page's link for browsers without scripts: the whole page, sidebar inline
        response = render(request, "tickets/detail.html", page_context(request, ticket))
    else:
        response = render(request, "tickets/_ticket_sidebar.html", sidebar_context(request, ticket))
    patch_vary_headers(response, ["HX-Request"])  # one address, two answers: caches must tell them apart
    return response


def history_changed(response: HttpResponse) -> HttpResponse:
    """An htmx answer to the agent's own change: the conversation fetches itself again, so that the
    change's line shows in the history at once (live updates skip the agent's own changes)."""
    response["HX-Trigger"] = "pomoc:history-changed"
    return response


def parse_changes(post) -> dict:
    """The header forms send one field each; only the fields present are changed."""
    changes: dict = {}
    problems = {key: problem for key in ("subject", "status", "priority", "assignee", "department", "tags")
                if key in post and (problem := text_problem(post[key], single_line=True))}
    if problems:
        raise ValidationError(problems)
    if "subject" in post:
        changes["subject"] = post["subject"]
    if "status" in post:
        changes["status"] = post["status"]
    if "priority" in post:
        value = post["priority"]
        if not is_id(value) or int(value) not in Priority.values:
            raise ValidationError({"priority": _("Unknown priority.")})
        changes["priority"] = int(value)
    if "assignee" in post:
        value = post["assignee"]
        if value == "":
            changes["assignee"] = None
        else:
            agents = User.objects.filter(role__in=STAFF_ROLES, is_active=True)
            agent = agents.filter(pk=int(value)).first() if is_id(value) else None
            if agent is None:
                raise ValidationError({"assignee": _("No such agent.")})
            changes["assignee"] = agent
    if "department" in post:
        value = post["department"]
        if value == "":
            changes["department"] = None
        else:
            department = Department.objects.filter(pk=int(value)).first() if is_id(value) else None
            if department is None:
                raise ValidationError({"department": _("No such department.")})
            changes["department"] = department
    if "tags" in post:
        changes["tags"] = split_tags(post["tags"])
    if not changes:
        raise ValidationError(_("Nothing to change."))
    return changes


def _redirect_away_if_hidden(request, ticket: Ticket):
    """After a change (another department…) the user may no longer see the ticket."""
    if visible_tickets(request.user).filter(pk=ticket.pk).exists():
        return None
    messages.info(request, _("Ticket #%(number)s is no longer visible to you.") % {"number": ticket.number})
    url = reverse("tickets:inbox")
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@staff_required
@require_POST
def update(request, number):
    ticket = load_ticket(request, number)
    require_can_work_on(request.user, ticket)
    try:
        services.ticket_update(ticket=ticket, actor=request.user, changes=parse_changes(request.POST))
    except ValidationError as error:
        errors = error_messages(error)
        if is_htmx(request):
            return render(request, "tickets/_header.html", header_context(request, ticket, errors))
        return render(request, "tickets/detail.html", page_context(request, ticket, header_errors=errors), status=400)
    away = _redirect_away_if_hidden(request, ticket)
    if away:
        return away
    ticket = load_ticket(request, number)
    if is_htmx(request):
        return history_changed(render(request, "tickets/_header.html", header_context(request, ticket)))
    return redirect("tickets:detail", number=ticket.number)


def _add_message(request, number, kind: str):
    ticket = load_ticket(request, number)
    require_can_work_on(request.user, ticket)
    prefix = "reply" if kind == MessageKind.REPLY else "note"
    form_class = ReplyForm if kind == MessageKind.REPLY else MessageForm
    form = form_class(request.POST, auto_id=f"{prefix}-%s")
    forms = {f"{prefix}_form": form}
    if form.is_valid():
        seen = form.cleaned_data.get("seen_message_id")
        newer = []
        if kind == MessageKind.REPLY and seen is not None and not form.cleaned_data.get("force"):
            newer = list(
                visible_messages(request.user, ticket).filter(pk__gt=seen, kind__in=PUBLIC_KINDS)
                .select_related("author_user", "author_contact").order_by("created_at", "id")
            )
        if newer:
            # Do not send: the agent answers a conversation that has moved on. Keep the text, and
            # count the new messages as seen, so that "Send reply" after reading them just sends.
            data = request.POST.copy()
            data["seen_message_id"] = str(max(m.pk for m in newer))
            data.pop("force", None)
            forms = {f"{prefix}_form": form_class(data, auto_id=f"{prefix}-%s")}
            files = uploaded_names(request)
            context = page_context(request, ticket, **forms, collision_messages=newer, dropped_files=files)
            return render(request, "tickets/detail.html", context, status=409)
        body_text, body_html = message_bodies(form.cleaned_data)
        copies = ({key: form.cleaned_data[key] for key in ("cc", "bcc", "signed")}
                  if kind == MessageKind.REPLY else {})
        try:
            message = services.message_add(ticket=ticket, kind=kind, actor=request.user, body_text=body_text,
                                           body_html=body_html, attachments=uploaded_files(request), **copies)
        except ValidationError as error:
            add_service_errors(form, error, aliases={"attachments": None})
        else:
            if kind == MessageKind.REPLY:
                _report_delivery(request, message)
            else:
                messages.success(request, _("Internal note added."))
            return redirect(f"{reverse('tickets:detail', args=[ticket.number])}#message-{message.pk}")
    return render(request, "tickets/detail.html",
                  page_context(request, ticket, **forms, dropped_files=uploaded_names(request)), status=400)


def _report_delivery(request, message: Message) -> None:
    """Say what happened to the reply, truthfully: delivery runs after commit, at once or in a worker."""
    message.refresh_from_db(fields=["delivery_state", "delivery_error"])
    address = message.recipient.value if message.recipient_id else ""
    if message.delivery_state == DeliveryState.SENT:
        messages.success(request, _("Reply sent to %(address)s.") % {"address": address})
    elif message.delivery_state == DeliveryState.FAILED:
        messages.error(request, _("The reply to %(address)s could not be sent: %(reason)s")
                       % {"address": address, "reason": message.delivery_error})
    else:
        messages.success(request, _("Reply queued for delivery to %(address)s.") % {"address": address})


@staff_required
@require_http_methods(["GET", "POST"])
def reply_route(request, number):
    """The reply route above the reply box (GET: the partial); POST changes it."""
    ticket = load_ticket(request, number)
    if request.method == "GET":
        return render(request, "tickets/_reply_route.html", reply_route_context(request, ticket))
    require_can_work_on(request.user, ticket)
    try:
        inbox, identity = reply_routes.parse_route_value(ticket, request.POST.get("route", ""))
        services.ticket_reply_route_set(ticket=ticket, actor=request.user, inbox=inbox, identity=identity)
    except ValidationError as error:
        errors = error_messages(error)
        if is_htmx(request):
            return render(request, "tickets/_reply_route.html", reply_route_context(request, ticket, errors))
        return render(request, "tickets/detail.html", page_context(request, ticket, route_errors=errors), status=400)
    ticket = load_ticket(request, number)
    if is_htmx(request):
        return history_changed(render(request, "tickets/_reply_route.html", reply_route_context(request, ticket)))
    messages.success(request, _("Replies on this ticket now go this way."))
    return redirect("tickets:detail", number=ticket.number)


@staff_required
@require_POST
def reply(request, number):
    return _add_message(request, number, MessageKind.REPLY)


@staff_required
@require_POST
def note(request, number):
    return _add_message(request, number, MessageKind.NOTE)


@staff_required
@require_GET
def merge_candidates(request, number):
    """The tickets the agent may merge this one into, matching what they type (htmx partial)."""
    ticket = load_ticket(request, number)
    query = clean_text(request.GET.get("q", ""))[:200]
    return render(request, "tickets/_merge_candidates.html",
                  {"candidates": merging.merge_candidates(request.user, ticket, query), "query": query})


@staff_required
@require_GET
def merge_preview(request, number):
    """What merging this ticket into the chosen one will do, with the button that does it; without a
    chosen ticket, the tickets matching the search (the page works without JavaScript too)."""
    ticket = load_ticket(request, number)
    require_can_work_on(request.user, ticket)
    query = clean_text(request.GET.get("q", ""))[:200]
    chosen = request.GET.get("target") or (query.strip().lstrip("#") if is_id(query.strip().lstrip("#")) else "")
    context = {"ticket": ticket, "query": query, "undo_minutes": settings.MERGE_UNDO_MINUTES}
    status = 200
    if chosen:
        try:
            target = access_ticket_by_number(request.user, chosen)
        except Http404:
            context["not_found"] = _("There is no ticket with this number that you can see.")
            status = 404
        else:
            context["preview"] = merging.merge_preview(ticket, target)
    if "preview" not in context:
        context["candidates"] = merging.merge_candidates(request.user, ticket, query)
    return render(request, "tickets/merge_preview.html", context, status=status)


@require_http_methods(["GET", "POST"])
def forward(request, number):
    """Forward one message (``?message=<id>``) or the whole ticket by e-mail to any address."""
    ticket = load_ticket(request, number)
    require_can_work_on(request.user, ticket)
    form = ForwardForm(request.POST or None, initial={"message": request.GET.get("message")}, auto_id="forward-%s")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        body_text, body_html = message_bodies(data)
        try:
            message = _forwarded_message(request, ticket, data.get("message"))
            sent = forwarding.message_forward(
                ticket=ticket, actor=request.user, to=data["to"], message=message, body_text=body_text,
                body_html=body_html, cc=data["cc"], bcc=data["bcc"], signed=data["signed"],
                attachments=uploaded_files(request))
        except ValidationError as error:
            add_service_errors(form, error, aliases={"attachments": None, "message": None, "ticket": None})
        else:
            sent.refresh_from_db(fields=["delivery_state", "delivery_error"])
            if sent.delivery_state == DeliveryState.FAILED:
                messages.error(request, _("The forward could not be sent: %(reason)s")
                               % {"reason": sent.delivery_error})
            else:
                messages.success(request, _("Forwarded to %(addresses)s.") % {"addresses": ", ".join(sent.forward_to)})
            return redirect(f"{reverse('tickets:detail', args=[ticket.number])}#message-{sent.pk}")
    message_id = form["message"].value()
    try:
        message = _forwarded_message(request, ticket, message_id)
        forwarded = forwarding.forwarded_messages(ticket, message)
    except (ValidationError, Http404):
        forwarded = []
    return render(request, "tickets/forward.html", {
        "ticket": ticket, "form": form, "forwarded": forwarded, "whole_ticket": not message_id,
        "dropped_files": uploaded_names(request) if request.method == "POST" else [],
    }, status=400 if form.errors else 200)


def _forwarded_message(request, ticket: Ticket, message_id) -> Message | None:
    """The message a forward carries (None: the whole ticket), checked through the permission helper."""
    if message_id in (None, ""):
        return None
    if not is_id(str(message_id)):
        raise ValidationError({"message": _("No such message.")})
    message = access_message(request.user, message_id)
    if message.ticket_id != ticket.pk:
        raise ValidationError({"message": _("No such message.")})
    return message


@staff_required
@require_POST
def merge(request, number):
    ticket = load_ticket(request, number)
    require_can_work_on(request.user, ticket)
    form = MergeForm(request.POST, auto_id="merge-%s")
    if form.is_valid():
        try:
            target = access_ticket_by_number(request.user, form.cleaned_data["target"])
        except Http404:
            form.add_error("target", _("There is no ticket with this number that you can see."))
        else:
            try:
                services.ticket_merge(source=ticket, target=target, actor=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Ticket #%(source)s was merged into this ticket.")
                                 % {"source": ticket.number})
                return redirect("tickets:detail", number=target.number)
    return render(request, "tickets/detail.html", page_context(request, ticket, merge_form=form), status=400)


@staff_required
@require_POST
def merge_undo(request, number):
    """Take back the merge of this ticket into another, within the undo window."""
    ticket = load_ticket(request, number)
    require_can_work_on(request.user, ticket)
    if ticket.merged_into_id:
        require_can_work_on(request.user, access_ticket_by_number(request.user, ticket.merged_into.number))
    try:
        merging.ticket_merge_undo(source=ticket, actor=request.user)
    except ValidationError as error:
        flash_errors(request, error)
        back = ticket.merged_into.number if ticket.merged_into_id else ticket.number
        return redirect("tickets:detail", number=back)
    messages.success(request, _("The merge was undone: ticket #%(number)s is on its own again.")
                     % {"number": ticket.number})
    return redirect("tickets:detail", number=ticket.number)


@staff_required
@require_POST
def snooze_set(request, number):
    """Snooze the ticket until the date and time the agent chose (in their time zone)."""
    ticket = load_ticket(request, number)
    require_can_work_on(request.user, ticket)
    form = SnoozeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({key: list(field_errors) for key, field_errors in form.errors.items()})
        snooze.ticket_snooze(ticket=ticket, actor=request.user, until=form.cleaned_data["until"])
    except ValidationError as error:
        errors = error_messages(error)
        if is_htmx(request):
            return render(request, "tickets/_header.html", header_context(request, ticket, errors))
        return render(request, "tickets/detail.html", page_context(request, ticket, header_errors=errors), status=400)
    away = _redirect_away_if_hidden(request, ticket)
    if away:
        return away
    ticket = load_ticket(request, number)
    if is_htmx(request):
        return history_changed(render(request, "tickets/_header.html", header_context(request, ticket)))
    messages.success(request, _("Ticket snoozed."))
    return redirect("tickets:detail", number=ticket.number)


@staff_required
@require_http_methods(["GET", "POST"])
def split(request, number, message_id):
    """GET: what splitting the message off will do, with the new ticket's subject to confirm; POST: do it."""
    ticket, message = load_ticket_message(request, number, message_id)
    require_can_work_on(request.user, ticket)
    if request.method == "GET":
        return render(request, "tickets/split_preview.html", {
            "ticket": ticket, "message": message, "subject": ticket.subject,
            "undo_minutes": settings.MERGE_UNDO_MINUTES})
    subject = request.POST.get("subject", "")
    try:
        if text_problem(subject, single_line=True):
            raise ValidationError({"subject": text_problem(subject, single_line=True)})
        new_ticket = services.message_split(message=message, actor=request.user, subject=subject)
    except ValidationError as error:
        flash_errors(request, error)
        return redirect("tickets:detail", number=ticket.number)
    messages.success(request, _("The message is now ticket #%(number)s.") % {"number": new_ticket.number})
    return redirect("tickets:detail", number=new_ticket.number)


@staff_required
@require_POST
def split_undo(request, number):
    """Take back the split that made this ticket: it goes back into the ticket it came from."""
    ticket = load_ticket(request, number)
    require_can_work_on(request.user, ticket)
    try:
        origin = merging.ticket_split_undo(ticket=ticket, actor=request.user)
    except ValidationError as error:
        flash_errors(request, error)
        return redirect("tickets:detail", number=ticket.number)
    messages.success(request, _("The split was undone: the message is back in this ticket."))
    return redirect("tickets:detail", number=origin.number)


@staff_required
@require_POST
def retry(request, number, message_id):
    ticket, message = load_ticket_message(request, number, message_id)
    try:
        services.message_delivery_retry(message, actor=request.user)
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, _("The reply is queued to be sent again."))
    return redirect("tickets:detail", number=ticket.number)



@staff_required
@require_POST
def custom_fields_update(request, number):
    """Save the custom fields the form sent (one per input, ``cf_<key>``), checked as the API checks them."""
    ticket = load_ticket(request, number)
    require_can_work_on(request.user, ticket)
    definitions = custom_fields.active_definitions()
    values = custom_fields.values_from_post(request.POST, definitions)
    try:
        if not values:
            raise ValidationError(_("Nothing to change."))
        services.ticket_update(ticket=ticket, actor=request.user, changes={"custom_fields": values})
    except ValidationError as error:
        sent = {d.key: clean_text(request.POST.get(custom_fields.FORM_PREFIX + d.key, "")) for d in definitions
                if custom_fields.FORM_PREFIX + d.key in request.POST}
        context = custom_fields_context(request, ticket, error_messages(error), sent)
        if is_htmx(request):
            return render(request, "tickets/_custom_fields.html", context)
        context.pop("ticket")
        return render(request, "tickets/detail.html", page_context(request, ticket, **context), status=400)
    ticket = load_ticket(request, number)
    if is_htmx(request):
        return history_changed(render(request, "tickets/_custom_fields.html",
                                      custom_fields_context(request, ticket, saved=True)))
    messages.success(request, _("Fields saved."))
    return redirect("tickets:detail", number=ticket.number)


@staff_required
@require_POST
def history_toggle(request, number):
    """Show or hide the history lines between the messages (``show`` present: show); remembered per agent."""
    ticket = load_ticket(request, number)
    user_ticket_history_show(user=request.user, show=bool(request.POST.get("show")))
    if is_htmx(request):
        return HttpResponse(status=204)
    return redirect("tickets:detail", number=ticket.number)


@require_GET
def attachment(request, public_id):
    """Downloads for anyone logged in who may see the message; the permission helper decides."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return attachment_response(access_attachment(request.user, public_id))


@require_GET
def inline_image(request, public_id):
    """A picture embedded in a mail (``cid:``), shown inside the message; raster images only."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return rendering.inline_image_response(access_attachment(request.user, public_id))
