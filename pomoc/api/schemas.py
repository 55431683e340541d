"""Shared schema pieces and the functions that turn model rows into API dicts."""

import datetime as dt
from typing import Annotated, Any, Literal

from django.conf import settings
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from pomoc.accounts.models import Role
from pomoc.accounts.services import time_zone_names
from pomoc.contacts.models import Contact, IdentityKind
from pomoc.core.ids import MAX_ID, MIN_ID
from pomoc.core.text import find_bad_text, text_problem
from pomoc.tickets.models import Channel, MessageKind, Priority, Status
from pomoc.tickets.permissions import PermissionDenied, is_staff_user
from pomoc.tickets.selectors import SORTS

StatusName = Literal[tuple(Status.values)]  # type: ignore[valid-type]
PriorityName = Literal[tuple(p.key for p in Priority)]  # type: ignore[valid-type]
ChannelName = Literal[tuple(Channel.values)]  # type: ignore[valid-type]
RoleName = Literal[tuple(Role.values)]  # type: ignore[valid-type]
IdentityKindName = Literal[tuple(IdentityKind.values)]  # type: ignore[valid-type]
# Kinds a client may add as messages (forwards have their own operation; system notes are Pomoc's).
MessageKindName = Literal[tuple(k for k in MessageKind.values  # type: ignore[valid-type]
                                if k not in (MessageKind.SYSTEM, MessageKind.FORWARD))]


def _safe_text(value):
    if isinstance(value, str) and (problem := text_problem(value)):
        raise PydanticCustomError("bad_characters", problem)
    return value


def _safe_line(value):
    if isinstance(value, str) and (problem := text_problem(value, single_line=True)):
        raise PydanticCustomError("bad_characters", problem)
    return value


# The OpenAPI schema states every rule of a request's shape (docs/api.md), so these types carry their
# rules as JSON Schema (ECMAScript regular expressions) beside the validators that enforce them with a
# clearer message. Lone surrogates need no pattern: a JSON document cannot carry one as a character.
_LINE_BREAKS = r"\r\n\x0b\x0c\x85\u2028\u2029"
TEXT_PATTERN = r"^[^\x00]*$"
LINE_PATTERN = rf"^[^\x00{_LINE_BREAKS}]*$"
NOT_BLANK_LINE_PATTERN = rf"^[^\x00{_LINE_BREAKS}]*[^\s\x00][^\x00{_LINE_BREAKS}]*$"
ID_PATTERN = r"[1-9][0-9]{0,17}"
"""An id as text (what a query string carries), within what a bigint holds."""


def _schema(**rules) -> Any:
    return Field(json_schema_extra=rules)


SafeStr = Annotated[str, BeforeValidator(_safe_text), _schema(pattern=TEXT_PATTERN)]
"""Text without NUL characters or lone surrogates (every string of an ``In`` body is checked anyway;
query parameters use this)."""
Line = Annotated[str, BeforeValidator(_safe_line), _schema(pattern=LINE_PATTERN)]
"""One line of safe text: names, subjects and the like, which may end up in a mail header."""
Name = Annotated[str, BeforeValidator(_safe_line), _schema(pattern=NOT_BLANK_LINE_PATTERN)]
"""One line with at least one character that is not a space (names that may not be blank)."""
Id = Annotated[int, Field(ge=MIN_ID, le=MAX_ID)]
"""A row id or ticket number: what a database bigint holds."""
IdText = Annotated[str, BeforeValidator(_safe_text), _schema(pattern=f"^({ID_PATTERN})?$")]
"""An id in a query string; empty means none."""
Email = Annotated[str, BeforeValidator(_safe_line), _schema(format="email")]
"""An e-mail address (also internationalised ones, which JSON Schema calls ``idn-email``)."""
OptionalEmail = Annotated[str, BeforeValidator(_safe_line),
                          _schema(anyOf=[{"maxLength": 0}, {"format": "email"}])]
"""An e-mail address or ""."""
Password = Annotated[str, BeforeValidator(_safe_text), _schema(minLength=8, pattern=TEXT_PATTERN)]
"""A new password: at least 8 characters, and not one of the commonly used ones or too like the
user's name or address (AUTH_PASSWORD_VALIDATORS; such a refusal has the type ``password_policy``)."""
DomainName = Annotated[str, BeforeValidator(_safe_line), _schema(
    maxLength=253, pattern="^@?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}$")]
"""A domain name (an “@” before it is dropped)."""
PageCursor = IdText
"""``next_cursor`` of the previous page (of a list ordered by id)."""
Username = Annotated[str, BeforeValidator(_safe_line), _schema(pattern="^[A-Za-z0-9_.@+-]+$")]
"""Letters, digits and ``_ . @ + -`` (the ASCII part of Django's rule, which also takes other letters)."""


def _list_of(names) -> str:
    one = "|".join(names)
    return f"^(({one})(,({one}))*)?$"


STATUS_LIST_PATTERN = f"^(active|{_list_of(Status.values)[1:-1]})?$"
PRIORITY_LIST_PATTERN = _list_of(p.key for p in Priority)
StatusList = Annotated[str, BeforeValidator(_safe_text), _schema(pattern=STATUS_LIST_PATTERN)]
PriorityList = Annotated[str, BeforeValidator(_safe_text), _schema(pattern=PRIORITY_LIST_PATTERN)]
AssigneeFilter = Annotated[str, BeforeValidator(_safe_text), _schema(pattern=f"^(me|none|{ID_PATTERN})?$")]
DepartmentFilter = Annotated[str, BeforeValidator(_safe_text), _schema(pattern=f"^(none|{ID_PATTERN})?$")]
SortName = Annotated[str, BeforeValidator(_safe_text), _schema(enum=["", *SORTS])]
ChannelFilter = Annotated[str, BeforeValidator(_safe_text), _schema(enum=["", *Channel.values])]


