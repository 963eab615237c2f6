"""The datastore: each table `opendata_ds_<id>` is a real table with typed columns, an `_id`
key, a `_full_text` column of jieba tokens (GIN-indexed on PostgreSQL) and an index on every
filterable column, created with raw DDL on SQLite and PostgreSQL alike.

Column names come from the catalog's field names, validated against COLUMN_NAME and quoted
by the backend; values always go in as parameters."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connection, transaction

from digigov.kernel.errors import ValidationFailed

from ..models import DatastoreTable
from ..selectors.text import text_tokens

COLUMN_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
RESERVED = frozenset({"_id", "_full_text"})
# catalog data type -> datastore type (CKAN's names)
TYPE_OF_FIELD = {
    "integer": "int",
    "decimal": "numeric",
    "date": "date",
    "datetime": "timestamp",
    "boolean": "bool",
    "string": "text",
    "code": "text",
}
_SQL_TYPES = {
    "postgresql": {
        "int": "bigint",
        "numeric": "numeric",
        "date": "date",
        "timestamp": "timestamp",
        "bool": "boolean",
        "text": "text",
    },
    "sqlite": {
        "int": "integer",
        "numeric": "numeric",
        "date": "text",
        "timestamp": "text",
        "bool": "integer",
        "text": "text",
    },
}
# text columns are indexed too (exact-match filters), except long free text
_INDEXED_TYPES = frozenset({"int", "date", "timestamp", "bool", "text", "numeric"})
INSERT_BATCH = 2000


def quote(name: str) -> str:
    """A validated identifier, quoted by the backend (never user text that failed the check)."""
    if not (COLUMN_NAME.match(name) or name in RESERVED or name.startswith("opendata_ds_")):
        raise ValidationFailed(f"字段名“{name}”不合法", code="column_invalid")
    return connection.ops.quote_name(name)


def _sql_type(kind: str) -> str:
    return _SQL_TYPES.get(connection.vendor, _SQL_TYPES["sqlite"])[kind]


def datastore_create(*, columns: list[dict[str, str]], indexed: list[str] | None = None):
    """A new empty table; columns are [{"id", "type", "label"}] with datastore types."""
    seen: set[str] = set()
    for column in columns:
        name = column["id"]
        if not COLUMN_NAME.match(name) or name in seen:
            raise ValidationFailed(f"字段名“{name}”不合法或重复", code="column_invalid")
        if column["type"] not in _SQL_TYPES["sqlite"]:
            raise ValidationFailed(f"字段“{name}”的类型不受支持", code="column_invalid")
        seen.add(name)
    wanted = [c["id"] for c in columns if c["type"] in _INDEXED_TYPES]
    if indexed is not None:
        wanted = [name for name in indexed if name in seen]
    with transaction.atomic():
        table = DatastoreTable.objects.create(columns=columns, indexed=wanted)
        name = table.table_name
        key = "bigserial" if connection.vendor == "postgresql" else "integer"
        body = [f"{quote('_id')} {key} PRIMARY KEY", f"{quote('_full_text')} text"]
        body += [f"{quote(c['id'])} {_sql_type(c['type'])}" for c in columns]
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TABLE {quote(name)} ({', '.join(body)})")
            for position, column in enumerate(wanted):
                cursor.execute(
                    f"CREATE INDEX {quote(f'{name}_i{position}')} ON {quote(name)} ({quote(column)})"
                )
    return table


def datastore_fulltext_index(*, table: DatastoreTable) -> None:
    """PostgreSQL's GIN index on the tokens (created after a bulk load: faster)."""
    if connection.vendor != "postgresql":
        return
    name = table.table_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {quote(f'{name}_fts')} ON {quote(name)}"
            f" USING gin (to_tsvector('simple', {quote('_full_text')}))"
        )


def datastore_drop(*, table: DatastoreTable) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {quote(table.table_name)}")
    table.delete()


def cell_value(value: Any, kind: str) -> Any:
    """The stored form of a catalog value (already parsed by the catalog) for a column."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if kind == "int":
        return int(value)
    if kind == "numeric":
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return None
    if kind == "bool":
        flag = value if isinstance(value, bool) else str(value).lower() in ("true", "1", "是")
        return flag if connection.vendor == "postgresql" else int(flag)
    return str(value)


def row_full_text(row: dict[str, Any], columns: list[dict[str, str]]) -> str:
    texts = [str(row.get(c["id"])) for c in columns if row.get(c["id"]) not in (None, "")]
    return " ".join(text_tokens(" ".join(texts)))


def _batches(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def datastore_insert(
    *, table: DatastoreTable, rows: Iterable[dict[str, Any]], full_text: bool = True
) -> int:
    """Append rows (dicts by column id); keeps the stored row count. Returns rows added."""
    columns = table.columns
    names = [quote("_full_text")] + [quote(c["id"]) for c in columns]
    marks = ", ".join(["%s"] * len(names))
    sql = f"INSERT INTO {quote(table.table_name)} ({', '.join(names)}) VALUES ({marks})"  # noqa: S608
    added = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for batch in _batches(rows, INSERT_BATCH):
            params = [
                [row_full_text(row, columns) if full_text else row.get("_full_text", "")]
                + [cell_value(row.get(c["id"]), c["type"]) for c in columns]
                for row in batch
            ]
            cursor.executemany(sql, params)
            added += len(batch)
        DatastoreTable.objects.filter(pk=table.pk).update(row_count=table.row_count + added)
    table.row_count += added
    return added
