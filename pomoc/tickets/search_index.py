"""The per-ticket search document: one ``tsvector`` per ticket, its subject and all its messages.

Searching a ticket's own document (one GIN index on tickets, migration tickets.0004) instead of
every message lets PostgreSQL answer both kinds of query fast: a rare word through the index, a
common word by walking the inbox order (``updated_at``) and stopping after one page. Searching
messages would mean fetching every matching message first, which grows with the data.

The document is rebuilt from the database whenever its parts change (a message added, a subject
changed, messages moved by a merge or a split); the services call :func:`refresh`. The ``simple``
configuration (no stemming, no stop words) suits four languages at once. Other databases keep the
column empty and search with ``LIKE`` (see ``selectors.ticket_text_q``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

# Text beyond this many characters of a ticket's messages is not indexed: a tsvector holds at most
# 1 MB, and a ticket whose conversation is longer than a novel is found by its first half too.
MAX_INDEXED_CHARS = 500_000

_DOCUMENT = """
UPDATE tickets_ticket t SET search_vector =
    setweight(to_tsvector('simple', t.subject), 'A')
    || coalesce((SELECT to_tsvector('simple', left(string_agg(m.body_text, ' ' ORDER BY m.id), %(max_chars)s))
                 FROM tickets_message m WHERE m.ticket_id = t.id), ''::tsvector)
"""
_BY_IDS = _DOCUMENT + "WHERE t.id = ANY(%(ids)s)"
_BY_RANGE = _DOCUMENT + "WHERE t.id BETWEEN %(first)s AND %(last)s"


def enabled() -> bool:
    return connection.vendor == "postgresql"


def refresh(ticket_ids: Iterable[int]) -> None:
    """Rebuild the search documents of these tickets (in the caller's transaction)."""
    ids = sorted({int(pk) for pk in ticket_ids if pk})
    if not ids or not enabled():
        return
    with connection.cursor() as cursor:
        cursor.execute(_BY_IDS, {"ids": ids, "max_chars": MAX_INDEXED_CHARS})


def refresh_range(first_id: int, last_id: int, *, cursor=None) -> None:
    """Rebuild the documents of tickets ``first_id``..``last_id`` (bulk loads, backfills)."""
    if not enabled():
        return
    params = {"first": first_id, "last": last_id, "max_chars": MAX_INDEXED_CHARS}
    if cursor is not None:
        cursor.execute(_BY_RANGE, params)
        return
    with connection.cursor() as own:
        own.execute(_BY_RANGE, params)
