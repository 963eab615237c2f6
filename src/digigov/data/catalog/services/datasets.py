"""Topic and thematic datasets (主题库/专题库) loaded by upload: a CSV or JSON file is parsed
into rows, each row is checked for **structure** only (known columns, values that parse as
the field's data type, required values present), and the accepted rows replace the dataset
in one transaction. Semantic quality (ID checksums, duplicates, region references,
timeliness) is the quality app's job: a row with a bad ID checksum is accepted here.

Values are stored normalised: integers as JSON integers, booleans as JSON booleans, decimals
as their exact decimal text ("12.50"), dates and datetimes as ISO 8601 text, strings and
codes as text, empty values as null."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from django.db import transaction
from django.utils import timezone

from digigov.kernel.audit.services import audit_record
from digigov.kernel.errors import NotFound, ValidationFailed
from digigov.kernel.events.services import event_publish
from digigov.kernel.principals import Principal

from ..models import DataResource, DatasetRow, ResourceField
from ..values import ValueInvalid, value_is_empty, value_parse
from .resources import _deny, _require_manager

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
MAX_PROBLEMS = 1000  # reported per upload; the count of rejected rows is always exact
KEY_LENGTH = 120
BATCH = 2000
Mode = Literal["all_or_nothing", "skip_rejected"]
MODES = ("all_or_nothing", "skip_rejected")


@dataclass(frozen=True)
class RowProblem:
    row_number: int  # 1 = the first data row (a CSV file's second line)
    field: str
    message: str


@dataclass
class UploadReport:
    accepted: int
    rejected: list[RowProblem] = field(default_factory=list)
    total: int = 0  # rows in the upload
    rejected_rows: int = 0  # rows refused (a row may have several problems)
    loaded: bool = False  # whether the dataset was replaced
    truncated: bool = False  # more problems than MAX_PROBLEMS were found


# --- parsing files -----------------------------------------------------------------------


def _decode(content: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (what spreadsheet software in China saves)."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("gb18030")
    except UnicodeDecodeError:
        raise ValidationFailed(
            "无法识别文件编码：请保存为 UTF-8 或 GB18030 编码的 CSV", code="upload_encoding"
        ) from None


def _csv_rows(text: str) -> list[dict[str, Any]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ValidationFailed("文件为空", code="upload_empty") from None
    except csv.Error as error:
        raise ValidationFailed(f"CSV 格式错误：{error}", code="upload_malformed") from None
    columns = [name.strip() for name in header]
    if not any(columns):
        raise ValidationFailed("CSV 第一行应为列名", code="upload_header")
    if "" in columns:
        raise ValidationFailed(
            f"CSV 第一行第 {columns.index('') + 1} 列没有列名", code="upload_header"
        )
    duplicates = sorted({c for c in columns if columns.count(c) > 1})
    if duplicates:
        raise ValidationFailed("CSV 列名重复：" + "、".join(duplicates), code="upload_header")
    rows: list[dict[str, Any]] = []
    try:
        for line in reader:
            if not any(cell.strip() for cell in line):
                continue  # blank lines (spreadsheets leave them at the end)
            if len(line) > len(columns):
                raise ValidationFailed(
                    f"CSV 第 {reader.line_num} 行有 {len(line)} 列，多于列名的 {len(columns)} 列",
                    code="upload_malformed",
                )
            rows.append(dict(zip(columns, line + [""] * (len(columns) - len(line)), strict=True)))
            if len(rows) > MAX_ROWS:
                raise ValidationFailed(f"一次至多上传 {MAX_ROWS} 行", code="upload_too_many")
    except csv.Error as error:
        raise ValidationFailed(
            f"CSV 第 {reader.line_num} 行格式错误：{error}", code="upload_malformed"
        ) from None
    return rows


def _json_rows(text: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text, parse_float=Decimal)
    except (json.JSONDecodeError, RecursionError) as error:
        message = getattr(error, "msg", "嵌套过深")
        line = getattr(error, "lineno", 0)
        raise ValidationFailed(
            f"不是有效的 JSON（第 {line} 行：{message}）", code="upload_malformed"
        ) from None
    if isinstance(data, dict) and isinstance(data.get("rows"), list):
        data = data["rows"]
    if not isinstance(data, list):
        raise ValidationFailed('JSON 文件应为对象数组，如 [{"字段": "值"}]', code="upload_shape")
    if len(data) > MAX_ROWS:
        raise ValidationFailed(f"一次至多上传 {MAX_ROWS} 行", code="upload_too_many")
    for number, row in enumerate(data, 1):
        if not isinstance(row, dict):
            raise ValidationFailed(f"JSON 第 {number} 项不是对象", code="upload_shape")
    return data


def dataset_file_parse(content: bytes, file_name: str) -> list[dict[str, Any]]:
    """The rows of an uploaded CSV (header line, UTF-8 with or without BOM, or GB18030) or
    JSON file (an array of objects); by the file name's extension, else by its content."""
    if len(content) > MAX_FILE_BYTES:
        raise ValidationFailed(
            f"文件过大：至多 {MAX_FILE_BYTES // (1024 * 1024)} MB", code="upload_too_large"
        )
    if not content.strip():
        raise ValidationFailed("文件为空", code="upload_empty")
    name = (file_name or "").lower()
    text = _decode(content)
    if name.endswith(".json") or (not name.endswith(".csv") and text.lstrip()[:1] in ("[", "{")):
        return _json_rows(text)
    if name and not name.endswith((".csv", ".txt")):
        raise ValidationFailed("只支持 CSV 或 JSON 文件", code="upload_format")
    return _csv_rows(text)


