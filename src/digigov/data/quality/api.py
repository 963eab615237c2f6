"""/api/v1/quality: 数据治理 for staff sessions (the quality pages' data, for scripts and
dashboards of the same civil servants). Thin: parse, call one service or selector, render.
Who may see and do what is decided there (selectors/access.py)."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Router, Status

from digigov.kernel.api.auth import PrincipalSessionAuth

from .models import QualityIssue
from .schemas import (
    DepartmentScoreOut,
    IssueActionIn,
    IssueOut,
    IssuePageOut,
    ResourceScoreOut,
    RunOut,
)
from .selectors.reports import (
    IssueFilters,
    RunReport,
    quality_department_scores,
    quality_issue_get,
    quality_issues,
    quality_resource_scores,
    quality_run_get,
)
from .services.issues import quality_issue_transition
from .services.runs import quality_run

router = Router(tags=["数据治理"], auth=PrincipalSessionAuth())


def _run(report: RunReport) -> dict:
    run = report.run
    return {
        "id": run.pk,
        "resource_code": report.resource_code,
        "resource_name": report.resource_name,
        "organization_name": report.organization_name,
        "trigger": run.trigger,
        "triggered_by": run.triggered_by,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "rows_checked": run.rows_checked,
        "score": run.score,
        "issues_opened": run.issues_opened,
        "issues_closed": run.issues_closed,
        "report": run.report,
    }


def _issue(issue: QualityIssue) -> dict:
    return {
        "id": issue.pk,
        "resource_code": issue.resource.code,
        "resource_name": issue.resource.name,
        "organization_name": issue.organization.name,
        "rule_id": issue.rule_id,
        "rule_kind": issue.rule.kind,
        "row_ref": issue.row_ref,
        "message": issue.message,
        "state": issue.state,
        "state_label": issue.get_state_display(),
        "note": issue.note,
        "handled_by": issue.handled_by,
        "handled_at": issue.handled_at,
        "created_at": issue.created_at,
        "last_run_id": issue.last_run_id,
    }


@router.get(
    "/resources", response=list[ResourceScoreOut], summary="数据资源质量评分（最近一次检查）"
)
def resource_scores(request: HttpRequest, organization_id: int | None = None):
    return quality_resource_scores(principal=request.principal, organization_id=organization_id)


@router.get("/departments", response=list[DepartmentScoreOut], summary="部门数据质量评分")
def department_scores(request: HttpRequest):
    return quality_department_scores(principal=request.principal)


@router.get("/runs/{run_id}", response=RunOut, summary="一次质量检查的报告")
def run_detail(request: HttpRequest, run_id: int):
    return _run(quality_run_get(principal=request.principal, run_id=run_id))


@router.post(
    "/resources/{resource_id}/runs", response={201: RunOut}, summary="立即检查一个数据资源"
)
def run_now(request: HttpRequest, resource_id: int):
    run = quality_run(principal=request.principal, resource_id=resource_id)
    return Status(201, _run(quality_run_get(principal=request.principal, run_id=run.pk)))


@router.get("/issues", response=IssuePageOut, summary="本单位（数据管理机构：所辖单位）的质量问题")
def issue_list(
    request: HttpRequest,
    state: str = "open",
    kind: str = "",
    resource_id: int | None = None,
    organization_id: int | None = None,
    page: int = 1,
    page_size: int = 20,
):
    found = quality_issues(
        principal=request.principal,
        filters=IssueFilters(
            state=state, kind=kind, resource_id=resource_id, organization_id=organization_id
        ),
        page=page,
        page_size=page_size,
    )
    return {
        "rows": [_issue(i) for i in found.rows],
        "total": found.total,
        "page": found.page,
        "page_size": found.page_size,
    }


@router.get("/issues/{issue_id}", response=IssueOut, summary="一个质量问题")
def issue_detail(request: HttpRequest, issue_id: int):
    return _issue(quality_issue_get(principal=request.principal, issue_id=issue_id))


@router.post(
    "/issues/{issue_id}/{action}",
    response=IssueOut,
    summary="处理质量问题：resolve（已解决）、ignore（忽略，须说明理由）、reopen（重新打开）",
)
def issue_action(
    request: HttpRequest,
    issue_id: int,
    action: Literal["resolve", "ignore", "reopen"],
    body: IssueActionIn,
):
    quality_issue_transition(
        principal=request.principal, issue_id=issue_id, action=action, note=body.note
    )
    return _issue(quality_issue_get(principal=request.principal, issue_id=issue_id))
