"""Reads about people that several apps need."""

from __future__ import annotations

from pomoc.accounts.models import Role, User


def supervisors_of(department_id: int | None) -> list[User]:
    """The active supervisors of a department; every active supervisor when it has none (or when the
    department is None): somebody is always told."""
    supervisors = User.objects.filter(is_active=True, role=Role.SUPERVISOR)
    of_department = list(supervisors.filter(departments=department_id)) if department_id else []
    return of_department or list(supervisors)
