"""The universal inbox: built-in and saved views, filters, keyset pages, bulk changes."""


from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pomoc.accounts.models import STAFF_ROLES, Department, User
from pomoc.core.form_errors import error_messages
from pomoc.tickets import selectors, unread
from pomoc.tickets.bulk import MERGE, SPAM, tickets_bulk_apply
from pomoc.tickets.custom_fields import FORM_PREFIX, active_definitions, text_from_value
from pomoc.tickets.forms import BulkForm, FilterForm, SaveViewForm, departments, split_tags, staff_users
from pomoc.tickets.history import field_value
from pomoc.tickets.inbox_columns import columns_param, parse_columns
from pomoc.tickets.inbox_rows import label_rows
from pomoc.tickets.models import ACTIVE_STATUSES, CustomFieldDefinition, Priority, SavedView
from pomoc.tickets.permissions import is_staff_user, visible_tickets
from pomoc.tickets.saved_views import VIEW_FILTER_KEYS, is_view_filter_key, saved_view_create
from pomoc.tickets.view_counts import all_views, as_querydict, with_counts
from pomoc.tickets.views_common import is_htmx, optional_reverse, staff_required

FILTER_KEYS = VIEW_FILTER_KEYS
DEFAULT_VIEW = "open"
# What the inbox rows show (and the keyset sorts need); the rest of each row is not loaded.
ROW_FIELDS = (
    "id", "number", "subject", "status", "priority", "channel", "created_at", "updated_at", "snoozed_until",
    "last_customer_message_at",
    "requester__id", "requester__name",
    "assignee__id", "assignee__first_name", "assignee__last_name", "assignee__username",
    "department__id", "department__name",
)


def filters_to_params(filters: selectors.TicketFilters) -> dict[str, str]:
    """TicketFilters back to the query parameters (and SavedView.filters) they were read from."""
    params: dict[str, str] = {}
    if filters.statuses:
        same_as_active = sorted(filters.statuses) == sorted(ACTIVE_STATUSES)
        params["status"] = "active" if same_as_active else ",".join(filters.statuses)
    if filters.priorities:
        params["priority"] = ",".join(Priority(p).key for p in filters.priorities)
    if filters.tags:
        params["tag"] = ",".join(filters.tags)
    for key in ("assignee", "department", "channel", "q"):
        if getattr(filters, key):
            params[key] = getattr(filters, key)
    for key in ("requester", "company"):
        if getattr(filters, key):
            params[key] = str(getattr(filters, key))
    if filters.sort != selectors.DEFAULT_SORT:
        params["sort"] = filters.sort
    for key, value in sorted(filters.custom_fields.items()):
        params[FORM_PREFIX + key] = text_from_value(value)
    if filters.field_columns:
        params["fields"] = ",".join(filters.field_columns)
    return params


def filter_keys(query) -> list[str]:
    """The filter parameters of ``query``: the fixed ones and a ``cf_<key>`` per custom field."""
    return [*FILTER_KEYS, *(key for key in query if key not in FILTER_KEYS and is_view_filter_key(key))]


def resolve_filters(request, views: list[dict]):
    """(current view, filter parameters, TicketFilters or None, errors) for this request."""
    errors: dict = {}
    key = request.GET.get("view") or DEFAULT_VIEW
    current = next((v for v in views if v["key"] == key), None)
    if current is None:
        errors[None] = [_("This view does not exist (any more); showing all open tickets.")]
        current = next(v for v in views if v["key"] == DEFAULT_VIEW)
    if request.GET.get("filtered"):
        # The filter bar sends every filter: what it holds replaces the view's own filters.
        params = QueryDict(mutable=True)
        for name in filter_keys(request.GET):
            values = [v for v in request.GET.getlist(name) if v.strip()]
            if values:
                params.setlist(name, values)
    else:
        params = as_querydict(current["filters"])
        for name in filter_keys(request.GET):
            values = [v for v in request.GET.getlist(name) if v.strip()]
            if values:
                params.setlist(name, values)
    try:
        filters = selectors.TicketFilters.from_mapping(params)
    except ValidationError as error:
        errors.update(error_messages(error))
        filters = None
    return current, params, filters, errors


