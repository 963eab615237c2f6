"""Schemas of /api/v1/services/commitments (告知承诺核查)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema


class CommitmentCheckOut(Schema):
    id: int
    number: str = Field(..., description="办件编号")
    item_name: str
    applicant_name: str
    status: str = Field(..., description="pending 待核查，confirmed 核查属实，violated 承诺不实")
    status_label: str
    signed_at: dt.datetime
    due_date: dt.date = Field(..., description="核查期限")
    is_overdue: bool = Field(..., description="待核查且已过核查期限")
    checked_by: str
    checked_at: dt.datetime | None
    finding: str = Field(..., description="核查结论（办结后）")


class CommitmentCheckDetailOut(CommitmentCheckOut):
    commitment_text: str = Field(..., description="申请人签署的承诺书全文")
    signer_name: str
    is_signature_valid: bool = Field(..., description="承诺书签名与办件数据一致（未被篡改）")
    handling_organization: str


class CommitmentCheckPageOut(Schema):
    status: str
    total: int
    page: int
    page_size: int
    pages: int
    rows: list[CommitmentCheckOut]


class CommitmentVerifyIn(Schema):
    outcome: Literal["confirmed", "violated"] = Field(
        ..., description="confirmed 承诺属实，violated 承诺不实（须填写核查结论）"
    )
    finding: str = Field("", max_length=2000, description="核查结论；承诺不实时必填")
