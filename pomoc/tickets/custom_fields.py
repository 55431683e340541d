"""Custom field values, checked against the active field definitions.

``validate_custom_fields`` is the one check: the API, the ticket page, the new-ticket form and the
ticket services all go through it. Pages read text from their inputs; ``value_from_text`` turns it
into the JSON value the API would send (a number, true/false, a string) without judging it, so a
wrong value gets the same message on a page as through the API.
"""

import datetime as dt
import math
import re
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from pomoc.core import refusals
from pomoc.core.directory import cached_list
from pomoc.core.text import text_problem
from pomoc.tickets.models import CustomFieldDefinition, CustomFieldTarget, CustomFieldType

MAX_TEXT_LENGTH = 1000
# A number as people type it: 12, -3, 12.5 or 12,5 (a decimal comma, as Czech, Polish and Estonian write).
_NUMBER = re.compile(r"[+-]?\d{1,15}(?:[.,]\d{1,10})?")
FORM_PREFIX = "cf_"  # an input (and an inbox filter parameter) for the field with key K is named cf_K


def active_definitions(target: str = CustomFieldTarget.TICKET) -> list[CustomFieldDefinition]:
    """The active fields of tickets, contacts or companies (one mechanism, a target per definition),
    by label; cached: the inbox, the ticket page and every API write read them."""
    return [d for d in _active_definitions() if d.target == target]


@cached_list("custom-fields", models=(CustomFieldDefinition,))
def _active_definitions() -> list[CustomFieldDefinition]:
    return CustomFieldDefinition.objects.filter(active=True).order_by("label", "key")


def active_definitions_by_key(target: str = CustomFieldTarget.TICKET) -> dict[str, CustomFieldDefinition]:
    return {d.key: d for d in CustomFieldDefinition.objects.filter(active=True, target=target)}


def _type_label(kind: str) -> str:
    return str(CustomFieldType(kind).label) if kind in CustomFieldType.values else kind


def validate_custom_fields(values: Mapping, *, partial: bool = True,
                           definitions: Mapping[str, CustomFieldDefinition] | None = None) -> dict:
    """Values checked against the active field definitions; unknown keys are an error.

    A value of None or "" clears the field (refused for a required one). With ``partial`` False,
    every required field must have a value (a new ticket). Returns the values to store (cleared
    fields left out); raises ``ValidationError`` keyed ``custom_fields.<key>``."""
    if definitions is None:
        definitions = active_definitions_by_key()
    errors: dict[str, ValidationError | str] = {}
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
        if isinstance(value, str) and (problem := text_problem(value)):  # a NUL character, a lone surrogate
            errors[key] = problem
            continue
        kind = definition.type
        ok = (
            (kind == CustomFieldType.TEXT and isinstance(value, str) and len(value) <= MAX_TEXT_LENGTH)
            or (kind == CustomFieldType.NUMBER and isinstance(value, int | float) and not isinstance(value, bool)
                and math.isfinite(value))
            or (kind == CustomFieldType.BOOLEAN and isinstance(value, bool))
            or (kind == CustomFieldType.CHOICE and isinstance(value, str) and value in definition.choices)
        )
        if kind == CustomFieldType.DATE and isinstance(value, str):
            try:
                dt.date.fromisoformat(value)
                ok = True
            except ValueError:
                ok = False
        if not ok:
            # The rule comes from the field's definition, which administrators change: no schema states it.
            if kind == CustomFieldType.CHOICE:
                message = _("Choose one of: %(choices)s.") % {"choices": ", ".join(map(str, definition.choices))}
            elif kind == CustomFieldType.DATE:
                message = _("Not a valid date; use the form 2026-12-31.")
            elif kind == CustomFieldType.TEXT and isinstance(value, str):
                message = _("At most %(count)d characters.") % {"count": MAX_TEXT_LENGTH}
            else:
                message = _("Not a valid value for a field of type “%(type)s”.") % {"type": _type_label(kind)}
            errors[key] = refusals.refusal(message, refusals.FIELD_DEFINITION)
            continue
        cleaned[key] = value
    if not partial:
        for key, definition in definitions.items():
            if definition.required and key not in cleaned:
                errors.setdefault(key, refusals.refusal(_("This field is required."), refusals.FIELD_DEFINITION))
    if errors:
        raise ValidationError({f"custom_fields.{k}": v for k, v in errors.items()})
    return cleaned


def value_from_text(definition: CustomFieldDefinition, text: str):
    """What a page's input holds, as the API would send it: None for an empty input, a number for a
    number field, true/false for a yes/no field, else the text itself. Never judges it:
    ``validate_custom_fields`` does (text that is no number stays text, and is refused there)."""
    text = (text or "").strip()
    if not text:
        return None
    if definition.type == CustomFieldType.NUMBER and _NUMBER.fullmatch(text):
        text = text.replace(",", ".")
        return float(text) if "." in text else int(text)
    if definition.type == CustomFieldType.BOOLEAN and text in ("true", "false"):
        return text == "true"
    return text


def text_from_value(value) -> str:
    """A stored value as a page's input holds it (the inverse of ``value_from_text``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def values_from_post(post: Mapping, definitions: list[CustomFieldDefinition]) -> dict:
    """The fields a page's form sent (inputs named ``cf_<key>``), as the API would send them."""
    return {d.key: value_from_text(d, post[FORM_PREFIX + d.key]) for d in definitions if FORM_PREFIX + d.key in post}
