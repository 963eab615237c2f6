"""Searching published datasets: Chinese full text (jieba tokens; PostgreSQL tsvector
expression index, SQLite FTS5), filters by facet field, facets with counts, sorting and
paging (at most MAX_ROWS a page, as CKAN). On PostgreSQL a search with facets is two
statements: the count, facets and page ids in one, the page's datasets with all they show
in the other."""

from __future__ import annotations

import functools
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connection, models
from django.db.models import (
    BooleanField,
    Case,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL

from digigov.kernel.errors import ValidationFailed
from digigov.kernel.organizations.models import Organization
from digigov.kernel.regions.models import Region
from digigov.kernel.regions.selectors import region_code_prefix

from ..models import (
    DatasetResource,
    DatasetTag,
    DatastoreTable,
    Frequency,
    License,
    OpenDataset,
    Theme,
)
from .text import query_tokens

FTS_TABLE = "opendata_dataset_fts"
MAX_ROWS = 1000
DEFAULT_ROWS = 10
MAX_START = 100_000
MAX_FACET_LIMIT = 1000
# facet / filter field -> what it filters
FACET_FIELDS = (
    "organization",
    "groups",
    "tags",
    "res_format",
    "license_id",
    "update_frequency",
    "region",
    "open_condition",
)
FILTER_FIELDS = (*FACET_FIELDS, "name", "id")
SORT_FIELDS = {
    "score": None,
    "metadata_modified": "modified_at",
    "metadata_created": "created_at",
    "name": "name",
    "title_string": "title",
    "views_total": "view_count",
    "downloads_total": "download_count",
}
_SORT = re.compile(r"^\s*([a-z_]+)(?:\s+(asc|desc))?\s*$", re.IGNORECASE)


class SearchInvalid(ValidationFailed):
    """A query CKAN answers with "Search Query Error"."""

    code = "search_invalid"


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = ""
    rows: int = DEFAULT_ROWS
    start: int = 0
    facet_fields: tuple[str, ...] = ()
    facet_limit: int = 50


@dataclass(frozen=True)
class FacetItem:
    name: str
    display_name: str
    count: int


@dataclass(frozen=True)
class SearchResult:
    count: int
    datasets: list[OpenDataset]
    facets: dict[str, list[FacetItem]]
    sort: str
    tokens: list[str] = field(default_factory=list)


def published() -> QuerySet[OpenDataset]:
    return OpenDataset.objects.filter(state=OpenDataset.State.PUBLISHED)


def with_details(datasets: QuerySet[OpenDataset]) -> QuerySet[OpenDataset]:
    """What a package dict shows, in a fixed number of queries."""
    return datasets.select_related("organization", "datastore").prefetch_related(
        Prefetch("tag_rows", queryset=DatasetTag.objects.order_by("name")),
        Prefetch("resources", queryset=DatasetResource.objects.order_by("position")),
    )


def _columns_of(model, alias: str) -> str:
    return ", ".join(f"{alias}.{f.column}" for f in model._meta.concrete_fields)


@functools.cache
def _converters(model) -> tuple:
    """(position, field, converter) for the model's concrete fields that need one (JSON)."""
    return tuple(
        (n, model_field, converter)
        for n, model_field in enumerate(model._meta.concrete_fields)
        for converter in model_field.get_db_converters(connection)
    )


def _from_db(model, values) -> models.Model:
    """An instance from a row in the model's concrete-field order, as the ORM converts it."""
    converters = _converters(model)
    if converters:
        values = list(values)
        for n, model_field, converter in converters:
            values[n] = converter(values[n], model_field, connection)
    return model.from_db(connection.alias, None, values)


def _with_details_postgresql(ids: list[uuid.UUID]) -> list[OpenDataset]:
    """What `with_details` loads, in one statement: the datasets with their department and
    datastore joined and their tags and resources as arrays, the objects set in the caches
    select_related and prefetch_related fill (the ORM's three queries and its prefetch
    machinery took more Python time than the rest of a search)."""
    dataset_fields = OpenDataset._meta.concrete_fields
    organization_fields = Organization._meta.concrete_fields
    datastore_fields = DatastoreTable._meta.concrete_fields
    tag_fields = DatasetTag._meta.concrete_fields
    resource_fields = DatasetResource._meta.concrete_fields
    tag_arrays = ", ".join(f"array_agg(t.{f.column} ORDER BY t.name)" for f in tag_fields)
    resource_arrays = ", ".join(
        f"array_agg(r.{f.column} ORDER BY r.position, r.id)" for f in resource_fields
    )
    # table and column names come from the models; the ids are the one parameter
    sql = (
        f"SELECT {_columns_of(OpenDataset, 'd')}, {_columns_of(Organization, 'o')},"  # noqa: S608
        f" {_columns_of(DatastoreTable, 's')}, t.*, r.*"
        f" FROM {OpenDataset._meta.db_table} d"
        f" JOIN {Organization._meta.db_table} o ON o.id = d.organization_id"
        f" LEFT JOIN {DatastoreTable._meta.db_table} s ON s.dataset_id = d.id"
        f" CROSS JOIN LATERAL (SELECT {tag_arrays} FROM {DatasetTag._meta.db_table} t"
        "  WHERE t.dataset_id = d.id) t"
        f" CROSS JOIN LATERAL (SELECT {resource_arrays}"
        f"  FROM {DatasetResource._meta.db_table} r WHERE r.dataset_id = d.id) r"
        " WHERE d.id = ANY(%s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(ids)])
        rows = cursor.fetchall()
    found: dict[uuid.UUID, OpenDataset] = {}
    for row in rows:
        end = len(dataset_fields)
        dataset = _from_db(OpenDataset, row[:end])
        organization = _from_db(Organization, row[end : end + len(organization_fields)])
        end += len(organization_fields)
        datastore_row = row[end : end + len(datastore_fields)]
        end += len(datastore_fields)
        datastore = None if datastore_row[0] is None else _from_db(DatastoreTable, datastore_row)
        OpenDataset.organization.field.set_cached_value(dataset, organization)
        OpenDataset.datastore.related.set_cached_value(dataset, datastore)
        if datastore is not None:
            DatastoreTable.dataset.field.set_cached_value(datastore, dataset)
        cache = dataset._prefetched_objects_cache = {}
        for name, model, fields in (
            ("tag_rows", DatasetTag, tag_fields),
            ("resources", DatasetResource, resource_fields),
        ):
            arrays = row[end : end + len(fields)]
            end += len(fields)
            # one array per column; NULL when the dataset has none
            items = []
            if arrays[0] is not None:
                items = [_from_db(model, values) for values in zip(*arrays, strict=True)]
            for item in items:
                model.dataset.field.set_cached_value(item, dataset)
            queryset = getattr(dataset, name).all()
            queryset._result_cache = items  # as prefetch_related leaves it
            queryset._prefetch_done = True
            cache[name] = queryset
        found[dataset.pk] = dataset
    return [found[pk] for pk in ids if pk in found]


def _text_match(tokens: list[str]):
    """A condition: the dataset's tokens contain every query token (the one backend switch:
    PostgreSQL's stored tsvector with its GIN index, SQLite's FTS5 table)."""
    if connection.vendor == "postgresql":
        tsquery = " & ".join("'" + t.replace("'", "''").replace("\\", "") + "'" for t in tokens)
        return RawSQL(
            "search_vector @@ to_tsquery('simple', %s)",
            [tsquery],
            output_field=BooleanField(),
        )
    match = " AND ".join('"' + t.replace('"', '""') + '"' for t in tokens)
    return Q(
        pk__in=RawSQL(  # noqa: S611 (constant table; the tokens are a parameter)
            f"SELECT dataset_id FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",  # noqa: S608
            [match],
        )
    )


def _filter(datasets: QuerySet[OpenDataset], name: str, values: list[str]) -> QuerySet[OpenDataset]:
    for value in values:
        value = str(value)[:200]
        if name == "organization":
            datasets = datasets.filter(organization__code=value)
        elif name == "groups":
            datasets = datasets.filter(theme=value)
        elif name == "tags":
            datasets = datasets.filter(
                pk__in=DatasetTag.objects.filter(name=value).values("dataset_id")
            )
        elif name == "res_format":
            datasets = datasets.filter(
                pk__in=DatasetResource.objects.filter(format=value.upper()).values("dataset_id")
            )
        elif name == "region":
            if not value.isdigit():
                return datasets.none()
            datasets = datasets.filter(region_code__startswith=region_code_prefix(value))
        elif name == "id":
            datasets = datasets.filter(pk=value) if _is_uuid(value) else datasets.none()
        elif name in ("license_id", "update_frequency", "open_condition", "name"):
            datasets = datasets.filter(**{name: value})
        else:
            raise SearchInvalid(f"不能按“{name}”筛选", fields={"fq": [f"不支持的字段：{name}"]})
    return datasets


def _is_uuid(value: str) -> bool:
    return bool(re.fullmatch(r"[0-9a-fA-F-]{32,36}", value))


def _order(datasets: QuerySet[OpenDataset], sort: str, text: str) -> tuple[QuerySet, str]:
    sort = (sort or "").strip() or (
        "score desc, metadata_modified desc" if text else "metadata_modified desc"
    )
    order: list = []
    for part in sort.split(","):
        match = _SORT.match(part)
        if match is None or match.group(1) not in SORT_FIELDS:
            raise SearchInvalid(
                f"不能按“{part.strip()[:60]}”排序", fields={"sort": ["不支持的排序"]}
            )
        column = SORT_FIELDS[match.group(1)]
        descending = (match.group(2) or "asc").lower() == "desc"
        if column is None:  # score: a title that holds the whole query ranks first
            if text:
                datasets = datasets.annotate(
                    title_hit=Case(
                        When(title__icontains=text[:100], then=Value(1)),
                        default=Value(0),
                        output_field=IntegerField(),
                    )
                )
                order.append("-title_hit" if descending else "title_hit")
                order.append("-view_count" if descending else "view_count")
            continue
        order.append(f"-{column}" if descending else column)
    order.append("name")
    return datasets.order_by(*order), sort


_COLUMNS = {
    "organization": "organization_id",
    "groups": "theme",
    "region": "region_code",
    "license_id": "license_id",
    "update_frequency": "update_frequency",
    "open_condition": "open_condition",
    "tags": "tags_joined",
    "res_format": "formats_joined",
}


def _labels(name: str, values: list[str]) -> dict[str, str]:
    if name == "region":
        return dict(Region.objects.filter(code__in=values).values_list("code", "name"))
    return {
        "groups": dict(Theme.choices),
        "license_id": dict(License.choices),
        "update_frequency": dict(Frequency.choices),
        "open_condition": dict(OpenDataset.OpenCondition.choices),
    }.get(name, {})


_MULTI = ("tags", "res_format")  # "|"-joined columns: one count per value


def _search_sql(
    ordered: QuerySet[OpenDataset], names: list[str], *, start: int, rows: int
) -> tuple[int, dict, dict, list]:
    """PostgreSQL, one statement over the matches materialized once (the facets read them
    all anyway): the count, the facet counts grouped in the database (one row per facet
    value; departments with their code and name) and the ids of the page, sorted there."""
    columns = [_COLUMNS[n] for n in names]
    order: list[tuple[int, str]] = []  # (column position in m, direction)
    for term in ordered.query.order_by:
        column = term.lstrip("-")
        if column not in columns:
            columns.append(column)
        order.append((columns.index(column), "DESC" if term.startswith("-") else "ASC"))
    page_column = len(columns)
    columns.append("pk")
    try:
        sql, params = ordered.order_by().values_list(*columns).query.sql_with_params()
    except EmptyResultSet:  # a query that can match nothing (e.g. only punctuation)
        return 0, {name: Counter() for name in names}, {}, []
    params = list(params)
    organizations = Organization._meta.db_table
    # only column positions, facet indexes and table names are spliced in; values are parameters
    parts = ["SELECT -1, NULL::text, count(*), NULL::text, NULL::text FROM m"]
    for n, name in enumerate(names):
        if name == "organization":
            parts.append(
                f"SELECT {n}, g.v::text, g.n, o.code::text, o.name::text FROM"  # noqa: S608
                f" (SELECT m.c{n} AS v, count(*) AS n FROM m GROUP BY m.c{n}) g"
                f" JOIN {organizations} o ON o.id = g.v"
            )
        elif name in _MULTI:
            # a set-returning function in the select list: cheaper than a lateral join
            parts.append(
                f"SELECT {n}, v, count(*), NULL, NULL FROM"  # noqa: S608
                f" (SELECT unnest(string_to_array(NULLIF(m.c{n}, ''), '|')) AS v FROM m) u"
                " GROUP BY v"
            )
        else:
            parts.append(f"SELECT {n}, m.c{n}::text, count(*), NULL, NULL FROM m GROUP BY m.c{n}")  # noqa: S608
    if rows:
        order_sql = ", ".join(f"m.c{position} {direction}" for position, direction in order)
        # the rank travels with each id: UNION ALL keeps no order of its own
        parts.append(
            "SELECT -2, p.id::text, p.rank, NULL, NULL FROM"  # noqa: S608
            f" (SELECT m.c{page_column} AS id, row_number() OVER (ORDER BY {order_sql}) AS rank"
            f" FROM m ORDER BY {order_sql} LIMIT %s OFFSET %s) p"
        )
        params += [rows, start]
    aliases = ", ".join(f"c{n}" for n in range(len(columns)))
    query = f"WITH m({aliases}) AS MATERIALIZED ({sql}) " + " UNION ALL ".join(parts)
    counters: dict[str, Counter] = {name: Counter() for name in names}
    labels: dict[int, tuple[str, str]] = {}
    page: list[tuple[int, uuid.UUID]] = []
    total = 0
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        for index, value, count, code, title in cursor.fetchall():
            if index == -1:
                total = count
            elif index == -2:
                page.append((count, uuid.UUID(value)))
            elif names[index] == "organization":
                key = int(value)
                counters["organization"][key] = count
                labels[key] = (code, title)
            else:
                counters[names[index]][value] = count
    return total, counters, labels, [pk for _, pk in sorted(page)]


def _facet_counts_python(datasets: QuerySet[OpenDataset], names: list[str]) -> tuple[int, dict]:
    """SQLite: one pass over the matching datasets' facet columns."""
    columns = [_COLUMNS[n] for n in names]
    counters: dict[str, Counter] = {name: Counter() for name in names}
    try:
        sql, params = datasets.order_by().values_list(*columns).query.sql_with_params()
    except EmptyResultSet:  # a query that can match nothing (e.g. only punctuation)
        return 0, counters
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for row in rows:
        for name, value in zip(names, row, strict=True):
            if name in _MULTI:
                if value:
                    counters[name].update(value.split("|"))
            else:
                counters[name][value] += 1
    return len(rows), counters


def _facets(
    counters: dict[str, Counter], limit: int, organizations: dict[int, tuple[str, str]] | None
) -> dict[str, list[FacetItem]]:
    """Facet items, largest first; `organizations` (pk -> code, name) when already read."""
    facets: dict[str, list[FacetItem]] = {}
    for name, counter in counters.items():
        if name == "organization":
            # names for the departments shown only (a broad query counts hundreds)
            top = [k for k, _ in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]
            if organizations is None:
                organizations = {
                    pk: (code, title)
                    for pk, code, title in Organization.objects.filter(pk__in=top).values_list(
                        "pk", "code", "name"
                    )
                }
            items = [
                FacetItem(organizations[k][0], organizations[k][1], counter[k])
                for k in top
                if k in organizations
            ]
        else:
            keys = [str(k) for k in counter]
            labels = _labels(name, keys)
            items = [FacetItem(str(k), labels.get(str(k), str(k)), n) for k, n in counter.items()]
        items.sort(key=lambda i: (-i.count, i.name))
        facets[name] = items[:limit]
    return facets


def dataset_search(*, query: SearchQuery) -> SearchResult:
    """Published datasets matching every query token and every filter; one page and facets."""
    if not 0 <= query.rows <= MAX_ROWS:
        raise ValidationFailed(
            f"rows 应在 0 至 {MAX_ROWS} 之间",
            code="rows_invalid",
            fields={"rows": [f"Must be less than or equal to {MAX_ROWS}"]},
        )
    if not 0 <= query.start <= MAX_START:
        raise ValidationFailed(
            "start 超出范围", code="start_invalid", fields={"start": ["start 超出范围"]}
        )
    unknown = [f for f in query.facet_fields if f not in FACET_FIELDS]
    if unknown:
        raise SearchInvalid(
            f"不支持的分面字段：{', '.join(unknown[:5])}",
            fields={"facet.field": [f"不支持的字段：{', '.join(unknown[:5])}"]},
        )
    datasets = published()
    text = query.text.strip()
    tokens = query_tokens(text) if text else []
    if tokens:
        datasets = datasets.filter(_text_match(tokens))
    elif text:
        datasets = datasets.none()  # only punctuation: nothing to match
    for name, values in query.filters.items():
        if name not in FILTER_FIELDS:
            raise SearchInvalid(f"不能按“{name}”筛选", fields={"fq": [f"不支持的字段：{name}"]})
        datasets = _filter(datasets, name, values)
    ordered, sort = _order(datasets, query.sort, text)
    limit = (
        max(1, min(query.facet_limit, MAX_FACET_LIMIT))
        if query.facet_limit >= 0
        else MAX_FACET_LIMIT
    )
    names = list(dict.fromkeys(query.facet_fields))
    postgresql = connection.vendor == "postgresql"
    if postgresql and names:
        count, counters, organizations, ids = _search_sql(
            ordered, names, start=query.start, rows=query.rows
        )
        facets = _facets(counters, limit, organizations)
    else:
        # no facets: a plain count, and the page through the (state, modified) index
        if names:
            count, counters = _facet_counts_python(datasets, names)
            facets = _facets(counters, limit, None)
        else:
            count, facets = datasets.count(), {}
        ids = []
        if query.rows and query.start < count:
            # the page's ids first: the database then sorts narrow rows, not whole datasets
            ids = list(ordered.values_list("pk", flat=True)[query.start : query.start + query.rows])
    page = []
    if ids and postgresql:
        page = _with_details_postgresql(ids)
    elif ids:
        found = {d.pk: d for d in with_details(OpenDataset.objects.filter(pk__in=ids))}
        page = [found[pk] for pk in ids if pk in found]
    return SearchResult(count=count, datasets=page, facets=facets, sort=sort, tokens=tokens)
