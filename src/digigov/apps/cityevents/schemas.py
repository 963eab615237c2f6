"""Schemas of the 城市事件 API (...In / ...Out)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class TicketIn(Schema):
    ticket_number: str = Field(
        ..., min_length=1, max_length=60, description="12345 工单编号（幂等键）"
    )
    event_type_code: str = Field(..., max_length=40, description="事件类型代码，见 /types")
    lng: float = Field(..., description="经度（WGS-84）")
    lat: float = Field(..., description="纬度（WGS-84）")
    title: str = Field(..., min_length=1, max_length=120)
    description: str = Field("", max_length=4000)
    level: str = Field(
        "general", description="general 一般 / larger 较大 / major 重大 / especially_major 特别重大"
    )


class StepOut(Schema):
    label: str
    stage_label: str
    organization: str
    note: str
    occurred_at: dt.datetime


class TicketOut(Schema):
    ticket_number: str
    number: str = Field(..., description="城市事件编号")
    stage: str
    stage_label: str
    handling_organization: str
    stage_due_at: dt.datetime | None
    closed_at: dt.datetime | None
    merged_into: str = Field("", description="被合并时：存续事件编号")
    steps: list[StepOut] = []


class EventTypeOut(Schema):
    code: str
    name: str


class EventRowOut(Schema):
    number: str
    title: str
    type_name: str
    category: str
    level_label: str
    stage: str
    stage_label: str
    source_label: str
    region_name: str
    grid_name: str
    reporter: str = Field(..., description="上报人（脱敏）")
    reported_at: dt.datetime
    stage_due_at: dt.datetime | None
    is_overdue: bool
    is_warning: bool
    command_organization: str
    handling_organization: str


class EventPageOut(Schema):
    rows: list[EventRowOut]
    total: int
    page: int
    pages: int


class TimelineOut(Schema):
    action: str
    label: str
    from_label: str
    to_label: str
    actor_label: str
    organization: str
    note: str
    due_at: dt.datetime | None
    occurred_at: dt.datetime


class ActionOut(Schema):
    action: str
    label: str
    needs_photo: bool
    needs_note: bool


class EventDetailOut(Schema):
    event: EventRowOut
    timeline: list[TimelineOut]
    actions: list[ActionOut]
    merged_into: str
    duplicates: list[dict]


class EventRefOut(Schema):
    id: int
    number: str
    stage: str
    region_code: str


class MergeIn(Schema):
    into: str = Field(..., max_length=24, description="存续事件编号")
