from django.db import migrations


def create_indexes(apps, schema_editor):
    # Contact search uses icontains (UPPER(col) LIKE UPPER('%…%')); trigram indexes serve it on PostgreSQL.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS identity_value_trgm ON contacts_identity USING gin (upper(value) gin_trgm_ops)"
        )
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS contact_name_trgm ON contacts_contact USING gin (upper(name) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS identity_value_trgm")
        schema_editor.execute("DROP INDEX IF EXISTS contact_name_trgm")


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_initial")]
    operations = [migrations.RunPython(create_indexes, drop_indexes)]
