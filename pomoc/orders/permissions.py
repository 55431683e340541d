"""Who may see and change orders and returns: agents; a return also needs its ticket to be visible."""

from django.http import Http404

from pomoc.orders.models import Order, ReturnRequest
from pomoc.tickets.permissions import access_ticket, require_staff


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def access_order(user, order_id) -> Order:
    """The order, for an agent; Http404 for anyone else and for a missing order alike."""
    require_staff(user)
    order = Order.objects.select_related("contact", "source").filter(pk=_int(order_id)).first()
    if order is None:
        raise Http404
    return order


def access_return(user, return_id) -> ReturnRequest:
    """The return, if ``user`` may see its ticket; Http404 otherwise."""
    rma = ReturnRequest.objects.select_related("order", "contact").filter(pk=_int(return_id)).first()
    if rma is None:
        raise Http404
    require_staff(user)
    rma.ticket = access_ticket(user, rma.ticket_id)
    return rma
