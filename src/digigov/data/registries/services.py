"""Writing the base registries: CSV import (with a per-row rejection report) and demo data.

An import is one transaction and one audit entry. Parsing, validation and SM4 sealing run
in rows.py, in this process or in a pool of worker processes; this module writes:

- PostgreSQL: the rows stream through COPY into an UNLOGGED staging table, rows that
  duplicate existing records are found with one join, and one INSERT ... SELECT moves the
  rest into the registry. A large load into a smaller table drops the secondary indexes and
  constraints first and rebuilds them afterwards (much faster than maintaining them row by
  row; it holds an exclusive lock on the table until commit).
- SQLite (and any other backend): bulk_create in batches.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import itertools
import logging
import multiprocessing
import time
import uuid
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import BinaryIO

from django.db import connection, connections, transaction

from digigov.kernel.audit.services import audit_record
from digigov.kernel.errors import PermissionDenied, Unauthenticated
from digigov.kernel.events.services import event_publish
from digigov.kernel.principals import Principal
from digigov.kernel.regions.models import Region
from digigov.kernel.regions.services import regions_load

from . import demo, rows
from .access import ENTITY, PERSON, may_import
from .models import Entity, Person
from .pii import pii_key_id, seal

log = logging.getLogger(__name__)

MODELS = {PERSON: Person, ENTITY: Entity}
KEY_FIELD = {PERSON: "id_number", ENTITY: "uscc"}
# A PostgreSQL load at least this big, into a table holding fewer rows, rebuilds indexes.
BULK_REBUILD_MIN_ROWS = 50_000
_ORM_BATCH = 500


@dataclass
class ImportReport:
    kind: str
    total: int = 0  # data rows read
    imported: int = 0
    rejections: list[rows.Rejection] = field(default_factory=list)
    all_or_nothing: bool = False
    written: bool = True  # False when all_or_nothing refused the file
    seconds: float = 0.0

    @property
    def rejected(self) -> int:
        return len(self.rejections)


class _RefuseFile(Exception):
    """Roll back an all-or-nothing import that has rejected rows."""


# --- regions ---------------------------------------------------------------------------


def _record_regions() -> dict[str, str]:
    """code -> level; a city without county-level divisions (东莞, 中山) counts as county."""
    levels = dict(Region.objects.values_list("code", "level"))
    parents_of_counties = set(
        Region.objects.filter(level=Region.Level.COUNTY).values_list("parent_id", flat=True)
    )
    for code, level in levels.items():
        if level == Region.Level.CITY and code not in parents_of_counties:
            levels[code] = Region.Level.COUNTY
    return levels


# --- the import ------------------------------------------------------------------------


def person_import(
    *,
    principal: Principal,
    source: BinaryIO,
    all_or_nothing: bool = False,
    filename: str = "",
    workers: int = 1,
) -> ImportReport:
    """Import people from a CSV file (UTF-8, header row; see rows.PERSON_COLUMNS)."""
    return _import(PERSON, principal, source, all_or_nothing, filename, workers)


def entity_import(
    *,
    principal: Principal,
    source: BinaryIO,
    all_or_nothing: bool = False,
    filename: str = "",
    workers: int = 1,
) -> ImportReport:
    """Import entities from a CSV file (UTF-8, header row; see rows.ENTITY_COLUMNS)."""
    return _import(ENTITY, principal, source, all_or_nothing, filename, workers)


def _audit_import(
    kind: str, principal: Principal, outcome: str, filename: str, detail: dict
) -> None:
    audit_record(
        actor=principal.actor,
        acting_for=principal.acting_for,
        action=f"registry.{kind}.import",
        object_type=MODELS[kind].__name__,
        object_id=filename[:160],
        outcome=outcome,
        source_address=principal.source_address,
        detail=detail,
    )


def _import(
    kind: str,
    principal: Principal,
    source: BinaryIO,
    all_or_nothing: bool,
    filename: str,
    workers: int,
) -> ImportReport:
    if not principal.is_authenticated:
        raise Unauthenticated()
    if not may_import(principal, kind=kind):
        _audit_import(kind, principal, "denied", filename, {"reason": "no permission"})
        raise PermissionDenied("无权导入基础库", code="registry_import_denied")
    started = time.perf_counter()
    try:
        positions, width = rows.read_header(kind, source)
    except rows.CsvMalformed as exc:
        _audit_import(kind, principal, "failure", filename, {"error": exc.message})
        raise
    key_id = pii_key_id()  # created and committed before workers need it
    seal(key_id=key_id, value="warm", record_key="warm")  # loads the key into the cache
    ctx = rows.Context(
        kind=kind,
        positions=positions,
        width=width,
        regions=_record_regions(),
        key_id=key_id,
        as_copy=connection.vendor == "postgresql",
        today=dt.date.today(),
    )
    report = ImportReport(kind=kind, all_or_nothing=all_or_nothing)
    pieces = rows.chunks(source)
    with ExitStack() as stack:
        if workers > 1 and not connection.in_atomic_block:
            # Workers are forked without database connections and never use one.
            connections.close_all()
            pool = stack.enter_context(
                multiprocessing.get_context("fork").Pool(
                    workers, initializer=rows.worker_init, initargs=(ctx,)
                )
            )
            results: Iterable[rows.ChunkResult] = _pooled(pool, pieces, window=2 * workers)
        else:
            results = (rows.process_chunk(ctx, line, data) for line, data in pieces)
        try:
            _import_transaction(kind, principal, ctx, results, report, filename, started)
        except rows.CsvMalformed:
            raise
        except Exception as exc:
            # the import rolled back; still record that it was tried and failed
            log.exception("registry import failed")
            with contextlib.suppress(Exception):
                _audit_import(kind, principal, "failure", filename, {"error": type(exc).__name__})
            raise
    return report


def _import_transaction(
    kind: str,
    principal: Principal,
    ctx: rows.Context,
    results: Iterable[rows.ChunkResult],
    report: ImportReport,
    filename: str,
    started: float,
) -> None:
    """Rows, audit entry and event in one transaction; a refused or malformed file leaves
    only the audit entry."""
    all_or_nothing = report.all_or_nothing
    failure: rows.CsvMalformed | None = None
    with transaction.atomic():
        try:
            with transaction.atomic():
                _write(kind, ctx, results, report)
                if all_or_nothing and report.rejections:
                    raise _RefuseFile
        except _RefuseFile:
            report.written, report.imported = False, 0
        except rows.CsvMalformed as exc:
            failure = exc
        report.rejections.sort(key=lambda rejection: rejection.line)
        report.seconds = time.perf_counter() - started
        detail = {
            "total": report.total,
            "imported": report.imported,
            "rejected": report.rejected,
            "all_or_nothing": all_or_nothing,
            "written": report.written and failure is None,
        }
        if failure is not None:
            detail["error"] = failure.message
        outcome = "success" if report.written and failure is None else "failure"
        _audit_import(kind, principal, outcome, filename, detail)
        if report.imported:
            event_publish(topic=f"registries.{kind}.imported", payload=detail)
    if failure is not None:
        raise failure


def _pooled(pool, pieces: Iterator[tuple[int, bytes]], *, window: int):
    """Results in file order, at most `window` pieces in flight (bounded memory)."""
    pending: deque = deque()
    for piece in pieces:
        pending.append(pool.apply_async(rows.worker_process, (piece,)))
        if len(pending) >= window:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()


def _write(
    kind: str, ctx: rows.Context, results: Iterable[rows.ChunkResult], report: ImportReport
) -> None:
    writer = _PostgresWriter(kind) if ctx.as_copy else _OrmWriter(kind)
    seen: dict[str, int] = {}
    label = rows.KEY_LABEL[kind]
    with writer:
        for result in results:
            if result.error:
                raise rows.CsvMalformed(result.error)
            report.total += result.rows
            report.rejections.extend(result.rejections)
            dropped: set[int] = set()
            for index, (line, key) in enumerate(result.keys):
                first = seen.setdefault(key, line)
                if first != line:
                    dropped.add(index)
                    report.rejections.append(
                        rows.Rejection(line, key, (f"与第 {first} 行的{label}重复",))
                    )
            if report.all_or_nothing and report.rejections:
                continue  # keep validating for the report; nothing will be kept
            writer.write(result, dropped)
        if report.all_or_nothing and report.rejections:
            return
        imported, existing = writer.finish()
    report.imported = imported
    report.rejections.extend(
        rows.Rejection(line, key, (f"{label}已在基础库中存在",)) for line, key in existing
    )


class _OrmWriter:
    def __init__(self, kind: str) -> None:
        self.model = MODELS[kind]
        self.key = KEY_FIELD[kind]
        self.columns = rows.DB_COLUMNS[kind]
        self.imported = 0
        self.existing: list[tuple[int, str]] = []

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def write(self, result: rows.ChunkResult, dropped: set[int]) -> None:
        keep = [i for i in range(len(result.keys)) if i not in dropped]
        for start in range(0, len(keep), _ORM_BATCH):
            batch = keep[start : start + _ORM_BATCH]
            keys = [result.keys[i][1] for i in batch]
            present = set(
                self.model.objects.filter(**{f"{self.key}__in": keys}).values_list(
                    self.key, flat=True
                )
            )
            objects = []
            for i in batch:
                line, key = result.keys[i]
                if key in present:
                    self.existing.append((line, key))
                    continue
                objects.append(self.model(**dict(zip(self.columns, result.values[i], strict=True))))
            self.model.objects.bulk_create(objects)
            self.imported += len(objects)

    def finish(self) -> tuple[int, list[tuple[int, str]]]:
        return self.imported, self.existing


class _PostgresWriter:
    """COPY into an UNLOGGED staging table, then one INSERT ... SELECT.

    SQL text is built only from model metadata passed through quote_name (S608 below);
    values always travel as parameters or through COPY.
    """

    def __init__(self, kind: str) -> None:
        self.model = MODELS[kind]
        self.table = self.model._meta.db_table
        self.key = KEY_FIELD[kind]
        self.columns = rows.DB_COLUMNS[kind]
        self.staging = f"registries_import_{uuid.uuid4().hex[:12]}"
        self.staged = 0
        self._stack = ExitStack()

    def __enter__(self):
        q = connection.ops.quote_name
        self.cursor = self._stack.enter_context(connection.cursor())
        cols = ", ".join(q(c) for c in self.columns)
        # one import at a time per table; readers carry on
        self.cursor.execute(f"LOCK TABLE {q(self.table)} IN SHARE ROW EXCLUSIVE MODE")
        self.cursor.execute(
            f"CREATE UNLOGGED TABLE {q(self.staging)} AS "  # noqa: S608
            f"SELECT 0::integer AS line, {cols} FROM {q(self.table)} WITH NO DATA"
        )
        self.copy = self._stack.enter_context(
            self.cursor.copy(f"COPY {q(self.staging)} (line, {cols}) FROM STDIN")
        )
        return self

    def __exit__(self, *exc) -> None:
        # an exception mid-COPY reaches psycopg, which aborts the COPY (CopyFail)
        self._stack.__exit__(*exc)

    def write(self, result: rows.ChunkResult, dropped: set[int]) -> None:
        data = result.copy_data
        if dropped:  # rows are single lines: control characters were rejected
            lines = data.split(b"\n")
            data = b"".join(line + b"\n" for i, line in enumerate(lines[:-1]) if i not in dropped)
        if data:
            self.copy.write(data)
        self.staged += len(result.keys) - len(dropped)

    def finish(self) -> tuple[int, list[tuple[int, str]]]:
        q = connection.ops.quote_name
        self._stack.close()  # ends the COPY
        with connection.cursor() as cursor:
            table, staging, key = q(self.table), q(self.staging), q(self.key)
            cursor.execute(
                f"SELECT s.line, s.{key} FROM {staging} s JOIN {table} t ON t.{key} = s.{key}"  # noqa: S608
            )
            existing = [(line, value) for line, value in cursor.fetchall()]
            if existing:
                cursor.execute(
                    f"DELETE FROM {staging} WHERE line = ANY(%s)",  # noqa: S608
                    [[line for line, _ in existing]],
                )
            rebuild = self.staged >= BULK_REBUILD_MIN_ROWS and self._smaller_than(
                cursor, self.staged
            )
            structures = _drop_secondary(cursor, self.table) if rebuild else None
            cols = ", ".join(q(c) for c in self.columns)
            cursor.execute(
                f"INSERT INTO {table} ({cols}, created_at, updated_at) "  # noqa: S608
                f"SELECT {cols}, now(), now() FROM {staging}"
            )
            imported = cursor.rowcount
            if structures is not None:
                _rebuild_secondary(cursor, self.table, structures)
            cursor.execute(f"DROP TABLE {staging}")
        return imported, existing

    def _smaller_than(self, cursor, rows_count: int) -> bool:
        q = connection.ops.quote_name
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {q(self.table)} LIMIT %s) AS present",  # noqa: S608
            [rows_count],
        )
        return cursor.fetchone()[0] < rows_count


@dataclass(frozen=True)
class _Structures:
    constraints: list[tuple[str, str]]  # (name, definition), unique before foreign keys
    indexes: list[str]  # CREATE INDEX statements


def _drop_secondary(cursor, table: str) -> _Structures:
    """Drop the table's unique and foreign-key constraints and plain indexes (not the primary
    key, not a unique constraint another table's foreign key depends on); return them."""
    q = connection.ops.quote_name
    cursor.execute(
        """
        SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c
        WHERE c.conrelid = %s::regclass AND c.contype IN ('u', 'f')
          AND NOT EXISTS (
            SELECT 1 FROM pg_constraint f
            WHERE f.contype = 'f' AND f.conindid = c.conindid AND f.conrelid <> c.conrelid
              AND c.contype = 'u')
        ORDER BY c.contype DESC, c.conname
        """,
        [table],
    )
    constraints = list(cursor.fetchall())
    cursor.execute(
        """
        SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i
        JOIN pg_class c ON c.oid = i.indexrelid
        WHERE i.indrelid = %s::regclass AND NOT i.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
        ORDER BY c.relname
        """,
        [table],
    )
    indexes = list(cursor.fetchall())
    # deferred foreign-key checks queued earlier in this transaction must run before ALTER
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for name, _ in reversed(constraints):  # foreign keys first
        cursor.execute(f"ALTER TABLE {q(table)} DROP CONSTRAINT {q(name)}")
    for name, _ in indexes:
        cursor.execute(f"DROP INDEX {q(name)}")
    return _Structures(constraints=constraints, indexes=[sql for _, sql in indexes])


