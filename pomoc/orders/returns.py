"""Returns and exchanges (RMAs): each one a ticket of its own kind, walked through its states.

requested → approved → item received → refunded (a return) or replaced (an exchange); rejected from
any state that is not finished. Every change is a ``return_changed`` event on the return's ticket.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pomoc.orders.models import Order, OrderLine, ReturnKind, ReturnLine, ReturnReason, ReturnRequest, ReturnState
from pomoc.orders.services import money, order_refund_add, returned_quantities
from pomoc.tickets import events
from pomoc.tickets import services as ticket_services
from pomoc.tickets.models import Channel, MessageKind, Status, Ticket

S = ReturnState
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.REQUESTED: (S.APPROVED, S.REJECTED),
    S.APPROVED: (S.RECEIVED, S.REJECTED),
    S.RECEIVED: (S.REFUNDED, S.REPLACED, S.REJECTED),
    S.REFUNDED: (),
    S.REPLACED: (),
    S.REJECTED: (),
}


@dataclass
class ReturnLineIn:
    order_line: OrderLine
    quantity: int
    reason: str
    note: str = ""


def next_states(return_request: ReturnRequest) -> list[str]:
    """The states ``return_request`` may move to (a return is refunded, an exchange replaced)."""
    allowed = TRANSITIONS[return_request.state]
    wrong_end = S.REPLACED if return_request.kind == ReturnKind.RETURN else S.REFUNDED
    return [state for state in allowed if state != wrong_end]


def return_start(*, order: Order, actor, kind: str, lines: Iterable[ReturnLineIn], note: str = "",
                 department=None) -> ReturnRequest:
    """Open a return or exchange of some lines of ``order``: a new ticket for the order's customer,
    in state requested. A line's quantity cannot exceed what was ordered minus what is already in
    returns that were not rejected. ``department``: where the return's ticket goes (the department
    of the ticket it was started from, usually)."""
    lines = list(lines)
    if kind not in ReturnKind.values:
        raise ValidationError({"kind": _("Choose a return or an exchange.")})
    if not lines:
        raise ValidationError({"lines": _("Choose at least one line of the order.")})
    taken = returned_quantities(order)
    errors = {}
    for index, line in enumerate(lines):
        if line.order_line.order_id != order.pk:
            errors[f"lines.{index}.order_line"] = [_("This line belongs to another order.")]
            continue
        if line.reason not in ReturnReason.values:
            errors[f"lines.{index}.reason"] = [_("Choose a reason.")]
        left = line.order_line.quantity - taken.get(line.order_line.pk, 0)
        if not 1 <= int(line.quantity or 0) <= left:
            errors[f"lines.{index}.quantity"] = [
                _("Between 1 and %(left)d of this line can still be returned.") % {"left": left} if left else
                _("Everything of this line is already being returned.")]
    if errors:
        raise ValidationError(errors)
    label = ReturnKind(kind).label
    order_name = str(order)
    summary = "\n".join(f"{line.quantity} × {line.order_line.product} ({ReturnReason(line.reason).label})"
                        + (f": {line.note}" if line.note else "") for line in lines)
    body = f"{note.strip()}\n\n{summary}" if note.strip() else summary
    with transaction.atomic():
        ticket = ticket_services.ticket_create(
            requester=order.contact, subject=_("%(kind)s for order %(order)s") % {"kind": label, "order": order_name},
            body_text=body, channel=Channel.AGENT, actor=actor, message_kind=MessageKind.NOTE, department=department,
            tags=["return" if kind == ReturnKind.RETURN else "exchange"])
        rma = ReturnRequest.objects.create(ticket=ticket, order=order, contact=order.contact, kind=kind,
                                           created_by=actor if getattr(actor, "pk", None) else None)
        ReturnLine.objects.bulk_create([
            ReturnLine(return_request=rma, order_line=line.order_line, quantity=int(line.quantity), reason=line.reason,
                       note=(line.note or "").strip()[:500]) for line in lines])
        events.return_changed(ticket, actor, old=None, new=S.REQUESTED, data={"kind": kind, "order": order_name,
                                                                                 "return": rma.pk})
    return rma


def return_transition(*, return_request: ReturnRequest, actor, state: str, note: str = "",
                      refund_amount=None) -> ReturnRequest:
    """Move the return to ``state`` if its current state allows it. Refunding adds the refunded amount
    (by default the returned lines' value) to the order's refunds; a finished return resolves its ticket."""
    with transaction.atomic():
        rma = ReturnRequest.objects.select_for_update().select_related("ticket", "order").get(pk=return_request.pk)
        if state not in next_states(rma):
            allowed = ", ".join(str(ReturnState(s).label) for s in next_states(rma)) or _("none: it is finished")
            raise ValidationError({"state": _("A return in state “%(state)s” cannot become “%(new)s” (allowed: "
                                              "%(allowed)s).") % {"state": ReturnState(rma.state).label,
                                                                 "new": ReturnState(state).label
                                                                 if state in ReturnState.values else state,
                                                                 "allowed": allowed}})
        old = rma.state
        rma.state = state
        rma.updated_at = timezone.now()
        if state == S.REFUNDED:
            amount = lines_value(rma) if refund_amount in (None, "") else money(refund_amount, "refund_amount")
            if amount > rma.order.total - rma.order.refunded:
                raise ValidationError({"refund_amount": _("More than what is left to refund of the order (%(left)s).")
                                       % {"left": rma.order.total - rma.order.refunded}})
            rma.refund_amount = amount
            order_refund_add(order=rma.order, amount=amount)
        rma.save()
        data = {"kind": rma.kind, "order": str(rma.order), "return": rma.pk}
        note = " ".join((note or "").split())[:300]
        if note:
            data["note"] = note
        if rma.refund_amount is not None and state == S.REFUNDED:
            data["amount"] = str(rma.refund_amount)
            data["currency"] = rma.order.currency
        events.return_changed(rma.ticket, actor, old=old, new=state, data=data)
        Ticket.objects.filter(pk=rma.ticket_id).update(updated_at=rma.updated_at)
        if rma.finished and rma.ticket.status not in (Status.RESOLVED, Status.CLOSED):
            ticket_services.ticket_update(ticket=rma.ticket, actor=actor, changes={"status": Status.RESOLVED})
    return rma


def lines_value(rma: ReturnRequest) -> Decimal:
    total = Decimal("0")
    for line in rma.lines.select_related("order_line"):
        total += line.order_line.unit_price * line.quantity
    return total.quantize(Decimal("0.01"))
