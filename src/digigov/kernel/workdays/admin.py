"""Back office: operators enter a new year's holidays from the State Council's notice.
Saves and deletes go through the audited services."""

from django.contrib import admin

from digigov.kernel.principals import request_principal

from .models import Holiday
from .services import holiday_delete, holiday_set


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "is_workday", "source", "updated_at"]
    list_filter = ["is_workday", "source", "name"]
    search_fields = ["name"]
    date_hierarchy = "date"
    fields = ["date", "is_workday", "name"]

    def save_model(self, request, obj, form, change):
        if change and "date" in form.changed_data:
            holiday_delete(principal=request_principal(request), day=form.initial["date"])
        saved = holiday_set(
            principal=request_principal(request),
            day=obj.date,
            is_workday=obj.is_workday,
            name=obj.name,
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        holiday_delete(principal=request_principal(request), day=obj.date)

    def delete_queryset(self, request, queryset):
        for holiday in queryset:
            holiday_delete(principal=request_principal(request), day=holiday.date)
