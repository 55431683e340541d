"""``{% macro_menu ticket %}`` on the ticket page and ``{% macro_bulk_choices %}`` in the inbox's bulk bar."""

from django import template

from pomoc.automation.macros.models import Macro

register = template.Library()


@register.inclusion_tag("macros/_menu.html")
def macro_menu(ticket):
    return {"ticket": ticket, "macros": list(Macro.objects.order_by("name").values_list("pk", "name"))}


@register.inclusion_tag("macros/_bulk.html")
def macro_bulk_choices():
    return {"macros": list(Macro.objects.order_by("name").values_list("pk", "name"))}
