"""Every write to users, departments and API tokens goes through these functions.

The API and the administrators' area both call them, so a rule (the last administrator stays, an
e-mail address belongs to one account, ...) is decided here once. They raise ``ValidationError``
with a dict of field -> messages; the ``validate_*`` helpers raise a plain one, for form fields.
"""

import functools
import zoneinfo
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pomoc.accounts import mail
from pomoc.accounts.models import ApiToken, Department, Role
from pomoc.core import refusals
from pomoc.core.text import text_problem

User = get_user_model()

# What user_update() may change; anything else is a programming error, not bad input.
_USER_MODEL_FIELDS = ("first_name", "last_name", "email", "role", "is_active", "language", "time_zone", "signature")
MAX_SIGNATURE_LENGTH = 2000
USER_FIELDS = (*_USER_MODEL_FIELDS, "password", "departments")


# --- single values (also used by forms) -------------------------------------------------------
@functools.cache
@functools.cache
def time_zone_names() -> tuple[str, ...]:
    # available_timezones() walks the whole tz database on disk (tens of milliseconds): once per process.
    return tuple(sorted(zoneinfo.available_timezones()))


def validate_time_zone(value: str) -> str:
    """An IANA time zone name, or "" for the organisation's default."""
    value = (value or "").strip()
    if not value:
        return ""
    message = _("“%(value)s” is not a known time zone.") % {"value": value}
    if value not in time_zone_names():
        raise ValidationError(message)
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(message) from None
    return value


def validate_language(value: str) -> str:
    """One of settings.LANGUAGES, or "" for the browser's language."""
    value = (value or "").strip()
    codes = {code for code, _name in settings.LANGUAGES}
    if value and value not in codes:
        raise ValidationError(_("Unknown language; use one of: %(values)s") % {"values": ", ".join(sorted(codes))})
    return value


def validate_signature(value: str) -> str:
    """A signature: plain text of a few lines (added under replies by ``pomoc.tickets.signatures``)."""
    value = (value or "").replace("\r\n", "\n").strip()
    problem = text_problem(value)
    if problem:
        raise ValidationError(problem)
    if len(value) > MAX_SIGNATURE_LENGTH:
        raise ValidationError(_("At most %(count)d characters.") % {"count": MAX_SIGNATURE_LENGTH})
    return value


def validate_unique_email(value: str, *, exclude_pk: int | None = None) -> str:
    """E-mail addresses identify people for password resets: one account per address (stored lowercase)."""
    value = (value or "").strip().lower()
    if not value:
        return value
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationError(_("Not a valid e-mail address.")) from None
    if User.objects.filter(email__iexact=value).exclude(pk=exclude_pk).exists():
        raise refusals.refusal(_("Another user already has this e-mail address."), refusals.CONFLICT)
    return value


def validate_password(password: str, user) -> None:
    """The installation's password validators. Their refusals carry the code ``password_policy``, except
    "too short", a rule of the request's shape (the API's schema states the minimum length)."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError([
            error if error.code == "password_too_short" else refusals.refusal(message, refusals.PASSWORD_POLICY)
            for error in exc.error_list for message in error.messages
        ]) from None


def validate_username(value: str, *, exclude_pk: int | None = None) -> str:
    value = (value or "").strip()
    User.username_validator(value)
    if User.objects.filter(username__iexact=value).exclude(pk=exclude_pk).exists():
        raise refusals.refusal(_("A user with this username already exists."), refusals.CONFLICT)
    return value


class _Errors:
    """Collects field errors so that one answer names every wrong field, not just the first."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, messages: str | ValidationError | Iterable[str | ValidationError]) -> None:
        single = isinstance(messages, str | ValidationError)
        self.errors.setdefault(field, []).extend([messages] if single else messages)

    @contextmanager
    def field(self, name: str):
        try:
            yield
        except ValidationError as exc:
            self.add(name, exc.error_list if hasattr(exc, "error_list") else exc.messages)

    def clean(self, name: str, validate: Callable[..., str], value, **kwargs) -> str:
        with self.field(name):
            return validate(value, **kwargs)
        return value  # only reached after an error; the value is never saved

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _departments(errors: _Errors, ids: Iterable[int]) -> list[Department]:
    ids = sorted(set(ids))
    departments = list(Department.objects.filter(pk__in=ids))
    missing = set(ids) - {d.pk for d in departments}
    if missing:
        message = _("Unknown department: %(ids)s") % {"ids": ", ".join(map(str, sorted(missing)))}
        errors.add("departments", refusals.refusal(message, refusals.INVALID_REFERENCE))
    return departments


