"""Schemas of /api/v1/services/supervision (政务服务监督, 限时办结)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class CaseRowOut(Schema):
    number: str
    item_name: str
    applicant_name: str
    status: str
    status_label: str
    handling_organization: str
    handling_region: str
    received_region: str
    received_partner: str
    accepted_on: dt.date | None
    deadline: dt.date | None
    closed_on: dt.date | None
    days_left: int | None = Field(None, description="距办结期限的工作日数，负数为已超期")
    warning: str = Field(..., description="'' 正常，yellow 黄牌预警，red 红牌超期")
    is_paused: bool


class GroupRowOut(Schema):
    key: str
    label: str
    total: int
    open: int
    decided: int
    on_time: int
    on_time_rate: float | None
    red: int
    yellow: int


class CrossRegionRowOut(Schema):
    received: str = Field(..., description="收件地（或外省协作窗口）")
    handling: str = Field(..., description="办理地")
    count: int


class RatingSummaryOut(Schema):
    count: int
    average: float | None
    per_grade: dict[int, int]
    bad: int
    rectified: int
    rectification_rate: float | None = Field(None, description="差评整改率（%）")
    good_rate: float | None = Field(None, description="好评率（%）")
    open_rectifications: int
    overdue_rectifications: int


class OverviewOut(Schema):
    scope_label: str
    today: dt.date
    total: int
    open: int
    decided: int = Field(..., description="已办结（准予、不予许可）")
    closed_other: int = Field(..., description="撤回、不予受理")
    on_time: int
    on_time_rate: float | None = Field(None, description="按时办结率（%）")
    red: int
    yellow: int
    paused: int
    average_working_days: float | None = Field(None, description="平均办结工作日（不含暂停）")
    cross_region: int
    red_cases: list[CaseRowOut]
    yellow_cases: list[CaseRowOut]
    by_organization: list[GroupRowOut]
    by_region: list[GroupRowOut]
    cross_region_pairs: list[CrossRegionRowOut]
    ratings: RatingSummaryOut
    uncovered_years: list[int] = Field(
        ..., description="工作日历未录入法定节假日的年份（按周一至周五计算）"
    )


class CasePageOut(Schema):
    state: str
    total: int
    page: int
    page_size: int
    pages: int
    rows: list[CaseRowOut]


class SpecialProcedureIn(Schema):
    reason: str = Field(..., description="特别程序事由，如 专家评审、现场核查、听证")


class ClockOut(Schema):
    number: str
    deadline: dt.date | None
    paused_since: dt.datetime | None
    paused_reason: str
    warning: str


class WarningsRefreshOut(Schema):
    date: str
    checked: int
    red: int
    yellow: int
    changed: int
    calendar_covers_year: bool
