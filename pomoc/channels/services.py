"""Every write to inboxes, of every kind: their settings and encrypted secrets.

The services check what every inbox has (name, address, department, active) and hand the rest to
the registered kind (``pomoc.channels.registry``): its ``clean_config`` checks its config keys, its
``clean_address`` what ``Inbox.address`` means for it, its ``secret_names`` are the only secrets.
They raise ``ValidationError`` with a dict of field -> messages; the fields are ``kind``, ``name``,
``address``, ``department``, ``active``, ``config``, ``config.<key>``, ``secrets`` and
``secrets.<name>`` (the administration pages and the API show them on their own field names).
Secrets are only ever written through ``Inbox.set_secret`` (encrypted) and never appear in an
error message.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Coalesce, Now
from django.utils.translation import gettext as _

from pomoc.accounts.models import Department
from pomoc.channels import registry
from pomoc.channels.models import Inbox
from pomoc.core import refusals
from pomoc.core.text import text_problem

INBOX_FIELDS = ("name", "address", "department", "active", "signature", "config")
MAX_SIGNATURE_LENGTH = 2000
MAX_NAME_LENGTH = 100
MAX_ADDRESS_LENGTH = 254
MAX_SECRET_LENGTH = 1000
MAX_ID = 2**63 - 1  # a bigger number is no row's id (and no database takes it as one)


def inbox_create(*, kind: str, name: str, address: str = "", department: Department | int | None = None,
                 active: bool = True, config: Mapping[str, Any] | None = None,
                 secrets: Mapping[str, str] | None = None, signature: str = "") -> Inbox:
    """A new inbox of the registered ``kind``. ``config`` holds that kind's config keys (missing ones get
    their defaults); ``secrets`` maps the kind's secret names to values (stored encrypted)."""
    channel = registry.get(kind) if isinstance(kind, str) else None
    if channel is None:
        raise ValidationError({"kind": [_("Unknown channel kind.")]})
    changes = {"name": name, "address": address, "department": department, "active": active,
               "signature": signature, "config": {} if config is None else config}
    return _save(Inbox(kind=channel.key), channel, changes, secrets)


def inbox_update(*, inbox: Inbox, changes: Mapping[str, Any], secrets: Mapping[str, str] | None = None) -> Inbox:
    """Change only the keys given (of ``INBOX_FIELDS``); ``changes["config"]`` is merged into the stored
    config (keys not given stay). ``secrets``: a name with a value sets it, with "" (or None) removes
    it; names not given are kept. The kind of an inbox never changes."""
    unknown = set(changes) - set(INBOX_FIELDS)
    if unknown:
        raise ValueError(f"unknown inbox fields: {sorted(unknown)}")
    channel = registry.get(inbox.kind)
    if channel is None:  # its app was removed from INSTALLED_APPS: nothing can check its settings
        raise ValidationError({"kind": [_("Unknown channel kind.")]})
    return _save(inbox, channel, changes, secrets)


def inbox_deactivate(*, inbox: Inbox) -> Inbox:
    """Nothing more is received or fetched through this inbox; its tickets and stored input stay."""
    return inbox_update(inbox=inbox, changes={"active": False})


def inbox_sending_record(*, inbox_id: int | None, error: str) -> None:
    """Note the outcome of a send through an inbox: ``error`` (a failure, temporary or not) keeps the
    time its sending started failing and the last reason; "" (sent) clears them. One statement, and
    none at all for a success while nothing was failing."""
    if inbox_id is None:
        return
    if error:
        Inbox.objects.filter(pk=inbox_id).update(
            sending_error=error[:1000], sending_failing_since=Coalesce(F("sending_failing_since"), Now()))
    else:
        Inbox.objects.filter(pk=inbox_id, sending_failing_since__isnull=False).update(
            sending_failing_since=None, sending_error="")


def _save(inbox: Inbox, kind: registry.ChannelKind, changes: Mapping[str, Any],
          secrets: Mapping[str, str] | None) -> Inbox:
    errors = registry.Errors()
    if "name" in changes:
        inbox.name = _clean_name(errors, changes["name"], exclude_pk=inbox.pk)
    if "address" in changes:
        inbox.address = _clean_address(errors, kind, inbox, changes["address"])
    if "department" in changes:
        inbox.department = _clean_department(errors, changes["department"])
    if "active" in changes:
        if isinstance(changes["active"], bool):
            inbox.active = changes["active"]
        else:
            errors.add("active", _("Expected true or false."))
    if "signature" in changes:
        inbox.signature = _clean_signature(errors, changes["signature"])
    config = _clean_config(errors, kind, inbox, changes.get("config", {}))
    _apply_secrets(errors, kind, inbox, secrets)
    if errors:
        raise ValidationError(dict(errors))
    if config is not None:
        inbox.config = config
    try:
        with transaction.atomic():
            inbox.save()
    except IntegrityError:  # another inbox took the name since we looked
        raise refusals.conflict("name", _("Another inbox already has this name.")) from None
    return inbox


def _clean_signature(errors: registry.Errors, value: Any) -> str:
    """Plain text added under replies through the inbox (``pomoc.tickets.signatures``)."""
    if not isinstance(value, str):
        errors.add("signature", _("Expected text."))
        return ""
    value = value.replace("\r\n", "\n").strip()
    problem = text_problem(value)
    if problem:
        errors.add("signature", problem)
    elif len(value) > MAX_SIGNATURE_LENGTH:
        errors.add("signature", _("At most %(count)d characters.") % {"count": MAX_SIGNATURE_LENGTH})
    return value


