"""Schemas of /api/v1/services/rules (秒批规则集: versions, drafts, publishing)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema


class RuleSetOut(Schema):
    id: int
    standard_code: str = Field(..., description="事项基本编码")
    number: int = Field(..., description="版本号")
    status: str = Field(..., description="draft 草稿，published 已发布，superseded 已替代")
    status_label: str
    rule_count: int
    change_note: str
    created_by: str
    published_by: str
    created_at: dt.datetime
    published_at: dt.datetime | None


class RuleOut(Schema):
    id: str
    label: str
    fact: str
    op: str
    value: Any = None
    message: str
    text: str = Field(..., description="规则的中文表述，如“申请人年龄（周岁） 不小于 18”")


class RuleSetDetailOut(RuleSetOut):
    rules: list[RuleOut]


class RuleSetPageOut(Schema):
    standard_code: str
    total: int
    page: int
    page_size: int
    pages: int
    rows: list[RuleSetOut]


class RuleSetDraftIn(Schema):
    standard_code: str = Field(..., description="事项基本编码")
    rules: Any = Field(
        ...,
        description=(
            '规则数组，每条 {"id","label","fact","op","value","message"}；'
            "数据项与运算符见 GET /rules/vocabulary"
        ),
    )
    change_note: str = Field("", description="修订说明（至多 300 字）")


class RuleChoiceOut(Schema):
    value: str
    label: str


class RuleVocabularyOut(Schema):
    facts: list[RuleChoiceOut] = Field(
        ..., description="可用的数据项；另可用 form.<字段>（及 .age_days、.age_years）"
    )
    operators: list[RuleChoiceOut]
