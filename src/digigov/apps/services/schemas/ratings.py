"""Schemas of /api/v1/services/ratings (好差评)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from .supervision import RatingSummaryOut


class RatingIn(Schema):
    grade: int = Field(..., ge=1, le=5, description="1 非常不满意 … 5 非常满意")
    reasons: list[str] = Field(
        default_factory=list, description="原因编码（见 /vocabulary，按评价等级）；差评必填"
    )
    comment: str = Field("", max_length=500)
    channel: str = Field("online", description="评价渠道编码（见 /vocabulary）")


class ReasonOut(Schema):
    code: str
    label: str


class RatingOut(Schema):
    grade: int
    grade_label: str
    reasons: list[ReasonOut]
    comment: str
    channel: str
    channel_label: str
    rated_at: dt.datetime


class RectificationOut(Schema):
    id: int
    status: str
    status_label: str
    due_date: dt.date
    reply: str
    replied_at: dt.datetime | None
    organization_name: str


class RatingPanelOut(Schema):
    number: str
    can_rate: bool
    why_not: str
    rating: RatingOut | None
    rectification: RectificationOut | None


class RectificationTaskOut(RectificationOut):
    number: str
    item_name: str
    grade: int
    grade_label: str
    reasons: list[ReasonOut]
    comment: str
    is_overdue: bool


class ReplyIn(Schema):
    reply: str = Field(..., min_length=1, max_length=2000)


class GradeOut(Schema):
    grade: int
    label: str


class ChannelOut(Schema):
    code: str
    label: str


class VocabularyOut(Schema):
    grades: list[GradeOut]
    bad_grade_max: int
    reasons: dict[str, list[ReasonOut]]
    channels: list[ChannelOut]


class RatingGroupOut(Schema):
    key: str
    label: str
    summary: RatingSummaryOut


class RatingStatisticsOut(Schema):
    group_by: str
    summary: RatingSummaryOut
    groups: list[RatingGroupOut]
