"""Full-text search of the service catalog: jieba tokens of each version in `search_text`,
matched by a GIN expression index on PostgreSQL and an FTS5 table on SQLite (kept in sync
by services/items.py; rowid = version id)."""

from django.db import migrations


def _forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS services_version_search_gin ON services_serviceitemversion"
            " USING gin (to_tsvector('simple', search_text))"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS services_item_fts USING fts5("
            "search_text, tokenize = 'unicode61 remove_diacritics 0')"
        )
        schema_editor.execute(
            "INSERT INTO services_item_fts (rowid, search_text)"
            " SELECT v.id, v.search_text FROM services_serviceitemversion v"
            " JOIN services_serviceitem i ON i.published_id = v.id"
        )


def _backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS services_version_search_gin")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS services_item_fts")


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0001_initial"),
    ]

    operations = [migrations.RunPython(_forwards, _backwards)]
