"""Schemas of the catalog, keys, status list and issuing endpoints (separate ...In / ...Out).
Names are prefixed where a plain name could clash with another area's schema in OpenAPI."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import field_validator


class LicenseFieldOut(Schema):
    key: str
    label: str
    type: str = Field(..., description="string | date | number | enum | boolean")
    required: bool = False
    choices: list[str] = []
    source: list[str] = Field(
        [],
        description="制证时的取值来源，依次尝试：holder.name、holder.key、person.gender、"
        "person.birth_date、entity.legal_rep_name、entity.entity_type、form.<办件表单字段>、"
        "case.number、case.decided_on、case.region_name；空表示由制证人员填写",
    )

    @field_validator("source", mode="before")
    @classmethod
    def _source_list(cls, value):
        # the catalog writes one hint as a string, alternatives as a list
        if isinstance(value, str):
            return [value] if value else []
        return value


class LicenseTypeOut(Schema):
    code: str
    name: str
    issuing_function: str = Field(..., description="颁发部门条线，如 gat（公安）、scjg（市场监管）")
    issuing_department: str
    holder_kind: str = Field(..., description="person | entity")
    holder_kind_label: str
    validity_years: int | None = Field(None, description="有效期（年）；null 表示长期")
    fields: list[LicenseFieldOut]
    template: dict[str, Any] = Field(..., description="版式：title、color、rows、footer")


class LicenseKeyOut(Schema):
    key_id: str
    algorithm: str = Field(..., description="sm2 | ed25519")
    issuer_code: str
    issuer_name: str
    public_key_der: str = Field(..., description="SubjectPublicKeyInfo DER，Base64")
    public_key_multibase: str = Field(
        ..., description="W3C Multikey（仅 Ed25519，z 开头的 base58btc）；SM2 为空"
    )
    verification_method: str = Field(..., description="可验证凭证中的 verificationMethod")
    is_active: bool
    created_at: dt.datetime | None
    retired_at: dt.datetime | None


class LicenseIssuerOut(Schema):
    id: str
    code: str
    name: str
    keys: list[LicenseKeyOut]


class LicenseIssueIn(Schema):
    type_code: str = Field(..., max_length=40)
    holder_kind: Literal["person", "entity"]
    holder_key: str = Field(..., max_length=18, description="公民身份号码或统一社会信用代码")
    data: dict[str, Any] = Field(..., description="照面信息，字段见证照目录")
    valid_from: dt.date | None = None
    valid_until: dt.date | None = Field(None, description="留空按证照类型的有效期计算")
    reference: str = Field("", max_length=80, description="部门系统中的业务编号")


class IssuedLicenseOut(Schema):
    address: str
    number: str
    type_code: str
    type_name: str
    issuer_code: str
    issuer_name: str
    holder_kind: str
    holder_key: str
    holder_name: str
    data: dict[str, Any]
    valid_from: dt.date
    valid_until: dt.date | None
    issued_at: dt.datetime
    status: str = Field(..., description="valid|suspended|revoked|replaced|expired（按当前日期）")
    status_label: str
    suspended_until: dt.date | None
    status_reason: str
    source: str
    source_reference: str
    replaces: str | None
    replaced_by: list[str]
    document: dict[str, Any] = Field(
        ..., description="签名原文（RFC 8785 规范化 JSON）解析后的对象"
    )
    signed_payload: str = Field(..., description="签名原文：RFC 8785 规范化的 JSON 文本")
    signature: str = Field(..., description="对签名原文 UTF-8 字节的签名，Base64")
    key_id: str
    algorithm: str
    status_list: dict[str, Any] = Field(..., description="状态列表序号与位置")


class LicenseSuspendIn(Schema):
    until: dt.date = Field(..., description="暂停至（含当日）")
    reason: str = Field(..., max_length=300)


class LicenseResumeIn(Schema):
    reason: str = Field("", max_length=300)


class LicenseReasonIn(Schema):
    reason: str = Field(..., max_length=300)


class LicenseRenewIn(Schema):
    valid_from: dt.date | None = Field(None, description="新证有效期起，默认今天")
