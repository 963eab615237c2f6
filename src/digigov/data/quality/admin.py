"""Back office of 数据治理: read-only. Rules, runs, issues and snapshots change only through
the services (staff pages, API, `digigov quality_run`), so every change is audited."""

from __future__ import annotations

from django.contrib import admin

from .models import QualityIssue, QualityRule, QualityRun, WorkspaceQuery, WorkspaceSnapshot


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(QualityRule)
class QualityRuleAdmin(_ReadOnly):
    list_display = ["resource", "kind", "field_names", "check_type", "weight", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["resource__code", "resource__name"]


@admin.register(QualityRun)
class QualityRunAdmin(_ReadOnly):
    list_display = ["resource", "finished_at", "rows_checked", "score", "issues_opened"]
    list_filter = ["trigger"]
    search_fields = ["resource__code"]


@admin.register(QualityIssue)
class QualityIssueAdmin(_ReadOnly):
    list_display = ["resource", "row_ref", "message", "state", "organization"]
    list_filter = ["state", "rule__kind"]
    search_fields = ["resource__code", "row_ref"]


@admin.register(WorkspaceSnapshot)
class WorkspaceSnapshotAdmin(_ReadOnly):
    list_display = ["resource", "created_at", "row_count", "created_by"]
    exclude = ["file_name"]


@admin.register(WorkspaceQuery)
class WorkspaceQueryAdmin(_ReadOnly):
    list_display = ["created_at", "actor", "outcome", "rows_returned"]
    list_filter = ["outcome"]
    search_fields = ["actor", "sql"]
