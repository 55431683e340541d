"""Small template helpers for the agent interface."""

from django import template
from django.http import QueryDict

from pomoc.tickets.views_common import optional_reverse

register = template.Library()


@register.simple_tag
def optional_url(name: str, *args) -> str:
    """Like {% url %}, but "" instead of an error when the URL name does not exist (yet)."""
    return optional_reverse(name, *args)


@register.simple_tag
def query_with(params: QueryDict, **changes) -> str:
    """The query string ``params`` with some keys replaced (a value of None removes the key)."""
    query = params.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value not in (None, ""):
            query[key] = value
    return query.urlencode()
