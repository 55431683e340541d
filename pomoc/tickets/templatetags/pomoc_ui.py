"""Small template helpers for the agent interface."""

from django import template

from pomoc.tickets.views_common import optional_reverse

register = template.Library()


@register.simple_tag
def optional_url(name: str, *args) -> str:
    """Like {% url %}, but "" instead of an error when the URL name does not exist (yet)."""
    return optional_reverse(name, *args)

