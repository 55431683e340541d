"""The ticket sidebar's time panel: activity reports from the page, entries added by hand."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from pomoc.core.form_errors import add_service_errors
from pomoc.core.ids import is_id
from pomoc.tickets.permissions import access_ticket_by_number, require_can_work_on
from pomoc.tickets.views_common import is_htmx, staff_required
from pomoc.timetracking import selectors, services
from pomoc.timetracking.forms import TimeEntryForm
from pomoc.timetracking.models import TimeEntry


def panel_context(request, ticket, *, form=None, edit_forms=None, saved: str = "") -> dict:
    return {"ticket": ticket, "time": selectors.ticket_time(ticket, request.user),
            "time_form": form or TimeEntryForm(auto_id="time-%s"), "time_edit_forms": edit_forms or {},
            "time_saved": saved, "heartbeat_seconds": services.heartbeat().seconds}


def _answer(request, ticket, status: int = 200, **context) -> HttpResponse:
    if is_htmx(request):  # htmx swaps only successful answers: a refusal is shown in the panel, with 200
        return render(request, "timetracking/_panel.html", panel_context(request, ticket, **context))
    if status >= 400:
        return render(request, "timetracking/panel_page.html", panel_context(request, ticket, **context),
                      status=status)
    if context.get("saved"):
        messages.success(request, context["saved"])
    return redirect("tickets:detail", number=ticket.number)


def _own_entry(request, ticket, entry_id) -> TimeEntry:
    if not is_id(entry_id):
        raise Http404
    # Agents change only their own entries; another's is not there for them to change.
    entry = TimeEntry.objects.select_related("ticket", "ticket__merged_into").filter(
        pk=entry_id, ticket=ticket, agent=request.user).first()
    if entry is None:
        raise Http404
    return entry


@staff_required
@require_GET
def panel(request, number):
    ticket = access_ticket_by_number(request.user, number)
    if is_htmx(request):
        return render(request, "timetracking/_panel.html", panel_context(request, ticket))
    return render(request, "timetracking/panel_page.html", panel_context(request, ticket))


@staff_required
@require_POST
def activity(request, number):
    """The ticket page reports the agent active on it; answers with the updated totals."""
    ticket = access_ticket_by_number(request.user, number)
    require_can_work_on(request.user, ticket)
    services.activity_record(ticket=ticket, agent=request.user)
    return render(request, "timetracking/_totals.html", panel_context(request, ticket))


@staff_required
@require_POST
def entry_add(request, number):
    ticket = access_ticket_by_number(request.user, number)
    require_can_work_on(request.user, ticket)
    form = TimeEntryForm(request.POST, auto_id="time-%s")
    if form.is_valid():
        try:
            services.time_entry_add(ticket=ticket, agent=request.user, minutes=form.cleaned_data["minutes"],
                                    note=form.cleaned_data["note"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _answer(request, ticket, saved=_("Time added."))
    return _answer(request, ticket, status=400, form=form)


@staff_required
@require_POST
def entry_update(request, number, entry_id):
    ticket = access_ticket_by_number(request.user, number)
    require_can_work_on(request.user, ticket)
    entry = _own_entry(request, ticket, entry_id)
    form = TimeEntryForm(request.POST, auto_id=f"time-{entry.pk}-%s")
    if form.is_valid():
        try:
            services.time_entry_update(entry=entry, agent=request.user, minutes=form.cleaned_data["minutes"],
                                       note=form.cleaned_data["note"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _answer(request, ticket, saved=_("Time changed."))
    return _answer(request, ticket, status=400, edit_forms={entry.pk: form})


@staff_required
@require_POST
def entry_delete(request, number, entry_id):
    ticket = access_ticket_by_number(request.user, number)
    require_can_work_on(request.user, ticket)
    entry = _own_entry(request, ticket, entry_id)
    try:
        services.time_entry_delete(entry=entry, agent=request.user)
    except ValidationError as error:
        form = TimeEntryForm(auto_id="time-%s")
        add_service_errors(form, error)
        return _answer(request, ticket, status=400, form=form)
    return _answer(request, ticket, saved=_("Time removed."))
