"""BPMN cases (SpiffWorkflow state) and the human tasks they open (the staff inbox)."""

from django.db import models


class WorkflowCase(models.Model):
    application = models.OneToOneField(
        "Application", on_delete=models.CASCADE, related_name="workflow_case"
    )
    process_id = models.CharField("流程标识", max_length=80)
    state = models.JSONField("流程状态（SpiffWorkflow 序列化）", default=dict)
    revision = models.PositiveIntegerField("修订号", default=0)  # optimistic locking
    is_completed = models.BooleanField("流程结束", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "审批流程实例"
        verbose_name_plural = "审批流程实例"


class CaseTask(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "待办"
        DONE = "done", "已办"
        CANCELLED = "cancelled", "已取消"

    application = models.ForeignKey("Application", on_delete=models.CASCADE, related_name="tasks")
    spec_name = models.CharField("流程环节标识", max_length=80)
    task_ref = models.CharField("流程任务标识", max_length=64, blank=True, default="")
    label = models.CharField("环节", max_length=120)
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="办理机构",
        on_delete=models.PROTECT,
        related_name="+",
    )
    role = models.CharField("办理角色", max_length=40)
    assignee = models.ForeignKey(
        "identity.Account",
        verbose_name="指定办理人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    co_signer_of = models.ForeignKey(
        "self",
        verbose_name="加签自",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="co_signs",
    )
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    outcome = models.CharField("办理结果", max_length=20, blank=True, default="")
    comment = models.TextField("办理意见", blank=True, default="")
    completed_by = models.ForeignKey(
        "identity.Account",
        verbose_name="办理人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    opened_at = models.DateTimeField("到达时间", auto_now_add=True)
    completed_at = models.DateTimeField("办理时间", null=True, blank=True)

    class Meta:
        verbose_name = "办理任务"
        verbose_name_plural = "办理任务"
        ordering = ["opened_at", "id"]
        indexes = [
            models.Index(fields=["organization", "status"], name="services_task_inbox_idx"),
        ]
