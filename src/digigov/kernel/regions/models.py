from django.db import models


class Region(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", "省"
        CITY = "city", "地级市"
        COUNTY = "county", "县级"
        TOWN = "town", "乡镇街道"
        VILLAGE = "village", "村社区"

    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=60)
    level = models.CharField("层级", max_length=10, choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    longitude = models.DecimalField("经度", max_digits=10, decimal_places=6, null=True, blank=True)
    latitude = models.DecimalField("纬度", max_digits=10, decimal_places=6, null=True, blank=True)
    is_synthetic = models.BooleanField("演示用合成数据", default=False)

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"
