"""Back office: device kinds are edited here (range, reporting interval, grace factor);
devices, rules and alerts change through the staff pages and the API (which audit them);
readings are append-only and not listed (too many rows for the admin)."""

from django.contrib import admin

from .models import Alert, Device, DeviceKind, Rejection, Rule


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DeviceKind)
class DeviceKindAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "unit",
        "min_value",
        "max_value",
        "is_video",
        "expected_interval_seconds",
        "offline_grace_factor",
    )

    def has_delete_permission(self, request, obj=None):
        return False  # devices and rules refer to it


@admin.register(Device)
class DeviceAdmin(ReadOnly):
    list_display = ("code", "name", "kind", "region", "state", "last_seen_at", "is_active")
    list_filter = ("kind", "state", "is_active")
    search_fields = ("code", "name")


@admin.register(Rule)
class RuleAdmin(ReadOnly):
    list_display = ("name", "kind", "device", "rule_type", "limit", "consecutive", "level")
    list_filter = ("kind", "rule_type", "level", "is_active")


@admin.register(Alert)
class AlertAdmin(ReadOnly):
    list_display = (
        "id",
        "device",
        "rule",
        "value",
        "raised_at",
        "level",
        "state",
        "city_event_number",
    )
    list_filter = ("state", "level")


@admin.register(Rejection)
class RejectionAdmin(ReadOnly):
    list_display = ("received_at", "topic", "reason", "detail")
    list_filter = ("reason",)