def _rebuild_secondary(cursor, table: str, structures: _Structures) -> None:
    q = connection.ops.quote_name
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for sql in structures.indexes:
        cursor.execute(sql)
    for name, definition in structures.constraints:
        cursor.execute(f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(name)} {definition}")


# --- demo data ---------------------------------------------------------------------------


def _demo_regions() -> demo.RegionSet:
    if not Region.objects.filter(level=Region.Level.COUNTY).exists():
        regions_load()
    levels = _record_regions()
    names, parents, stored_levels = {}, {}, {}
    for code, name, parent, level in Region.objects.values_list("code", "name", "parent", "level"):
        names[code], parents[code], stored_levels[code] = name, parent, level
    counties: list[demo.Place] = []
    for code in sorted(c for c, level in levels.items() if level == Region.Level.COUNTY):
        if stored_levels[code] == Region.Level.CITY:  # 东莞市, 中山市
            city, county = names[code], ""
        else:
            city, county = names.get(parents[code], ""), names[code]
        counties.append(
            demo.Place(
                code=code,
                county_code=code,
                city_name=city,
                county_name=county,
                full_name=f"广东省{city}{county}",
            )
        )
    by_code = {place.code: place for place in counties}
    towns: dict[str, list[demo.Place]] = {}
    for code, level in sorted(levels.items()):
        parent = by_code.get(parents.get(code) or "")
        if level == Region.Level.TOWN and parent is not None:
            towns.setdefault(parent.code, []).append(
                demo.Place(
                    code=code,
                    county_code=parent.code,
                    city_name=parent.city_name,
                    county_name=parent.county_name,
                    full_name=parent.full_name + names[code],
                )
            )
    return demo.RegionSet(counties=tuple(counties), towns={k: tuple(v) for k, v in towns.items()})


