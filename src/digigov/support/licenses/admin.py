"""Back office of 电子证照 (Django admin). Licenses are read-only here: they are issued and
their status changed through the services (staff pages, API), which sign, audit and publish
the change; the catalog can be edited (the data file reloads over it on `digigov seed`)."""

from __future__ import annotations

from django.contrib import admin

from .models import License, LicenseType, StatusList


@admin.register(LicenseType)
class LicenseTypeAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "issuing_function",
        "holder_kind",
        "validity_years",
        "is_active",
    ]
    list_filter = ["holder_kind", "issuing_function", "is_active"]
    search_fields = ["code", "name"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(License)
class LicenseAdmin(ReadOnlyAdmin):
    list_display = ["address", "license_type", "issuer", "status", "valid_from", "valid_until"]
    list_filter = ["status", "source", "license_type"]
    search_fields = ["address", "number"]
    list_select_related = ["license_type", "issuer"]
    # the holder's ID number and face data stay out of the list (read on the detail page)
    exclude = ["signed_payload"]


@admin.register(StatusList)
class StatusListAdmin(ReadOnlyAdmin):
    list_display = ["issuer", "purpose", "sequence", "next_index", "version", "updated_at"]
    list_filter = ["purpose"]
    exclude = ["bits"]
