"""The two full-text backends behind one shape: SQLite FTS5 and PostgreSQL ``tsvector``.

Both receive folded text (``text.fold``) and folded query terms, so accents, ``ł`` and case never
matter. A query is a list of *alternatives per term*: every term must match one of its
alternatives; an alternative ending in ``*`` matches as a prefix."""

from __future__ import annotations

from django.db import connection

# PostgreSQL has stemming configurations for some languages (none for Czech, Polish or Estonian).
# A document in such a language is indexed with both its language's configuration and ``simple``,
# so stemmed and exact forms both match.
PG_CONFIGS = {
    "en": "english", "de": "german", "fr": "french", "es": "spanish", "it": "italian",
    "nl": "dutch", "pt": "portuguese", "sv": "swedish", "da": "danish", "fi": "finnish",
    "hu": "hungarian", "ru": "russian", "ro": "romanian", "tr": "turkish", "nb": "norwegian",
    "lt": "lithuanian",
}
# a tsvector holds at most 1 MB; an article is far below this, a pasted log may not be
MAX_INDEXED_CHARS = 200_000


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def write(doc_id: int, *, language: str, title: str, body: str) -> None:
    """Store the folded title and body of document ``doc_id`` in the full-text structure."""
    body = body[:MAX_INDEXED_CHARS]
    with connection.cursor() as cursor:
        if is_postgres():
            config = PG_CONFIGS.get(language.split("-")[0])
            parts = ["setweight(to_tsvector('simple', %s), 'A')", "setweight(to_tsvector('simple', %s), 'B')"]
            params: list = [title, body]
            if config:
                parts += [f"setweight(to_tsvector('{config}', %s), 'A')",
                          f"setweight(to_tsvector('{config}', %s), 'B')"]
                params += [title, body]
            cursor.execute(
                f"UPDATE search_searchdocument SET vector = {' || '.join(parts)} WHERE id = %s",  # noqa: S608 (configs from a fixed table)
                [*params, doc_id],
            )
        else:
            cursor.execute("DELETE FROM search_fts WHERE rowid = %s", [doc_id])
            cursor.execute("INSERT INTO search_fts (rowid, title, body) VALUES (%s, %s, %s)", [doc_id, title, body])


def remove(doc_id: int) -> None:
    if not is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_fts WHERE rowid = %s", [doc_id])


def _fts5_expression(terms: list[list[str]]) -> str:
    groups = []
    for alternatives in terms:
        options = []
        for alt in alternatives:
            word = alt.rstrip("*")
            options.append(f'"{word}"*' if alt.endswith("*") else f'"{word}"')
        groups.append(options[0] if len(options) == 1 else "(" + " OR ".join(options) + ")")
    return " AND ".join(groups)


def _tsquery_expression(terms: list[list[str]]) -> str:
    groups = []
    for alternatives in terms:
        options = [f"{alt.rstrip('*')}:*" if alt.endswith("*") else alt for alt in alternatives]
        groups.append(options[0] if len(options) == 1 else "(" + " | ".join(options) + ")")
    return " & ".join(groups)


def _configs_for(language: str | None) -> list[str]:
    """The stemming configurations a query goes through: the language's, or every site language's."""
    from django.conf import settings

    codes = [language] if language else [code for code, _name in settings.LANGUAGES]
    return sorted({PG_CONFIGS[c.split("-")[0]] for c in codes if c.split("-")[0] in PG_CONFIGS})


COLUMNS = "d.id, d.kind, d.key, d.language, d.title, d.body, d.url"


def ranked(terms: list[list[str]], *, language: str | None, kinds: list[str] | None,
           include_internal: bool, limit: int) -> list[tuple]:
    """Rows ``(id, kind, key, language, title, body, url, score)``, best first (higher is better)."""
    where, params = [], []
    if not include_internal:
        where.append("d.public")
    if language:
        where.append("d.language = %s")
        params.append(language)
    if kinds:
        where.append("d.kind IN (" + ", ".join(["%s"] * len(kinds)) + ")")
        params.extend(kinds)
    extra = "".join(f" AND {clause}" for clause in where)
    with connection.cursor() as cursor:
        if is_postgres():
            expression = _tsquery_expression(terms)
            configs = _configs_for(language)
            # one query over every configuration (to_tsquery of a configuration stems like it)
            query = " || ".join(["to_tsquery('simple', %s)"] + [f"to_tsquery('{c}', %s)" for c in configs])
            # rank ids first, then read the few winners' texts (sorting wide rows costs more)
            sql = (
                f"SELECT {COLUMNS}, r.score FROM (SELECT d.id, ts_rank_cd(d.vector, q.query) * d.boost AS score "  # noqa: S608
                f"FROM search_searchdocument d, (SELECT {query} AS query) q "
                f"WHERE d.vector @@ q.query{extra} ORDER BY score DESC, d.id LIMIT %s) r "
                "JOIN search_searchdocument d ON d.id = r.id ORDER BY r.score DESC, d.id"
            )
            cursor.execute(sql, [expression] * (1 + len(configs)) + params + [limit])
        else:
            sql = (
                f"SELECT {COLUMNS}, r.score FROM (SELECT d.id AS id, -bm25(search_fts, 10.0, 1.0) * d.boost AS score "  # noqa: S608
                "FROM search_fts JOIN search_searchdocument d ON d.id = search_fts.rowid "
                f"WHERE search_fts MATCH %s{extra} ORDER BY score DESC, d.id LIMIT %s) r "
                "JOIN search_searchdocument d ON d.id = r.id ORDER BY r.score DESC, d.id"
            )
            cursor.execute(sql, [_fts5_expression(terms), *params, limit])
        return cursor.fetchall()
