"""自然人基础库 and 法人基础库.

Phone and addresses are stored as SM4-GCM tokens from kernel.crypto, each bound to its row
by the ID number / USCC as associated data: a token copied onto another row fails to open.
Indexes are declared explicitly (no unique=True / db_index=True on text columns) so that
PostgreSQL gets exactly these and no extra `_like` indexes to maintain on bulk loads.
"""

from django.db import models

from .constants import ETHNICITIES


class Person(models.Model):
    class Gender(models.TextChoices):
        MALE = "M", "男"
        FEMALE = "F", "女"

    id_number = models.CharField("公民身份号码", max_length=18)
    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    birth_date = models.DateField("出生日期")
    ethnicity = models.CharField(
        "民族", max_length=8, choices=[(name, name) for name in ETHNICITIES]
    )
    household_region = models.ForeignKey(
        "regions.Region",
        verbose_name="户籍地",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    residence_address_sealed = models.TextField("居住地址（密文）")
    phone_sealed = models.TextField("联系电话（密文）", blank=True, default="")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "自然人"
        verbose_name_plural = "自然人基础库"
        constraints = [
            models.UniqueConstraint(fields=["id_number"], name="registries_person_id_number_uniq")
        ]
        indexes = [
            # prefix search by region code (city -> its counties and towns) and by name
            models.Index(
                fields=["household_region"],
                name="registries_person_region_idx",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(
                fields=["name"],
                name="registries_person_name_idx",
                opclasses=["varchar_pattern_ops"],
            ),
        ]
        permissions = [("view_person_pii", "查看自然人完整信息（不脱敏）")]

    def __str__(self) -> str:
        return f"{self.name}（{self.id_number[:4]}…）"


class Entity(models.Model):
    class EntityType(models.TextChoices):
        LIMITED_LIABILITY = "有限责任公司", "有限责任公司"
        JOINT_STOCK = "股份有限公司", "股份有限公司"
        SOLE_PROPRIETORSHIP = "个人独资企业", "个人独资企业"
        PARTNERSHIP = "合伙企业", "合伙企业"
        INDIVIDUAL_BUSINESS = "个体工商户", "个体工商户"
        FARMERS_COOPERATIVE = "农民专业合作社", "农民专业合作社"
        PUBLIC_INSTITUTION = "事业单位", "事业单位"
        SOCIAL_ORGANIZATION = "社会组织", "社会组织"

    class Status(models.TextChoices):
        SUBSISTING = "存续", "存续"
        OPERATING = "在业", "在业"
        REVOKED = "吊销", "吊销"
        DEREGISTERED = "注销", "注销"
        MOVED_OUT = "迁出", "迁出"

    OPERATING_STATUSES = (Status.SUBSISTING, Status.OPERATING)

    uscc = models.CharField("统一社会信用代码", max_length=18)
    name = models.CharField("名称", max_length=120)
    entity_type = models.CharField("主体类型", max_length=16, choices=EntityType.choices)
    legal_rep_name = models.CharField("法定代表人（负责人）姓名", max_length=50)
    legal_rep_id_number = models.CharField("法定代表人公民身份号码", max_length=18)
    registered_capital = models.DecimalField(
        "注册资本（万元）", max_digits=16, decimal_places=4, null=True, blank=True
    )
    address_sealed = models.TextField("住所（密文）")
    region = models.ForeignKey(
        "regions.Region",
        verbose_name="登记地",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    status = models.CharField("登记状态", max_length=8, choices=Status.choices)
    established_date = models.DateField("成立日期")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "法人"
        verbose_name_plural = "法人基础库"
        constraints = [models.UniqueConstraint(fields=["uscc"], name="registries_entity_uscc_uniq")]
        indexes = [
            models.Index(
                fields=["region"],
                name="registries_entity_region_idx",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(
                fields=["name"],
                name="registries_entity_name_idx",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(fields=["status"], name="registries_entity_status_idx"),
            models.Index(fields=["legal_rep_id_number"], name="registries_entity_rep_idx"),
        ]
        permissions = [("view_entity_pii", "查看法人完整信息（不脱敏）")]

    def __str__(self) -> str:
        return f"{self.name}（{self.uscc}）"

    @property
    def is_operating(self) -> bool:
        return self.status in self.OPERATING_STATUSES
