"""Schemas of /api/v1/services/bundles (一件事)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from .applications import CommitmentIn


class BundleSummaryOut(Schema):
    code: str
    name: str
    subject_kind: str
    subject_label: str
    description: str
    life_events: list[str]
    enterprise_stages: list[str]
    is_national_key: bool
    component_count: int


class BundleComponentOut(Schema):
    standard_code: str
    position: int
    is_optional: bool
    name: str
    item_code: str = Field(..., description="该地区的实施编码；为空表示该地区暂未开通")
    organization_name: str
    line: str
    approval_mode: str
    approval_label: str
    promised_days: int
    statutory_days: int
    result_name: str
    visits: int
    commitment_text: str = Field(
        "", description="告知承诺事项的承诺书全文（申请时原文提交）；其他事项为空"
    )


class MergedFieldOut(Schema):
    name: str
    spec: dict[str, Any]
    used_by: list[str] = Field(..., description="使用该字段的事项基本编码")
    required_by: list[str]
    is_required: bool


class MaterialUseOut(Schema):
    standard_code: str
    material_code: str
    required: bool


class MergedMaterialOut(Schema):
    code: str = Field(..., description="合并后的材料编码（B01 ...），提交时使用")
    name: str
    is_required: bool
    license_types: list[str]
    formats: list[str]
    max_mb: int
    note: str
    uses: list[MaterialUseOut]


class BundleDetailOut(Schema):
    summary: BundleSummaryOut
    region_code: str
    departments: list[str]
    components: list[BundleComponentOut]
    form_schema: dict[str, Any] = Field(
        ..., description="合并后的申请表（JSON Schema），共用字段只填一次"
    )
    fields: list[MergedFieldOut]
    materials: list[MergedMaterialOut] = Field(
        ..., description="去重后的材料清单，共用材料只交一次"
    )
    prefill: dict[str, Any] = Field(default_factory=dict, description="免填写：已自动填写的字段")


class BundleMaterialIn(Schema):
    code: str = Field(..., description="合并后的材料编码，如 B01")
    license_address: str = Field("", description="电子证照地址（免提交），与 upload_token 二选一")
    upload_token: str = Field("", description="POST /bundles/{code}/uploads 返回的上传凭证")


class BundleApplyIn(Schema):
    form_data: dict[str, Any] = Field(default_factory=dict, description="合并申请表")
    materials: list[BundleMaterialIn] = Field(default_factory=list)
    idempotency_key: str = Field("", description="幂等键（也可放在 Idempotency-Key 请求头）")
    applicant_id_number: str = Field("", description="代亲友申办时的申请人身份证号")
    applicant_uscc: str = Field("", description="企业一件事：申请单位统一社会信用代码")
    chosen_items: list[str] | None = Field(
        None, description="选办的可选事项（基本编码）；不填表示全部办理，必办事项总会办理"
    )
    commitment: CommitmentIn | None = Field(
        None, description="告知承诺：未在 commitments 中单列的告知承诺事项共用此承诺"
    )
    commitments: dict[str, CommitmentIn] | None = Field(
        None,
        description="告知承诺：按事项基本编码逐项签署，text 为该事项的 commitment_text",
    )


class BundleUploadOut(Schema):
    upload_token: str
    material_code: str
    sha256: str
    size: int
    original_name: str


class ComponentCaseOut(Schema):
    number: str
    item_name: str
    standard_code: str
    organization_name: str
    approval_mode: str
    status: str
    status_label: str
    decision_note: str
    is_closed: bool


class BundleApplicationOut(Schema):
    number: str
    bundle_code: str
    bundle_name: str
    status: str
    status_label: str
    applicant_name: str
    applicant_kind: str
    created_at: dt.datetime
    closed_at: dt.datetime | None
    result_summary: str
    components: list[ComponentCaseOut]
