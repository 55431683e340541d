from django import template

from pomoc.orders import returns
from pomoc.orders.models import ReturnRequest
from pomoc.orders.selectors import customer_panel, return_with_lines
from pomoc.tickets.models import Ticket

register = template.Library()


@register.inclusion_tag("orders/_contact_panel.html", takes_context=True)
def customer_orders(context, contact, ticket=None):
    """A customer's orders, value and health (with its reasons), beside a ticket or on their page."""
    return {"panel": customer_panel(contact) if contact is not None else None, "ticket": ticket,
            "request": context.get("request"), "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("orders/_contact_panel_lazy.html")
def customer_orders_later(contact, ticket=None):
    """Beside a ticket: a placeholder that loads ``customer_orders`` once the page is shown."""
    return {"contact": contact, "ticket": ticket}


@register.inclusion_tag("orders/_return_panel.html", takes_context=True)
def return_panel(context, ticket):
    """On a return's ticket: its state, lines, reasons and the changes it allows."""
    if Ticket.return_request.is_cached(ticket):  # loaded with the ticket for its page (orders.apps)
        rma = getattr(ticket, "return_request", None)
    else:
        rma = ReturnRequest.objects.filter(ticket_id=ticket.pk).first()
    if rma is not None:
        rma = return_with_lines(rma)
    return {"rma": rma, "next_states": returns.next_states(rma) if rma else [],
            "request": context.get("request"), "csrf_token": context.get("csrf_token")}
