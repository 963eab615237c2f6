"""Schemas of /api/v1/opendata (separate In and Out)."""

from __future__ import annotations

import datetime as dt
import uuid

from ninja import Schema
from pydantic import Field


class DatasetIn(Schema):
    resource_code: str = Field(max_length=60, description="来源数据资源代码")
    name: str = Field(max_length=100, description="标识（网址，小写字母、数字、- 或 _）")
    title: str = Field(max_length=200)
    notes: str = Field(default="", max_length=5000)
    tags: list[str] = Field(default_factory=list, max_length=20)
    theme: str = Field(max_length=20, description="主题（CKAN group）")
    license_id: str = Field(default="gd-open-data", max_length=20)
    update_frequency: str = Field(default="irregular", max_length=10)
    temporal_start: dt.date | None = None
    temporal_end: dt.date | None = None
    spatial: list[str] = Field(default_factory=list, max_length=50, description="区划代码")
    fields: list[str] | None = Field(
        default=None, max_length=200, description="开放的数据项（默认全部可开放项）"
    )
    aggregate_by: list[str] | None = Field(
        default=None, max_length=10, description="汇总维度（按其计数、求和）"
    )


class ReviewIn(Schema):
    approve: bool
    note: str = Field(default="", max_length=300)


class NoteIn(Schema):
    note: str = Field(default="", max_length=300)


class DatasetSummaryOut(Schema):
    id: uuid.UUID
    name: str
    title: str
    organization_code: str
    organization_name: str
    theme: str
    open_condition: str
    state: str
    formats: list[str]
    tags: list[str]
    view_count: int
    download_count: int
    modified_at: dt.datetime


class DatasetPageOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[DatasetSummaryOut]


class RatingOut(Schema):
    average: float | None
    count: int
    mine: int | None


class UsagePointOut(Schema):
    day: dt.date
    views: int
    downloads: int
    api_calls: int


class UsageOut(Schema):
    views_total: int
    downloads_total: int
    api_calls_total: int
    days: list[UsagePointOut]


class DatasetDetailOut(DatasetSummaryOut):
    notes: str
    license_id: str
    update_frequency: str
    temporal_start: dt.date | None
    temporal_end: dt.date | None
    spatial: list[str]
    fields: list[dict]
    resources: list[dict]
    rating: RatingOut


class ApplicationIn(Schema):
    purpose: str = Field(max_length=2000)
    organization: str = Field(default="", max_length=200)
    contact: str = Field(default="", max_length=100)


class DecisionIn(Schema):
    approve: bool
    reason: str = Field(default="", max_length=300)
    valid_days: int = 180


class ApplicationOut(Schema):
    id: int
    dataset_name: str
    dataset_title: str
    applicant_label: str
    applicant_organization: str
    purpose: str
    state: str
    reason: str
    valid_until: dt.date | None
    created_at: dt.datetime
    decided_at: dt.datetime | None


class RatingIn(Schema):
    score: int


class CommentIn(Schema):
    text: str = Field(max_length=1000)


class CommentOut(Schema):
    id: int
    dataset_name: str
    author_label: str
    text: str
    state: str
    created_at: dt.datetime


class ModerationIn(Schema):
    approve: bool


class DataRequestIn(Schema):
    title: str = Field(max_length=200)
    description: str = Field(max_length=5000)
    organization_id: int | None = None


class AnswerIn(Schema):
    answer: str = Field(max_length=5000)
    state: str = Field(default="answered", max_length=10)
    dataset_name: str = Field(default="", max_length=100)


class DataRequestOut(Schema):
    id: int
    title: str
    description: str
    requester_label: str
    organization_name: str
    state: str
    answer: str
    answered_at: dt.datetime | None
    dataset_name: str
    created_at: dt.datetime


class DataRequestPageOut(Schema):
    count: int
    page: int
    results: list[DataRequestOut]


class ShowcaseIn(Schema):
    title: str = Field(max_length=200)
    description: str = Field(max_length=5000)
    url: str = Field(default="", max_length=200)
    dataset_names: list[str] = Field(default_factory=list, max_length=20)


class ShowcaseOut(Schema):
    id: int
    title: str
    description: str
    url: str
    author_label: str
    state: str
    dataset_names: list[str]
    created_at: dt.datetime


class KeyIn(Schema):
    name: str = Field(max_length=100)
    daily_quota: int = 10000


class KeyOut(Schema):
    id: int
    name: str
    prefix: str
    daily_quota: int
    is_active: bool
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    calls_today: int
    calls_total: int
    refused_total: int


class IssuedKeyOut(Schema):
    id: int
    name: str
    daily_quota: int
    secret: str = Field(description="仅此一次显示，请妥善保存")


class KeyUsageOut(Schema):
    day: dt.date
    calls: int
    refused: int


class ThemeCountOut(Schema):
    name: str
    title: str
    count: int


class StatsOut(Schema):
    datasets: int
    organizations: int
    resources: int
    views: int
    downloads: int
    api_calls: int
    showcases: int
    requests: int
    themes: list[ThemeCountOut]
