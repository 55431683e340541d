"""Ticket numbers: sequential, human-friendly, never handed out twice."""

from django.db import connection, transaction

from pomoc.core.models import Counter

TICKET_COUNTER = "ticket_number"

def reserve_ticket_numbers(count: int = 1) -> int:
    """Reserve ``count`` consecutive ticket numbers; returns the first. Never hands one out twice:
    the counter row stays locked until the caller's transaction ends. One statement (``UPDATE …
    RETURNING``, PostgreSQL and SQLite ≥ 3.35) except the very first time."""
    table = connection.ops.quote_name(Counter._meta.db_table)
    sql = f"UPDATE {table} SET value = value + %s WHERE name = %s RETURNING value"  # noqa: S608 -- model's table
    with connection.cursor() as cursor:
        cursor.execute(sql, [count, TICKET_COUNTER])
        row = cursor.fetchone()
        if row is None:  # the first ticket ever: create the counter (another process may be doing so too)
            with transaction.atomic():
                Counter.objects.get_or_create(name=TICKET_COUNTER, defaults={"value": 1000})
            cursor.execute(sql, [count, TICKET_COUNTER])
            row = cursor.fetchone()
    return row[0] - count + 1
