"""Full-text search of open datasets: jieba tokens in `search_text`. PostgreSQL keeps them
as a stored generated tsvector column `search_vector` (no to_tsvector per matched row at
query time) with a GIN index; SQLite has an FTS5 table kept in sync by
services/search_index.py (dataset_id = the dataset's id as SQLite stores it)."""

from django.db import migrations


def _forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE opendata_opendataset ADD COLUMN search_vector tsvector"
            " GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED"
        )
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS opendata_dataset_search_gin ON opendata_opendataset"
            " USING gin (search_vector)"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS opendata_dataset_fts USING fts5("
            "dataset_id UNINDEXED, search_text, tokenize = 'unicode61 remove_diacritics 0')"
        )


def _backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS opendata_dataset_search_gin")
        schema_editor.execute("ALTER TABLE opendata_opendataset DROP COLUMN IF EXISTS search_vector")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS opendata_dataset_fts")


class Migration(migrations.Migration):
    dependencies = [("opendata", "0001_opendata_initial")]

    operations = [migrations.RunPython(_forwards, _backwards)]