def table_context(request, filters, params: QueryDict, errors: dict) -> dict:
    page = None
    columns = parse_columns(params.getlist("columns"))
    if filters is not None:
        try:
            # selectors.ticket_list(), loading only what the rows show.
            fields = (*ROW_FIELDS, "custom_fields") if filters.field_columns else ROW_FIELDS
            qs = selectors.filter_tickets(request.user, filters).select_related(
                "requester", "assignee", "department").only(*fields)
            if "preview" in columns:
                qs = selectors.with_last_message(qs)
            if "sla_due" in columns:
                qs = selectors.with_sla_due(qs)
            page = selectors.paginate(qs, sort=filters.sort, cursor=request.GET.get("cursor") or None)
        except ValidationError as error:
            errors.update(error_messages(error))
    tickets = page.items if page else []
    if "tags" in columns:
        selectors.prefetch_tags(tickets)
    unread.mark(tickets)  # before label_rows, which marks the unread ones
    label_rows(tickets, columns)
    field_columns = custom_field_cells(tickets, filters.field_columns if filters is not None else [])
    refresh = request.GET.copy()
    for name in ("cursor", "fragment"):
        refresh.pop(name, None)
    next_query = next_rows_query = ""
    if page and page.next_cursor:
        following = refresh.copy()
        following["cursor"] = page.next_cursor
        next_query = following.urlencode()
        following["fragment"] = "rows"
        next_rows_query = following.urlencode()
    save_params = filters_to_params(filters) if filters is not None else {}
    if columns_param(columns):
        save_params["columns"] = columns_param(columns)
    return {
        "columns": columns,
        "tickets": tickets, "errors": errors, "refresh_query": refresh.urlencode(), "next_query": next_query,
        "next_rows_query": next_rows_query, "save_params": save_params, "save_form": SaveViewForm(),
        "params": params, "next_url": request.get_full_path(), "field_columns": field_columns,
    }


def custom_field_cells(tickets: list, keys: list[str]) -> list:
    """The custom fields shown as columns (``fields=key,key``): their definitions; their cells, the
    values as people read them, go at the end of each ticket's ``cells`` (a loop per row in the
    template cost more than the cells)."""
    if not keys:
        return []
    definitions = {d.key: d for d in CustomFieldDefinition.objects.filter(key__in=keys)}
    columns = [definitions[key] for key in keys if key in definitions]
    for ticket in tickets:
        ticket.cells += format_html_join("", '<td class="col-field">{}</td>', (
            (field_value(d, ticket.custom_fields.get(d.key)),) for d in columns))
    return columns


def choices_context() -> dict:
    return {"agents": staff_users(), "departments": departments()}


@staff_required
def inbox(request):
    user = request.user
    views = all_views(user)
    fragment = request.GET.get("fragment") if is_htmx(request) else None
    current, params, filters, errors = resolve_filters(request, views)
    if fragment == "sidebar":
        with_counts(user, views)
        return render(request, "tickets/_inbox_sidebar.html",
                      {"views": views, "current": current, "view_query": request.GET.urlencode()})
    context = {"current": current, **table_context(request, filters, params, errors)}
    if fragment == "rows":
        return render(request, "tickets/_inbox_rows.html", context)
    choices = choices_context()
    context["bulk_form"] = BulkForm(auto_id="bulk_%s", **choices)  # ids apart from the filters' (both have a status)
    status = 400 if errors and not is_htmx(request) else 200
    if is_htmx(request):
        return render(request, "tickets/_inbox_table.html", context)
    initial = {name: params.get(name, "") for name in FILTER_KEYS}
    if filters is not None:
        initial = {name: "" for name in FILTER_KEYS} | filters_to_params(filters)
    initial["columns"] = context["columns"]
    # The page shows the counts it has cached; the sidebar fetches the others itself once loaded.
    counts_complete = with_counts(user, views, cached_only=True)
    context.update({
        "views": views,
        "counts_pending": not counts_complete,
        "filter_form": FilterForm(initial=initial, custom_field_definitions=active_definitions(), **choices),
        "view_query": request.GET.urlencode(),
        "hidden_params": {k: initial.get(k) for k in ("requester", "company") if initial.get(k)},
        "filters_open": request.GET.get("filtered") == "1",  # filtered by hand: a phone shows the filters
    })
    return render(request, "tickets/inbox.html", context, status=status)


def safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return fallback


