"""Agents apply macros: on the ticket page, or on the tickets selected in the inbox."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from pomoc.automation.macros.forms import MacroApplyForm, MacroBulkForm
from pomoc.automation.macros.models import Macro
from pomoc.automation.macros.services import macro_apply
from pomoc.tickets.permissions import access_ticket_by_number, require_can_work_on, visible_tickets
from pomoc.tickets.views_common import staff_required
from pomoc.tickets.views_inbox import safe_next


def _report(request, macro: Macro, count: int, problems: list[str]) -> None:
    messages.success(request, ngettext("Macro “%(name)s” applied to %(count)d ticket.",
                                       "Macro “%(name)s” applied to %(count)d tickets.", count)
                     % {"name": macro.name, "count": count})
    for problem in problems[:10]:
        messages.warning(request, _("Not done: %(problem)s") % {"problem": problem})


def _form_errors(request, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@staff_required
@require_POST
def apply_to_ticket(request, number: int):
    ticket = access_ticket_by_number(request.user, number)
    require_can_work_on(request.user, ticket)
    back = reverse("tickets:detail", args=[ticket.number])
    form = MacroApplyForm(request.POST)
    macro = Macro.objects.filter(pk=form.cleaned_data["macro"]).first() if form.is_valid() else None
    if macro is None:
        if form.is_valid():
            messages.error(request, _("That macro no longer exists."))
        _form_errors(request, form)
        return redirect(back)
    _report(request, macro, 1, macro_apply(macro=macro, tickets=[ticket], actor=request.user))
    return redirect(back)


@staff_required
@require_POST
def apply_bulk(request):
    back = safe_next(request, reverse("tickets:inbox"))
    form = MacroBulkForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(back)
    macro = Macro.objects.filter(pk=form.cleaned_data["macro"]).first()
    if macro is None:
        messages.error(request, _("That macro no longer exists."))
        return redirect(back)
    # Only tickets this agent may see; ids of others are silently not there.
    tickets = list(visible_tickets(request.user).filter(pk__in=form.cleaned_data["ticket"]).order_by("pk"))
    if not tickets:
        messages.error(request, _("None of the selected tickets can be changed (any more)."))
        return redirect(back)
    _report(request, macro, len(tickets), macro_apply(macro=macro, tickets=tickets, actor=request.user))
    return redirect(back)
