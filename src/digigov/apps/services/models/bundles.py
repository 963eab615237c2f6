"""一件事: a bundle of item standards handled together, and one bundle application that
files one component application per item."""

from django.db import models


class Bundle(models.Model):
    code = models.CharField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=120)
    subject_kind = models.CharField("服务对象", max_length=8, default="person")
    description = models.TextField("说明", blank=True, default="")
    life_events = models.JSONField("个人生命周期", default=list, blank=True)
    enterprise_stages = models.JSONField("企业生命周期", default=list, blank=True)
    is_national_key = models.BooleanField("国家“高效办成一件事”重点事项", default=False)
    is_active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = "一件事"
        verbose_name_plural = "一件事"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class BundleItem(models.Model):
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="items")
    standard_code = models.CharField("事项基本编码", max_length=64)
    position = models.PositiveSmallIntegerField("顺序", default=0)
    is_optional = models.BooleanField("可选", default=False)

    class Meta:
        verbose_name = "一件事包含事项"
        verbose_name_plural = "一件事包含事项"
        ordering = ["bundle", "position"]
        constraints = [
            models.UniqueConstraint(fields=["bundle", "standard_code"], name="services_bundle_item")
        ]


class BundleApplication(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "办理中"
        COMPLETED = "completed", "已办结"
        PARTIAL = "partial", "部分办结"
        WITHDRAWN = "withdrawn", "已撤回"

    number = models.CharField("编号", max_length=40, unique=True)
    bundle = models.ForeignKey(Bundle, on_delete=models.PROTECT, related_name="applications")
    applicant_kind = models.CharField("申请人类型", max_length=8)
    applicant_id_number = models.CharField("申请人证件号码", max_length=18, db_index=True)
    applicant_uscc = models.CharField("统一社会信用代码", max_length=18, blank=True, default="")
    applicant_name = models.CharField("申请人名称", max_length=200)
    filed_by_actor = models.CharField("经办人", max_length=160)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default="submitted")
    form_data = models.JSONField("合并申请表", default=dict)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = "一件事申请"
        verbose_name_plural = "一件事申请"
        ordering = ["-created_at"]
