"""Ids and numbers that reach the database: 1 … 2**63-1, what a bigint (and SQLite) holds.

A larger number is no row anywhere; SQLite cannot even bind it (OverflowError). Parsers refuse it
with a message naming the field instead of passing it to a query.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MIN_ID = 1
MAX_ID = 2**63 - 1

NOT_AN_ID_MESSAGE = _("Not a valid id: use a whole number from 1 to %(max)d.")


def is_id(value) -> bool:
    """True for an int in range, or a string of ASCII digits that is one."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return MIN_ID <= value <= MAX_ID
    if isinstance(value, str):
        text = value.strip()
        return 0 < len(text) <= 19 and text.isascii() and text.isdigit() and MIN_ID <= int(text) <= MAX_ID
    return False


def parse_id(value, *, field: str | None = None) -> int:
    """``value`` as an id, or ValidationError (on ``field`` when given)."""
    if not is_id(value):
        message = NOT_AN_ID_MESSAGE % {"max": MAX_ID}
        raise ValidationError({field: message} if field else message, code="invalid_id")
    return int(value.strip() if isinstance(value, str) else value)


def _refuse_non_ids(field, values, code: str) -> None:
    for value in values:
        if value in field.empty_values or isinstance(value, field.queryset.model):
            continue
        if not is_id(value if isinstance(value, int) else str(value)):
            raise ValidationError(field.error_messages[code], code=code, params={"pk": value, "value": value})


class IdModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField whose value that is no id is an invalid choice before any query (SQLite
    cannot even bind a number beyond 64 bits)."""

    def to_python(self, value):
        _refuse_non_ids(self, [value], "invalid_choice")
        return super().to_python(value)


class IdModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """The same for several: each value must be an id before the query."""

    def _check_values(self, value):
        _refuse_non_ids(self, value, "invalid_pk_value")
        return super()._check_values(value)
