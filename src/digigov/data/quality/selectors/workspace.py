"""What an analyst sees in the workspace: the datasets they may snapshot, the snapshots
they may query, and their own query history."""

from __future__ import annotations

from dataclasses import dataclass

from digigov.data.catalog.selectors.resources import ResourceFilters, resource_list
from digigov.kernel.principals import Principal

from ..models import WorkspaceQuery, WorkspaceSnapshot
from .access import WORKSPACE, quality_scope

MAX_RESOURCES = 100


@dataclass(frozen=True)
class Snapshotable:
    resource_id: int
    code: str
    name: str
    organization_name: str
    layer_label: str
    row_count: int


def workspace_resources(*, principal: Principal) -> list[Snapshotable]:
    """Published topic and thematic datasets of the departments the analyst covers."""
    scope = quality_scope(principal=principal, purpose=WORKSPACE)
    page = resource_list(
        principal=principal,
        filters=ResourceFilters(storage="dataset", status="published"),
        page_size=MAX_RESOURCES,
    )
    return [
        Snapshotable(
            resource_id=r.pk,
            code=r.code,
            name=r.name,
            organization_name=r.organization.name,
            layer_label=r.get_layer_display(),
            row_count=r.row_count,
        )
        for r in page.rows
        if r.layer in ("topic", "thematic") and scope.covers(r.organization)
    ]


def workspace_snapshots(*, principal: Principal, limit: int = 50) -> list[WorkspaceSnapshot]:
    scope = quality_scope(principal=principal, purpose=WORKSPACE)
    return list(
        WorkspaceSnapshot.objects.filter(scope.organization_filter("organization"))
        .select_related("resource", "organization")
        .order_by("-id")[:limit]
    )


def workspace_snapshot_get(*, principal: Principal, snapshot_id: int) -> WorkspaceSnapshot | None:
    scope = quality_scope(principal=principal, purpose=WORKSPACE)
    return (
        WorkspaceSnapshot.objects.filter(scope.organization_filter("organization"))
        .select_related("resource", "organization")
        .filter(pk=snapshot_id)
        .first()
    )


def workspace_history(*, principal: Principal, limit: int = 20) -> list[WorkspaceQuery]:
    """The principal's own queries, newest first."""
    quality_scope(principal=principal, purpose=WORKSPACE)
    return list(
        WorkspaceQuery.objects.filter(actor=principal.actor)
        .select_related("snapshot", "snapshot__resource")
        .order_by("-id")[:limit]
    )
