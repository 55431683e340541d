"""Reads of canned responses for the pages and the API."""

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from pomoc.automation.canned.models import CannedResponse
from pomoc.automation.canned.permissions import visible_canned
from pomoc.core.text import text_problem

SEARCH_LIMIT = 8


def canned_list(user) -> QuerySet[CannedResponse]:
    """Every canned response ``user`` sees, with what the list shows, in one query."""
    return (visible_canned(user).select_related("owner", "department")
            .prefetch_related("variants", "attachments").order_by("scope", "name", "id"))


def canned_search(user, query: str, *, limit: int = SEARCH_LIMIT) -> list[CannedResponse]:
    """Search as you type: names starting with ``query`` first, then names and texts containing it,
    the most used first within each."""
    query = (query or "").strip().lstrip("#")[:50]
    qs = visible_canned(user)
    if query and not text_problem(query):
        qs = qs.filter(Q(name__icontains=query) | Q(body__icontains=query)).annotate(
            rank=Case(When(name__istartswith=query, then=Value(0)), When(name__icontains=query, then=Value(1)),
                      default=Value(2), output_field=IntegerField()))
    elif query:
        return []
    else:
        qs = qs.annotate(rank=Value(0, output_field=IntegerField()))
    return list(qs.select_related("department").prefetch_related("variants", "attachments")
                .order_by("rank", "-usage_count", "name", "id")[:limit])