def _has_control_characters(text: str) -> bool:
    return any(ord(c) < 32 or ord(c) == 127 for c in text)


def _clean_name(errors: registry.Errors, value: Any, *, exclude_pk: int | None) -> str:
    name = value.strip() if isinstance(value, str) else ""
    if not name:
        errors.add("name", _("Give the inbox a name."))
    elif len(name) > MAX_NAME_LENGTH:
        errors.add("name", _("At most %(count)d characters.") % {"count": MAX_NAME_LENGTH})
    elif _has_control_characters(name):
        errors.add("name", _("Line breaks and control characters are not allowed here."))
    elif Inbox.objects.filter(name__iexact=name).exclude(pk=exclude_pk).exists():
        errors.add("name", refusals.refusal(_("Another inbox already has this name."), refusals.CONFLICT))
    return name


def _clean_address(errors: registry.Errors, kind: registry.ChannelKind, inbox: Inbox, value: Any) -> str:
    if value is not None and not isinstance(value, str):
        errors.add("address", _("Expected text."))
        return inbox.address
    value = value or ""
    # Checked before the kind sees it: no kind's address is longer or spans lines.
    if len(value) > MAX_ADDRESS_LENGTH:
        errors.add("address", _("At most %(count)d characters.") % {"count": MAX_ADDRESS_LENGTH})
        return value
    if _has_control_characters(value):
        errors.add("address", _("Line breaks and control characters are not allowed here."))
        return value
    if kind.clean_address is not None:
        return kind.clean_address(inbox, value, errors)
    return value.strip()


def _clean_department(errors: registry.Errors, value: Any) -> Department | None:
    if value is None or value == "":
        return None
    if isinstance(value, Department):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():  # a form's or query string's id
        value = int(value)
    department = None
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID:
        department = Department.objects.filter(pk=value).first()
    if department is None:
        errors.add("department", refusals.refusal(_("Unknown department."), refusals.INVALID_REFERENCE))
    return department


def _clean_config(errors: registry.Errors, kind: registry.ChannelKind, inbox: Inbox,
                  values: Any) -> dict[str, Any] | None:
    """The config to store: the stored one read through the kind's typed config, with ``values``
    checked by the kind and merged in. Keys the typed config does not know (a newer version's) stay."""
    if not isinstance(values, Mapping):
        errors.add("config", _("Expected an object of settings."))
        return None
    defaults = kind.config.from_dict(None).to_dict()
    known: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(key, str) and key in defaults:
            known[key] = value
        else:
            errors.add(f"config.{str(key)[:100]}", _("Unknown setting."))
    kind_errors = registry.Errors()
    if kind.clean_config is not None:
        cleaned = kind.clean_config(inbox, known, kind_errors)
    else:
        cleaned = _clean_by_default_types(kind_errors, defaults, known)
    for key, value in cleaned.items():
        if key not in kind_errors and not _storable(value):
            kind_errors.add(key, _("Line breaks and control characters are not allowed here."))
    for key, messages in kind_errors.items():
        for message in messages:
            errors.add(f"config.{key}", message)
    stored = dict(inbox.config or {})
    return {**stored, **kind.config.from_dict(stored).to_dict(), **cleaned}


def _clean_by_default_types(errors: registry.Errors, defaults: dict[str, Any], values: Mapping[str, Any]) -> dict:
    """For kinds without ``clean_config``: each value must have its default's type (a bool is no int;
    a whole float such as 25.0 is, as JSON Schema counts)."""
    cleaned = dict(values)
    for key, value in values.items():
        if type(defaults[key]) is int and type(value) is float and value.is_integer():
            cleaned[key] = int(value)
        elif type(value) is not type(defaults[key]):
            errors.add(key, _("Wrong type of value."))
    return cleaned


def _storable(value: Any) -> bool:
    """Can a JSON column hold it on every database (PostgreSQL refuses NUL characters and NaN)?"""
    if isinstance(value, str):
        return "\0" not in value
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list | tuple):
        return all(_storable(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and "\0" not in k and _storable(v) for k, v in value.items())
    return value is None or isinstance(value, bool | int)


def _apply_secrets(errors: registry.Errors, kind: registry.ChannelKind, inbox: Inbox,
                   secrets: Mapping[str, Any] | None) -> None:
    """Set (non-empty value), clear ("" or None) or keep (name absent) each secret."""
    if secrets is None:
        return
    if not isinstance(secrets, Mapping):
        errors.add("secrets", _("Expected an object of secrets."))
        return
    for name, value in secrets.items():
        if not isinstance(name, str) or name not in kind.secret_names:
            errors.add(f"secrets.{str(name)[:100]}", _("Unknown secret."))
            continue
        if value is None:
            value = ""
        if not isinstance(value, str) or len(value) > MAX_SECRET_LENGTH or any(c in value for c in "\r\n\0"):
            # never echo the value itself
            errors.add(f"secrets.{name}",
                       _("This password cannot be used (too long, or it contains a line break)."))
            continue
        inbox.set_secret(name, value)
