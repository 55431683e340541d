"""Custom field values, checked against the active field definitions."""

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from pomoc.core import refusals
from pomoc.tickets.models import CustomFieldDefinition, CustomFieldType


def validate_custom_fields(values: Mapping, *, partial: bool = True) -> dict:
    """Values checked against the active field definitions; unknown keys are an error."""
    definitions = {d.key: d for d in CustomFieldDefinition.objects.filter(active=True)}
    errors: dict[str, ValidationError] = {}
    cleaned: dict = {}
    for key, value in values.items():
        definition = definitions.get(key)
        if definition is None:
            errors[key] = refusals.refusal(_("Unknown custom field."), refusals.INVALID_REFERENCE)
            continue
        if value is None or value == "":
            if definition.required:
                errors[key] = refusals.refusal(_("This field is required."), refusals.FIELD_DEFINITION)
            continue
        kind = definition.type
        ok = (
            (kind == CustomFieldType.TEXT and isinstance(value, str) and len(value) <= 1000)
            or (kind == CustomFieldType.NUMBER and isinstance(value, int | float) and not isinstance(value, bool))
            or (kind == CustomFieldType.BOOLEAN and isinstance(value, bool))
            or (kind == CustomFieldType.CHOICE and value in definition.choices)
        )
        if kind == CustomFieldType.DATE and isinstance(value, str):
            try:
                dt.date.fromisoformat(value)
                ok = True
            except ValueError:
                ok = False
        if not ok:
            errors[key] = refusals.refusal(_("Not a valid value for a field of type “%(type)s”.") % {"type": kind},
                                          refusals.FIELD_DEFINITION)
            continue
        cleaned[key] = value
    if not partial:
        for key, definition in definitions.items():
            if definition.required and key not in cleaned:
                errors.setdefault(key, refusals.refusal(_("This field is required."), refusals.FIELD_DEFINITION))
    if errors:
        raise ValidationError({f"custom_fields.{k}": v for k, v in errors.items()})
    return cleaned
