"""Schemas of /api/v1/services/applications (办件)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema


class MaterialIn(Schema):
    code: str = Field(..., description="材料编码，如 M01")
    license_address: str = Field("", description="电子证照地址（免提交），与 upload_token 二选一")
    upload_token: str = Field("", description="POST /uploads 返回的上传凭证")


class CommitmentIn(Schema):
    accepted: bool = False
    text: str = Field("", description="告知承诺书全文（与事项的承诺书一致）")
    signature: str = Field("", description="签名：申请人（或法定代表人）姓名")


class ApplicationIn(Schema):
    item_code: str = Field(..., description="实施编码；也可为基本编码，按办理地区匹配实施事项")
    form_data: dict[str, Any] = Field(
        default_factory=dict, description="申请表（按事项的 JSON Schema）"
    )
    materials: list[MaterialIn] = Field(default_factory=list)
    idempotency_key: str = Field(
        "", description="幂等键（也可放在 Idempotency-Key 请求头）：重复提交返回同一办件"
    )
    channel: str = Field("online", description="online | window | api（window 限窗口人员）")
    applicant_id_number: str = Field("", description="代亲友申办或窗口收件时的申请人身份证号")
    applicant_uscc: str = Field("", description="企业申办或窗口收件时的统一社会信用代码")
    commitment: CommitmentIn | None = Field(None, description="告知承诺事项必填")
    handling_region_code: str = Field("", description="办理地区划代码（按基本编码申办时）")
    received_partner: str = Field("", description="跨省通办的外省收件窗口（窗口收件时）")


class WithdrawIn(Schema):
    reason: str


class CorrectIn(Schema):
    form_data: dict[str, Any] = Field(default_factory=dict)
    materials: list[MaterialIn] = Field(default_factory=list)


class UploadOut(Schema):
    upload_token: str
    sha256: str
    size: int
    content_type: str
    original_name: str
    material_code: str


class PrefillOut(Schema):
    item_code: str
    values: dict[str, Any]
    fields: list[str]


class CaseRowOut(Schema):
    number: str
    item_code: str
    item_name: str
    status: str
    status_label: str
    applicant_kind: str
    applicant_name: str
    applicant_id_masked: str
    applicant_uscc: str
    is_on_behalf: bool
    channel: str
    channel_label: str
    handling_organization_name: str
    received_region_name: str
    submitted_at: dt.datetime | None
    deadline: dt.date | None
    warning: str


class CasePageOut(Schema):
    items: list[CaseRowOut]
    page: int
    page_size: int
    total: int
    has_next: bool


class TimelineOut(Schema):
    at: dt.datetime
    kind: str
    label: str
    actor_label: str
    organization_name: str


class CaseMaterialOut(Schema):
    code: str
    name: str
    source: str
    source_label: str
    license_address: str
    original_name: str
    content_type: str
    size: int
    download_url: str


class CaseOut(Schema):
    number: str
    role: str
    item_code: str
    item_name: str
    approval_mode: str
    status: str
    status_label: str
    is_closed: bool
    applicant_kind: str
    applicant_name: str
    applicant_id_masked: str
    applicant_uscc: str
    is_on_behalf: bool
    channel: str
    channel_label: str
    received_region_name: str
    received_organization_name: str
    received_partner: str
    handling_region_name: str
    handling_organization_name: str
    is_cross_region: bool
    form_data: dict[str, Any]
    prefilled_fields: list[str]
    decision_note: str
    result_reference: str
    submitted_at: dt.datetime | None
    accepted_at: dt.datetime | None
    closed_at: dt.datetime | None
    deadline: dt.date | None
    timeline: list[TimelineOut]
    materials: list[CaseMaterialOut]
