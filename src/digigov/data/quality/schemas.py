"""Schemas of /api/v1/quality (数据治理)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema


class ResourceScoreOut(Schema):
    resource_id: int
    code: str
    name: str
    organization_id: int
    organization_name: str
    active_rules: int
    run_id: int | None
    score: Decimal | None = Field(description="最近一次检查的质量评分（0-100）")
    rows_checked: int
    finished_at: dt.datetime | None
    open_issues: int


class DepartmentScoreOut(Schema):
    organization_id: int
    organization_name: str
    resources: int
    scored: int
    score: Decimal | None = Field(description="本单位各资源最近评分的平均值")
    open_issues: int


class RuleReportOut(Schema):
    rule_id: int
    kind: str
    kind_label: str
    description: str
    weight: int
    checked: int
    failed: int
    passed_ratio: float | None
    examples: list[dict[str, str]]
    issues_listed: int
    unlisted: int = Field(description="未逐条列为问题的失败行数（超过每条规则的问题上限）")


class RunOut(Schema):
    id: int
    resource_code: str
    resource_name: str
    organization_name: str
    trigger: str
    triggered_by: str
    started_at: dt.datetime
    finished_at: dt.datetime
    rows_checked: int
    score: Decimal | None
    issues_opened: int
    issues_closed: int
    report: list[RuleReportOut]


class IssueOut(Schema):
    id: int
    resource_code: str
    resource_name: str
    organization_name: str
    rule_id: int
    rule_kind: str
    row_ref: str
    message: str
    state: str
    state_label: str
    note: str
    handled_by: str
    handled_at: dt.datetime | None
    created_at: dt.datetime
    last_run_id: int


class IssuePageOut(Schema):
    rows: list[IssueOut]
    total: int
    page: int
    page_size: int


class IssueActionIn(Schema):
    note: str = Field("", max_length=300, description="处理说明；忽略时必填")
