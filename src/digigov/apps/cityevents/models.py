"""城市事件 and 网格: the event catalogue (types with routing and SLAs), grids with their
workers, the events, each stage transition (timeline), photo evidence and reporters."""

from __future__ import annotations

from django.conf import settings
from django.db import models

# Stages in order; the closed loop 上报 -> 立案 -> 派遣 -> 处置 -> 核查 -> 结案, plus the two
# ends that leave it: 不予立案 and 合并 (a duplicate closed into its surviving event).
STAGE_LABELS: dict[str, str] = {
    "reported": "上报",
    "registered": "立案",
    "dispatched": "派遣",
    "handled": "处置",
    "verified": "核查",
    "closed": "结案",
    "rejected": "不予立案",
    "merged": "已合并",
}
OPEN_STAGES = ("reported", "registered", "dispatched", "handled", "verified")
FINAL_STAGES = ("closed", "rejected", "merged")

LEVEL_LABELS: dict[str, str] = {
    "general": "一般",
    "larger": "较大",
    "major": "重大",
    "especially_major": "特别重大",
}
LEVEL_ORDER = tuple(LEVEL_LABELS)

# Region levels from the top; routing climbs this list.
REGION_LEVELS = ("province", "city", "county", "town", "village")

SOURCE_LABELS: dict[str, str] = {
    "citizen": "市民随手拍",
    "grid_worker": "网格员巡查",
    "hotline": "12345热线工单",
    "sensor": "感知终端告警",
}


