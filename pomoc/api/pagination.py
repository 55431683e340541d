"""Keyset pagination on the primary key, for lists that have no better sort (contacts, users…)."""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Schema

from pomoc.core import refusals
from pomoc.core.ids import is_id
from pomoc.tickets.selectors import MAX_PAGE_SIZE

DEFAULT_LIMIT = 50


class PageMeta(Schema):
    next_cursor: str | None


def id_page(qs: QuerySet, *, cursor: str | None, limit: int | None) -> tuple[list, str | None]:
    """Rows ordered by id, after ``cursor`` (the last id of the previous page)."""
    limit = max(1, min(limit or DEFAULT_LIMIT, MAX_PAGE_SIZE))
    if cursor:
        if not is_id(cursor):
            raise ValidationError({"cursor": refusals.refusal(
                _("The page cursor is not valid; start again from the first page."), refusals.INVALID_CURSOR)})
        qs = qs.filter(pk__gt=int(cursor))
    rows = list(qs.order_by("pk")[: limit + 1])
    next_cursor = str(rows[limit - 1].pk) if len(rows) > limit else None
    return rows[:limit], next_cursor
