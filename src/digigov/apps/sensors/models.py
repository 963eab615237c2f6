"""感知终端: device kinds, registered devices, alert rules, alerts, and the readings log.

Readings arrive over MQTT (see docs/sensors.md) and land in an append-only table that
PostgreSQL partitions by reading time (migration 0002); SQLite keeps a plain table. The
ingest counters and the recent rejects let staff see what the broker delivered and why a
message was refused."""

from __future__ import annotations

from django.db import models


class DeviceKind(models.Model):
    code = models.SlugField("类型代码", max_length=40, unique=True)
    name = models.CharField("类型名称", max_length=60)
    unit = models.CharField("计量单位", max_length=20, blank=True, default="")
    min_value = models.FloatField("量程下限")
    max_value = models.FloatField("量程上限")
    # cameras count toward indicator 13 (视频终端), everything else toward 14 (感知终端)
    is_video = models.BooleanField("视频终端", default=False)
    expected_interval_seconds = models.PositiveIntegerField("上报周期（秒）", default=300)
    offline_grace_factor = models.FloatField("离线判定倍数", default=3.0)

    class Meta:
        verbose_name = "设备类型"
        verbose_name_plural = "设备类型"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Device(models.Model):
    class State(models.TextChoices):
        NEW = "new", "未上线"
        ONLINE = "online", "在线"
        OFFLINE = "offline", "离线"

    code = models.SlugField("设备编码", max_length=60, unique=True)
    kind = models.ForeignKey(
        DeviceKind, verbose_name="设备类型", on_delete=models.PROTECT, related_name="devices"
    )
    name = models.CharField("设备名称", max_length=120)
    longitude = models.FloatField("经度")
    latitude = models.FloatField("纬度")
    region = models.ForeignKey(
        "regions.Region",
        verbose_name="所在区划",
        on_delete=models.PROTECT,
        related_name="sensor_devices",
    )
    owner_organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="权属单位",
        on_delete=models.PROTECT,
        related_name="sensor_devices",
    )
    is_active = models.BooleanField("启用", default=True, db_index=True)
    registered_at = models.DateTimeField("登记时间", auto_now_add=True)
    registered_by = models.CharField("登记人", max_length=160, blank=True, default="")
    state = models.CharField(
        "在线状态", max_length=8, choices=State.choices, default=State.NEW, db_index=True
    )
    state_changed_at = models.DateTimeField("状态变更时间", null=True, blank=True)
    last_seen_at = models.DateTimeField("最近上报时间", null=True, blank=True)
    last_value = models.FloatField("最近读数", null=True, blank=True)

    class Meta:
        verbose_name = "感知设备"
        verbose_name_plural = "感知设备"
        ordering = ["code"]
        permissions = [
            ("manage_devices", "登记和维护感知设备"),
            ("manage_rules", "维护感知告警规则"),
            ("handle_alert", "确认和关闭感知告警"),
            ("view_ingest", "查看感知数据接入统计"),
        ]
        indexes = [
            models.Index(fields=["region", "kind"], name="sensors_device_region_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class Rule(models.Model):
    class Type(models.TextChoices):
        ABOVE = "above", "高于阈值"
        BELOW = "below", "低于阈值"
        RATE = "rate", "变化率（每分钟）超过"

    class Level(models.TextChoices):
        # the city events' levels, so an alert's level is its event's level
        GENERAL = "general", "一般"
        LARGER = "larger", "较大"
        MAJOR = "major", "重大"
        ESPECIALLY_MAJOR = "especially_major", "特别重大"

    kind = models.ForeignKey(
        DeviceKind, verbose_name="设备类型", on_delete=models.PROTECT, related_name="rules"
    )
    # a device's own rule replaces the kind's rule of the same type for that device
    device = models.ForeignKey(
        Device,
        verbose_name="仅适用设备",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rules",
    )
    name = models.CharField("规则名称", max_length=120)
    rule_type = models.CharField("规则类型", max_length=8, choices=Type.choices)
    limit = models.FloatField("阈值")
    consecutive = models.PositiveSmallIntegerField("连续次数", default=1)
    level = models.CharField("告警级别", max_length=16, choices=Level.choices)
    raises_event = models.BooleanField("生成城市事件", default=False)
    event_type_code = models.CharField("城市事件类型代码", max_length=40, blank=True, default="")
    is_active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.CharField("更新人", max_length=160, blank=True, default="")

    class Meta:
        verbose_name = "告警规则"
        verbose_name_plural = "告警规则"
        ordering = ["kind__code", "device_id", "rule_type", "id"]

    def __str__(self) -> str:
        return self.name


class Alert(models.Model):
    class State(models.TextChoices):
        OPEN = "open", "待处理"
        ACKNOWLEDGED = "acknowledged", "已确认"
        CLOSED = "closed", "已关闭"

    device = models.ForeignKey(
        Device, verbose_name="设备", on_delete=models.PROTECT, related_name="alerts"
    )
    rule = models.ForeignKey(Rule, verbose_name="规则", on_delete=models.PROTECT, related_name="+")
    value = models.FloatField("触发读数")
    reading_at = models.DateTimeField("读数时间")
    raised_at = models.DateTimeField("告警时间", db_index=True)
    level = models.CharField("告警级别", max_length=16, choices=Rule.Level.choices)
    state = models.CharField(
        "状态", max_length=12, choices=State.choices, default=State.OPEN, db_index=True
    )
    # the alerts table is also the outbox of the city events: wants_event and no ref yet
    wants_event = models.BooleanField("需生成城市事件", default=False)
    event_type_code = models.CharField("城市事件类型代码", max_length=40, blank=True, default="")
    city_event_id = models.BigIntegerField("城市事件ID", null=True, blank=True)
    city_event_number = models.CharField("城市事件编号", max_length=40, blank=True, default="")
    event_attempts = models.PositiveSmallIntegerField("上报尝试次数", default=0)
    event_error = models.CharField("上报错误", max_length=300, blank=True, default="")
    acknowledged_by = models.CharField("确认人", max_length=160, blank=True, default="")
    acknowledged_at = models.DateTimeField("确认时间", null=True, blank=True)
    closed_by = models.CharField("关闭人", max_length=160, blank=True, default="")
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    note = models.CharField("处置说明", max_length=300, blank=True, default="")

    class Meta:
        verbose_name = "感知告警"
        verbose_name_plural = "感知告警"
        ordering = ["-raised_at", "-id"]
        indexes = [
            models.Index(fields=["device", "rule", "state"], name="sensors_alert_device_rule"),
        ]

    def __str__(self) -> str:
        return f"告警 #{self.pk}"


class Reading(models.Model):
    """Append-only. On PostgreSQL the table is partitioned by day on recorded_at with the
    primary key (id, recorded_at) and a unique (device, seq, recorded_at): a redelivered
    message carries the same seq and timestamp and is ignored (see migration 0002)."""

    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="+")
    seq = models.BigIntegerField("序号")
    recorded_at = models.DateTimeField("读数时间")
    received_at = models.DateTimeField("接收时间")
    stored_at = models.DateTimeField("入库时间")
    value = models.FloatField("读数")

    class Meta:
        verbose_name = "感知读数"
        verbose_name_plural = "感知读数"
        constraints = [
            models.UniqueConstraint(
                fields=["device", "seq", "recorded_at"], name="sensors_reading_once"
            )
        ]
        indexes = [
            models.Index(fields=["device", "recorded_at"], name="sensors_reading_device_time"),
        ]


class IngestCounter(models.Model):
    """Totals since the platform started: received, stored, duplicate, rejected:<reason>."""

    key = models.CharField("计数项", max_length=40, primary_key=True)
    count = models.BigIntegerField("计数", default=0)
    updated_at = models.DateTimeField("更新时间", null=True, blank=True)

    class Meta:
        verbose_name = "接入计数"
        verbose_name_plural = "接入计数"


class Rejection(models.Model):
    """A refused message (kept for the operators; trimmed by sensors_maintain)."""

    topic = models.CharField("主题", max_length=200)
    reason = models.CharField("原因", max_length=20, db_index=True)
    detail = models.CharField("说明", max_length=300)
    payload_excerpt = models.CharField("消息摘录", max_length=300, blank=True, default="")
    received_at = models.DateTimeField("接收时间", db_index=True)

    class Meta:
        verbose_name = "拒收消息"
        verbose_name_plural = "拒收消息"
        ordering = ["-received_at", "-id"]
