"""Back office for accounts, delegations, entity bindings and OIDC keys.

The admin site itself is closed to anyone who has not passed the TOTP step, and its login
page is our login page (password, then TOTP): the admin never accepts a password alone.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils.html import format_html

from digigov.kernel.ids import mask_id_number
from digigov.kernel.principals import request_principal

from .models import Account, Delegation, EntityBinding, OidcSigningKey
from .services import account_back_office_change


def _admin_has_permission(request) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and user.is_verified())


def _admin_login(request, extra_context=None):
    user = request.user
    target = "identity:otp" if user.is_authenticated and user.is_staff else "identity:login"
    # Our login and OTP pages check that `next` stays on this site.
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"), reverse(target))


admin.site.has_permission = _admin_has_permission
admin.site.login = _admin_login
admin.site.site_header = "digigov 后台管理"
admin.site.site_title = "digigov 后台管理"


@admin.register(Account)
class AccountAdmin(UserAdmin):
    list_display = (
        "username",
        "real_name",
        "kind",
        "real_name_level",
        "id_number_masked",
        "organization",
        "is_active",
        "last_login",
    )
    list_filter = ("kind", "real_name_level", "organization__level", "is_active", "groups")
    search_fields = ("username", "real_name")
    autocomplete_fields = ("organization",)
    list_select_related = ("organization",)
    ordering = ("username",)
    readonly_fields = (
        "id_number_masked",
        "real_name_level",
        "verified_by",
        "verified_at",
        "verified_place",
        "last_login",
        "date_joined",
    )
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("身份", {"fields": ("kind", "real_name", "id_number_masked", "real_name_level")}),
        ("现场核验（L3）", {"fields": ("verified_by", "verified_at", "verified_place")}),
        ("公职人员", {"fields": ("organization", "groups", "is_staff", "is_superuser")}),
        ("状态", {"fields": ("is_active", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "kind", "organization", "password1", "password2")}),
    )

    @admin.display(description="身份证号")
    def id_number_masked(self, obj: Account) -> str:
        return mask_id_number(obj.id_number) if obj.id_number else "—"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # roles (groups) are m2m
        account_back_office_change(
            principal=request_principal(request),
            account_id=form.instance.pk,
            changed=list(form.changed_data),
            created=not change,
        )


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    list_display = ("id", "grantor", "agent_masked", "scopes", "expires_at", "revoked_at")
    list_filter = ("revoked_at",)
    list_select_related = ("grantor",)
    # ID numbers and names only masked: the back office sees who, not the full identity.
    fields = readonly_fields = (
        "grantor",
        "agent_masked",
        "scopes",
        "expires_at",
        "created_at",
        "revoked_at",
        "revoked_by",
    )

    @admin.display(description="代办人")
    def agent_masked(self, obj: Delegation) -> str:
        return f"{obj.agent_name[:1]}** {mask_id_number(obj.agent_id_number)}"

    def has_add_permission(self, request) -> bool:
        return False  # only the citizen grants (services.delegation_grant)

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(EntityBinding)
class EntityBindingAdmin(admin.ModelAdmin):
    list_display = ("id", "account", "entity_id", "role", "expires_at", "revoked_at")
    list_filter = ("role", "revoked_at")
    search_fields = ("account__username", "entity__uscc", "entity__name")
    list_select_related = ("account",)
    readonly_fields = [f.name for f in EntityBinding._meta.fields if f.name != "id"]

    def has_add_permission(self, request) -> bool:
        return False  # bindings are made by services (legal representative check)

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OidcSigningKey)
class OidcSigningKeyAdmin(admin.ModelAdmin):
    list_display = ("kid", "is_active", "created_at", "retired_at")
    list_filter = ("is_active",)
    fields = ("kid", "is_active", "created_at", "retired_at", "public_key")
    readonly_fields = fields

    @admin.display(description="公钥（JWK）")
    def public_key(self, obj: OidcSigningKey):
        return format_html("<code>{}</code>", obj.public_jwk.get("n", "")[:48] + "…")

    def has_add_permission(self, request) -> bool:
        return False  # `digigov oidc_rotate_key`

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
