from django.contrib import admin

from .models import Organization


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "region", "parent", "is_active"]
    list_filter = ["level", "function", "is_active"]
    search_fields = ["code", "name"]
    raw_id_fields = ["region", "parent"]
