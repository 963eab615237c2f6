from django.contrib import admin

from .models import Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "is_synthetic"]
    list_filter = ["level", "is_synthetic"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]
