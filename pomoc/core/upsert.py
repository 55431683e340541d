"""Set-wise writes of many rows without a model instance per row: ``INSERT … ON CONFLICT … RETURNING``
as PostgreSQL and SQLite (3.35+) share it (decision 0029).

Rows are given as {field name: database value} (a related row's pk for a foreign key, a Python object
for a JSON field). Only the model's table and column names go into the SQL, quoted; every value is a
parameter. PostgreSQL gets one array per column through ``unnest``, so a statement stays short
whatever the number of rows (psycopg parses a long one slowly); SQLite gets ``VALUES`` rows in
statements of a power of two rows, and what is left under 64 rows in one, so a run prepares only a
few distinct large statements (sqlite3 keeps the last 128 prepared, each with its last bound values)
and a small batch (a few mails) is one statement.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.db import connections, router

SMALL = 64  # rows: fewer go in one statement on SQLite


def upsert(model, rows: list[dict], *, unique: Sequence[str] = (), update: Sequence[str] = (),
           returning: Sequence[str] | None = None) -> list[tuple]:
    """``INSERT … ON CONFLICT (unique) DO UPDATE SET update … RETURNING returning, id``.

    With ``unique`` and no ``update``: ``ON CONFLICT (unique) DO NOTHING``, and only the rows inserted
    come back. Without ``unique``: a plain insert. Returns the (returning…, id) tuples of the rows
    inserted or updated, in no promised order (``returning=[]``: the ids alone); [] without
    ``returning``. What ``bulk_create(update_conflicts=True)`` does, without building a model
    instance per row and compiling each value through its field."""
    if not rows:
        return []
    connection = connections[router.db_for_write(model)]
    ops, quote = connection.ops, connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in rows[0]]
    postgres = connection.vendor == "postgresql"
    adapters = []
    for f in fields:
        kind = f.get_internal_type()
        if kind == "JSONField":  # the JSON text (PostgreSQL casts text to jsonb)
            adapters.append(lambda v, f=f: json.dumps(v, cls=f.encoder, ensure_ascii=False))
        elif postgres:  # psycopg adapts dates and decimals itself
            adapters.append(None)
        elif kind == "DateTimeField":
            adapters.append(ops.adapt_datetimefield_value)
        elif kind == "DecimalField":
            adapters.append(lambda v, f=f: ops.adapt_decimalfield_value(v, f.max_digits, f.decimal_places))
        else:
            adapters.append(None)
    column = {f.name: f.column for f in fields} | {f.name: f.column for f in model._meta.concrete_fields}
    # only table and column names of the model, quoted; every value is a parameter
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "  # noqa: S608
    tail = ""
    if unique:
        tail = f" ON CONFLICT ({', '.join(quote(column[n]) for n in unique)}) DO "
        tail += ("UPDATE SET " + ", ".join(f"{quote(column[n])} = EXCLUDED.{quote(column[n])}" for n in update)
                 if update else "NOTHING")
    if returning is not None:
        tail += f" RETURNING {''.join(quote(column[n]) + ', ' for n in returning)}{quote(model._meta.pk.column)}"
    names = [f.name for f in fields]

    def value(row, name, adapt):
        v = row[name]
        return adapt(v) if adapt is not None and v is not None else v

    result = []
    with connection.cursor() as cursor:
        if postgres:
            columns = [[value(row, name, adapt) for row in rows] for name, adapt in zip(names, adapters, strict=True)]
            unnest = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
            select = f" SELECT * FROM unnest({unnest})"  # noqa: S608 -- the model's column types, values bound
            cursor.execute(head.replace(" VALUES ", select) + tail, columns)
            return cursor.fetchall() if returning is not None else []
        row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
        largest = 1 << max(0, (20_000 // len(fields)).bit_length() - 1)  # at most 20,000 values
        start = 0
        while start < len(rows):
            left = len(rows) - start
            size = left if left < SMALL else min(largest, 1 << (left.bit_length() - 1))
            chunk = rows[start:start + size]
            start += size
            params = [value(row, name, adapt) for row in chunk for name, adapt in zip(names, adapters, strict=True)]
            cursor.execute(head + ", ".join([row_sql] * len(chunk)) + tail, params)
            if returning is not None:
                result.extend(cursor.fetchall())
    return result


def insert_new(model, rows: list[dict]) -> list[int]:
    """Insert rows of ``model`` (whose primary key the database assigns) and return their new ids in
    the order of ``rows``, with no way for a concurrent writer to swap them. PostgreSQL: the ids are
    taken from the table's sequence first (one query) and inserted with the rows. SQLite: one writer
    at a time, and an ``AUTOINCREMENT`` key grows by one per row in the order the rows are inserted,
    so the returned ids sorted are the rows' ids in order."""
    if not rows:
        return []
    connection = connections[router.db_for_write(model)]
    pk = model._meta.pk
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [model._meta.db_table, pk.column, len(rows)])
            ids = [row[0] for row in cursor.fetchall()]
        upsert(model, [{pk.name: pk_value, **row} for pk_value, row in zip(ids, rows, strict=True)])
        return ids
    return sorted(pk_value for (pk_value,) in upsert(model, rows, returning=[]))


def upsert_defaults(model) -> dict:
    """{field name: default} for every column of ``model`` but its primary key (NULL where it has
    none): the start of a row for ``upsert``/``insert_new``, so that a column added later gets its
    default as ``Model.objects.create`` would give it (a callable default is called once here)."""
    return {f.name: f.get_default() for f in model._meta.concrete_fields if not f.primary_key}


def typed_values(model, fields: Sequence[str], count: int) -> str:
    """``VALUES`` of ``count`` rows of ``fields`` of ``model`` for an ``UPDATE … FROM (VALUES …)``: the
    first row's values cast to their columns' types, so that a column whose values are all NULL is not
    taken for text (PostgreSQL refuses to set an integer column from text)."""
    connection = connections[router.db_for_write(model)]
    first = ", ".join(f"CAST(%s AS {model._meta.get_field(name).db_type(connection)})" for name in fields)
    return f"VALUES ({first})" + f", ({', '.join(['%s'] * len(fields))})" * (count - 1)
