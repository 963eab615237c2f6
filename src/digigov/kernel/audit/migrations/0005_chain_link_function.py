"""PostgreSQL: audit_chain_link(lock, prefixes, suffixes) takes the audit chain's head lock,
reads the head and links a batch of entries to it: seq = head + n, entry_hash =
SM3(prev_hash || prefix || seq || suffix), the same bytes as audit.services._canonical
(the caller sends each entry's canonical JSON split around its seq). A filing then chains
and inserts its audit entries in one statement, so the chain head stays locked for that
statement and the commit only, with no client round trip in between.

SM3 comes from pgcrypto (digest(..., 'sm3'), OpenSSL's). Where pgcrypto cannot be created
or its OpenSSL has no SM3, the function is not created and the entries are linked in Python
as before (services._append checks)."""

from django.db import migrations

CREATE = """
CREATE FUNCTION audit_chain_link(lock_id bigint, prefixes bytea[], suffixes bytea[])
RETURNS TABLE(n integer, seq bigint, prev_hash varchar, entry_hash varchar) AS $$
DECLARE
    last_seq bigint;
    last_hash varchar;
BEGIN
    SELECT h.head_seq, h.head_hash INTO last_seq, last_hash
    FROM chain_head(lock_id, 'audit_auditentry'::regclass) AS h;
    IF last_seq IS NULL THEN
        last_seq := 0;
        last_hash := repeat('0', 64);
    END IF;
    FOR i IN 1 .. coalesce(array_length(prefixes, 1), 0) LOOP
        n := i;
        seq := last_seq + i;
        prev_hash := last_hash;
        entry_hash := encode(digest(
            convert_to(last_hash, 'UTF8') || prefixes[i] || convert_to(seq::text, 'UTF8')
            || suffixes[i], 'sm3'), 'hex');
        last_hash := entry_hash;
        RETURN NEXT;
    END LOOP;
END; $$ LANGUAGE plpgsql VOLATILE
"""
DROP = "DROP FUNCTION IF EXISTS audit_chain_link(bigint, bytea[], bytea[])"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SAVEPOINT audit_sm3")
        try:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pgcrypto")
            cursor.execute("SELECT encode(digest('abc', 'sm3'), 'hex')")
            supported = cursor.fetchone()[0] == (
                "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
            )
        except Exception:  # noqa: BLE001 (no pgcrypto or no SM3: link in Python)
            supported = False
        cursor.execute(
            "ROLLBACK TO SAVEPOINT audit_sm3" if not supported else "RELEASE SAVEPOINT audit_sm3"
        )
        if supported:
            cursor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_chain_head_function")]

    operations = [migrations.RunPython(create, drop)]
