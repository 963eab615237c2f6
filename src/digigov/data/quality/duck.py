"""The analytics workspace's engine: DuckDB files, one per snapshot.

Writing a snapshot uses a private connection (ours, with a CSV file we wrote). Reading goes
through `query_run`: the file opened read-only, external access (files, network,
extensions) disabled and the configuration locked before the analyst's text runs, one
statement only, and it must be a query (DuckDB's own parser decides), with a row limit
and a time limit (the connection is interrupted when the time is up)."""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

ROW_LIMIT = 1000
TIME_LIMIT_SECONDS = 10.0
MAX_SQL_CHARS = 10_000
MEMORY_LIMIT = "512MB"
TYPES = {
    "integer": "BIGINT",
    "decimal": "DECIMAL(38, 10)",
    "date": "DATE",
    "datetime": "TIMESTAMP",
    "boolean": "BOOLEAN",
}
# Table functions and scans that read files or other databases. External access is off
# anyway (DuckDB refuses them); naming them here gives the analyst a clear refusal first.
_FILE_FUNCTIONS = re.compile(
    r"\b(read_\w+|\w+_scan|glob|sniff_csv|parquet_\w+|query|query_table|iceberg_\w+|"
    r"delta_\w+|duckdb_secrets|load_aws_credentials|getenv|pragma_\w+)\s*\(",
    re.IGNORECASE,
)
_NAME = re.compile(r"[a-z][a-z0-9_]{0,59}")
_FROM_LITERAL = re.compile(r"\b(from|join)\s+'", re.IGNORECASE)


class Refused(Exception):
    """The text is not a single read-only query: nothing was run."""


class Failed(Exception):
    """The query ran and failed (syntax, unknown column, time limit...)."""


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    data_type: str  # the catalog's data type; masked columns are text


@dataclass(frozen=True)
class Result:
    columns: list[str]
    rows: list[list[Any]]
    is_truncated: bool


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def snapshot_write(*, path: Path, table: str, columns: list[Column], rows: Iterable[list]) -> int:
    """Create the DuckDB file at `path` with one table of the given rows; the row count.
    Written beside the target and renamed into place, so a reader never sees half a file."""
    # names go into the DDL: the catalog allows only these, checked again here
    bad = [c.name for c in columns if not _NAME.fullmatch(c.name)] + (
        [table] if not _NAME.fullmatch(table) else []
    )
    if bad:
        raise ValueError(f"unsafe column or table names: {bad}")
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    handle, csv_name = tempfile.mkstemp(suffix=".csv", dir=path.parent)
    partial = path.with_suffix(".partial")
    try:
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow([c.name for c in columns])
            for row in rows:
                writer.writerow(["" if v is None else v for v in row])
                count += 1
        spec = ", ".join(f"{_quoted(c.name)} {TYPES.get(c.data_type, 'VARCHAR')}" for c in columns)
        types = (
            "{"
            + ", ".join(f"'{c.name}': '{TYPES.get(c.data_type, 'VARCHAR')}'" for c in columns)
            + "}"
        )
        partial.unlink(missing_ok=True)
        con = duckdb.connect(str(partial))
        try:
            con.execute(f"CREATE TABLE {_quoted(table)} ({spec})")
            for column in columns:
                label = column.label.replace("'", "''")
                con.execute(
                    f"COMMENT ON COLUMN {_quoted(table)}.{_quoted(column.name)} IS '{label}'"
                )
            if count:
                insert = (
                    f"INSERT INTO {_quoted(table)} SELECT * FROM read_csv(?, header = true,"  # noqa: S608
                    f" columns = {types}, nullstr = '', quote = '\"', escape = '\"')"
                )
                con.execute(insert, [csv_name])
            con.execute("CHECKPOINT")
        finally:
            con.close()
        partial.replace(path)
    finally:
        Path(csv_name).unlink(missing_ok=True)
        partial.unlink(missing_ok=True)
    return count


def statement_check(sql: str) -> str:
    """The one query in `sql`, or Refused with the reason (Chinese)."""
    text = (sql or "").strip()
    if not text:
        raise Refused("请输入查询语句")
    if len(text) > MAX_SQL_CHARS:
        raise Refused(f"查询语句至多 {MAX_SQL_CHARS} 个字符")
    try:
        statements = duckdb.extract_statements(text)
    except duckdb.Error as error:
        raise Failed(f"SQL 语法错误：{_first_line(error)}") from None
    if len(statements) != 1:
        raise Refused("一次只能执行一条查询语句")
    statement = statements[0]
    if statement.type != duckdb.StatementType.SELECT:
        kind = str(statement.type).rsplit(".", 1)[-1]
        raise Refused(f"只允许只读查询（SELECT / WITH），不允许 {kind} 语句")
    if _FILE_FUNCTIONS.search(text) or _FROM_LITERAL.search(text):
        raise Refused("不允许读取文件、其他数据库或外部数据，只能查询快照中的表")
    return statement.query.strip().rstrip(";").strip()


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0][:240]


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value else None  # NaN is not JSON
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    return str(value)


def query_run(
    *, path: Path, sql: str, row_limit: int = ROW_LIMIT, time_limit: float = TIME_LIMIT_SECONDS
) -> Result:
    """Run one checked query on a snapshot file, read-only and sealed off from the outside."""
    query = statement_check(sql)
    con = duckdb.connect(
        str(path),
        read_only=True,
        config={
            "enable_external_access": False,
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "memory_limit": MEMORY_LIMIT,
            "threads": 2,
            "lock_configuration": True,
        },
    )
    timer = threading.Timer(time_limit, con.interrupt)
    timer.start()
    try:
        cursor = con.execute(query)
        rows = cursor.fetchmany(row_limit + 1)
        names = [d[0] for d in cursor.description or []]
    except duckdb.InterruptException:
        raise Failed(f"查询超过 {time_limit:g} 秒，已中止") from None
    except duckdb.PermissionException:
        raise Refused("不允许读取文件、其他数据库或外部数据，只能查询快照中的表") from None
    except duckdb.Error as error:
        if not timer.is_alive():
            raise Failed(f"查询超过 {time_limit:g} 秒，已中止") from None
        raise Failed(f"查询出错：{_first_line(error)}") from None
    finally:
        timer.cancel()
        con.close()
    return Result(
        columns=names,
        rows=[[_cell(v) for v in row] for row in rows[:row_limit]],
        is_truncated=len(rows) > row_limit,
    )