@staff_required
@require_POST
def save_view(request):
    form = SaveViewForm(request.POST)
    try:
        filters = selectors.TicketFilters.from_mapping(as_querydict(
            {key: request.POST.getlist(key) for key in filter_keys(request.POST) if request.POST.getlist(key)}))
    except ValidationError as error:
        for messages_ in error_messages(error).values():
            for message in messages_:
                messages.error(request, message)
        return redirect(safe_next(request, reverse("tickets:inbox")))
    if not form.is_valid():
        for field_errors in form.errors.values():
            for message in field_errors:
                messages.error(request, message)
        return redirect(safe_next(request, reverse("tickets:inbox")))
    view_filters = filters_to_params(filters)
    columns = columns_param(parse_columns(request.POST.getlist("columns")))
    if columns:
        view_filters["columns"] = columns
    saved = saved_view_create(owner=request.user, name=form.cleaned_data["name"],
                              shared=form.cleaned_data["shared"], filters=view_filters)
    messages.success(request, _("View “%(name)s” saved.") % {"name": saved.name})
    return redirect(f"{reverse('tickets:inbox')}?view=saved-{saved.pk}")


@staff_required
@require_POST
def delete_view(request, view_id: int):
    saved = get_object_or_404(SavedView, pk=view_id, owner=request.user)
    name = saved.name
    saved.delete()
    messages.success(request, _("View “%(name)s” deleted.") % {"name": name})
    return redirect("tickets:inbox")


def bulk_changes(user, data: dict) -> dict:
    """The form's choices as ticket_update() changes; unknown agents or departments are errors."""
    changes: dict = {}
    assignee = data.get("assignee")
    if assignee == "me":
        changes["assignee"] = user
    elif assignee == "none":
        changes["assignee"] = None
    elif assignee:
        agent = User.objects.filter(pk=int(assignee), role__in=STAFF_ROLES, is_active=True).first()
        if agent is None:
            raise ValidationError({"assignee": _("No such agent.")})
        changes["assignee"] = agent
    if data.get("status"):
        changes["status"] = data["status"]
    if data.get("priority"):
        changes["priority"] = int(data["priority"])
    department = data.get("department")
    if department == "none":
        changes["department"] = None
    elif department:
        changes["department"] = Department.objects.get(pk=int(department))
    return changes


@staff_required
@require_POST
def bulk_update(request):
    user = request.user
    form = BulkForm(request.POST, **choices_context())
    back = safe_next(request, reverse("tickets:inbox"))
    if not form.is_valid():
        for field_errors in form.errors.values():
            for message in field_errors:
                messages.error(request, message)
        return redirect(back)
    # Only tickets this user may see; ids of others are silently not there.
    tickets = list(visible_tickets(user).filter(pk__in=form.cleaned_data["ticket"]).order_by("pk"))
    if not tickets:
        messages.error(request, _("None of the selected tickets can be changed (any more)."))
        return redirect(back)
    data = form.cleaned_data
    try:
        outcome = tickets_bulk_apply(
            tickets=tickets, actor=user, changes=bulk_changes(user, data), add_tags=split_tags(data["add_tags"]),
            remove_tags=split_tags(data["remove_tags"]), snooze_until=data.get("snooze_until"),
            action=data.get("action") or "")
    except ValidationError as error:
        for messages_ in error_messages(error).values():
            for message in messages_:
                messages.error(request, message)
        return redirect(back)
    if outcome.action == MERGE:
        done = _("Merged %(count)d ticket(s) into #%(number)s.") % {"count": outcome.count,
                                                                   "number": outcome.merged_into.number}
    elif outcome.action == SPAM:
        done = _("Marked %(count)d ticket(s) as spam.") % {"count": outcome.count}
    else:
        done = _("Updated %(count)d ticket(s).") % {"count": outcome.count}
    messages.success(request, done)
    return HttpResponseRedirect(back)


def customer_home(request):
    """Where a customer who lands on the agent inbox belongs: the portal, if there is one."""
    portal = optional_reverse("portal:home")
    if portal and request.user.is_authenticated and not is_staff_user(request.user):
        return redirect(portal)
    raise Http404


def inbox_entry(request):
    """``/``: the inbox for staff, the portal (or nothing) for customers."""
    if request.user.is_authenticated and not is_staff_user(request.user):
        return customer_home(request)
    return inbox(request)
