"""Schemas of /api/v1/seals (电子印章)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema


class SealOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    organization_code: str
    organization_name: str
    valid_from: dt.datetime | None
    valid_until: dt.datetime | None
    certificate_serial: str
    uses: int


class SignatureReportOut(Schema):
    field_name: str
    verdict: str  # valid, invalid, modified
    verdict_label: str  # 有效, 无效, 签章后被修改
    reasons: list[str]
    seal_id: int | None
    seal_name: str
    organization_name: str
    organization_code: str
    certificate_serial: str
    signing_time: dt.datetime | None
    timestamp_time: dt.datetime | None
    reason: str
    location: str
    is_intact: bool
    is_trusted: bool
    is_timestamp_valid: bool
    covers_whole_file: bool


class VerifyOut(Schema):
    file_sm3: str
    signatures: list[SignatureReportOut]
    is_valid: bool  # at least one signature and every one valid


class CoverageOut(Schema):
    region_code: str
    numerator: int
    denominator: int
    percentage: float
