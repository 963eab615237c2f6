"""秒批 rules and decisions, and 告知承诺 verification checks."""

from django.db import models


class InstantRuleSet(models.Model):
    """The rules of one item standard, versioned like guides: a published set is never
    edited; decisions point at the exact set they applied."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"
        SUPERSEDED = "superseded", "已替代"

    standard_code = models.CharField("事项基本编码", max_length=64, db_index=True)
    number = models.PositiveIntegerField("版本号")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.DRAFT)
    # [{"id","label","fact","op","value","message"}], see services/rules.py
    rules = models.JSONField("规则", default=list)
    change_note = models.CharField("修订说明", max_length=300, blank=True, default="")
    created_by = models.CharField("起草人", max_length=160, blank=True, default="")
    published_by = models.CharField("发布人", max_length=160, blank=True, default="")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    class Meta:
        verbose_name = "秒批规则集"
        verbose_name_plural = "秒批规则集"
        ordering = ["standard_code", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["standard_code", "number"], name="services_ruleset_number_uniq"
            )
        ]
        permissions = [("manage_rules", "维护秒批规则")]

    def __str__(self) -> str:
        return f"{self.standard_code} 规则 v{self.number}"


class InstantDecision(models.Model):
    """What the rules decided, every rule's outcome and the facts they read: enough to
    explain the decision to the applicant and to replay it later."""

    application = models.OneToOneField(
        "Application", on_delete=models.CASCADE, related_name="instant_decision"
    )
    rule_set = models.ForeignKey(InstantRuleSet, on_delete=models.PROTECT, related_name="+")
    is_approved = models.BooleanField("通过")
    facts = models.JSONField("读取的数据", default=dict)
    outcomes = models.JSONField("各规则结果", default=list)
    decided_at = models.DateTimeField("决定时间", auto_now_add=True)

    class Meta:
        verbose_name = "秒批决定"
        verbose_name_plural = "秒批决定"


class CommitmentCheck(models.Model):
    """告知承诺: granted on the applicant's signed commitment, verified later by staff."""

    class Status(models.TextChoices):
        PENDING = "pending", "待核查"
        CONFIRMED = "confirmed", "核查属实"
        VIOLATED = "violated", "承诺不实"

    application = models.OneToOneField(
        "Application", on_delete=models.CASCADE, related_name="commitment_check"
    )
    commitment_text = models.TextField("承诺内容")
    signer_name = models.CharField("承诺人签名（姓名）", max_length=200, blank=True, default="")
    # "<key id>$<base64 signature>" over services/commitment.py `commitment_payload`
    signature = models.TextField("承诺签名", blank=True, default="")
    signed_at = models.DateTimeField("签署时间")
    due_date = models.DateField("核查期限", db_index=True)
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    checked_by = models.CharField("核查人", max_length=160, blank=True, default="")
    checked_at = models.DateTimeField("核查时间", null=True, blank=True)
    finding = models.TextField("核查结论", blank=True, default="")

    class Meta:
        verbose_name = "告知承诺核查"
        verbose_name_plural = "告知承诺核查"
