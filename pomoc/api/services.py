"""Small writes the API needs that no app service covers yet (companies, users, departments,
tags, saved views). Each validates and raises ValidationError with field -> message, like the
ticket services. Candidates to move into their apps' services once the admin pages need them.
"""

import re
import zoneinfo
from collections.abc import Mapping

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from pomoc.accounts.models import Department, Role
from pomoc.contacts.models import Company, Contact
from pomoc.tickets.models import SavedView, Tag
from pomoc.tickets.selectors import TicketFilters
from pomoc.tickets.services import tags_get_or_create

User = get_user_model()
DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


# --- companies and contacts -----------------------------------------------------------------
def company_by_id(company_id: int | None, field: str = "company") -> Company | None:
    if company_id is None:
        return None
    company = Company.objects.filter(pk=company_id).first()
    if company is None:
        raise ValidationError({field: _("Unknown company.")})
    return company


def _clean_domains(domains) -> list[str]:
    cleaned = []
    for domain in domains:
        domain = str(domain).strip().lower().lstrip("@")
        if not DOMAIN_RE.match(domain):
            raise ValidationError({"domains": _("“%(value)s” is not a domain name.") % {"value": domain}})
        if domain not in cleaned:
            cleaned.append(domain)
    return cleaned


def _clean_language(language: str, field: str = "language") -> str:
    language = (language or "").strip()
    if language and language not in LANGUAGE_CODES:
        raise ValidationError({field: _("Unknown language; use one of: %(values)s")
                               % {"values": ", ".join(sorted(LANGUAGE_CODES))}})
    return language


def company_create(*, name: str, domains=(), notes: str = "") -> Company:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("This field cannot be blank.")})
    return Company.objects.create(name=name[:200], domains=_clean_domains(domains), notes=notes)


def company_update(*, company: Company, changes: Mapping) -> Company:
    if "name" in changes:
        name = (changes["name"] or "").strip()
        if not name:
            raise ValidationError({"name": _("This field cannot be blank.")})
        company.name = name[:200]
    if "domains" in changes:
        company.domains = _clean_domains(changes["domains"] or [])
    if "notes" in changes:
        company.notes = changes["notes"] or ""
    company.save()
    return company


def contact_update(*, contact: Contact, changes: Mapping) -> Contact:
    """Name, company, language and notes; identities change through ``identity_add``/merge."""
    fields = []
    if "name" in changes:
        contact.name = (changes["name"] or "").strip()[:200]
        fields.append("name")
    if "company" in changes:
        contact.company = company_by_id(changes["company"])
        fields.append("company")
    if "language" in changes:
        contact.language = _clean_language(changes["language"])
        fields.append("language")
    if "notes" in changes:
        contact.notes = changes["notes"] or ""
        fields.append("notes")
    if fields:
        contact.save(update_fields=fields)
    return contact


# --- users ----------------------------------------------------------------------------------
def _clean_time_zone(value: str) -> str:
    value = (value or "").strip()
    if value:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValidationError({"time_zone": _("Unknown time zone.")}) from None
    return value


def _departments(ids) -> list[Department]:
    ids = sorted(set(ids))
    departments = list(Department.objects.filter(pk__in=ids))
    missing = set(ids) - {d.pk for d in departments}
    if missing:
        raise ValidationError({"departments": _("Unknown department: %(ids)s")
                               % {"ids": ", ".join(map(str, sorted(missing)))}})
    return departments


def _check_password(password: str, user) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError({"email": _("Not a valid e-mail address.")}) from None
    return email


def user_create(*, username: str, email: str = "", first_name: str = "", last_name: str = "",
                role: str = Role.AGENT, departments=(), language: str = "", time_zone: str = "",
                is_active: bool = True, password: str | None = None):
    """A new user; without a password they cannot log in until one is set."""
    username = username.strip()
    try:
        User.username_validator(username)
    except ValidationError as exc:
        raise ValidationError({"username": exc.messages}) from None
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This username is taken.")})
    user = User(username=username, email=_clean_email(email), first_name=first_name.strip(),
                last_name=last_name.strip(), role=role, language=_clean_language(language),
                time_zone=_clean_time_zone(time_zone), is_active=is_active)
    if password:
        _check_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    department_rows = _departments(departments)
    with transaction.atomic():
        user.save()
        user.departments.set(department_rows)
    return user


