"""Back office: read-only views of requests, grants and the exchange log (changes go through
the services and the staff pages, which audit them; the log is append-only)."""

from django.contrib import admin

from .models import ExchangeLogEntry, Grant, SharingRequest


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SharingRequest)
class SharingRequestAdmin(ReadOnly):
    list_display = ("id", "requester_organization", "resource", "state", "submitted_at")
    list_filter = ("state", "share_condition", "decision_mode")
    search_fields = ("resource__code", "purpose")


@admin.register(Grant)
class GrantAdmin(ReadOnly):
    list_display = ("id", "organization", "resource", "status", "valid_until", "may_export")
    list_filter = ("status", "may_export")


@admin.register(ExchangeLogEntry)
class ExchangeLogEntryAdmin(ReadOnly):
    list_display = ("seq", "occurred_at", "client_label", "resource_code", "operation", "outcome")
    list_filter = ("operation", "outcome")
    exclude = ("signature",)
