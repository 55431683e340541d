import django.contrib.postgres.search
from django.db import migrations

BACKFILL_CHUNK = 20_000


def build_search_documents(apps, schema_editor):
    """PostgreSQL: index the ticket documents, fill them for existing tickets, and drop the
    per-message full-text index (and the subject trigram index) they replace."""
    if schema_editor.connection.vendor != "postgresql":
        return
    from pomoc.tickets import search_index

    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS ticket_search_vector ON tickets_ticket USING gin (search_vector)"
    )
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM tickets_ticket")
        low, high = cursor.fetchone()
        if low is not None:
            for first in range(low, high + 1, BACKFILL_CHUNK):
                search_index.refresh_range(first, first + BACKFILL_CHUNK - 1, cursor=cursor)
    schema_editor.execute("DROP INDEX IF EXISTS message_body_fts")
    schema_editor.execute("DROP INDEX IF EXISTS ticket_subject_trgm")


def drop_search_documents(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS ticket_search_vector")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS message_body_fts ON tickets_message USING gin (to_tsvector('simple', body_text))"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS ticket_subject_trgm ON tickets_ticket USING gin (upper(subject) gin_trgm_ops)"
    )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0003_message_inbox")]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(build_search_documents, drop_search_documents),
    ]
