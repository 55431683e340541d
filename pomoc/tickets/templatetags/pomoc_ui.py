"""Small template helpers for the agent interface."""

from django import template
from django.core.exceptions import ObjectDoesNotExist

from pomoc.tickets.rendering import remote_images_allowed, render_body
from pomoc.tickets.views_common import optional_reverse

register = template.Library()


@register.simple_tag
def optional_url(name: str, *args) -> str:
    """Like {% url %}, but "" instead of an error when the URL name does not exist (yet)."""
    return optional_reverse(name, *args)


@register.simple_tag(takes_context=True)
def message_body(context, message):
    """``{% message_body message as body %}``: the body as shown on the ticket page (see rendering.py)."""
    allowed = context.get("remote_images") or set()
    return render_body(message, allow_remote=remote_images_allowed(message, allowed))


@register.simple_tag
def presence_status(user) -> str:
    """``online``, ``away`` or ``offline``: the agent's presence for the top bar (loaded with the user by
    the authentication backend, so no query of its own)."""
    from pomoc.accounts.models import Presence

    try:
        return user.presence.status
    except (AttributeError, ObjectDoesNotExist):
        return Presence.OFFLINE
