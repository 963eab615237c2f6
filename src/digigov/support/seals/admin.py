"""Back office of 电子印章: read-only. Seals change only through the services (apply,
approve, suspend, resume, revoke) from the staff workbench, so every change is audited."""

from __future__ import annotations

from django.contrib import admin

from .models import Authority, PersonalSignature, Seal, SealStatusChange, SealUse, SignatureKey


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class StatusChangeInline(admin.TabularInline):
    model = SealStatusChange
    extra = 0
    can_delete = False
    fields = ["status", "at", "actor_label", "actor", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Seal)
class SealAdmin(_ReadOnly):
    list_display = ["name", "organization", "kind", "status", "valid_until"]
    list_filter = ["status", "kind"]
    search_fields = ["name", "organization__code", "certificate_serial"]
    exclude = ["certificate_der"]
    inlines = [StatusChangeInline]


@admin.register(SealUse)
class SealUseAdmin(_ReadOnly):
    list_display = ["used_at", "seal", "file_name", "purpose", "actor_label"]
    search_fields = ["file_name", "document_sm3", "sealed_sm3"]
    date_hierarchy = "used_at"


@admin.register(Authority)
class AuthorityAdmin(_ReadOnly):
    list_display = ["subject", "role", "valid_from", "valid_until", "is_active"]
    exclude = ["certificate_der"]


@admin.register(SignatureKey)
class SignatureKeyAdmin(_ReadOnly):
    list_display = ["key_id", "holder_name", "created_at", "revoked_at"]
    exclude = ["id_number_sm3"]


@admin.register(PersonalSignature)
class PersonalSignatureAdmin(_ReadOnly):
    list_display = ["object_ref", "title", "signed_at"]
    exclude = ["signed_payload"]
