from django.db import migrations


def create(apps, schema_editor):
    """SQLite: an FTS5 table (rowid = document id) that folds diacritics itself as well;
    PostgreSQL: a ``tsvector`` column with a GIN index. Neither is a Django field: the services
    write them with SQL (see ``pomoc.search.backends``)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE search_searchdocument ADD COLUMN IF NOT EXISTS vector tsvector")
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS search_document_vector ON search_searchdocument USING gin (vector)"
        )
    else:
        schema_editor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
            "title, body, tokenize = 'unicode61 remove_diacritics 2')"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_document_vector")
        schema_editor.execute("ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS vector")
    else:
        schema_editor.execute("DROP TABLE IF EXISTS search_fts")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_documents")]
    operations = [migrations.RunPython(create, drop)]
