from django.contrib import admin

from digigov.kernel.audit.services import audit_record

from .models import Indicator, IndicatorValue, ReportedValue, Topic


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("number", "name", "category", "unit", "baseline", "target", "kind")
    list_filter = ("category", "kind")
    # definitions come from the plan (data/indicators.json): read-only here
    readonly_fields = [f.name for f in Indicator._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    list_display = ("indicator", "day", "region", "department", "value", "computed_at")
    list_filter = ("indicator", "day")
    readonly_fields = [f.name for f in IndicatorValue._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ReportedValue)
class ReportedValueAdmin(admin.ModelAdmin):
    list_display = ("indicator", "region", "value", "source", "as_of", "reported_by_label")
    readonly_fields = [f.name for f in ReportedValue._meta.fields]

    def has_add_permission(self, request):
        return False  # reports go through the audited form

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "function", "is_active", "updated_at")
    list_filter = ("function", "is_active")
    filter_horizontal = ("indicators",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            actor=f"staff:{request.user.pk}",
            action="governance.topic.save",
            object_type="governance.Topic",
            object_id=obj.code,
            source_address=request.META.get("REMOTE_ADDR", ""),
            detail={"via": "admin", "created": not change},
        )
