from django import template
from django.utils.translation import gettext as _

from pomoc.timetracking.views import panel_context

register = template.Library()


@register.inclusion_tag("timetracking/_panel.html", takes_context=True)
def time_panel(context, ticket):
    """The sidebar's time panel of ``ticket`` for the agent viewing it."""
    request = context["request"]
    return {**panel_context(request, ticket), "request": request, "user": request.user,
            "csrf_token": context.get("csrf_token")}


@register.filter
def duration(seconds) -> str:
    """Seconds as hours and minutes, e.g. "1 h 05 min", "12 min", "0 min"."""
    minutes = int(seconds or 0) // 60
    hours, minutes = divmod(minutes, 60)
    if hours:
        return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key)
