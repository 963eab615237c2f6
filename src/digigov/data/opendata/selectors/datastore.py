"""datastore_search: exact-match filters, full text, sort, fields and paging over a
datastore table. Column names are checked against the table's own columns and quoted by the
backend; every value is a parameter. The total comes from the stored row count when nothing
filters (never COUNT(*) over the whole table per call)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connection

from digigov.kernel.errors import NotFound, ValidationFailed

from ..models import DatasetResource, DatastoreTable
from .text import query_tokens

DEFAULT_LIMIT = 100
MAX_LIMIT = 32000  # CKAN's ckan.datastore.search.rows_max
MAX_OFFSET = 10_000_000
MAX_FILTER_VALUES = 100
_SORT = re.compile(r"^\s*\"?([a-z_][a-z0-9_]{0,62})\"?(?:\s+(asc|desc))?\s*$", re.IGNORECASE)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class DatastoreResult:
    resource_id: str
    fields: list[dict[str, Any]]
    records: list[dict[str, Any]]
    limit: int
    offset: int
    total: int | None
    sort: str
    filters: dict[str, Any] = field(default_factory=dict)
    q: str = ""


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def datastore_of_resource(*, resource_id: str) -> tuple[DatasetResource, DatastoreTable]:
    """The resource and its datastore table, or NotFound."""
    try:
        uuid.UUID(str(resource_id))
    except ValueError:
        raise NotFound("数据资源不存在或未启用数据存储", code="resource_unknown") from None
    resource = (
        DatasetResource.objects.select_related("datastore", "dataset")
        .filter(pk=resource_id)
        .first()
    )
    if resource is None or resource.datastore is None:
        raise NotFound("数据资源不存在或未启用数据存储", code="resource_unknown")
    return resource, resource.datastore


def _bad(name: str, message: str):
    return ValidationFailed(message, code="datastore_invalid", fields={name: [message]})


def _filter_value(raw: Any, kind: str, name: str) -> Any:
    if raw is None:
        return None
    if isinstance(raw, (dict, list)):
        raise _bad("filters", f"筛选值“{name}”应为单个值")
    text = str(raw).strip()
    if len(text) > 500:
        raise _bad("filters", f"筛选值“{name}”过长")
    try:
        if kind == "int":
            if isinstance(raw, bool):
                raise ValueError
            return int(text)
        if kind == "numeric":
            number = Decimal(text)
            if not number.is_finite():
                raise ValueError
            return number
        if kind == "bool":
            lowered = text.lower()
            if lowered not in ("true", "false", "1", "0"):
                raise ValueError
            flag = lowered in ("true", "1")
            return flag if connection.vendor == "postgresql" else int(flag)
        if kind == "date":
            if not _DATE.match(text):
                raise ValueError
            return dt.date.fromisoformat(text).isoformat()
    except (ValueError, InvalidOperation):
        raise _bad("filters", f"筛选值“{name}”的格式与字段类型（{kind}）不符") from None
    return text


def _columns(table: DatastoreTable) -> dict[str, str]:
    return {"_id": "int", **{c["id"]: c["type"] for c in table.columns}}


def _out(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "bool":
        return bool(value)
    if kind == "numeric":
        number = value if isinstance(value, Decimal) else Decimal(str(value))
        return int(number) if number == number.to_integral_value() else float(number)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def datastore_search(
    *,
    resource_id: str,
    table: DatastoreTable,
    filters: Any = None,
    q: Any = None,
    limit: Any = DEFAULT_LIMIT,
    offset: Any = 0,
    sort: Any = None,
    fields: Any = None,
    include_total: bool = True,
) -> DatastoreResult:
    columns = _columns(table)
    try:
        limit = DEFAULT_LIMIT if limit in (None, "") else int(limit)
        offset = 0 if offset in (None, "") else int(offset)
    except (TypeError, ValueError):
        raise _bad("limit", "limit 和 offset 应为整数") from None
    if not 0 <= limit <= MAX_LIMIT:
        raise _bad("limit", f"limit 应在 0 至 {MAX_LIMIT} 之间")
    if not 0 <= offset <= MAX_OFFSET:
        raise _bad("offset", f"offset 应在 0 至 {MAX_OFFSET} 之间")

    # fields: a list or a comma-separated string of known columns
    if fields in (None, "", []):
        wanted = list(columns)
    else:
        if isinstance(fields, str):
            fields = [f.strip() for f in fields.split(",") if f.strip()]
        if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
            raise _bad("fields", "fields 应为字段名列表")
        unknown = [f for f in fields if f not in columns]
        if unknown:
            raise _bad("fields", f"字段不存在：{', '.join(unknown[:5])}")
        wanted = list(dict.fromkeys(fields))

    where: list[str] = []
    params: list[Any] = []
    if filters not in (None, "", {}):
        if not isinstance(filters, dict):
            raise _bad("filters", "filters 应为 {字段: 值} 对象")
        for name, raw in filters.items():
            if name not in columns:
                raise _bad("filters", f"字段不存在：{str(name)[:60]}")
            kind = columns[name]
            values = raw if isinstance(raw, list) else [raw]
            if not values or len(values) > MAX_FILTER_VALUES:
                raise _bad("filters", f"筛选“{name}”应有 1 至 {MAX_FILTER_VALUES} 个值")
            parsed = [_filter_value(v, kind, name) for v in values]
            if len(parsed) == 1 and parsed[0] is None:
                where.append(f"{_q(name)} IS NULL")
            elif len(parsed) == 1:
                where.append(f"{_q(name)} = %s")
                params.append(parsed[0])
            else:
                where.append(f"{_q(name)} IN ({', '.join(['%s'] * len(parsed))})")
                params.extend(parsed)

    text = ""
    if q not in (None, "", {}):
        if isinstance(q, dict):  # {field: text}: a contains-match on that column
            for name, raw in q.items():
                if name not in columns or isinstance(raw, (dict, list)):
                    raise _bad("q", f"字段不存在：{str(name)[:60]}")
                where.append(f"CAST({_q(name)} AS TEXT) LIKE %s")
                params.append("%" + str(raw).replace("%", "").replace("_", "")[:200] + "%")
        elif isinstance(q, str):
            text = q.strip()
            tokens = query_tokens(text)
            if tokens and connection.vendor == "postgresql":
                where.append(
                    f"to_tsvector('simple', {_q('_full_text')}) @@ to_tsquery('simple', %s)"
                )
                params.append(
                    " & ".join("'" + t.replace("'", "''").replace("\\", "") + "'" for t in tokens)
                )
            else:
                for token in tokens:
                    where.append(f"{_q('_full_text')} LIKE %s")
                    params.append("%" + token.replace("%", "").replace("_", "") + "%")
        else:
            raise _bad("q", "q 应为字符串")

    order: list[str] = []
    sort_text = ""
    if sort not in (None, ""):
        if not isinstance(sort, str):
            raise _bad("sort", "sort 应为“字段 asc|desc”")
        for part in sort.split(","):
            match = _SORT.match(part)
            if match is None or match.group(1) not in columns:
                raise _bad("sort", f"不能按“{part.strip()[:60]}”排序")
            direction = (match.group(2) or "asc").upper()
            order.append(f"{_q(match.group(1))} {direction}")
        sort_text = sort
    order.append(f"{_q('_id')} ASC")

    name = _q(table.table_name)
    condition = f" WHERE {' AND '.join(where)}" if where else ""
    select = ", ".join(_q(c) for c in wanted)
    sql = f"SELECT {select} FROM {name}{condition} ORDER BY {', '.join(order)} LIMIT %s OFFSET %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit, offset])
        rows = cursor.fetchall()
        total: int | None = None
        if include_total:
            if not where:
                total = table.row_count
            elif limit > 0 and len(rows) < limit and (rows or offset == 0):
                total = offset + len(rows)  # a short page is the last one
            if total is None:
                cursor.execute(f"SELECT COUNT(*) FROM {name}{condition}", params)  # noqa: S608
                total = cursor.fetchone()[0]
    kinds = [columns[c] for c in wanted]
    labels = {c["id"]: c.get("label", "") for c in table.columns}
    return DatastoreResult(
        resource_id=resource_id,
        fields=[
            {
                "id": c,
                "type": columns[c],
                **({"info": {"label": labels[c]}} if labels.get(c) else {}),
            }
            for c in wanted
        ],
        records=[
            {c: _out(v, k) for c, v, k in zip(wanted, row, kinds, strict=True)} for row in rows
        ],
        limit=limit,
        offset=offset,
        total=total,
        sort=sort_text,
        filters=filters if isinstance(filters, dict) else {},
        q=text,
    )


def datastore_rows_iter(*, table: DatastoreTable, chunk: int = 2000):
    """Every row (column ids -> JSON-ready values) in key order."""
    names = [c["id"] for c in table.columns]
    kinds = [c["type"] for c in table.columns]
    select = ", ".join(_q(n) for n in ["_id", *names])
    sql = f"SELECT {select} FROM {_q(table.table_name)} WHERE {_q('_id')} > %s ORDER BY {_q('_id')} LIMIT %s"  # noqa: S608
    last = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(sql, [last, chunk])
            rows = cursor.fetchall()
        if not rows:
            return
        for row in rows:
            yield {n: _out(v, k) for n, v, k in zip(names, row[1:], kinds, strict=True)}
        last = rows[-1][0]
