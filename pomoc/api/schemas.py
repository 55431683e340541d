"""Shared schema pieces and the functions that turn model rows into API dicts."""

import datetime as dt
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from pomoc.accounts.models import Role
from pomoc.contacts.models import Contact, IdentityKind
from pomoc.core.ids import MAX_ID, MIN_ID
from pomoc.core.text import find_bad_text, text_problem
from pomoc.tickets.models import Channel, MessageKind, Priority, Status
from pomoc.tickets.permissions import PermissionDenied, is_staff_user

StatusName = Literal[tuple(Status.values)]  # type: ignore[valid-type]
PriorityName = Literal[tuple(p.key for p in Priority)]  # type: ignore[valid-type]
ChannelName = Literal[tuple(Channel.values)]  # type: ignore[valid-type]
RoleName = Literal[tuple(Role.values)]  # type: ignore[valid-type]
IdentityKindName = Literal[tuple(IdentityKind.values)]  # type: ignore[valid-type]
MessageKindName = Literal[tuple(k for k in MessageKind.values if k != MessageKind.SYSTEM)]  # type: ignore[valid-type]


def _safe_text(value):
    if isinstance(value, str) and (problem := text_problem(value)):
        raise PydanticCustomError("bad_characters", problem)
    return value


def _safe_line(value):
    if isinstance(value, str) and (problem := text_problem(value, single_line=True)):
        raise PydanticCustomError("bad_characters", problem)
    return value


SafeStr = Annotated[str, BeforeValidator(_safe_text)]
"""Text without NUL characters or lone surrogates (every string of an ``In`` body is checked anyway;
query parameters use this)."""
Line = Annotated[str, BeforeValidator(_safe_line)]
"""One line of safe text: names, subjects and the like, which may end up in a mail header."""
Id = Annotated[int, Field(ge=MIN_ID, le=MAX_ID)]
"""A row id or ticket number: what a database bigint holds."""


class In(Schema):
    """Base of every request body: unknown fields are an error, not silently dropped, and no string
    anywhere in it (nested dicts and lists too) holds a NUL character or a lone surrogate."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_bad_characters(cls, value):
        # Before the type checks: pydantic's own refusal of a lone surrogate says nothing useful.
        if isinstance(value, str | dict | list | tuple):
            found = find_bad_text(value)
            if found is not None:
                raise PydanticCustomError("bad_characters", found[1])
        return value


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
