"""Shared schema pieces and the functions that turn model rows into API dicts."""

import datetime as dt
from typing import Any, Literal

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import ConfigDict, Field

from pomoc.accounts.models import Role
from pomoc.contacts.models import Contact, IdentityKind
from pomoc.tickets.models import Channel, MessageKind, Priority, Status
from pomoc.tickets.permissions import PermissionDenied, is_staff_user

StatusName = Literal[tuple(Status.values)]  # type: ignore[valid-type]
PriorityName = Literal[tuple(p.key for p in Priority)]  # type: ignore[valid-type]
ChannelName = Literal[tuple(Channel.values)]  # type: ignore[valid-type]
RoleName = Literal[tuple(Role.values)]  # type: ignore[valid-type]
IdentityKindName = Literal[tuple(IdentityKind.values)]  # type: ignore[valid-type]
MessageKindName = Literal[tuple(k for k in MessageKind.values if k != MessageKind.SYSTEM)]  # type: ignore[valid-type]


class In(Schema):
    """Base of every request body: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class Error(Schema):
    detail: str


class FieldError(Schema):
    type: str
    loc: list[str | int]
    msg: str


class ValidationErrors(Schema):
    detail: list[FieldError]


class UserRef(Schema):
    id: int
    username: str = Field(description="Empty for customers: login names are not shown outside the team.")
    name: str


class DepartmentRef(Schema):
    id: int
    name: str


class CompanyRef(Schema):
    id: int
    name: str


class ContactRef(Schema):
    id: int
    name: str
    email: str


class Deleted(Schema):
    deleted: bool = True


def page_limit_field():
    return Field(None, ge=1, le=200)


# --- serializers ----------------------------------------------------------------------------
def iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def user_ref(user, *, for_staff: bool = True) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.username if for_staff else "", "name": user.display_name}


def department_ref(department) -> dict | None:
    return {"id": department.pk, "name": department.name} if department is not None else None


def company_ref(company) -> dict | None:
    return {"id": company.pk, "name": company.name} if company is not None else None


def contact_email(contact: Contact) -> str:
    """The first e-mail identity, read from prefetched identities when they are there."""
    for identity in contact.identities.all():
        if identity.kind == IdentityKind.EMAIL:
            return identity.value
    return ""


def contact_ref(contact: Contact) -> dict:
    return {"id": contact.pk, "name": contact.name, "email": contact_email(contact)}


def require_admin(user) -> None:
    if not (is_staff_user(user) and user.role == Role.ADMINISTRATOR):
        raise PermissionDenied(_("Only administrators can do this."))


def require_manager(user) -> None:
    if not (is_staff_user(user) and user.role in (Role.ADMINISTRATOR, Role.SUPERVISOR)):
        raise PermissionDenied(_("Only administrators and supervisors can do this."))


def require_staff(user) -> None:
    if not is_staff_user(user):
        raise PermissionDenied(_("Only agents can do this."))


JSON = dict[str, Any]
