"""Text that may enter Pomoc: no NUL characters and no lone surrogates, wherever it comes from.

PostgreSQL cannot store a NUL in text, and a lone surrogate (``"\\ud800"`` sent as a JSON escape)
is no character at all: UTF-8 cannot encode it, so the sanitizer, the database and every page that
shows it would fail. Both are refused where input enters (API schemas, forms, filters), with a
message that names the field, instead of failing somewhere deep inside with a 500.

Single-line values that may end up in a mail header (names, subjects, file names) refuse line breaks
too: a CR or LF there would be a header injection in the reply.
"""

import re
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_BAD_CHARACTERS = re.compile("[\x00\ud800-\udfff]")
_LINE_BREAKS = re.compile("[\r\n\x0b\x0c\x85\u2028\u2029]")

NUL_MESSAGE = _("Null characters are not allowed.")
SURROGATE_MESSAGE = _("The text contains an unpaired surrogate, which is not a character.")
LINE_BREAK_MESSAGE = _("Line breaks are not allowed here.")


def text_problem(value: str, *, single_line: bool = False) -> str | None:
    """Why ``value`` cannot be accepted, or None when it can."""
    found = _BAD_CHARACTERS.search(value)
    if found is not None:
        return str(NUL_MESSAGE if found.group() == "\x00" else SURROGATE_MESSAGE)
    if single_line and _LINE_BREAKS.search(value):
        return str(LINE_BREAK_MESSAGE)
    return None


def check_text(value: str, *, single_line: bool = False) -> str:
    """``value`` unchanged, or ValidationError (code ``bad_characters``) saying what is wrong with it."""
    problem = text_problem(value, single_line=single_line)
    if problem is not None:
        raise ValidationError(problem, code="bad_characters")
    return value


def check_line(value: str) -> str:
    return check_text(value, single_line=True)


def find_bad_text(value, path: tuple = ()) -> tuple[tuple, str] | None:
    """The first string (keys too) in nested dicts and lists that ``check_text`` refuses: (where, why).

    A loop, not recursion: JSON nested a thousand deep must not end in a RecursionError.
    """
    stack = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            if problem := text_problem(item):
                return where, problem
        elif isinstance(item, Mapping):
            for key, child in reversed(list(item.items())):
                if isinstance(key, str) and (problem := text_problem(key)):
                    return (*where, key), problem
                stack.append(((*where, key), child))
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend(((*where, index), child) for index, child in reversed(list(enumerate(item))))
    return None


def clean_text(value: str) -> str:
    """``value`` with NUL characters and lone surrogates removed, for text we cannot refuse (a stored
    value shown again, HTML handed to the sanitizer)."""
    return _BAD_CHARACTERS.sub("", value) if value else value


class SingleLineFieldsMixin:
    """For a ModelForm: the fields named in ``single_line_fields`` refuse line breaks (they may end up
    in a mail header). Forms that declare their fields pass ``validators=[validate_line]`` instead."""

    single_line_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.single_line_fields:
            if name in self.fields:
                self.fields[name].validators.append(validate_line)


def validate_text(value) -> None:
    """A Django validator: refuses NUL characters and lone surrogates."""
    if isinstance(value, str):
        check_text(value)


def validate_line(value) -> None:
    """A Django validator for one line that may end up in a mail header: no line breaks either."""
    if isinstance(value, str):
        check_line(value)
