"""Plain SQL for hot paths, keeping the models as the source of truth: querysets compiled
once and run many times with new parameter values (`Prepared`), multi-row inserts
(`rows_insert`, `row_insert_if_new`, and `rows_deferred` with `row_add` to gather a unit of
work's append-only rows into one statement per model) and whole-row updates (`row_update`).

On a hot path (an API key check, a grant check, a keyed registry read) Django spends more CPU
compiling a small query than the database spends answering it. `Prepared` compiles the
queryset once per database, with distinctive sample values for its parameters, finds where
each sample landed in the SQL's parameter list, and later runs the same SQL with the real
values, converting the columns exactly as the ORM would (the compiler's own converters). The
queryset stays the single source of truth for the query. `.values()` and `.values_list()`
querysets give dicts and tuples; a model queryset (with `select_related`, without
annotations) gives model instances built as Django's own ModelIterable builds them.
Parameters are plain `str`/`int`, and compiling fails loudly when a sample does not come
through unchanged (a lookup that rewrites its value, such as `__icontains`), instead of
running the wrong query.

On PostgreSQL these fixed statements are bound on the server and prepared once per
connection (`server_cursor`), so the database skips parsing and planning them too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.postgresql.psycopg_any import is_psycopg3
from django.db.models import Model, QuerySet
from django.db.models.query import (
    ModelIterable,
    ValuesIterable,
    ValuesListIterable,
    get_related_populators,
)

if is_psycopg3:
    import psycopg
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg.postgres import types
    from psycopg.pq import Format

    TIMESTAMPTZ_OID = types["timestamptz"].oid

_INT_BASE = 1_987_654_300  # samples: unlikely to equal a constant in the query itself


class _Compiled:
    __slots__ = ("converters", "model", "names", "params", "positions", "sql")

    def __init__(self, queryset: QuerySet, samples: dict[str, Any], alias: str) -> None:
        iterable = queryset._iterable_class
        if iterable not in (ValuesIterable, ValuesListIterable, ModelIterable):
            raise TypeError("Prepared needs a model, .values() or .values_list() queryset")
        if iterable is ModelIterable and (
            queryset.query.annotation_select or queryset._known_related_objects
        ):
            raise TypeError("Prepared model querysets take no annotations")
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
            if iterable is ValuesIterable
            else None
        )
        self.model = _ModelBuilder(compiler, alias) if iterable is ModelIterable else None


class _ModelBuilder:
    """The instance-building half of ModelIterable, computed once per compiled query."""

    __slots__ = ("alias", "end", "init_list", "model_cls", "populators", "start")

    def __init__(self, compiler, alias: str) -> None:
        select, klass_info = compiler.select, compiler.klass_info
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [f[0].target.attname for f in select[self.start : self.end]]
        self.model_cls = klass_info["model"]
        self.populators = get_related_populators(klass_info, select, alias)
        self.alias = alias

    def build(self, row) -> Model:
        obj = self.model_cls.from_db(self.alias, self.init_list, row[self.start : self.end])
        for populator in self.populators:
            populator.populate(row, obj)
        return obj


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
        """Rows as the queryset gives them: dicts, tuples or model instances."""
        alias = DEFAULT_DB_ALIAS  # one database: the platform has no read replicas (yet)
        compiled = self._for(alias)
        params = list(compiled.params)
        for name, position in compiled.positions.items():
            value = values[name]
            if type(value) is not type(self._samples[name]):
                raise TypeError(f"{name} must be {type(self._samples[name]).__name__}")
            params[position] = value
        connection = connections[alias]
        with server_cursor(connection) as cursor:
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
        if compiled.model is not None:
            return [compiled.model.build(row) for row in rows]
        if compiled.names is None:
            return [tuple(row) for row in rows]
        names = compiled.names
        return [dict(zip(names, row, strict=True)) for row in rows]

    def first(self, **values: str | int):
        rows = self.all(**values)
        return rows[0] if rows else None


def server_cursor(connection, on_server: bool = True):
    """Django's cursor wrapper (connection handling, error translation, query logging). On
    PostgreSQL around a psycopg cursor that binds parameters on the server, so that
    psycopg prepares these fixed statements once per connection (settings: prepare_threshold)
    and the server skips parsing and planning them again. The ORM's own cursors keep binding
    on the client, which has no limit on the number of parameters. While queries are logged
    (DEBUG, a test counting them) the client cursor stays, so that the log shows each
    statement with its values (psycopg keeps no text for a prepared one)."""
    if not on_server or connection.vendor != "postgresql" or connection.queries_logged:
        return connection.cursor()
    # What connection.cursor() does, with a server-binding psycopg cursor in place of the
    # client-binding one Django creates.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    raw = connection.connection
    with connection.wrap_database_errors:
        server = psycopg.Cursor(raw)
    loader = raw.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
    if connection.timezone != loader.timezone:  # as Django's create_cursor
        register_tzloader(connection.timezone, server)
    return connection.make_cursor(server)


_INSERTS: dict[tuple, tuple[str, list]] = {}
_UPDATES: dict[tuple, tuple[str, list]] = {}
_CACHED_ROWS = 16


def _insert_statement(
    model: type[Model], count: int, with_pk: bool, returning: bool, connection, skip: bool = False
) -> tuple[str, list]:
    key = (model, count, with_pk, returning, skip, connection.alias)
    found = _INSERTS.get(key)
    if found is None:
        quote = connection.ops.quote_name
        columns = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
        names = ", ".join(quote(f.column) for f in columns)
        row = "(" + ", ".join(["%s"] * len(columns)) + ")"
        table = model._meta.db_table
        sql = f"INSERT INTO {table} ({names}) VALUES " + ", ".join([row] * count)  # noqa: S608
        if skip:
            sql += " ON CONFLICT DO NOTHING"
        if returning:
            sql += f" RETURNING {quote(model._meta.pk.column)}"
        found = (sql, columns)
        if count <= _CACHED_ROWS:  # the hot paths insert a few rows; big batches vary
            _INSERTS[key] = found
    return found


def insert_part(objects: list[Model], connection) -> tuple[str, list]:
    """The INSERT of the objects (all of one model, keys generated by the database) and its
    parameters, for a caller that runs it as part of a larger statement (a data-modifying
    CTE). The statement text is built once per model and row count."""
    sql, columns = _insert_statement(type(objects[0]), len(objects), False, False, connection)
    params = [
        f.get_db_prep_save(f.pre_save(o, add=True), connection) for o in objects for f in columns
    ]
    return sql, params


def rows_saved(objects: list[Model]) -> None:
    """Mark objects inserted by a caller's own statement as saved (keys not read back)."""
    _saved(objects, None)


