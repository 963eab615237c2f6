"""The rows of a resource, whatever holds them: a base registry, the platform's dataset
store, or (not readable here) a department's own API.

Internal to the data center: no principal and no masking. The sharing and quality services
that call these check the grant, mask by the catalog's rules and log the access; views and
APIs never call them directly."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from digigov.data.registries.selectors import (
    registry_record_count,
    registry_records,
    registry_records_iter,
)
from digigov.kernel.errors import ValidationFailed

from ..models import DataResource, DatasetRow
from ..values import ValueInvalid, value_is_empty, value_parse

MAX_PAGE_SIZE = 500


@dataclass(frozen=True)
class RowPage:
    rows: list[dict[str, Any]]
    total: int
    page: int
    page_size: int


_REGISTRY_KIND = {
    DataResource.Storage.PERSON_REGISTRY: "person",
    DataResource.Storage.ENTITY_REGISTRY: "entity",
}


def _readable(resource: DataResource) -> None:
    if resource.storage == DataResource.Storage.API:
        raise ValidationFailed(
            "该资源由提供部门的接口提供，平台不存储其数据", code="resource_not_stored"
        )


def _pick(data: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    return {name: data.get(name) for name in fields}


def resource_row_by_key(
    *, resource: DataResource, key: str, fields: list[str]
) -> dict[str, Any] | None:
    """The row whose key field equals `key` (the first, for a dataset), or None."""
    _readable(resource)
    kind = _REGISTRY_KIND.get(resource.storage)
    if kind is not None:
        rows = registry_records(kind=kind, fields=fields, keys=[key], limit=1)
        return rows[0] if rows else None
    row = (
        DatasetRow.objects.filter(resource=resource, key=key)
        .order_by("row_number")
        .values_list("data", flat=True)
        .first()
    )
    return _pick(row, fields) if row is not None else None


def resource_rows(
    *,
    resource: DataResource,
    fields: list[str],
    filters: dict[str, str] | None = None,
    page: int = 1,
    page_size: int = 50,
) -> RowPage:
    """One page of rows with field = value filters (exact match)."""
    _readable(resource)
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationFailed(f"页码从 1 开始，每页 1 至 {MAX_PAGE_SIZE} 条", code="page_invalid")
    offset = (page - 1) * page_size
    kind = _REGISTRY_KIND.get(resource.storage)
    if kind is not None:
        rows = registry_records(
            kind=kind, fields=fields, filters=filters, offset=offset, limit=page_size
        )
        return RowPage(rows, registry_record_count(kind=kind, filters=filters), page, page_size)
    query = DatasetRow.objects.filter(resource=resource)
    known = dict(resource.fields.values_list("name", "data_type"))
    for name, value in (filters or {}).items():
        if name not in known:
            raise ValidationFailed(f"不能按数据项“{name}”筛选", code="filter_invalid")
        # compare with the stored form (integers and booleans are stored typed)
        try:
            wanted = None if value_is_empty(value) else value_parse(value, known[name])
        except ValueInvalid as bad:
            raise ValidationFailed(f"筛选值“{name}”{bad}", code="filter_invalid") from None
        query = query.filter(**{f"data__{name}": wanted})
    data = query.order_by("row_number").values_list("data", flat=True)[offset : offset + page_size]
    return RowPage([_pick(d, fields) for d in data], query.count(), page, page_size)


def resource_rows_iter(
    *, resource: DataResource, fields: list[str], chunk: int = 5000
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(row reference, row) for every row: the key for registries, "#<row number>" for
    datasets (quality reports point at rows by it)."""
    _readable(resource)
    kind = _REGISTRY_KIND.get(resource.storage)
    if kind is not None:
        key_field = "id_number" if kind == "person" else "uscc"
        wanted = fields if key_field in fields else [*fields, key_field]
        for row in registry_records_iter(kind=kind, fields=wanted, chunk=chunk):
            yield row[key_field], _pick(row, fields)
        return
    last = 0
    while True:
        batch = list(
            DatasetRow.objects.filter(resource=resource, row_number__gt=last)
            .order_by("row_number")
            .values_list("row_number", "data")[:chunk]
        )
        if not batch:
            return
        for number, data in batch:
            yield f"#{number}", _pick(data, fields)
        last = batch[-1][0]