# --- checking rows -----------------------------------------------------------------------


def row_check(
    row: dict[str, Any], fields: list[ResourceField], key_field: str
) -> tuple[dict[str, Any] | None, list[tuple[str, str]]]:
    """(stored row, []) when the row is sound, else (None, [(field, message), ...]).
    Columns may be named by field name or by the field's Chinese label."""
    problems: list[tuple[str, str]] = []
    by_name = {f.name: f for f in fields}
    if any(name not in by_name for name in row):
        labels = {f.label: f.name for f in fields}
        renamed: dict[str, Any] = {}
        for name, value in row.items():
            if name in by_name:
                renamed[name] = value
            elif name in labels and labels[name] not in row:
                renamed[labels[name]] = value
            else:
                problems.append((str(name), "不是该资源登记的数据项"))
        row = renamed
    stored: dict[str, Any] = {}
    for item in fields:
        raw = row.get(item.name)
        if value_is_empty(raw):
            stored[item.name] = None
            if item.is_required or item.name == key_field:
                problems.append((item.name, "必填，不能为空"))
            continue
        try:
            stored[item.name] = value_parse(raw, item.data_type)
        except ValueInvalid as bad:
            problems.append((item.name, str(bad)))
    if key_field and stored.get(key_field) is not None and len(str(stored[key_field])) > KEY_LENGTH:
        problems.append((key_field, f"主键值至多 {KEY_LENGTH} 个字符"))
    return (None, problems) if problems else (stored, [])


def _key(stored: dict[str, Any], key_field: str) -> str:
    value = stored.get(key_field) if key_field else None
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --- the command -------------------------------------------------------------------------