def rows_insert(objects: list[Model], *, returning: bool = False) -> None:
    """INSERT the objects (all of one model) in one statement, as bulk_create would, without
    compiling it through the ORM (the statement is built once per model and row count). A
    primary key left empty is left to the database and read back only with `returning`;
    field defaults and auto_now(_add) apply as on save(). Like bulk_create, no signals."""
    model = type(objects[0])
    with_pk = getattr(objects[0], model._meta.pk.attname) is not None
    returning = returning and not with_pk
    if returning and not connections[DEFAULT_DB_ALIAS].features.can_return_rows_from_bulk_insert:
        model._default_manager.bulk_create(objects)  # SQLite before 3.35 only
        return
    keys = _insert(objects, with_pk=with_pk, returning=returning)
    _saved(objects, keys if returning else None)


def row_insert_if_new(obj: Model) -> bool:
    """INSERT one object unless that would break a unique constraint (ON CONFLICT DO
    NOTHING); True if it was inserted, with its generated primary key read back. Unlike
    catching IntegrityError, a conflict needs no savepoint to keep the transaction usable."""
    if getattr(obj, type(obj)._meta.pk.attname) is not None:
        raise ValueError("row_insert_if_new reads the generated primary key back")
    keys = _insert([obj], with_pk=False, returning=True, skip=True)
    if not keys:
        return False
    _saved([obj], keys)
    return True


def _insert(objects: list[Model], *, with_pk: bool, returning: bool, skip: bool = False):
    """Run the cached INSERT for the objects; the generated keys in VALUES order (the order
    bulk_create relies on too) when `returning`."""
    connection = connections[DEFAULT_DB_ALIAS]
    sql, columns = _insert_statement(
        type(objects[0]), len(objects), with_pk, returning, connection, skip=skip
    )
    params = [
        f.get_db_prep_save(f.pre_save(o, add=True), connection) for o in objects for f in columns
    ]
    with server_cursor(connection, len(objects) <= _CACHED_ROWS) as cursor:
        cursor.execute(sql, params)
        return [key for (key,) in cursor.fetchall()] if returning else []


def _saved(objects: list[Model], keys: list | None) -> None:
    if keys is not None:
        attname = type(objects[0])._meta.pk.attname
        for o, key in zip(objects, keys, strict=True):
            setattr(o, attname, key)
    for o in objects:
        o._state.adding, o._state.db = False, DEFAULT_DB_ALIAS


_deferred = threading.local()


def _deferred_stack() -> list[list[Model]]:
    if not hasattr(_deferred, "stack"):
        _deferred.stack = []
    return _deferred.stack