# --- users --------------------------------------------------------------------------------------
def user_create(
    *,
    username: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    role: str = Role.AGENT,
    departments: Iterable[int] = (),
    language: str = "",
    time_zone: str = "",
    is_active: bool = True,
    password: str | None = None,
    invite: bool = False,
):
    """A new user, with a password, or with none (they cannot log in until one is set).

    ``invite`` mails them a link to choose a password, after commit; it needs an e-mail address.
    ``departments`` are ids.
    """
    errors = _Errors()
    username = errors.clean("username", validate_username, username)
    email = errors.clean("email", validate_unique_email, email)
    if role not in Role.values:
        errors.add("role", _("Unknown role."))
    user = User(
        username=username, email=email, first_name=first_name.strip()[:150], last_name=last_name.strip()[:150],
        role=role, language=errors.clean("language", validate_language, language),
        time_zone=errors.clean("time_zone", validate_time_zone, time_zone), is_active=is_active,
    )
    if invite and not email and "email" not in errors.errors:
        errors.add("email", _("An invitation needs an e-mail address."))
    if invite and password:
        errors.add("password", _("Either send an invitation or give a password, not both."))
    elif password:
        with errors.field("password"):
            validate_password(password, user)
    department_rows = _departments(errors, departments)
    errors.raise_if_any()
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    with transaction.atomic():
        user.save()
        user.departments.set(department_rows)
        if invite:
            transaction.on_commit(lambda: mail.send_invitation(user))
    return user


def _check_keeps_an_administrator(errors: _Errors, user, *, role: str, is_active: bool) -> None:
    """Refuse a change that would leave nobody able to administer Pomoc."""
    was_admin = user.role == Role.ADMINISTRATOR and user.is_active
    stays_admin = role == Role.ADMINISTRATOR and is_active
    if not was_admin or stays_admin:
        return
    # Lock the administrators' rows so that two admins demoting each other cannot both succeed.
    others = list(
        User.objects.select_for_update()
        .filter(role=Role.ADMINISTRATOR, is_active=True)
        .exclude(pk=user.pk)
        .values_list("pk", flat=True)
    )
    if not others:
        message = refusals.refusal(
            _("This is the last active administrator: make somebody else an administrator first."), refusals.CONFLICT)
        if role != Role.ADMINISTRATOR:
            errors.add("role", message)
        if not is_active:
            errors.add("is_active", message)


def user_update(*, user, actor, changes: Mapping):
    """Change only the keys given (see USER_FIELDS; ``departments`` are ids); returns the saved user.

    Nobody can deactivate themselves, and the last active administrator can be neither demoted nor
    deactivated. Deactivating revokes the user's API tokens.
    """
    unknown = set(changes) - set(USER_FIELDS)
    if unknown:
        raise ValueError(f"Unknown user fields: {sorted(unknown)}")
    errors = _Errors()
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        role = changes.get("role", user.role)
        is_active = bool(changes.get("is_active", user.is_active))
        _check_keeps_an_administrator(errors, user, role=role, is_active=is_active)
        if actor is not None and actor.pk == user.pk and user.is_active and not is_active:
            if "is_active" not in errors.errors:
                errors.add("is_active", _("You cannot deactivate your own account."))
        if role not in Role.values:
            errors.add("role", _("Unknown role."))
        deactivating = user.is_active and not is_active
        for key in ("first_name", "last_name"):
            if key in changes:
                setattr(user, key, (changes[key] or "").strip()[:150])
        if "email" in changes:
            user.email = errors.clean("email", validate_unique_email, changes["email"], exclude_pk=user.pk)
        if "language" in changes:
            user.language = errors.clean("language", validate_language, changes["language"])
        if "time_zone" in changes:
            user.time_zone = errors.clean("time_zone", validate_time_zone, changes["time_zone"])
        if "signature" in changes:
            user.signature = errors.clean("signature", validate_signature, changes["signature"])
        user.role, user.is_active = role, is_active
        fields = [key for key in _USER_MODEL_FIELDS if key in changes]
        if role != Role.ADMINISTRATOR and (user.is_staff or user.is_superuser):
            # Django's admin site can change anything (roles too): only administrators keep it.
            user.is_staff = user.is_superuser = False
            fields += ["is_staff", "is_superuser"]
        if changes.get("password"):
            with errors.field("password"):
                validate_password(changes["password"], user)
            user.set_password(changes["password"])
            fields.append("password")
        department_rows = _departments(errors, changes["departments"]) if "departments" in changes else None
        errors.raise_if_any()
        if fields:
            user.save(update_fields=fields)
        if department_rows is not None:
            user.departments.set(department_rows)
        if deactivating:
            _revoke_all_tokens(user)
    return user


