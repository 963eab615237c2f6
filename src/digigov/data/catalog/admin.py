"""Back office of 数据目录 (Django admin): read-only. Resources are registered, reviewed and
retired through the services (staff pages, API), which validate, audit and publish events;
dataset rows are never shown here (they are read through sharing grants only)."""

from __future__ import annotations

from django.contrib import admin

from .models import DataResource, ResourceField, SourceSystem


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ResourceFieldInline(admin.TabularInline):
    model = ResourceField
    fields = ["position", "name", "label", "data_type", "sensitivity", "masking", "is_required"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DataResource)
class DataResourceAdmin(ReadOnlyAdmin):
    list_display = [
        "code",
        "name",
        "organization",
        "layer",
        "share_condition",
        "grade",
        "status",
        "row_count",
    ]
    list_filter = ["status", "layer", "storage", "share_condition", "open_condition", "grade"]
    search_fields = ["code", "name"]
    list_select_related = ["organization"]
    inlines = [ResourceFieldInline]


@admin.register(SourceSystem)
class SourceSystemAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "organization", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["organization"]
