from django.db import models


class Organization(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", "省级"
        CITY = "city", "市级"
        COUNTY = "county", "县级"
        TOWN = "town", "镇街"

    code = models.CharField("机构代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=120)
    short_name = models.CharField("简称", max_length=60, blank=True, default="")
    level = models.CharField("层级", max_length=10, choices=Level.choices, db_index=True)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name="所在区划",
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上级机构",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    function = models.CharField("职能条线", max_length=40, blank=True, default="", db_index=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "组织机构"
        verbose_name_plural = "组织机构"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name
