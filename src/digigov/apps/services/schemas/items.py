"""Schemas of /api/v1/services/items: the public catalog and guides, and the staff drafts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema


class ItemSummaryOut(Schema):
    code: str
    standard_code: str
    name: str
    organization_name: str
    region_code: str
    region_name: str
    item_type: str
    item_type_label: str
    subject_kind: str
    approval_mode: str
    approval_mode_label: str
    visits: int
    visits_label: str
    cross_region_scopes: list[str]
    cross_region_labels: list[str]
    is_online: bool
    promised_days: int
    statutory_days: int


class ItemPageOut(Schema):
    items: list[ItemSummaryOut]
    total: int
    page: int
    page_size: int
    has_next: bool


class MaterialOut(Schema):
    code: str
    name: str
    is_required: bool
    license_types: list[str]
    license_names: list[str]
    formats: list[str]
    max_mb: int | None
    note: str


class ItemGuideOut(Schema):
    code: str
    standard_code: str
    is_standard: bool
    version_number: int
    published_at: dt.datetime | None
    organization_code: str
    organization_name: str
    region_code: str
    region_name: str
    name: str
    item_type: str
    item_type_label: str
    subject_kind: str
    subject_kind_label: str
    legal_basis: str
    conditions: list[str]
    materials: list[MaterialOut]
    process: list[str]
    statutory_days: int
    promised_days: int
    approval_mode: str
    approval_mode_label: str
    visits: int
    visits_label: str
    is_window_accepted: bool
    cross_region_scopes: list[str]
    cross_region_labels: list[str]
    is_online: bool
    is_single_sign_on: bool
    life_events: list[str]
    life_event_labels: list[str]
    enterprise_stages: list[str]
    enterprise_stage_labels: list[str]
    result_name: str
    result_license_type: str
    result_for_applicant: bool = True
    implementing_body: str
    place: str
    office_hours: str
    consult_phone: str
    complaint_phone: str
    fees: list[dict[str, Any]]
    form_schema: dict[str, Any]


class ItemCreateIn(Schema):
    code: str = Field(..., min_length=1, max_length=64, description="实施编码")
    organization_code: str = Field(..., max_length=40, description="实施机构代码")
    standard_code: str = Field(
        "", max_length=64, description="基本编码；为已有标准事项时作为地方事项"
    )
    fields: dict[str, Any] = Field(default_factory=dict, description="事项要素（见 ItemGuideOut）")
    change_note: str = Field("", max_length=300)


class ItemDraftEditIn(Schema):
    changes: dict[str, Any] = Field(..., description="要修改的事项要素")
    change_note: str = Field("", max_length=300)


class ItemRejectIn(Schema):
    comment: str = Field(..., min_length=1, max_length=300, description="审核意见")


class VersionOut(Schema):
    number: int
    status: str
    status_label: str
    name: str
    change_note: str
    created_by: str
    reviewed_by: str
    review_comment: str
    created_at: dt.datetime
    published_at: dt.datetime | None


class ItemStaffOut(Schema):
    code: str
    standard_code: str
    is_standard: bool
    is_active: bool
    published_version: int | None
    draft: VersionOut | None = None