def user_deactivate(*, user, actor):
    """Users are never deleted (their replies and events keep their author); they are switched off."""
    return user_update(user=user, actor=actor, changes={"is_active": False})


def invitation_send(*, user) -> None:
    """Mail ``user`` a link to choose a (new) password, after commit."""
    if not user.email:
        raise ValidationError({"email": _("An invitation needs an e-mail address.")})
    if not user.is_active:
        raise ValidationError({"is_active": _("This user is deactivated.")})
    transaction.on_commit(lambda: mail.send_invitation(user))


# --- departments ------------------------------------------------------------------------------
def _members(errors: _Errors, ids: Iterable[int]) -> list:
    ids = sorted(set(ids))
    users = list(User.objects.filter(pk__in=ids))
    missing = set(ids) - {u.pk for u in users}
    if missing:
        message = _("Unknown user: %(ids)s") % {"ids": ", ".join(map(str, sorted(missing)))}
        errors.add("members", refusals.refusal(message, refusals.INVALID_REFERENCE))
    customers = [u.username for u in users if u.role == Role.CUSTOMER]
    if customers:
        message = _("Customers cannot be department members: %(names)s") % {"names": ", ".join(customers)}
        errors.add("members", refusals.refusal(message, refusals.INVALID_REFERENCE))
    return users


def _clean_department_name(errors: _Errors, name: str, exclude_pk: int | None = None) -> str:
    name = (name or "").strip()[:100]
    if not name:
        errors.add("name", _("This field cannot be blank."))
    elif Department.objects.filter(name__iexact=name).exclude(pk=exclude_pk).exists():
        errors.add("name", refusals.refusal(_("A department with this name already exists."), refusals.CONFLICT))
    return name


ROUTING_FIELDS = ("routing", "routing_by_language", "routing_by_skill")


def department_create(*, name: str, description: str = "", members: Iterable[int] = (), **routing) -> Department:
    """A department (names are unique, ignoring case) with these staff members (user ids) and, optionally,
    how its new tickets are routed (``routing``, ``routing_by_language``, ``routing_by_skill``)."""
    errors = _Errors()
    name = _clean_department_name(errors, name)
    users = _members(errors, members)
    routing = {key: value for key, value in routing.items() if key in ROUTING_FIELDS}
    errors.raise_if_any()
    with transaction.atomic():
        department = Department.objects.create(name=name, description=description or "", **routing)
        department.members.set(users)
    return department


def department_update(*, department: Department, changes: Mapping) -> Department:
    """Change only the keys given: ``name``, ``description``, ``members`` (user ids, replacing the members)."""
    errors = _Errors()
    if "name" in changes:
        department.name = _clean_department_name(errors, changes["name"], exclude_pk=department.pk)
    if "description" in changes:
        department.description = changes["description"] or ""
    for key in ROUTING_FIELDS:
        if key in changes:
            setattr(department, key, changes[key])
    users = _members(errors, changes["members"]) if "members" in changes else None
    errors.raise_if_any()
    with transaction.atomic():
        department.save()
        if users is not None:
            department.members.set(users)
    return department


def agent_routing_set(*, user, ticket_capacity: int, languages: Iterable[str], skills: Iterable[str]):
    """What routing knows of an agent: open tickets it may assign them at most (0: no limit), the
    languages they speak (codes) and their skills (tag names)."""
    from pomoc.accounts.models import AgentPresence

    if ticket_capacity < 0:
        raise ValidationError({"ticket_capacity": _("Enter 0 or more.")})
    presence, _created = AgentPresence.objects.get_or_create(user=user)
    presence.ticket_capacity = ticket_capacity
    presence.languages = sorted({code.strip().lower() for code in languages if code.strip()})
    presence.skills = sorted({name.strip() for name in skills if name.strip()})
    presence.save(update_fields=["ticket_capacity", "languages", "skills"])
    return presence


# --- API tokens -------------------------------------------------------------------------------
def _revoke_all_tokens(user) -> None:
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def api_token_create(*, user, name: str = "") -> tuple[ApiToken, str]:
    """A new token; the raw value is returned once and never stored."""
    if not user.is_active:
        raise ValidationError({"name": _("Deactivated users cannot get API tokens.")})
    return ApiToken.create_for(user, name=(name or "")[:100])


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoked tokens stay listed (with their prefix) so that their use can be traced."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def user_ticket_history_show(*, user, show: bool):
    """Whether ``user`` sees the ticket's history between the messages on the ticket page."""
    User.objects.filter(pk=user.pk).update(show_ticket_history=bool(show))
    user.show_ticket_history = bool(show)
    return user
