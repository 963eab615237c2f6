"""粤政易 · 数据分析工作台: authorised analysts (数据分析人员) make masked DuckDB snapshots of
topic and thematic datasets and run one read-only SQL query at a time on them; results as
a table (at most 1,000 rows), the history of my queries. Every query is audited; refused
statements say why. Thin: parse the form, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from digigov.data.quality.selectors.workspace import (
    workspace_history,
    workspace_resources,
    workspace_snapshot_get,
    workspace_snapshots,
)
from digigov.data.quality.services.workspace import workspace_query, workspace_snapshot_create
from digigov.kernel.errors import DomainError, PermissionDenied, Unauthenticated
from digigov.kernel.principals import request_principal

from .views import PORTAL, staff_required

NAV = {**PORTAL, "nav": "workspace"}
EXAMPLE = "SELECT region_code, count(*) AS 企业数\nFROM data\nGROUP BY region_code\nORDER BY 2 DESC"


def _refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    context = {**NAV, "page_title": "无权访问", "message": error.message}
    return render(request, "staff/refused.html", context, status=403)


def _int(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def workspace(request: HttpRequest) -> HttpResponse:
    """GET: the workspace. POST: run the query of the SQL box and show its result."""
    principal = request_principal(request)
    result = error = None
    sql = EXAMPLE
    chosen = _int(request.GET.get("snapshot"))
    if request.method == "POST":
        sql = request.POST.get("sql", "")
        chosen = _int(request.POST.get("snapshot"))
        try:
            result = workspace_query(principal=principal, snapshot_id=chosen or 0, sql=sql)
        except (PermissionDenied, Unauthenticated) as denied:
            return _refused(request, denied)
        except DomainError as failed:
            error = failed.message
    try:
        snapshots = workspace_snapshots(principal=principal)
        resources = workspace_resources(principal=principal)
        history = workspace_history(principal=principal)
        current = (
            workspace_snapshot_get(principal=principal, snapshot_id=chosen) if chosen else None
        ) or (snapshots[0] if snapshots else None)
    except (PermissionDenied, Unauthenticated) as denied:
        return _refused(request, denied)
    context = {
        **NAV,
        "page_title": "数据分析工作台",
        "snapshots": snapshots,
        "resources": resources,
        "history": history,
        "current": current,
        "sql": sql,
        "result": result,
        "error": error,
    }
    return render(request, "staff/workspace/index.html", context, status=422 if error else 200)


@require_POST
@staff_required
def workspace_snapshot(request: HttpRequest) -> HttpResponse:
    try:
        snapshot = workspace_snapshot_create(
            principal=request_principal(request),
            resource_id=_int(request.POST.get("resource")) or 0,
        )
    except (PermissionDenied, Unauthenticated) as denied:
        return _refused(request, denied)
    except DomainError as failed:
        messages.error(request, f"未能建立快照：{failed.message}")
        return redirect("staff:workspace")
    messages.success(request, f"已建立快照（{snapshot.row_count} 行，个人信息已脱敏）。")
    return redirect(f"{reverse('staff:workspace')}?snapshot={snapshot.pk}")
