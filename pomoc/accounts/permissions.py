"""Who may use the administrators' area (/manage/) and the other management pages (order imports, the
portal's branding).

Administrators may do everything here. Supervisors may look at users and departments (GET only).
Everybody else gets 403; anonymous visitors are sent to the login page.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from pomoc.accounts.models import Role


def is_administrator(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == Role.ADMINISTRATOR)


def may_read_people(user) -> bool:
    return is_administrator(user) or bool(
        user.is_authenticated and user.is_active and user.role == Role.SUPERVISOR
    )


def manage_view(*, supervisors_may_read: bool = False):
    """Protects a view of the area; sets ``request.can_manage`` (False for read-only visitors)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            user = request.user
            if is_administrator(user):
                request.can_manage = True
            elif supervisors_may_read and may_read_people(user) and request.method in ("GET", "HEAD"):
                request.can_manage = False
            else:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
