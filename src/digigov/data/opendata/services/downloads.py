"""Downloads of a dataset's resources (CSV, JSON, XLSX), generated from its datastore table.
Conditional datasets need an approved application of the caller; each download counts in
the usage table, and downloads of conditional data are audited."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from digigov.kernel.audit.services import audit_as
from digigov.kernel.errors import NotFound, ValidationFailed
from digigov.kernel.principals import Principal

from ..models import DatasetResource, OpenDataset
from ..selectors.access import may_read_rows
from ..selectors.datastore import datastore_rows_iter
from .common import deny
from .usage import usage_record

MAX_DOWNLOAD_ROWS = 200_000
CONTENT_TYPES = {
    "CSV": "text/csv; charset=utf-8",
    "JSON": "application/json; charset=utf-8",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Download:
    file_name: str
    content_type: str
    content: bytes


def _csv(columns, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c["id"] for c in columns])
    for row in rows:
        writer.writerow(["" if row[c["id"]] is None else row[c["id"]] for c in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 right


def _xlsx(columns, rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("数据")
    sheet.append([c.get("label") or c["id"] for c in columns])
    for row in rows:
        sheet.append([row[c["id"]] for c in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def resource_download(*, principal: Principal, resource_id, key_owner: str = "") -> Download:
    """The file of a CSV, JSON or XLSX resource for the caller (a person's session or a
    developer key's owner)."""
    try:
        resource = (
            DatasetResource.objects.select_related("dataset", "datastore")
            .filter(pk=resource_id)
            .first()
        )
    except ValueError:
        resource = None
    if (
        resource is None
        or resource.datastore is None
        or resource.dataset.state != OpenDataset.State.PUBLISHED
        or resource.format not in CONTENT_TYPES
    ):
        raise NotFound("数据资源不存在", code="resource_unknown")
    dataset = resource.dataset
    actor = key_owner or (principal.actor if principal.is_authenticated else "")
    if not may_read_rows(actor=actor, dataset=dataset, principal=principal):
        who = principal
        if key_owner and not principal.is_authenticated:
            who = Principal(kind="developer", id=key_owner, source_address=principal.source_address)
        raise deny(
            who,
            action="opendata.resource.download",
            object_type="opendata.resource",
            object_id=resource.pk,
            message="该数据集有条件开放，请先申请并获批准后下载",
            code="opendata/application_required",
        )
    table = resource.datastore
    if table.row_count > MAX_DOWNLOAD_ROWS:
        raise ValidationFailed(
            f"记录超过 {MAX_DOWNLOAD_ROWS} 条，请使用数据接口（datastore_search）分页获取",
            code="download_too_large",
        )
    columns = table.columns
    rows = datastore_rows_iter(table=table)
    if resource.format == "CSV":
        content = _csv(columns, rows)
    elif resource.format == "JSON":
        content = json.dumps(list(rows), ensure_ascii=False).encode("utf-8")
    else:
        content = _xlsx(columns, rows)
    usage_record(dataset_id=dataset.pk, downloads=1)
    if dataset.open_condition == OpenDataset.OpenCondition.CONDITIONAL:
        audit_as(
            principal
            if principal.is_authenticated
            else Principal(kind="developer", id=key_owner, source_address=principal.source_address),
            action="opendata.resource.download",
            object_type="opendata.resource",
            object_id=resource.pk,
            detail={"dataset": dataset.name, "format": resource.format, "holder": actor},
        )
    return Download(
        file_name=f"{dataset.name}.{resource.format.lower()}",
        content_type=CONTENT_TYPES[resource.format],
        content=content,
    )