CustomFieldValue = SafeStr | bool | int | float | None
CustomFieldValues = Annotated[dict[str, CustomFieldValue], _schema(propertyNames={"pattern": LINE_PATTERN})]
"""Custom field values by key: which keys exist and what each takes is the fields' definitions' (a
refusal of those has the type ``invalid_reference`` or ``field_definition``)."""
TagName = Name
"""A tag's name: spaces are squeezed and letters lowered; longer than 50 characters is cut."""
def _instant(value: dt.datetime) -> dt.datetime:
    if not 1900 <= value.year <= 2999:
        raise PydanticCustomError("value_error", _("A date between the years 1900 and 2999."))
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)


Instant = Annotated[dt.datetime, AfterValidator(_instant), _schema(pattern="^(19|2[0-9])[0-9][0-9]-")]
"""A moment in the years 1900–2999 as written, with its offset (without one: UTC); stored in UTC, so
any offset the format allows is fine whatever the database."""
Color = Annotated[str, BeforeValidator(_safe_line), _schema(pattern="^(#[0-9a-fA-F]{6})?$")]
"""A tag's colour: #rrggbb, or "" for none."""
MESSAGE_TEXT_RULE = {
    "anyOf": [
        {"required": ["body"], "properties": {"body": {"type": "string", "pattern": "\\S"}}},
        {"required": ["body_html"], "properties": {"body": {"maxLength": 0},
                                                   "body_html": {"type": "string", "pattern": "^\\s*[^\\s<&]"}}},
    ],
}
"""A message needs text: a ``body`` that is not blank, or no ``body`` and a ``body_html`` that starts
with text (HTML that shows no text after sanitizing is refused; so is a blank message without
attachments)."""


COPIES_RULE = {
    "anyOf": [
        {"required": ["kind"], "properties": {"kind": {"const": "reply"}}},
        {"not": {"required": ["kind"]}},
        {"properties": {"cc": {"maxItems": 0}, "bcc": {"maxItems": 0}}},
    ],
}
"""Only a reply has copies: ``cc`` and ``bcc`` stay empty unless ``kind`` is ``reply`` (or left out: an
agent's message is then a reply)."""
FIRST_MESSAGE_COPIES_RULE = {
    "anyOf": [
        {"required": ["first_message"], "properties": {"first_message": {"const": "reply"}}},
        {"properties": {"cc": {"maxItems": 0}, "bcc": {"maxItems": 0}}},
    ],
}
"""A new ticket's first message has copies only when an agent writes it to the customer
(``first_message`` ``reply``; left out, it is the customer's request)."""


def language_codes() -> list[str]:
    return ["", *(code for code, _name in settings.LANGUAGES)]


LanguageCode = Annotated[str, BeforeValidator(_safe_line), _schema(enum=language_codes())]
"""One of the interface's languages, or "" (the browser's)."""
TimeZoneName = Annotated[str, BeforeValidator(_safe_line), _schema(enum=["", *time_zone_names()])]
"""An IANA time zone name, or "" (the organisation's)."""


class In(Schema):
    """Base of every request body: unknown fields are an error, not silently dropped, and no string
    anywhere in it (nested dicts and lists too) holds a NUL character or a lone surrogate."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_bad_characters(cls, value):
        return _refuse_bad_characters(value)


def _refuse_bad_characters(value):
    # Before the type checks: pydantic's own refusal of a lone surrogate says nothing useful.
    if isinstance(value, str | dict | list | tuple):
        found = find_bad_text(value)
        if found is not None:
            raise PydanticCustomError("bad_characters", found[1])
    return value


class TicketFiltersIn(BaseModel):
    """A saved view's filters: the query parameters of GET /tickets, with the same rules."""

    # Unknown keys are refused by the saved-view service, with the other filters' errors in one answer
    # (a pydantic model, not a ninja Schema: a Schema drops unknown keys before anyone sees them).
    model_config = ConfigDict(extra="allow", json_schema_extra={"additionalProperties": False})
    _no_bad_characters = field_validator("*", mode="before")(_refuse_bad_characters)

    status: StatusList | list[StatusName] = Field(None, description="Statuses (a list or comma-separated), "
                                                                  "or “active”.")
    priority: PriorityList | list[PriorityName] = Field(None, description="A list or comma-separated: low, normal, "
                                                                          "high, urgent.")
    assignee: AssigneeFilter = Field(None, description="“me”, “none” or a user id.")
    department: DepartmentFilter = Field(None, description="“none” or a department id.")
    tag: Line | list[TagName] = Field(None, description="Tag names (a list or comma-separated): tickets with all "
                                                        "of them.")
    channel: ChannelFilter = None
    requester: IdText | Id = Field(None, description="Contact id.")
    company: IdText | Id = Field(None, description="Company id.")
    q: SafeStr = Field(None, description="Text in the number, subject or messages.")
    sort: SortName = None


class Error(Schema):
    detail: str


class FieldError(Schema):
    type: str
    loc: list[str | int]
    msg: str


class ValidationErrors(Schema):
    detail: list[FieldError]


ERRORS = {401: Error, 403: Error, 404: Error, 422: ValidationErrors}
"""What any operation may answer besides success (400, 405, 413 and 500 are added to every one)."""


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
