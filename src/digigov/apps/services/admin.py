"""Back office of 一网通办 (Django admin). Each area keeps its admin classes in one block.
Admin actions call the services, never write rows themselves."""

from __future__ import annotations

from django.contrib import admin, messages

from digigov.kernel.errors import DomainError
from digigov.kernel.principals import request_principal

from .models import ClockSetting, Rating, Rectification, ServiceItem, ServiceItemVersion

# --- catalog (事项管理) -----------------------------------------------------------------------


class ServiceItemVersionInline(admin.TabularInline):
    """Versions are read-only here: edits go through drafts and review."""

    model = ServiceItemVersion
    fk_name = "item"
    extra = 0
    can_delete = False
    show_change_link = False
    ordering = ["-number"]
    fields = [
        "number",
        "status",
        "name",
        "approval_mode",
        "promised_days",
        "change_note",
        "created_by",
        "reviewed_by",
        "review_comment",
        "published_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


def _run_on_items(modeladmin, request, queryset, command, done: str, **kwargs) -> None:
    from .services import items as item_services

    principal = request_principal(request)
    succeeded, failed = 0, []
    for item in queryset.order_by("code"):
        try:
            getattr(item_services, command)(principal=principal, code=item.code, **kwargs)
            succeeded += 1
        except DomainError as error:
            failed.append(f"{item.code}：{error.message}")
    if succeeded:
        modeladmin.message_user(request, f"{done} {succeeded} 个事项。", messages.SUCCESS)
    for line in failed[:20]:
        modeladmin.message_user(request, line, messages.ERROR)


@admin.action(description="提交审核所选事项的草稿")
def submit_for_review(modeladmin, request, queryset):
    _run_on_items(modeladmin, request, queryset, "item_submit_review", "已提交审核")


@admin.action(description="审核发布所选事项（双人复核）")
def publish(modeladmin, request, queryset):
    _run_on_items(modeladmin, request, queryset, "item_publish", "已发布")


@admin.action(description="退回所选事项的待审核版本")
def reject(modeladmin, request, queryset):
    _run_on_items(
        modeladmin,
        request,
        queryset,
        "item_reject",
        "已退回",
        comment="请按审核意见修改后重新提交（后台退回）",
    )


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = ["code", "published_name", "organization", "region", "is_standard", "is_active"]
    list_filter = ["is_standard", "is_active", "organization__function"]
    search_fields = ["code", "standard_code", "published__name"]
    list_select_related = ["published", "organization", "region"]
    readonly_fields = [
        "code",
        "standard_code",
        "is_standard",
        "organization",
        "region",
        "published",
        "is_active",
        "created_at",
    ]
    inlines = [ServiceItemVersionInline]
    actions = [submit_for_review, publish, reject]
    show_full_result_count = False

    @admin.display(description="事项名称", ordering="published__name")
    def published_name(self, obj: ServiceItem) -> str:
        return obj.published.name if obj.published_id else "（未发布）"

    def has_add_permission(self, request) -> bool:
        return False  # created through item_create (API, CLI, seed)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# --- end of catalog --------------------------------------------------------------------------


# --- clock and ratings (限时办结预警, 好差评) ---------------------------------------------------


@admin.register(ClockSetting)
class ClockSettingAdmin(admin.ModelAdmin):
    """The warning thresholds (one row); saved through the audited service."""

    list_display = ["__str__", "yellow_days", "yellow_percent", "updated_at"]
    fields = ["yellow_days", "yellow_percent"]

    def has_add_permission(self, request) -> bool:
        return not ClockSetting.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        from .services.clock import clock_setting_update

        try:
            saved = clock_setting_update(
                principal=request_principal(request),
                yellow_days=obj.yellow_days,
                yellow_percent=obj.yellow_percent,
            )
        except DomainError as error:
            messages.error(request, error.message)
            return
        obj.pk = saved.pk


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    """Ratings are the applicants' words: read-only in the back office."""

    list_display = ["application", "grade", "channel", "organization", "region", "rated_at"]
    list_filter = ["grade", "channel"]
    search_fields = ["application__number"]
    readonly_fields = [f.name for f in Rating._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Rectification)
class RectificationAdmin(admin.ModelAdmin):
    """Replies are given on the staff workbench (/staff/rectifications/)."""

    list_display = ["rating", "organization", "due_date", "status", "replied_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in Rectification._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# --- approval (秒批规则, 告知承诺) -------------------------------------------------------------
# Rules are edited as JSON and saved through services.instant (validation, numbering,
# audit); a published set is read-only: saving it makes the next draft.

from django import forms  # noqa: E402

from .models import CommitmentCheck, InstantDecision, InstantRuleSet  # noqa: E402
from .services import instant as instant_services  # noqa: E402


class InstantRuleSetForm(forms.ModelForm):
    class Meta:
        model = InstantRuleSet
        fields = ["standard_code", "rules", "change_note"]


@admin.action(description="发布所选规则草稿")
def ruleset_publish_action(modeladmin, request, queryset):
    principal = request_principal(request)
    for rule_set in queryset:
        try:
            instant_services.ruleset_publish(principal=principal, ruleset_id=rule_set.pk)
        except DomainError as error:
            modeladmin.message_user(request, f"{rule_set}：{error.message}", messages.ERROR)
        else:
            modeladmin.message_user(request, f"已发布 {rule_set}")


@admin.register(InstantRuleSet)
class InstantRuleSetAdmin(admin.ModelAdmin):
    form = InstantRuleSetForm
    list_display = ["standard_code", "number", "status", "published_at", "change_note"]
    list_filter = ["status"]
    search_fields = ["standard_code"]
    actions = [ruleset_publish_action]
    readonly_fields = ["number", "status", "created_by", "published_by", "published_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return [*self.readonly_fields, "standard_code"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        """Through the service; its ValidationFailed shows as a message (nothing saved)."""
        try:
            saved = instant_services.ruleset_draft_save(
                principal=request_principal(request),
                standard_code=obj.standard_code,
                rules=form.cleaned_data["rules"],
                change_note=form.cleaned_data.get("change_note", ""),
            )
        except DomainError as error:
            fields = "；".join(f"{k}：{'、'.join(v)}" for k, v in error.fields.items())
            self.message_user(request, f"未保存：{error.message} {fields}", messages.ERROR)
            return
        obj.pk, obj.number = saved.pk, saved.number

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(InstantDecision)
class InstantDecisionAdmin(admin.ModelAdmin):
    list_display = ["application", "rule_set", "is_approved", "decided_at"]
    list_filter = ["is_approved"]
    search_fields = ["application__number"]
    readonly_fields = ["application", "rule_set", "is_approved", "facts", "outcomes", "decided_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CommitmentCheck)
class CommitmentCheckAdmin(admin.ModelAdmin):
    list_display = ["application", "status", "due_date", "checked_by", "checked_at"]
    list_filter = ["status"]
    search_fields = ["application__number"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