def dataset_rows_replace(
    *,
    principal: Principal,
    resource_id: int,
    rows: list[dict],
    file_name: str = "",
    mode: Mode = "all_or_nothing",
) -> UploadReport:
    """Replace the rows of a dataset resource with the accepted rows of an upload.

    all_or_nothing: any rejected row keeps the dataset as it was (the report says why);
    skip_rejected: the accepted rows are loaded and the rejected ones reported. The upload
    and its outcome are audited either way; `catalog.dataset.loaded` is raised on a load."""
    resource = DataResource.objects.select_related("organization").filter(pk=resource_id).first()
    if resource is None:
        raise NotFound("数据资源不存在", code="resource_unknown")
    _require_manager(
        principal, action="upload", code=resource.code, organization_id=resource.organization_id
    )
    if mode not in MODES:
        raise ValidationFailed(
            "上传方式应为 all_or_nothing（全部通过才载入）或 skip_rejected（跳过有误的行）",
            fields={"mode": ["取值无效"]},
        )
    if resource.storage != DataResource.Storage.DATASET:
        raise ValidationFailed(
            "只有“平台存储（上传数据集）”的资源可以上传数据", code="resource_not_dataset"
        )
    if resource.status == DataResource.Status.RETIRED:
        _deny(
            principal,
            action="upload",
            code=resource.code,
            reason="resource_retired",
            message="数据资源已下线，不能再上传数据",
        )
    if not isinstance(rows, list) or not rows:
        raise ValidationFailed("上传内容没有数据行", code="upload_empty")
    if len(rows) > MAX_ROWS:
        raise ValidationFailed(f"一次至多上传 {MAX_ROWS} 行", code="upload_too_many")

    fields = list(resource.fields.order_by("position"))
    key_field = resource.key_field
    report = UploadReport(accepted=0, total=len(rows))
    accepted: list[DatasetRow] = []
    for number, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            stored, problems = None, [("", "应为对象（字段名: 值）")]
        else:
            stored, problems = row_check(row, fields, key_field)
        if stored is None:
            report.rejected_rows += 1
            for name, message in problems:
                if len(report.rejected) < MAX_PROBLEMS:
                    report.rejected.append(RowProblem(number, name, message))
                else:
                    report.truncated = True
            continue
        accepted.append(
            DatasetRow(
                resource_id=resource.pk,
                row_number=len(accepted) + 1,
                key=_key(stored, key_field),
                data=stored,
            )
        )
    report.accepted = len(accepted)
    load = bool(accepted) and (mode == "skip_rejected" or not report.rejected_rows)
    detail = {
        "file": (file_name or "")[:200],
        "mode": mode,
        "total": report.total,
        "accepted": report.accepted,
        "rejected_rows": report.rejected_rows,
        "loaded": load,
    }
    with transaction.atomic():
        locked = DataResource.objects.select_for_update().get(pk=resource.pk)
        if locked.status == DataResource.Status.RETIRED:  # retired since the check above
            load = detail["loaded"] = False
        if load:
            DatasetRow.objects.filter(resource_id=resource.pk).delete()
            DatasetRow.objects.bulk_create(accepted, batch_size=BATCH)
            locked.row_count = len(accepted)
            locked.data_updated_at = timezone.now()
            locked.save(update_fields=["row_count", "data_updated_at", "updated_at"])
        audit_record(
            actor=principal.actor,
            acting_for=principal.acting_for,
            action="catalog.dataset.load" if load else "catalog.dataset.refuse",
            object_type="catalog.resource",
            object_id=resource.code,
            outcome="success" if load else "failure",
            source_address=principal.source_address,
            detail=detail,
        )
        if load:
            event_publish(
                topic="catalog.dataset.loaded",
                payload={
                    "resource_id": resource.pk,
                    "code": resource.code,
                    "organization_id": resource.organization_id,
                    "rows": len(accepted),
                    "rejected_rows": report.rejected_rows,
                    "actor": principal.actor,
                },
            )
    if not load:
        report.accepted = 0
    report.loaded = load
    return report


def dataset_file_load(
    *,
    principal: Principal,
    resource_id: int,
    content: bytes,
    file_name: str,
    mode: Mode = "all_or_nothing",
) -> UploadReport:
    """Parse an uploaded file and replace the dataset with its rows (see above)."""
    resource = DataResource.objects.filter(pk=resource_id).only("organization_id", "code").first()
    if resource is None:
        raise NotFound("数据资源不存在", code="resource_unknown")
    # who may is checked before the file is even parsed
    _require_manager(
        principal, action="upload", code=resource.code, organization_id=resource.organization_id
    )
    try:
        rows = dataset_file_parse(content, file_name)
    except ValidationFailed as error:
        # a malformed file changes nothing, but the attempt is on record
        audit_record(
            actor=principal.actor,
            acting_for=principal.acting_for,
            action="catalog.dataset.refuse",
            object_type="catalog.resource",
            object_id=resource.code,
            outcome="failure",
            source_address=principal.source_address,
            detail={"file": (file_name or "")[:200], "error": error.code, "bytes": len(content)},
        )
        raise
    return dataset_rows_replace(
        principal=principal, resource_id=resource_id, rows=rows, file_name=file_name, mode=mode
    )
