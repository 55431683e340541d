"""Writes to the search index. Owners (knowledge base, forum, ideas) call these after their own
transaction commits (``transaction.on_commit``), so a rolled-back write never reaches the index."""

from __future__ import annotations

from django.db import transaction

from pomoc.search import backends
from pomoc.search.models import SearchDocument, SearchTerm
from pomoc.search.text import fold, words

MAX_TERM_LENGTH = 64


@transaction.atomic
def index(kind: str, key: str, *, language: str, title: str, body: str, url: str,
          public: bool = True, boost: float = 1.0) -> None:
    """Add or replace the document ``(kind, key)``: ``title`` and ``body`` as plain text (no HTML),
    ``url`` where a hit leads, ``public=False`` for what only agents may find, ``boost`` to rank it
    higher (>1) or lower (<1)."""
    doc, _created = SearchDocument.objects.update_or_create(
        kind=kind, key=str(key),
        defaults={"language": language or "", "title": title[:300], "body": body, "url": url,
                  "public": public, "boost": boost},
    )
    backends.write(doc.id, language=doc.language, title=fold(title), body=fold(body))
    vocabulary = {w for w in words(f"{title} {body[:backends.MAX_INDEXED_CHARS]}")
                  if 2 < len(w) <= MAX_TERM_LENGTH and not w.isdigit()}
    if vocabulary:
        known = set(SearchTerm.objects.filter(term__in=vocabulary).values_list("term", flat=True)) \
            if len(vocabulary) <= 500 else set()
        SearchTerm.objects.bulk_create([SearchTerm(term=w) for w in sorted(vocabulary - known)],
                                       ignore_conflicts=True, batch_size=500)


@transaction.atomic
def unindex(kind: str, key: str) -> None:
    """Remove the document ``(kind, key)``; nothing happens when it is not indexed."""
    for doc_id in SearchDocument.objects.filter(kind=kind, key=str(key)).values_list("id", flat=True):
        backends.remove(doc_id)
    SearchDocument.objects.filter(kind=kind, key=str(key)).delete()
