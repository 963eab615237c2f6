"""PostgreSQL: chain_head(lock, table) takes a hash chain's head lock and reads its head
(the row with the highest seq) in one round trip. VOLATILE, so its SELECT runs with a
snapshot taken after the lock was granted and sees every entry committed before."""

from django.db import migrations

CREATE = """
CREATE FUNCTION chain_head(lock_id bigint, chain regclass)
RETURNS TABLE(head_seq bigint, head_hash varchar) AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(lock_id);
    RETURN QUERY EXECUTE format(
        'SELECT seq::bigint, entry_hash::varchar FROM %s ORDER BY seq DESC LIMIT 1', chain);
END; $$ LANGUAGE plpgsql VOLATILE
"""
DROP = "DROP FUNCTION chain_head(bigint, regclass)"


def _run(statement):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement, params=None)  # its format() holds a %s

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_checkpoint_append_only")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
