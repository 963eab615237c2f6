"""Plain SQL for hot paths, keeping the models as the source of truth: querysets compiled
once and run many times with new parameter values (`Prepared`), and multi-row inserts
(`rows_insert`).

On a hot path (an API key check, a grant check, a keyed registry read) Django spends more CPU
compiling a small query than the database spends answering it. `Prepared` compiles the
queryset once per database, with distinctive sample values for its parameters, finds where
each sample landed in the SQL's parameter list, and later runs the same SQL with the real
values, converting the columns exactly as the ORM would (the compiler's own converters). The
queryset stays the single source of truth for the query; only `.values()` and
`.values_list()` querysets with plain `str`/`int` parameters are accepted, and compiling
fails loudly when a sample does not come through unchanged (a lookup that rewrites its value,
such as `__icontains`), instead of running the wrong query.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import ValuesIterable, ValuesListIterable

_INT_BASE = 1_987_654_300  # samples: unlikely to equal a constant in the query itself


class _Compiled:
    __slots__ = ("converters", "names", "params", "positions", "sql")

    def __init__(self, queryset: QuerySet, samples: dict[str, Any], alias: str) -> None:
        if queryset._iterable_class not in (ValuesIterable, ValuesListIterable):
            raise TypeError("Prepared needs a .values() or .values_list() queryset")
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        positions: dict[str, int] = {}
        for name, sample in samples.items():
            found = [i for i, p in enumerate(params) if type(p) is type(sample) and p == sample]
            if len(found) != 1:
                raise ValueError(f"parameter {name!r} does not reach the SQL unchanged once")
            positions[name] = found[0]
        self.sql, self.params, self.positions = sql, list(params), positions
        self.converters = list(
            compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]]).items()
        )
        query = queryset.query
        self.names = (
            [*query.extra_select, *query.values_select, *query.annotation_select]
            if queryset._iterable_class is ValuesIterable
            else None
        )


class Prepared:
    """`Prepared(lambda key: Model.objects.filter(key=key).values(...), key="")`, then
    `.all(key=...)` (dicts or tuples, as the queryset) or `.first(key=...)`.

    The keyword arguments give each parameter's type: "" for a string, 0 for an integer."""

    def __init__(self, build: Callable[..., QuerySet], **kinds: str | int) -> None:
        self._build = build
        self._samples: dict[str, Any] = {}
        for n, (name, kind) in enumerate(kinds.items()):
            if type(kind) is str:
                self._samples[name] = f"\x1f{name}\x1f{n}"
            elif type(kind) is int:
                self._samples[name] = _INT_BASE + n
            else:
                raise TypeError("Prepared parameters are str or int")
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def _for(self, alias: str) -> _Compiled:
        compiled = self._compiled.get(alias)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(alias)
                if compiled is None:
                    queryset = self._build(**self._samples)
                    compiled = self._compiled[alias] = _Compiled(queryset, self._samples, alias)
        return compiled

    def all(self, **values: str | int) -> list:
        alias = DEFAULT_DB_ALIAS  # one database: the platform has no read replicas (yet)
        compiled = self._for(alias)
        params = list(compiled.params)
        for name, position in compiled.positions.items():
            value = values[name]
            if type(value) is not type(self._samples[name]):
                raise TypeError(f"{name} must be {type(self._samples[name]).__name__}")
            params[position] = value
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:  # as SQLCompiler.apply_converters, with this thread's connection
            converted = []
            for row in rows:
                row = list(row)
                for position, (functions, expression) in compiled.converters:
                    value = row[position]
                    for function in functions:
                        value = function(value, expression, connection)
                    row[position] = value
                converted.append(row)
            rows = converted
        if compiled.names is None:
            return [tuple(row) for row in rows]
        names = compiled.names
        return [dict(zip(names, row, strict=True)) for row in rows]

    def first(self, **values: str | int):
        rows = self.all(**values)
        return rows[0] if rows else None


_INSERTS: dict[tuple, tuple[str, list]] = {}
_CACHED_ROWS = 16


def _insert_statement(
    model: type[Model], count: int, with_pk: bool, connection
) -> tuple[str, list]:
    key = (model, count, with_pk, connection.alias)
    found = _INSERTS.get(key)
    if found is None:
        columns = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
        names = ", ".join(connection.ops.quote_name(f.column) for f in columns)
        row = "(" + ", ".join(["%s"] * len(columns)) + ")"
        table = model._meta.db_table
        sql = f"INSERT INTO {table} ({names}) VALUES " + ", ".join([row] * count)  # noqa: S608
        found = (sql, columns)
        if count <= _CACHED_ROWS:  # the hot paths insert a few rows; big batches vary
            _INSERTS[key] = found
    return found


def rows_insert(objects: list[Model]) -> None:
    """INSERT the objects (all of one model) in one statement, as bulk_create would, without
    compiling it through the ORM (the statement is built once per model and row count). A
    primary key left empty is left to the database and not read back; field defaults and
    auto_now(_add) apply as on save()."""
    connection = connections[DEFAULT_DB_ALIAS]
    model = type(objects[0])
    with_pk = getattr(objects[0], model._meta.pk.attname) is not None
    sql, columns = _insert_statement(model, len(objects), with_pk, connection)
    params = [
        f.get_db_prep_save(f.pre_save(o, add=True), connection) for o in objects for f in columns
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    for o in objects:
        o._state.adding, o._state.db = False, connection.alias