def demo_person_id_numbers(*, seed: int = 2021, count: int = 5) -> list[str]:
    """The ID numbers of the first demo people registry_demo_generate makes with this seed."""
    return demo.first_person_ids(seed=seed, regions=_demo_regions(), count=count)


def demo_entity_usccs(*, seed: int = 2021, count: int = 5) -> list[str]:
    """The USCCs of the first demo entities registry_demo_generate makes with this seed."""
    return demo.first_entity_usccs(seed=seed, regions=_demo_regions(), count=count)


def _demo_insert(kind: str, records: Iterator[dict[str, str]], ctx: rows.Context) -> int:
    """Check, seal and insert demo rows in batches, skipping those already present."""
    model, key, columns = MODELS[kind], KEY_FIELD[kind], rows.COLUMNS[kind]
    check = rows.CHECKS[kind]
    created = 0
    while batch := list(itertools.islice(records, 1000)):
        present = set(
            model.objects.filter(**{f"{key}__in": [r[key] for r in batch]}).values_list(
                key, flat=True
            )
        )
        objects = []
        for record in batch:
            if record[key] in present:
                continue
            checked = check([record[c] for c in columns], ctx)
            if isinstance(checked, list):  # a bug in the generator, not bad input
                raise AssertionError(f"演示数据无效：{checked}")
            objects.append(model(**dict(zip(rows.DB_COLUMNS[kind], checked[1], strict=True))))
        model.objects.bulk_create(objects)
        created += len(objects)
    return created