@contextmanager
def rows_deferred() -> Iterator[list[Model]]:
    """Within one unit of work (inside its transaction), the rows given to `row_add` are
    inserted when the work ends: one statement per model instead of one per row (a filing
    writes three timeline entries and two events). Until then their primary keys are None
    and a query does not see them, so use it only around work that does not read back what
    it appends. Nested scopes join the outer one; if the work raises, its rows are dropped
    with its transaction. Yields the list of the scope's rows: once the outermost scope
    ends they are inserted and have their keys."""
    if not connections[DEFAULT_DB_ALIAS].in_atomic_block:
        raise RuntimeError("rows_deferred() must be used inside the work's transaction")
    stack = _deferred_stack()
    stack.append([])
    try:
        yield stack[-1]
        rows = stack[-1]
    finally:
        stack.pop()
    if stack:
        stack[-1].extend(rows)
        return
    by_model: dict[type[Model], list[Model]] = {}
    for obj in rows:
        by_model.setdefault(type(obj), []).append(obj)
    rows_insert_joined(list(by_model.values()))


_JOINED: dict[tuple, tuple[str, list[list]]] = {}


def rows_insert_joined(groups: list[list[Model]]) -> None:
    """INSERT several models' rows (one list per model) and read their generated keys back.
    On PostgreSQL one statement: each model's INSERT is a data-modifying CTE and the keys
    come back tagged with the group's index (a filing's decision, timeline entries and
    events cost one round trip, not three). Elsewhere, one statement per model."""
    groups = [g for g in groups if g]
    connection = connections[DEFAULT_DB_ALIAS]
    if len(groups) < 2 or connection.vendor != "postgresql":
        for objects in groups:
            rows_insert(objects, returning=True)
        return
    shapes = tuple(
        (type(g[0]), len(g), getattr(g[0], type(g[0])._meta.pk.attname) is not None) for g in groups
    )
    key = (shapes, connection.alias)
    found = _JOINED.get(key)
    if found is None:
        quote = connection.ops.quote_name
        parts, selects, columns = [], [], []
        for index, (model, count, with_pk) in enumerate(shapes):
            sql, group_columns = _insert_statement(model, count, with_pk, False, connection)
            columns.append(group_columns)
            if with_pk:  # nothing generated: runs all the same, read nothing back
                parts.append(f"t{index} AS ({sql})")
                continue
            pk = quote(model._meta.pk.column)
            parts.append(f"t{index} AS ({sql} RETURNING {pk})")
            selects.append(f"SELECT {index}, {pk} FROM t{index}")  # noqa: S608
        select = " UNION ALL ".join(selects) or "SELECT 0, 0 LIMIT 0"
        found = ("WITH " + ", ".join(parts) + " " + select, columns)
        if sum(count for _, count, _ in shapes) <= _CACHED_ROWS:  # as _insert_statement
            _JOINED[key] = found
    sql, columns = found
    params = [
        f.get_db_prep_save(f.pre_save(o, add=True), connection)
        for objects, group_columns in zip(groups, columns, strict=True)
        for o in objects
        for f in group_columns
    ]
    total = sum(len(g) for g in groups)
    with server_cursor(connection, total <= _CACHED_ROWS) as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # Each CTE's keys come in its VALUES order (what bulk_create relies on as well).
    keys: list[list] = [[] for _ in groups]
    for index, pk in rows:
        keys[index].append(pk)
    for objects, (_, _, with_pk), group_keys in zip(groups, shapes, keys, strict=True):
        _saved(objects, None if with_pk else group_keys)


def row_add(obj: Model) -> Model:
    """Insert one append-only row now, or when the enclosing `rows_deferred` scope ends."""
    stack = _deferred_stack()
    if stack:
        stack[-1].append(obj)
    else:
        rows_insert([obj], returning=True)
    return obj


def row_update(obj: Model) -> None:
    """UPDATE every column of a saved object, as save() does, with a statement built once
    per model instead of compiled per call. No signals; the row must exist."""
    connection = connections[DEFAULT_DB_ALIAS]
    model = type(obj)
    key = (model, connection.alias)
    found = _UPDATES.get(key)
    if found is None:
        quote = connection.ops.quote_name
        columns = [f for f in model._meta.concrete_fields if not f.primary_key]
        sets = ", ".join(f"{quote(f.column)} = %s" for f in columns)
        pk_column = quote(model._meta.pk.column)
        found = _UPDATES[key] = (
            f"UPDATE {model._meta.db_table} SET {sets} WHERE {pk_column} = %s",  # noqa: S608
            columns,
        )
    sql, columns = found
    params = [f.get_db_prep_save(f.pre_save(obj, add=False), connection) for f in columns]
    params.append(model._meta.pk.get_db_prep_value(obj.pk, connection))
    with server_cursor(connection) as cursor:
        cursor.execute(sql, params)
        if cursor.rowcount != 1:
            raise model.DoesNotExist(f"{model.__name__} {obj.pk} is not stored")
