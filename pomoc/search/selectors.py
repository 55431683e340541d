"""Reads of the search index: ranked full-text search and suggestions as you type.

Accent-insensitive (everything is folded, ``text.fold``), prefix-matching on words of three letters
or more (a crude stemmer that works in every language), and tolerant of one typo per word: when
nothing matches, each word the index has never seen is replaced by the indexed words one edit away
and the search runs once more."""

from __future__ import annotations

from pomoc.search import backends
from pomoc.search.hits import Hit, highlight, snippet
from pomoc.search.models import SearchTerm
from pomoc.search.text import one_edit_away, query_terms

__all__ = ["Hit", "search", "suggest"]

MIN_PREFIX = 3
MAX_LIMIT = 100


def _alternatives(terms: list[str], *, last_is_prefix: bool = False) -> list[list[str]]:
    groups = []
    for i, term in enumerate(terms):
        prefix = len(term) >= MIN_PREFIX or (last_is_prefix and i == len(terms) - 1)
        groups.append([f"{term}*" if prefix else term])
    return groups


def _known(words: set[str]) -> set[str]:
    """The ``words`` the index has seen (plain SQL: hundreds of candidates, compiled cheaply)."""
    from django.db import connection

    if not words:
        return set()
    words = sorted(words)
    table = SearchTerm._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT term FROM {table} WHERE term IN ({', '.join(['%s'] * len(words))})",  # noqa: S608
                       words)
        return {row[0] for row in cursor.fetchall()}


def _corrected(terms: list[str]) -> list[list[str]] | None:
    """Each unknown word replaced by the known words one edit away; ``None`` when nothing changes."""
    known = _known(set(terms))
    unknown = [t for t in terms if t not in known and len(t) >= MIN_PREFIX]
    if not unknown:
        return None
    candidates = {t: one_edit_away(t) for t in unknown}
    pool = set().union(*candidates.values())
    found = _known(pool)
    groups, changed = [], False
    for term in terms:
        if term in candidates and (fixes := sorted(candidates[term] & found)):
            groups.append(fixes[:20])
            changed = True
        else:
            groups.append([f"{term}*" if len(term) >= MIN_PREFIX else term])
    return groups if changed else None


def _run(groups, *, language, kinds, include_internal, limit) -> list[Hit]:
    rows = backends.ranked(groups, language=language, kinds=kinds, include_internal=include_internal, limit=limit)
    return [
        Hit(kind=kind, key=key, title=title, url=url, snippet=snippet(body, groups), score=float(score),
            language=lang, title_html=highlight(title, groups))
        for _id, kind, key, lang, title, body, url, score in rows
    ]


def search(query: str, *, language: str | None = None, kinds: list[str] | None = None,
           include_internal: bool = False, limit: int = 20) -> list[Hit]:
    """Documents matching every word of ``query``, best first. ``language`` keeps only documents in
    that language (``None``: all); ``kinds`` only those kinds; internal documents only with
    ``include_internal`` (agents)."""
    terms = query_terms(query)
    if not terms:
        return []
    limit = max(1, min(limit, MAX_LIMIT))
    options = {"language": language, "kinds": kinds, "include_internal": include_internal, "limit": limit}
    hits = _run(_alternatives(terms), **options)
    if not hits and (groups := _corrected(terms)):
        hits = _run(groups, **options)
    return hits


def suggest(text: str, *, language: str | None = None, limit: int = 5,
            kinds: list[str] | None = None, include_internal: bool = False) -> list[Hit]:
    """What someone typing ``text`` is probably looking for: the last word may be unfinished."""
    terms = query_terms(text)
    if not terms:
        return []
    limit = max(1, min(limit, 20))
    options = {"language": language, "kinds": kinds, "include_internal": include_internal, "limit": limit}
    hits = _run(_alternatives(terms, last_is_prefix=True), **options)
    if not hits and (groups := _corrected(terms)):
        hits = _run(groups, **options)
    return hits
