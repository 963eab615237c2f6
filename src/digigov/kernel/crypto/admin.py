from django.contrib import admin

from .models import CryptoKey


@admin.register(CryptoKey)
class CryptoKeyAdmin(admin.ModelAdmin):
    list_display = ["key_id", "kind", "algorithm", "purpose", "owner", "is_active", "created_at"]
    list_filter = ["kind", "algorithm", "is_active"]
    search_fields = ["key_id", "purpose", "owner"]
    exclude = ["wrapped_secret"]
    readonly_fields = [
        "key_id",
        "kind",
        "algorithm",
        "purpose",
        "owner",
        "public_der",
        "is_active",
        "created_at",
        "retired_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
