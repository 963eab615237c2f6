"""Publishing an open dataset from a catalog resource: the department asks (opendata.
publish_dataset), the data bureau reviews (opendata.review_dataset); on approval the rows
are copied into a datastore table and the CSV, JSON and XLSX resources appear.

Personal data is never published: fields the catalog marks personal or sensitive, or masks
by default, are dropped; a publisher may instead aggregate rows over public fields (counts,
sums of numbers)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as ValidationError_
from django.db import IntegrityError, transaction
from django.utils import timezone

from digigov.data.catalog.selectors.resources import resource_by_code, resource_field_list
from digigov.data.catalog.selectors.rows import resource_rows_iter
from digigov.kernel.audit.services import audit_as
from digigov.kernel.errors import Conflict, NotFound, ValidationFailed
from digigov.kernel.events.services import event_publish
from digigov.kernel.principals import Principal
from digigov.kernel.regions.selectors import region_exists

from ..models import (
    DatasetResource,
    DatasetTag,
    DatastoreTable,
    Frequency,
    License,
    OpenDataset,
    Theme,
)
from ..selectors.access import may_publish, may_review
from .common import deny
from .datastore import (
    TYPE_OF_FIELD,
    datastore_create,
    datastore_drop,
    datastore_fulltext_index,
    datastore_insert,
)
from .search_index import search_index_sync, search_text_of

State = OpenDataset.State
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{1,99}$")
MAX_TAGS = 20
CLOSED_SENSITIVITY = frozenset({"personal", "sensitive"})
COUNT_COLUMN = "record_count"


def field_is_open(field) -> bool:
    """A catalog field that may be published: not personal or sensitive, not masked."""
    return field.sensitivity not in CLOSED_SENSITIVITY and field.masking == "none"


def _errors_raise(errors: dict[str, list[str]]) -> None:
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, code="dataset_invalid", fields=errors)


def _clean_meta(values: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    title = str(values.get("title") or "").strip()
    if not title or len(title) > 200:
        errors["title"] = ["请填写名称（至多 200 个字符）"]
    out["title"] = title
    out["notes"] = str(values.get("notes") or "").strip()[:5000]
    theme = values.get("theme") or ""
    if theme not in Theme.values:
        errors["theme"] = ["请选择主题"]
    out["theme"] = theme
    license_id = values.get("license_id") or License.GD_OPEN
    if license_id not in License.values:
        errors["license_id"] = ["许可协议不受支持"]
    out["license_id"] = license_id
    frequency = values.get("update_frequency") or Frequency.IRREGULAR
    if frequency not in Frequency.values:
        errors["update_frequency"] = ["更新频率不正确"]
    out["update_frequency"] = frequency
    tags = values.get("tags") or []
    if isinstance(tags, str):
        tags = [t for t in re.split(r"[,，\s]+", tags) if t]
    if not isinstance(tags, list) or len(tags) > MAX_TAGS:
        errors["tags"] = [f"标签至多 {MAX_TAGS} 个"]
        tags = []
    # "|" separates tags in the denormalized facet column
    tags = [str(t).replace("|", " ").strip()[:60] for t in tags if str(t).strip()]
    out["tags"] = list(dict.fromkeys(tags))
    for name in ("temporal_start", "temporal_end"):
        raw = values.get(name)
        if raw in (None, ""):
            out[name] = None
            continue
        try:
            out[name] = raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw))
        except ValueError:
            errors[name] = ["应为日期（YYYY-MM-DD）"]
    start, end = out.get("temporal_start"), out.get("temporal_end")
    if start and end and start > end:
        errors["temporal_end"] = ["结束日期不能早于开始日期"]
    spatial = values.get("spatial") or []
    if not isinstance(spatial, list) or not all(isinstance(c, str) for c in spatial):
        errors["spatial"] = ["空间范围应为区划代码列表"]
        spatial = []
    unknown = [c for c in spatial if not region_exists(c)]
    if unknown:
        errors["spatial"] = [f"区划代码不存在：{', '.join(unknown[:5])}"]
    out["spatial"] = list(dict.fromkeys(spatial))
    return out


def _plan_fields(
    resource_id: int, chosen: list[str] | None, aggregate_by: list[str] | None, errors: dict
) -> tuple[list[dict[str, str]], list[str], list[str]]:
    """(datastore columns, dropped field names, aggregate_by)."""
    catalog_fields = resource_field_list(resource_id=resource_id)
    open_fields = {f.name: f for f in catalog_fields if field_is_open(f)}
    dropped = [f.name for f in catalog_fields if not field_is_open(f)]
    if chosen:
        closed = [n for n in chosen if n not in open_fields]
        if closed:
            errors["fields"] = [
                f"以下数据项含个人信息、敏感或不存在，不能开放：{', '.join(closed[:5])}"
            ]
        names = [n for n in chosen if n in open_fields]
    else:
        names = list(open_fields)
    dropped += [n for n in open_fields if n not in names]
    if not names:
        errors.setdefault("fields", ["没有可开放的数据项"])
    group = list(dict.fromkeys(aggregate_by or []))
    if group:
        bad = [n for n in group if n not in names]
        if bad:
            errors["aggregate_by"] = [f"汇总维度须是开放的数据项：{', '.join(bad[:5])}"]
        columns = [
            {
                "id": n,
                "type": TYPE_OF_FIELD[open_fields[n].data_type],
                "label": open_fields[n].label,
            }
            for n in group
            if n in open_fields
        ]
        columns.append({"id": COUNT_COLUMN, "type": "int", "label": "记录数"})
        for name in names:
            field = open_fields[name]
            if name not in group and field.data_type in ("integer", "decimal"):
                columns.append(
                    {
                        "id": f"sum_{name}"[:63],
                        "type": "int" if field.data_type == "integer" else "numeric",
                        "label": f"{field.label}（合计）",
                    }
                )
        return columns, dropped, group
    columns = [
        {"id": n, "type": TYPE_OF_FIELD[open_fields[n].data_type], "label": open_fields[n].label}
        for n in names
    ]
    return columns, dropped, []


def dataset_submit(
    *,
    principal: Principal,
    resource_code: str,
    name: str,
    values: dict[str, Any],
    fields: list[str] | None = None,
    aggregate_by: list[str] | None = None,
) -> OpenDataset:
    """The department asks to publish a catalog resource as an open dataset (state submitted)."""
    resource = resource_by_code(code=str(resource_code or ""))
    if resource is None:
        raise NotFound("数据资源不存在", code="resource_unknown")
    if not may_publish(principal, resource.organization_id):
        raise deny(
            principal,
            action="opendata.dataset.submit",
            object_type="catalog.resource",
            object_id=resource.code,
            message="只有本单位的开放数据发布人员可以发布本单位的数据资源",
            code="opendata/not_publisher",
        )
    errors: dict[str, list[str]] = {}
    if resource.status != "published":
        errors["resource_code"] = ["只有已在数据目录发布的数据资源可以开放"]
    if resource.open_condition not in OpenDataset.OpenCondition.values:
        errors["resource_code"] = ["该数据资源的开放属性为不予开放"]
    if resource.storage == "api":
        errors["resource_code"] = ["该数据资源由部门接口提供，平台不存储其数据，不能开放下载"]
    name = str(name or "").strip().lower()
    if not NAME.match(name):
        errors["name"] = ["标识由 2 至 100 个小写字母、数字、- 或 _ 组成"]
    meta = _clean_meta(values or {}, errors)
    columns, dropped, group = _plan_fields(resource.pk, fields, aggregate_by, errors)
    _errors_raise(errors)
    if resource.has_personal_info and not dropped and not group:
        raise ValidationFailed(
            "含个人信息的数据资源须去除个人信息字段或汇总后开放", code="personal_data"
        )
    tags = meta.pop("tags")
    try:
        with transaction.atomic():
            dataset = OpenDataset.objects.create(
                name=name,
                resource=resource,
                organization_id=resource.organization_id,
                region_code=resource.organization.region_id,
                open_condition=resource.open_condition,
                state=State.SUBMITTED,
                fields_spec=columns,
                dropped_fields=dropped,
                aggregate_by=group,
                submitted_by=principal.actor,
                tags_joined="|".join(tags),
                **meta,
            )
            DatasetTag.objects.bulk_create([DatasetTag(dataset=dataset, name=t) for t in tags])
            audit_as(
                principal,
                action="opendata.dataset.submit",
                object_type="opendata.dataset",
                object_id=dataset.pk,
                detail={"name": name, "resource": resource.code, "dropped": dropped},
            )
    except IntegrityError:
        raise ValidationFailed(
            "该标识已被使用", code="dataset_name_taken", fields={"name": ["该标识已被使用"]}
        ) from None
    return dataset


def _locked(dataset_id) -> OpenDataset:
    dataset = (
        OpenDataset.objects.select_for_update().select_related("organization").filter(pk=dataset_id)
    ).first()
    if dataset is None:
        raise NotFound("数据集不存在", code="dataset_unknown")
    return dataset


def _peek(dataset_id) -> OpenDataset:
    try:
        dataset = OpenDataset.objects.select_related("organization").filter(pk=dataset_id).first()
    except (ValueError, ValidationError_):
        dataset = None
    if dataset is None:
        raise NotFound("数据集不存在", code="dataset_unknown")
    return dataset


def _aggregate(rows: Iterator[dict[str, Any]], columns: list[dict[str, str]], group: list[str]):
    sums = [(c["id"], c["id"].removeprefix("sum_")) for c in columns if c["id"].startswith("sum_")]
    totals: dict[tuple, dict[str, Any]] = {}
    for row in rows:
        key = tuple(row.get(n) for n in group)
        entry = totals.get(key)
        if entry is None:
            entry = totals[key] = {
                **dict(zip(group, key, strict=True)),
                COUNT_COLUMN: 0,
                **{s: 0 for s, _ in sums},
            }
        entry[COUNT_COLUMN] += 1
        for column, source in sums:
            value = row.get(source)
            if value not in (None, ""):
                entry[column] += Decimal(str(value))
    for entry in totals.values():
        for column, _ in sums:
            entry[column] = str(entry[column])
        yield entry


def _materialize(dataset: OpenDataset) -> None:
    """Copy the open fields (or the aggregate) into a new datastore table; the resources."""
    columns = dataset.fields_spec
    source_fields = [f.name for f in resource_field_list(resource_id=dataset.resource_id)]
    if dataset.aggregate_by:
        wanted = [n for n in source_fields if n not in dataset.dropped_fields]
        # sums read their source fields, which are open by construction
        rows = _aggregate(
            (r for _, r in resource_rows_iter(resource=dataset.resource, fields=wanted)),
            columns,
            dataset.aggregate_by,
        )
    else:
        names = [c["id"] for c in columns]
        rows = (r for _, r in resource_rows_iter(resource=dataset.resource, fields=names))
    old = DatastoreTable.objects.filter(dataset=dataset).first()
    table = datastore_create(columns=columns)
    datastore_insert(table=table, rows=rows)
    datastore_fulltext_index(table=table)
    if old is not None:
        datastore_drop(table=old)
    table.dataset = dataset
    table.save(update_fields=["dataset"])
    dataset.resources.all().delete()
    dataset.formats_joined = "CSV|JSON|XLSX"
    DatasetResource.objects.bulk_create(
        [
            DatasetResource(
                dataset=dataset,
                name=f"{dataset.title}（{label}）",
                description=description,
                format=fmt,
                position=position,
                datastore=table,
            )
            for position, (fmt, label, description) in enumerate(
                [
                    ("CSV", "CSV", "逗号分隔文本，UTF-8 编码"),
                    ("JSON", "JSON", "JSON 数组"),
                    ("XLSX", "Excel", "Excel 工作簿"),
                ]
            )
        ]
    )


def _index(dataset: OpenDataset) -> None:
    tags = list(dataset.tag_rows.values_list("name", flat=True))
    dataset.search_text = search_text_of(
        dataset, tags=tags, organization_name=dataset.organization.name
    )
    dataset.save(update_fields=["search_text"])
    search_index_sync(entries=[(dataset.pk.hex, dataset.search_text)])


def dataset_review(
    *, principal: Principal, dataset_id, approve: bool, note: str = ""
) -> OpenDataset:
    """The data bureau approves (the dataset is published) or returns it with a reason."""
    current = _peek(dataset_id)
    if not may_review(principal, current):
        raise deny(
            principal,
            action="opendata.dataset.review",
            object_type="opendata.dataset",
            object_id=current.pk,
            message="只有数据管理机构的审核人员可以审核开放数据集",
            code="opendata/not_reviewer",
        )
    note = str(note or "").strip()[:300]
    if not approve and not note:
        raise ValidationFailed("退回时请填写理由", fields={"note": ["退回时请填写理由"]})
    with transaction.atomic():
        dataset = _locked(dataset_id)
        if dataset.state != State.SUBMITTED:
            raise Conflict("只有待审核的数据集可以审核", code="dataset_state")
        if dataset.submitted_by == principal.actor and principal.kind == "staff":
            raise Conflict("不能审核自己提交的数据集", code="dataset_own_review")
        dataset.reviewed_by = principal.actor
        dataset.review_note = note
        if approve:
            _materialize(dataset)
            dataset.state = State.PUBLISHED
            dataset.published_at = timezone.now()
        else:
            dataset.state = State.REJECTED
        dataset.save()
        if approve:
            _index(dataset)
        audit_as(
            principal,
            action="opendata.dataset.review",
            object_type="opendata.dataset",
            object_id=dataset.pk,
            detail={"approve": bool(approve), "note": note, "name": dataset.name},
        )
        event_publish(
            topic=f"opendata.dataset.{dataset.state}",
            payload={
                "dataset_id": str(dataset.pk),
                "name": dataset.name,
                "organization_id": dataset.organization_id,
                "state": dataset.state,
            },
        )
    return dataset


def dataset_withdraw(*, principal: Principal, dataset_id, note: str = "") -> OpenDataset:
    """Take a published dataset offline (publisher or reviewer); its rows stay stored."""
    current = _peek(dataset_id)
    if not (may_publish(principal, current.organization_id) or may_review(principal, current)):
        raise deny(
            principal,
            action="opendata.dataset.withdraw",
            object_type="opendata.dataset",
            object_id=current.pk,
            message="只有发布单位或数据管理机构可以下线数据集",
            code="opendata/not_publisher",
        )
    with transaction.atomic():
        dataset = _locked(dataset_id)
        if dataset.state != State.PUBLISHED:
            raise Conflict("只有已发布的数据集可以下线", code="dataset_state")
        dataset.state = State.WITHDRAWN
        dataset.review_note = str(note or "").strip()[:300]
        dataset.save()
        search_index_sync(entries=[], remove=[dataset.pk.hex])
        audit_as(
            principal,
            action="opendata.dataset.withdraw",
            object_type="opendata.dataset",
            object_id=dataset.pk,
            detail={"note": dataset.review_note},
        )
        event_publish(
            topic="opendata.dataset.withdrawn",
            payload={"dataset_id": str(dataset.pk), "name": dataset.name},
        )
    return dataset


def dataset_refresh(*, principal: Principal, dataset_id) -> OpenDataset:
    """Copy the catalog's current rows again (the publisher, after the source updated)."""
    current = _peek(dataset_id)
    if not may_publish(principal, current.organization_id):
        raise deny(
            principal,
            action="opendata.dataset.refresh",
            object_type="opendata.dataset",
            object_id=current.pk,
            message="只有发布单位可以更新数据集",
            code="opendata/not_publisher",
        )
    with transaction.atomic():
        dataset = _locked(dataset_id)
        if dataset.state != State.PUBLISHED:
            raise Conflict("只有已发布的数据集可以更新", code="dataset_state")
        _materialize(dataset)
        dataset.save()
        audit_as(
            principal,
            action="opendata.dataset.refresh",
            object_type="opendata.dataset",
            object_id=dataset.pk,
            detail={"rows": DatastoreTable.objects.get(dataset=dataset).row_count},
        )
    return dataset
