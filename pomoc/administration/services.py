"""Writes of the administrators' area: users, tokens. Simple objects (tags, departments, field
definitions, organisation settings) are saved by their ModelForms; rules that span rows live here."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pomoc.accounts import mail
from pomoc.accounts.models import ApiToken, Department, Role

User = get_user_model()

USER_FIELDS = ("first_name", "last_name", "email", "role", "is_active", "language", "time_zone")


def _check_keeps_an_administrator(user, *, role: str, is_active: bool) -> None:
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
        message = _("This is the last active administrator: make somebody else an administrator first.")
        errors = {}
        if role != Role.ADMINISTRATOR:
            errors["role"] = message
        if not is_active:
            errors["is_active"] = message
        raise ValidationError(errors)


def user_create(
    *,
    username: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    role: str = Role.AGENT,
    departments: Iterable[Department] = (),
    language: str = "",
    time_zone: str = "",
    password: str | None = None,
    invite: bool = False,
):
    """A new user with a password, or with none and an invitation mail to choose one (after commit)."""
    if invite and not email:
        raise ValidationError({"email": _("An invitation needs an e-mail address.")})
    if not invite and not password:
        raise ValidationError({"password1": _("Give a password or send an invitation.")})
    with transaction.atomic():
        user = User(
            username=username, email=email, first_name=first_name, last_name=last_name, role=role,
            language=language, time_zone=time_zone, is_active=True,
        )
        if invite:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save()
        user.departments.set(departments)
        if invite:
            transaction.on_commit(lambda: mail.send_invitation(user))
    return user


def user_update(*, user, changes: dict, departments: Iterable[Department] | None = None):
    """Change the given fields of ``user`` (keys from USER_FIELDS) and, if given, their departments."""
    unknown = set(changes) - set(USER_FIELDS)
    if unknown:
        raise ValueError(f"Unknown user fields: {sorted(unknown)}")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        _check_keeps_an_administrator(
            user, role=changes.get("role", user.role), is_active=changes.get("is_active", user.is_active)
        )
        deactivating = user.is_active and changes.get("is_active") is False
        for field, value in changes.items():
            setattr(user, field, value)
        user.save(update_fields=list(changes) or None)
        if departments is not None:
            user.departments.set(departments)
        if deactivating:
            _revoke_all_tokens(user)
    return user


def user_deactivate(*, user):
    """Users are never deleted (their replies and events keep their author); they are switched off."""
    return user_update(user=user, changes={"is_active": False})


def invitation_send(*, user) -> None:
    if not user.email:
        raise ValidationError({"email": _("An invitation needs an e-mail address.")})
    if not user.is_active:
        raise ValidationError({"is_active": _("This user is deactivated.")})
    transaction.on_commit(lambda: mail.send_invitation(user))


def _revoke_all_tokens(user) -> None:
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def api_token_create(*, user, name: str = "") -> tuple[ApiToken, str]:
    """A new token; the raw value is returned once and never stored."""
    if not user.is_active:
        raise ValidationError({"name": _("Deactivated users cannot get API tokens.")})
    return ApiToken.create_for(user, name=name)


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
