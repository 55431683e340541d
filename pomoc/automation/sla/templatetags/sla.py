"""``{% sla_due_times ticket %}``: the ticket's SLA due times in the ticket sidebar. A template tag
so that the ticket pages (a lower layer) show them without importing the SLA app."""

from django import template

from pomoc.automation.sla.selectors import ticket_due_times

register = template.Library()


@register.inclusion_tag("sla/_due_times.html")
def sla_due_times(ticket):
    return {"sla": ticket_due_times(ticket), "ticket": ticket}
