"""/api/v1/licenses/authorizations: 授权用证 for registered third parties (banks, hospitals)
holding the scope licenses:use. Thin: parse, call one service or selector, render.

A request is answered "pending" whatever the holder holds: the client learns nothing until
the holder grants it in the wallet (choosing the license). The license view is given only
while the grant lasts; each read is recorded and shown to the holder. Another client's
request reads as not found."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from digigov.kernel.api.auth import require_scope

from ..selectors import use as selectors
from ..services import use as services

router = Router()
SCOPE = "licenses:use"


class AuthorizationIn(Schema):
    holder_kind: str = Field(..., description="持证主体类型：person（自然人）或 entity（法人）")
    holder_key: str = Field(..., description="公民身份号码或统一社会信用代码")
    license_type: str = Field(..., description="证照类型代码，如 JSZ、YYZZ")
    purpose: str = Field(..., description="用证目的（200 字以内）")
    days: int = Field(30, description="申请授权天数，1 至 90 天")


class AuthorizationOut(Schema):
    id: int
    license_type: str
    license_type_name: str
    holder_kind: str
    purpose: str
    requested_days: int
    status: str = Field(..., description="pending|granted|refused|revoked|expired")
    status_label: str
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    expires_at: dt.datetime | None


class LicenseViewOut(Schema):
    authorization_id: int
    address: str
    license_type: str
    license_type_name: str
    number: str
    issuer_code: str
    issuer_name: str
    holder_kind: str
    holder_key: str
    holder_name: str
    valid_from: str
    valid_until: str | None
    status: str
    data: dict[str, Any]
    envelope: dict[str, Any] = Field(..., description="签名信封：可离线核验的签名文档")
    authorization_expires_at: dt.datetime


def _status(request: HttpRequest, authorization_id: int) -> selectors.AuthorizationStatus:
    return selectors.authorization_status(
        principal=request.principal, authorization_id=authorization_id
    )


@router.post("", response={201: AuthorizationOut}, summary="申请用证授权（待持证人授权）")
def authorization_request(request: HttpRequest, payload: AuthorizationIn):
    principal = require_scope(request, SCOPE)
    authorization = services.authorization_request(
        principal=principal,
        holder_kind=payload.holder_kind,
        holder_key=payload.holder_key,
        license_type=payload.license_type,
        purpose=payload.purpose,
        days=payload.days,
    )
    return Status(201, _status(request, authorization.pk))


@router.get("/{authorization_id}", response=AuthorizationOut, summary="查询用证授权状态")
def authorization_get(request: HttpRequest, authorization_id: int):
    require_scope(request, SCOPE)
    return _status(request, authorization_id)


@router.get(
    "/{authorization_id}/license",
    response=LicenseViewOut,
    summary="查看已授权的电子证照（每次调用均记入持证人的用证记录）",
)
def authorization_license(request: HttpRequest, authorization_id: int):
    principal = require_scope(request, SCOPE)
    return services.authorization_license_read(
        principal=principal, authorization_id=authorization_id
    )