def user_update(*, user, actor, changes: Mapping):
    """Only the keys given change. Administrators cannot lock themselves out."""
    if user.pk == actor.pk:
        if changes.get("is_active") is False:
            raise ValidationError({"is_active": _("You cannot deactivate your own account.")})
        if "role" in changes and changes["role"] != Role.ADMINISTRATOR:
            raise ValidationError({"role": _("You cannot take away your own administrator role.")})
    for key in ("first_name", "last_name"):
        if key in changes:
            setattr(user, key, (changes[key] or "").strip()[:150])
    if "email" in changes:
        user.email = _clean_email(changes["email"])
    if "role" in changes:
        user.role = changes["role"]
    if "language" in changes:
        user.language = _clean_language(changes["language"])
    if "time_zone" in changes:
        user.time_zone = _clean_time_zone(changes["time_zone"])
    if "is_active" in changes:
        user.is_active = bool(changes["is_active"])
    if changes.get("password"):
        _check_password(changes["password"], user)
        user.set_password(changes["password"])
    department_rows = _departments(changes["departments"]) if "departments" in changes else None
    with transaction.atomic():
        user.save()
        if department_rows is not None:
            user.departments.set(department_rows)
    return user


# --- departments ----------------------------------------------------------------------------
def _members(ids) -> list:
    ids = sorted(set(ids))
    users = list(User.objects.filter(pk__in=ids))
    missing = set(ids) - {u.pk for u in users}
    if missing:
        raise ValidationError({"members": _("Unknown user: %(ids)s") % {"ids": ", ".join(map(str, sorted(missing)))}})
    customers = [u.username for u in users if u.role == Role.CUSTOMER]
    if customers:
        raise ValidationError({"members": _("Customers cannot be department members: %(names)s")
                               % {"names": ", ".join(customers)}})
    return users


def _clean_department_name(name: str, exclude_pk: int | None = None) -> str:
    name = (name or "").strip()[:100]
    if not name:
        raise ValidationError({"name": _("This field cannot be blank.")})
    if Department.objects.filter(name__iexact=name).exclude(pk=exclude_pk).exists():
        raise ValidationError({"name": _("A department with this name already exists.")})
    return name


def department_create(*, name: str, description: str = "", members=()) -> Department:
    name = _clean_department_name(name)
    users = _members(members)
    with transaction.atomic():
        department = Department.objects.create(name=name, description=description)
        department.members.set(users)
    return department


def department_update(*, department: Department, changes: Mapping) -> Department:
    if "name" in changes:
        department.name = _clean_department_name(changes["name"], exclude_pk=department.pk)
    if "description" in changes:
        department.description = changes["description"] or ""
    users = _members(changes["members"]) if "members" in changes else None
    with transaction.atomic():
        department.save()
        if users is not None:
            department.members.set(users)
    return department


# --- tags -----------------------------------------------------------------------------------
def tag_create(*, name: str, color: str = "") -> Tag:
    normalized = " ".join(str(name).split()).lower()[:50]
    if not normalized:
        raise ValidationError({"name": _("This field cannot be blank.")})
    if color and not COLOR_RE.match(color):
        raise ValidationError({"color": _("Use a colour like #1e90ff.")})
    if Tag.objects.filter(name=normalized).exists():
        raise ValidationError({"name": _("A tag with this name already exists.")})
    (tag,) = tags_get_or_create([normalized])
    if color:
        tag.color = color.lower()
        tag.save(update_fields=["color"])
    return tag


# --- saved views ----------------------------------------------------------------------------
VIEW_FILTER_KEYS = ("status", "priority", "assignee", "department", "tag", "channel", "requester", "company",
                    "q", "sort")


def clean_view_filters(filters: Mapping) -> dict:
    """Only the keys the inbox understands, each checked the way the ticket list checks it."""
    errors = {f"filters.{key}": _("Unknown filter.") for key in filters if key not in VIEW_FILTER_KEYS}
    cleaned: dict = {}
    for key, value in filters.items():
        if key not in VIEW_FILTER_KEYS:
            continue
        if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
            value = ",".join(str(v) for v in value)
        if not isinstance(value, str | int) or isinstance(value, bool):
            errors[f"filters.{key}"] = _("Use a text value or a list of them.")
            continue
        if str(value).strip():
            cleaned[key] = str(value).strip()
    try:
        TicketFilters.from_mapping(cleaned)
    except ValidationError as exc:
        errors.update({f"filters.{k}": v for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return cleaned


def saved_view_create(*, owner, name: str, filters: Mapping, shared: bool = False) -> SavedView:
    name = (name or "").strip()[:100]
    if not name:
        raise ValidationError({"name": _("This field cannot be blank.")})
    return SavedView.objects.create(owner=owner, name=name, filters=clean_view_filters(filters), shared=shared)


def saved_view_update(*, view: SavedView, changes: Mapping) -> SavedView:
    if "name" in changes:
        name = (changes["name"] or "").strip()[:100]
        if not name:
            raise ValidationError({"name": _("This field cannot be blank.")})
        view.name = name
    if "filters" in changes:
        view.filters = clean_view_filters(changes["filters"] or {})
    if "shared" in changes:
        view.shared = bool(changes["shared"])
    view.save()
    return view
