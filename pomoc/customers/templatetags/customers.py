"""The customer panel beside a ticket: ``{% load customers %}{% customer_panel ticket %}``. A template
tag, so tickets never imports this app (the panel costs three queries whatever the history)."""

from django import template

from pomoc.customers import selectors

register = template.Library()


@register.inclusion_tag("customers/_panel.html", takes_context=True)
def customer_panel(context, ticket):
    request = context.get("request")
    return {**selectors.customer_panel(ticket, request.user if request else None), "ticket": ticket,
            "identities": context.get("identities")}
