"""Schemas of /api/v1/sensors (separate In and Out)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field


class DeviceIn(Schema):
    code: str = Field(max_length=60, description="设备编码（主题中的设备段）")
    kind_code: str = Field(max_length=40, description="设备类型代码")
    name: str = Field(max_length=120)
    longitude: float = Field(description="经度（WGS-84）")
    latitude: float = Field(description="纬度（WGS-84）")
    region_code: str = Field(max_length=12, description="所在市、县（区）区划代码")
    owner_organization_id: int = Field(description="权属单位")
    is_active: bool = True


class DeviceOut(Schema):
    id: int
    code: str
    name: str
    kind_code: str
    kind_name: str
    unit: str
    is_video: bool
    region_code: str
    region_name: str
    owner_name: str
    longitude: float
    latitude: float
    is_active: bool
    state: str
    state_label: str
    last_seen_at: dt.datetime | None
    last_value: float | None


class DevicePageOut(Schema):
    rows: list[DeviceOut]
    total: int
    page: int
    pages: int
    page_size: int


class ReadingOut(Schema):
    seq: int
    recorded_at: dt.datetime
    value: float


class AlertOut(Schema):
    id: int
    device_id: int
    device_code: str
    device_name: str
    kind_name: str
    region_name: str
    rule_name: str
    value: float
    reading_at: dt.datetime
    raised_at: dt.datetime
    level: str
    level_label: str
    state: str
    state_label: str
    city_event_number: str
    event_pending: bool
    note: str


class AlertPageOut(Schema):
    rows: list[AlertOut]
    total: int
    page: int
    pages: int
    page_size: int


class AlertActionIn(Schema):
    note: str = Field(default="", max_length=300, description="处置说明（关闭时必填）")


class RuleOut(Schema):
    id: int
    kind_code: str
    device_code: str
    name: str
    rule_type: str
    limit: float
    consecutive: int
    level: str
    raises_event: bool
    event_type_code: str
    is_active: bool
