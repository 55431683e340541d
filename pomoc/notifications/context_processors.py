from django.utils.functional import SimpleLazyObject

from pomoc.notifications import selectors


def bell(request) -> dict:
    """The unread count for the bell in the top bar: agents only, one query, and only when a
    template shows it (htmx partials do not)."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated or not getattr(user, "is_agent_like", False):
        return {}
    return {"notifications_unread": SimpleLazyObject(lambda: selectors.unread_count(user))}
