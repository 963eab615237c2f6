from django.contrib import admin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = [
        "seq",
        "occurred_at",
        "actor",
        "acting_for",
        "action",
        "object_type",
        "object_id",
        "outcome",
        "source_address",
    ]
    list_filter = ["outcome", "action"]
    search_fields = ["actor", "object_id", "action"]
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