class EventType(models.Model):
    """One kind of city event: who handles it and how fast, per stage and per level.

    `sla_hours` = {level: {stage waiting to be left: hours}}, e.g.
    {"general": {"reported": 2, "registered": 2, "dispatched": 72, "handled": 24, "verified": 8}}.
    `department_by_level` overrides `department_function` at a handling level
    (e.g. {"town": "gov"}: the town government's integrated enforcement team)."""

    class Category(models.TextChoices):
        CITY_APPEARANCE = "city_appearance", "市容环境"
        ROADS = "roads", "道路交通"
        PUBLIC_SAFETY = "public_safety", "公共安全"
        ECOLOGY = "ecology", "生态环境"
        MARKET = "market", "市场监管"
        FACILITIES = "facilities", "市政设施"
        WATER = "water", "水务防汛"

    code = models.CharField("类型代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=60)
    category = models.CharField("大类", max_length=20, choices=Category.choices)
    description = models.CharField("说明", max_length=300, blank=True, default="")
    department_function = models.CharField("处置部门职能条线", max_length=40)
    department_by_level = models.JSONField("按层级的处置部门", default=dict, blank=True)
    handling_level = models.CharField(
        "默认处置层级",
        max_length=10,
        default="county",
        choices=[(level, level) for level in REGION_LEVELS[:4]],
    )
    sla_hours = models.JSONField("各阶段时限（小时）", default=dict)
    duplicate_radius_m = models.PositiveIntegerField("疑似重复距离（米）", default=200)
    duplicate_window_hours = models.PositiveIntegerField("疑似重复时间窗（小时）", default=24)
    is_active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "城市事件类型"
        verbose_name_plural = "城市事件类型"
        ordering = ["category", "code"]
        permissions = [("manage_eventtype", "维护城市事件类型目录")]

    def __str__(self) -> str:
        return self.name


class Grid(models.Model):
    """A grid (网格): a village-level (12-digit) community polygon under a 9-digit town."""

    code = models.CharField("网格编码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=80)
    town = models.ForeignKey(
        "regions.Region",
        verbose_name="所属镇街",
        on_delete=models.PROTECT,
        related_name="event_grids",
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name="对应村社区",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    geometry = models.JSONField("边界（GeoJSON，WGS-84）")
    is_active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "网格"
        verbose_name_plural = "网格"
        ordering = ["code"]
        permissions = [("manage_grid", "维护网格与网格员")]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class GridWorker(models.Model):
    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="workers")
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="event_grids"
    )
    assigned_at = models.DateTimeField("指派时间", auto_now_add=True)

    class Meta:
        verbose_name = "网格员"
        verbose_name_plural = "网格员"
        constraints = [
            models.UniqueConstraint(fields=["grid", "account"], name="cityevents_grid_worker_once")
        ]


class CityEvent(models.Model):
    number = models.CharField("事件编号", max_length=24, unique=True)
    event_type = models.ForeignKey(EventType, on_delete=models.PROTECT, related_name="events")
    level = models.CharField(
        "事件等级", max_length=20, choices=list(LEVEL_LABELS.items()), default="general"
    )
    title = models.CharField("标题", max_length=120)
    description = models.TextField("描述", blank=True, default="")
    longitude = models.DecimalField("经度", max_digits=10, decimal_places=6)
    latitude = models.DecimalField("纬度", max_digits=10, decimal_places=6)
    region = models.ForeignKey(
        "regions.Region", verbose_name="所在区划", on_delete=models.PROTECT, related_name="+"
    )
    city_code = models.CharField("地级市", max_length=6, db_index=True)
    county_code = models.CharField("县区", max_length=6, blank=True, default="", db_index=True)
    town_code = models.CharField("镇街", max_length=9, blank=True, default="", db_index=True)
    grid = models.ForeignKey(
        Grid, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    source = models.CharField("来源", max_length=20, choices=list(SOURCE_LABELS.items()))
    external_ref = models.CharField("外部编号", max_length=80, blank=True, default="")
    reporter_actor = models.CharField("上报人", max_length=160, blank=True, default="")
    reporter_label = models.CharField("上报人姓名", max_length=80, blank=True, default="")
    stage = models.CharField(
        "阶段", max_length=12, choices=list(STAGE_LABELS.items()), default="reported"
    )
    handling_level = models.CharField("处置层级", max_length=10)
    command_organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="指挥中心（立案、派遣、结案）",
        on_delete=models.PROTECT,
        related_name="+",
    )
    handling_organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="处置部门",
        on_delete=models.PROTECT,
        related_name="+",
    )
    stage_due_at = models.DateTimeField("本阶段时限", null=True, blank=True, db_index=True)
    is_overdue = models.BooleanField("已超时", default=False, db_index=True)
    escalations = models.PositiveSmallIntegerField("升级次数", default=0)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates"
    )
    reported_at = models.DateTimeField("上报时间", db_index=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "城市事件"
        verbose_name_plural = "城市事件"
        ordering = ["-reported_at", "-id"]
        permissions = [
            ("register_event", "城市事件立案、派遣、结案（指挥调度）"),
            ("handle_event", "城市事件处置"),
            ("verify_event", "城市事件核查（网格员）"),
            ("patrol_report", "网格巡查上报"),
            ("merge_event", "合并重复上报"),
            ("view_reporter", "查看上报人完整信息"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_ref"],
                condition=~models.Q(external_ref=""),
                name="cityevents_external_ref_once",
            )
        ]
        indexes = [models.Index(fields=["stage", "event_type"], name="cityevents_stage_type")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def stage_label(self) -> str:
        return STAGE_LABELS.get(self.stage, self.stage)

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS.get(self.level, self.level)

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS.get(self.source, self.source)


class EventReporter(models.Model):
    """Everyone who reported the incident: the first reporter and those of merged duplicates,
    so each can follow the surviving event."""

    event = models.ForeignKey(CityEvent, on_delete=models.CASCADE, related_name="reporters")
    actor = models.CharField("上报人", max_length=160)
    label = models.CharField("姓名", max_length=80, blank=True, default="")
    via_event = models.ForeignKey(
        CityEvent, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "事件上报人"
        verbose_name_plural = "事件上报人"
        constraints = [
            models.UniqueConstraint(fields=["event", "actor"], name="cityevents_reporter_once")
        ]
        indexes = [models.Index(fields=["actor"], name="cityevents_reporter_actor")]


class EventTransition(models.Model):
    """One step of the timeline (append-only)."""

    event = models.ForeignKey(CityEvent, on_delete=models.CASCADE, related_name="timeline")
    action = models.CharField("动作", max_length=20)
    from_stage = models.CharField("原阶段", max_length=12, blank=True, default="")
    to_stage = models.CharField("新阶段", max_length=12)
    actor = models.CharField("操作人", max_length=160)
    actor_label = models.CharField("操作人姓名", max_length=80, blank=True, default="")
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField("意见", max_length=500, blank=True, default="")
    due_at = models.DateTimeField("下一阶段时限", null=True, blank=True)
    occurred_at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "事件流转记录"
        verbose_name_plural = "事件流转记录"
        ordering = ["occurred_at", "id"]


class EventPhoto(models.Model):
    class Purpose(models.TextChoices):
        REPORT = "report", "上报照片"
        HANDLING = "handling", "处置照片"
        VERIFICATION = "verification", "核查照片"

    event = models.ForeignKey(CityEvent, on_delete=models.CASCADE, related_name="photos")
    transition = models.ForeignKey(
        EventTransition, on_delete=models.CASCADE, null=True, blank=True, related_name="photos"
    )
    purpose = models.CharField("用途", max_length=20, choices=Purpose.choices)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=60)
    original_name = models.CharField(max_length=200, blank=True, default="")
    uploaded_by = models.CharField(max_length=160)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "事件照片"
        verbose_name_plural = "事件照片"
        ordering = ["uploaded_at", "id"]


class RefusalCount(models.Model):
    """Refused stage actions per reason (the audit log has each one; this is the counter)."""

    code = models.CharField(max_length=60, unique=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "拒绝计数"
        verbose_name_plural = "拒绝计数"
