from django.contrib import admin, messages

from digigov.kernel.principals import request_principal

from .models import ApiKey, MachineClient
from .services import api_key_issue, api_key_revoke


class ApiKeyInline(admin.TabularInline):
    model = ApiKey
    extra = 0
    can_delete = False
    fields = ["prefix", "created_at", "expires_at", "revoked_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.action(description="签发新的 API 密钥（只显示一次）")
def issue_key(modeladmin, request, queryset):
    for client in queryset:
        key = api_key_issue(actor=request_principal(request), client_id=client.pk)
        messages.warning(
            request, f"{client.name} 的新 API 密钥（请立即保存，只显示这一次）：{key.key}"
        )


@admin.action(description="吊销所选客户端的全部 API 密钥")
def revoke_keys(modeladmin, request, queryset):
    for key in ApiKey.objects.filter(client__in=queryset, revoked_at__isnull=True):
        api_key_revoke(actor=request_principal(request), key_id=key.pk)
    messages.success(request, "已吊销。")


@admin.register(MachineClient)
class MachineClientAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "scopes", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    raw_id_fields = ["organization", "oauth_application"]
    inlines = [ApiKeyInline]
    actions = [issue_key, revoke_keys]
