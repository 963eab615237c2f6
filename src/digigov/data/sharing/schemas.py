"""Schemas of /api/v1/sharing and /api/v1/exchange (separate In and Out)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field


class SharingRequestIn(Schema):
    resource_code: str = Field(max_length=60, description="数据资源代码")
    fields: list[str] = Field(min_length=1, max_length=200, description="申请的数据项（字段名）")
    purpose: str = Field(max_length=300, description="用途")
    legal_basis: str = Field(max_length=300, description="依据（法律法规、政策文件）")
    scope: str = Field(max_length=300, description="使用范围")
    period_end: dt.date = Field(description="申请使用期限至（授权不超过一年）")


class DecisionIn(Schema):
    approved_fields: list[str] = Field(default_factory=list, max_length=200)
    unmasked_fields: list[str] = Field(default_factory=list, max_length=200)
    refusal_reason: str = Field(default="", max_length=300)
    may_export: bool = False
    valid_until: dt.date | None = None


class RevokeIn(Schema):
    reason: str = Field(max_length=300)


class RequestOut(Schema):
    id: int
    requester_name: str
    owner_name: str
    resource_code: str
    resource_name: str
    share_condition: str
    fields: list[str]
    approved_fields: list[str]
    unmasked_fields: list[str]
    may_export: bool
    purpose: str
    legal_basis: str
    scope: str
    period_end: dt.date
    state: str
    state_label: str
    decision_mode: str
    refusal_reason: str
    submitted_at: dt.datetime
    decided_at: dt.datetime | None


class RequestPageOut(Schema):
    rows: list[RequestOut]
    total: int
    page: int
    page_size: int


class GrantOut(Schema):
    id: int
    request_id: int
    organization_name: str
    resource_code: str
    resource_name: str
    fields: list[str]
    unmasked_fields: list[str]
    may_export: bool
    valid_from: dt.date
    valid_until: dt.date
    status: str
    revoke_reason: str


class GrantsOut(Schema):
    given: list[GrantOut]
    held: list[GrantOut]


class IndicatorOut(Schema):
    should_share: int
    satisfied: int
    fully_satisfied: int
    rate: float | None = Field(description="应共享的数据需求满足率（%），部分同意计为满足")
    full_rate: float | None
    field_rate: float | None = Field(description="数据项满足率（%）：同意的数据项 / 申请的数据项")
    pending: int
    not_shareable: int


class LogRowOut(Schema):
    seq: int
    occurred_at: dt.datetime
    organization_name: str
    client_label: str
    resource_code: str
    operation_label: str
    fields: list[str]
    purpose: str
    row_count: int
    outcome: str
    error_code: str


class LogPageOut(Schema):
    rows: list[LogRowOut]
    total: int
    page: int
    page_size: int


class ExchangeRecordOut(Schema):
    resource_code: str
    fields: list[str]
    record: dict[str, Any]


class ExchangePageOut(Schema):
    resource_code: str
    fields: list[str]
    rows: list[dict[str, Any]]
    total: int
    page: int
    page_size: int


class VerifyPersonIn(Schema):
    id_number: str = Field(max_length=18)
    name: str = Field(max_length=50)
    purpose: str = Field(default="数据核验", max_length=200)


class VerifyEntityIn(Schema):
    uscc: str = Field(max_length=18)
    purpose: str = Field(default="数据核验", max_length=200)


class VerifyPersonOut(Schema):
    match: bool


class VerifyEntityOut(Schema):
    active: bool
