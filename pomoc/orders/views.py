"""Pages of orders: start a return from an order, move a return along, CSV imports, the webhook."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pomoc.accounts.permissions import manage_view
from pomoc.contacts.permissions import access_contact
from pomoc.orders import imports, returns, selectors, services, webhook
from pomoc.orders.models import ImportJob, ImportKind, OrderSource, ReturnKind, ReturnReason
from pomoc.orders.permissions import access_order, access_return
from pomoc.orders.services import returned_quantities
from pomoc.tickets.permissions import access_ticket_by_number
from pomoc.tickets.views_common import staff_required


def _line_rows(order, post=None):
    taken = returned_quantities(order)
    rows = []
    for line in order.lines.all():
        left = line.quantity - taken.get(line.pk, 0)
        rows.append({"line": line, "left": left,
                     "quantity": (post or {}).get(f"quantity_{line.pk}", ""),
                     "reason": (post or {}).get(f"reason_{line.pk}", ""),
                     "note": (post or {}).get(f"note_{line.pk}", "")})
    return rows


@staff_required
@require_GET
def customer_panel(request, contact_id):
    """The orders, value and health panel beside a ticket, loaded after the ticket page (htmx): its
    figures take several queries the page need not wait for. ``?ticket=`` is the ticket's number,
    for the "Return or exchange" links (the return page checks access to it again)."""
    contact = access_contact(request.user, contact_id)
    number = request.GET.get("ticket", "")
    ticket = access_ticket_by_number(request.user, number) if number else None
    return render(request, "orders/_contact_panel.html", {"panel": selectors.customer_panel(contact),
                                                          "ticket": ticket})


@staff_required
@require_http_methods(["GET", "POST"])
def return_start(request, order_id):
    """Choose lines, quantities and reasons of an order and open a return or exchange for them."""
    order = access_order(request.user, order_id)
    from_ticket = None
    if request.GET.get("ticket"):
        try:
            from_ticket = access_ticket_by_number(request.user, request.GET["ticket"])
        except Http404:
            from_ticket = None
    errors: dict = {}
    if request.method == "POST":
        chosen = []
        for row in _line_rows(order, request.POST):
            if str(row["quantity"]).strip() in ("", "0"):
                continue
            try:
                quantity = int(row["quantity"])
            except ValueError:
                quantity = 0
            chosen.append(returns.ReturnLineIn(order_line=row["line"], quantity=quantity, reason=row["reason"],
                                               note=row["note"]))
        try:
            department = from_ticket.department if from_ticket else request.user.departments.first()
            rma = returns.return_start(order=order, actor=request.user, kind=request.POST.get("kind", ""),
                                       lines=chosen, note=request.POST.get("note", "")[:2000], department=department)
        except ValidationError as exc:
            errors = exc.message_dict
            # "lines.2.quantity" names the n-th chosen line: show it on that line's row
            by_line = {}
            for key, value in list(errors.items()):
                parts = key.split(".")
                if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(chosen):
                    by_line[chosen[int(parts[1])].order_line.pk] = value
                    errors.pop(key)
            rows = _line_rows(order, request.POST)
            for row in rows:
                row["errors"] = by_line.get(row["line"].pk, [])
            return render(request, "orders/return_start.html",
                          {"order": order, "rows": rows, "errors": errors, "kinds": ReturnKind.choices,
                           "reasons": ReturnReason.choices, "kind": request.POST.get("kind", ""),
                           "note": request.POST.get("note", ""), "from_ticket": from_ticket}, status=422)
        messages.success(request, _("%(kind)s opened as ticket #%(number)s.")
                         % {"kind": rma.get_kind_display(), "number": rma.ticket.number})
        return redirect("tickets:detail", rma.ticket.number)
    return render(request, "orders/return_start.html",
                  {"order": order, "rows": _line_rows(order), "errors": errors, "kinds": ReturnKind.choices,
                   "reasons": ReturnReason.choices, "kind": ReturnKind.RETURN, "note": "", "from_ticket": from_ticket})


@staff_required
@require_POST
def return_transition(request, return_id):
    rma = access_return(request.user, return_id)
    try:
        returns.return_transition(return_request=rma, actor=request.user, state=request.POST.get("state", ""),
                                  note=request.POST.get("note", ""), refund_amount=request.POST.get("refund_amount"))
    except ValidationError as exc:
        for message_list in exc.message_dict.values():
            for message in message_list:
                messages.error(request, message)
    return redirect("tickets:detail", rma.ticket.number)


# --- imports -------------------------------------------------------------------------------------
@manage_view()
@require_http_methods(["GET", "POST"])
def import_list(request):
    errors = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        kind = request.POST.get("kind", "")
        try:
            if upload is None:
                raise ValidationError({"file": _("Choose a CSV file.")})
            source = None
            if kind == ImportKind.ORDERS:
                source = services.source_get_or_create(key=request.POST.get("source", "").strip() or "csv")
            job = imports.import_create(kind=kind, upload=upload, user=request.user, source=source)
            return redirect("orders:import", job.pk)
        except ValidationError as exc:
            errors = [m for ms in exc.message_dict.values() for m in ms]
    jobs = list(ImportJob.objects.select_related("source").order_by("-created_at", "-id")[:20])
    return render(request, "orders/imports.html",
                  {"jobs": jobs, "errors": errors, "section": "imports", "kinds": ImportKind.choices,
                   "sources": list(OrderSource.objects.order_by("name")[:50])}, status=422 if errors else 200)


def _job(job_id) -> ImportJob:
    try:
        job = ImportJob.objects.select_related("source").filter(pk=int(job_id)).first()
    except (TypeError, ValueError):
        job = None
    if job is None:
        raise Http404
    return job


@manage_view()
@require_GET
def import_detail(request, job_id):
    job = _job(job_id)
    template = "orders/_import_progress.html" if request.headers.get("HX-Request") else "orders/import.html"
    return render(request, template, {"job": job, "section": "imports"})


@manage_view()
@require_POST
def import_resume(request, job_id):
    imports.import_resume(job=_job(job_id))
    return redirect("orders:import", job_id)


# --- the webhook ---------------------------------------------------------------------------------
@csrf_exempt
@require_POST
def order_webhook(request, source_key):
    outcome = webhook.receive(source_key=source_key, headers=request.headers, body=request.body)
    return JsonResponse(outcome.body, status=outcome.status, safe=False)
