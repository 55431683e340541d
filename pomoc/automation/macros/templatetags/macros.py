"""``{% macro_menu ticket %}`` on the ticket page and ``{% macro_bulk_choices %}`` in the inbox's bulk bar.
The list of macros is cached (the macros' services forget it), so the pages cost no query more."""

from django import template

from pomoc.automation.macros.selectors import macro_choices

register = template.Library()


@register.inclusion_tag("macros/_menu.html")
def macro_menu(ticket):
    return {"ticket": ticket, "macros": macro_choices()}


@register.inclusion_tag("macros/_bulk.html")
def macro_bulk_choices():
    return {"macros": macro_choices()}