def registry_demo_generate(*, people: int, entities: int, seed: int = 2021) -> dict:
    """Deterministic demo people and entities (valid ID numbers and USCCs, sealed phones and
    addresses). Rows that already exist are skipped, so re-running is harmless."""
    regions = _demo_regions()
    key_id = pii_key_id()
    ctx = rows.Context(
        kind=PERSON,
        positions=tuple(range(len(rows.PERSON_COLUMNS))),
        width=len(rows.PERSON_COLUMNS),
        regions=_record_regions(),
        key_id=key_id,
        as_copy=False,
        today=dt.date.today(),
    )
    created = {"people": 0, "entities": 0}
    with transaction.atomic():
        people_records = list(demo.people(seed=seed, regions=regions, count=people))
        # legal representatives: adults among the demo people (or the ID stream alone)
        adults = [
            (p["id_number"], p["name"])
            for p in people_records[:5000]
            if p["birth_date"] <= demo.ADULT_BORN_BY
        ] or [
            (n, "演示法人")
            for n in demo.first_person_ids(seed=seed, regions=regions, count=200)
            if f"{n[6:10]}-{n[10:12]}-{n[12:14]}" <= demo.ADULT_BORN_BY
        ]
        created["people"] = _demo_insert(PERSON, iter(people_records), ctx)
        created["entities"] = _demo_insert(
            ENTITY,
            demo.entities(seed=seed, regions=regions, count=entities, representatives=adults),
            dataclasses.replace(
                ctx,
                kind=ENTITY,
                positions=tuple(range(len(rows.ENTITY_COLUMNS))),
                width=len(rows.ENTITY_COLUMNS),
            ),
        )
        audit_record(
            actor="system:demo",
            action="registry.demo.generate",
            object_type="Registry",
            detail={"seed": seed, **created},
        )
    return created


def registries_demo_seed(*, seed: int, people: int, entities: int, **_options) -> str:
    made = registry_demo_generate(people=people, entities=entities, seed=seed)
    return "新增自然人 {people} 个，法人 {entities} 个".format(**made)
