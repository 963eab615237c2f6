"""Schemas of /api/v1/governance (separate In and Out)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field


class IndicatorOut(Schema):
    number: int
    name: str
    category: str
    category_label: str
    unit: str
    formula: str
    note: str
    baseline: Decimal | None
    target: Decimal
    kind: str
    status: str
    status_label: str
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    day: dt.date | None
    source: str
    is_province_figure: bool
    progress: float | None


class BoardOut(Schema):
    region_code: str
    region_name: str
    region_level: str
    rows: list[IndicatorOut]


class HistoryPointOut(Schema):
    day: dt.date
    value: Decimal | None


class PanelsOut(Schema):
    region: str
    regionName: str
    mapLevel: str
    eventsByRegion: list[dict[str, Any]]
    eventsAvailable: bool
    casesPerDay: list[list[Any]]
    devices: dict[str, Any]
    eventSummary: dict[str, Any] | None
    slaWarnings: list[dict[str, Any]] | None
    alerts: list[dict[str, Any]] | None


class ReportIn(Schema):
    value: Decimal = Field(description="填报值（指标单位）")
    source: str = Field(max_length=200, description="数据来源")
    as_of: dt.date = Field(description="数据截止日期")
    region_code: str = Field(default="440000", max_length=6)
    note: str = Field(default="", max_length=300)


class ReportOut(Schema):
    id: int
    indicator: int
    region_code: str
    value: Decimal
    source: str
    as_of: dt.date
    reported_by_label: str
    reported_at: dt.datetime


class TopicOut(Schema):
    code: str
    name: str
    function: str
    description: str
    sectors: list[str]
    indicators: list[int]
    event_types: list[str]
    sensor_kinds: list[str]
    datasets: list[str]
    is_active: bool


class TopicIn(Schema):
    name: str = Field(max_length=60)
    function: str = Field(max_length=20)
    description: str = Field(default="", max_length=300)
    sectors: list[str] = Field(default_factory=list, max_length=50)
    indicators: list[int] = Field(default_factory=list, max_length=21)
    event_types: list[str] = Field(default_factory=list, max_length=100)
    sensor_kinds: list[str] = Field(default_factory=list, max_length=100)
    datasets: list[str] = Field(default_factory=list, max_length=200)
    is_active: bool = True
