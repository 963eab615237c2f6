"""The analytics workspace (数据分析工作台): authorised analysts (quality.use_workspace) copy a
topic or thematic dataset into a DuckDB snapshot and run read-only SQL on it.

Never the live data: a snapshot holds the rows as they were, personal fields masked by
their catalog masking rule (a field graded "个人信息" with no rule is redacted), so the
analyst never sees a personal value in clear. Base registries cannot be snapshotted. Every
snapshot and every query (its text, rows returned and outcome; refusals too) is audited and
kept in the analyst's history."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from digigov.data.catalog.selectors.resources import resource_by_id, resource_field_list
from digigov.data.catalog.selectors.rows import resource_rows_iter
from digigov.kernel.audit.services import audit_record
from digigov.kernel.errors import NotFound, ValidationFailed
from digigov.kernel.events.services import event_publish
from digigov.kernel.principals import Principal

from .. import duck
from ..masking import value_mask
from ..models import WorkspaceQuery, WorkspaceSnapshot
from ..selectors.access import WORKSPACE, quality_scope, refuse

TABLE = "data"  # every snapshot holds one table of this name
SNAPSHOT_LAYERS = ("topic", "thematic")
MAX_SNAPSHOT_ROWS = 2_000_000


def workspace_dir() -> Path:
    return Path(settings.VAR_DIR) / "workspace"


def snapshot_path(snapshot: WorkspaceSnapshot) -> Path:
    return workspace_dir() / snapshot.file_name


def _masking(field) -> str:
    masking = field.masking or "none"
    if masking == "none" and field.sensitivity == "personal":
        return "redact"  # personal information without a rule: never in clear
    return masking


def workspace_snapshot_create(*, principal: Principal, resource_id: int) -> WorkspaceSnapshot:
    """Copy a published topic/thematic dataset into a new masked DuckDB snapshot."""
    resource = resource_by_id(resource_id=resource_id)
    if resource is None:
        raise NotFound("数据资源不存在", code="resource_unknown")
    action = "quality.workspace.snapshot"
    scope = quality_scope(principal=principal, purpose=WORKSPACE, action=action)
    if not scope.covers(resource.organization):
        refuse(
            principal,
            action=action,
            object_type="catalog.resource",
            object_id=resource.code,
            reason="只能对本单位（数据管理机构：所辖地区）的数据集建立分析快照",
        )
    if resource.layer not in SNAPSHOT_LAYERS or resource.storage != "dataset":
        refuse(
            principal,
            action=action,
            object_type="catalog.resource",
            object_id=resource.code,
            reason="分析工作台只能使用主题库、专题库数据集，不能使用基础库或部门接口",
        )
    if resource.status != "published":
        raise ValidationFailed("只有已发布的数据集可以建立分析快照", code="resource_not_published")
    if resource.row_count > MAX_SNAPSHOT_ROWS:
        raise ValidationFailed(
            f"数据集超过 {MAX_SNAPSHOT_ROWS:,} 行，不能建立快照", code="snapshot_too_large"
        )
    fields = resource_field_list(resource_id=resource.pk)
    if not fields:
        raise ValidationFailed("数据集没有登记数据项", code="resource_no_fields")
    maskings = [_masking(f) for f in fields]
    columns = [
        duck.Column(f.name, f.label, f.data_type if m == "none" else "string")
        for f, m in zip(fields, maskings, strict=True)
    ]
    names = [f.name for f in fields]

    def rows():
        for _, row in resource_rows_iter(resource=resource, fields=names):
            yield [
                row.get(name)
                if masking == "none"
                else value_mask(masking=masking, value=row.get(name))
                for name, masking in zip(names, maskings, strict=True)
            ]

    file_name = f"{uuid.uuid4().hex}.duckdb"
    path = workspace_dir() / file_name
    count = duck.snapshot_write(path=path, table=TABLE, columns=columns, rows=rows())
    masked = [f.name for f, m in zip(fields, maskings, strict=True) if m != "none"]
    try:
        with transaction.atomic():
            snapshot = WorkspaceSnapshot.objects.create(
                resource_id=resource.pk,
                organization_id=resource.organization_id,
                file_name=file_name,
                table_name=TABLE,
                columns=[
                    {"name": c.name, "label": c.label, "masking": m}
                    for c, m in zip(columns, maskings, strict=True)
                ],
                row_count=count,
                data_updated_at=resource.data_updated_at,
                created_by=principal.actor,
            )
            audit_record(
                actor=principal.actor,
                acting_for=principal.acting_for,
                action=action,
                object_type="catalog.resource",
                object_id=resource.code,
                source_address=principal.source_address,
                detail={"snapshot": snapshot.pk, "rows": count, "masked": masked},
            )
            event_publish(
                topic="quality.workspace.snapshot_created",
                payload={
                    "snapshot_id": snapshot.pk,
                    "resource_id": resource.pk,
                    "rows": count,
                    "actor": principal.actor,
                },
            )
    except BaseException:
        path.unlink(missing_ok=True)  # no record, no file
        raise
    return snapshot


@dataclass(frozen=True)
class QueryResult:
    query_id: int
    columns: list[str]
    rows: list[list[Any]]
    is_truncated: bool
    row_limit: int


def _log(principal, snapshot, sql, outcome, message="", rows=0, truncated=False) -> WorkspaceQuery:
    with transaction.atomic():
        query = WorkspaceQuery.objects.create(
            snapshot=snapshot,
            actor=principal.actor,
            sql=sql[: duck.MAX_SQL_CHARS],
            outcome=outcome,
            message=message[:300],
            rows_returned=rows,
            is_truncated=truncated,
        )
        audit_record(
            actor=principal.actor,
            acting_for=principal.acting_for,
            action="quality.workspace.query",
            object_type="quality.snapshot",
            object_id=str(snapshot.pk if snapshot else ""),
            outcome={"success": "success", "refused": "denied"}.get(outcome, "failure"),
            source_address=principal.source_address,
            detail={
                "query": query.pk,
                "sql": sql[:2000],
                "rows": rows,
                "truncated": truncated,
                "outcome": outcome,
                "message": message[:300],
            },
        )
    return query


def workspace_query(*, principal: Principal, snapshot_id: int, sql: str) -> QueryResult:
    """Run one read-only query on a snapshot. A refused or failed query is logged and
    audited, then raised as ValidationFailed with the reason."""
    sql = (sql or "").strip()
    scope = quality_scope(principal=principal, purpose=WORKSPACE, action="quality.workspace.query")
    snapshot = (
        WorkspaceSnapshot.objects.select_related("organization").filter(pk=snapshot_id).first()
    )
    if snapshot is None or not scope.covers(snapshot.organization):
        refuse(
            principal,
            action="quality.workspace.query",
            object_type="quality.snapshot",
            object_id=str(snapshot_id),
            reason="分析快照不存在或无权使用",
        )
    path = snapshot_path(snapshot)
    if not path.exists():
        _log(principal, snapshot, sql, WorkspaceQuery.Outcome.FAILED, "快照文件已不存在")
        raise ValidationFailed("快照文件已不存在，请重新建立快照", code="snapshot_missing")
    try:
        result = duck.query_run(
            path=path, sql=sql, row_limit=duck.ROW_LIMIT, time_limit=duck.TIME_LIMIT_SECONDS
        )
    except duck.Refused as refused:
        _log(principal, snapshot, sql, WorkspaceQuery.Outcome.REFUSED, str(refused))
        raise ValidationFailed(str(refused), code="workspace_refused") from None
    except duck.Failed as failed:
        _log(principal, snapshot, sql, WorkspaceQuery.Outcome.FAILED, str(failed))
        raise ValidationFailed(str(failed), code="workspace_failed") from None
    query = _log(
        principal,
        snapshot,
        sql,
        WorkspaceQuery.Outcome.SUCCESS,
        rows=len(result.rows),
        truncated=result.is_truncated,
    )
    return QueryResult(
        query_id=query.pk,
        columns=result.columns,
        rows=result.rows,
        is_truncated=result.is_truncated,
        row_limit=duck.ROW_LIMIT,
    )
