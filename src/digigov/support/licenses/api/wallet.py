"""/api/v1/licenses/wallet: 卡包 for the holder — a citizen with a verified ID number, or an
enterprise agent for an entity (`?uscc=`) it may use licenses for. Thin: parse, call one
service or selector, render. Someone else's license reads as not found (audited)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Router, Schema, Status

from ..selectors import wallet as selectors
from ..services import use as services

router = Router()


class CardOut(Schema):
    address: str
    type_code: str
    type_name: str
    number: str
    issuer_name: str
    holder_name: str
    valid_from: dt.date
    valid_until: dt.date | None
    status: str = Field(..., description="valid|suspended|revoked|replaced|expired（按当前日期）")
    status_label: str
    suspended_until: dt.date | None


class FaceOut(Schema):
    key: str
    label: str
    value: Any


class UseOut(Schema):
    kind: str
    kind_label: str
    user_label: str
    purpose: str
    reference: str
    occurred_at: dt.datetime


class LicenseOut(Schema):
    card: CardOut
    holder_kind: str
    holder_key_masked: str
    face: list[FaceOut]
    issued_at: dt.datetime
    status_reason: str
    uses: list[UseOut]


class AuthorizationRowOut(Schema):
    id: int
    client_name: str
    type_code: str
    type_name: str
    purpose: str
    requested_days: int
    status: str
    status_label: str
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    expires_at: dt.datetime | None
    license_address: str
    candidates: list[CardOut]
    use_count: int


class GrantIn(Schema):
    address: str = Field(..., description="授权给对方查看的证照地址")


class RefuseIn(Schema):
    reason: str = ""


class ShowIn(Schema):
    fields: list[str] = Field(default_factory=list, description="亮证时出示的照面字段")


class ShowOut(Schema):
    token: str
    url: str
    fields: list[str]
    expires_at: dt.datetime


@router.get("", response=list[CardOut], summary="我的电子证照（卡包）")
def wallet_list(request: HttpRequest, uscc: str = ""):
    return selectors.wallet_list(principal=request.principal, uscc=uscc)


@router.get("/authorizations", response=list[AuthorizationRowOut], summary="第三方用证授权申请")
def wallet_authorizations(request: HttpRequest, uscc: str = ""):
    return selectors.wallet_authorizations(principal=request.principal, uscc=uscc)


def _row(request: HttpRequest, authorization_id: int, uscc: str) -> selectors.AuthorizationRow:
    rows = selectors.wallet_authorizations(principal=request.principal, uscc=uscc)
    return next(row for row in rows if row.id == authorization_id)


@router.post(
    "/authorizations/{authorization_id}/grant",
    response=AuthorizationRowOut,
    summary="同意授权（选择一张证照）",
)
def authorization_grant(
    request: HttpRequest, authorization_id: int, payload: GrantIn, uscc: str = ""
):
    services.authorization_grant(
        principal=request.principal, authorization_id=authorization_id, address=payload.address
    )
    return _row(request, authorization_id, uscc)


@router.post(
    "/authorizations/{authorization_id}/refuse",
    response=AuthorizationRowOut,
    summary="拒绝授权",
)
def authorization_refuse(
    request: HttpRequest, authorization_id: int, payload: RefuseIn, uscc: str = ""
):
    services.authorization_refuse(
        principal=request.principal, authorization_id=authorization_id, reason=payload.reason
    )
    return _row(request, authorization_id, uscc)


@router.post(
    "/authorizations/{authorization_id}/withdraw",
    response=AuthorizationRowOut,
    summary="撤回授权",
)
def authorization_withdraw(request: HttpRequest, authorization_id: int, uscc: str = ""):
    services.authorization_withdraw(principal=request.principal, authorization_id=authorization_id)
    return _row(request, authorization_id, uscc)


@router.get("/{address}", response=LicenseOut, summary="证照详情（照面信息与用证记录）")
def wallet_license(request: HttpRequest, address: str, uscc: str = ""):
    detail = selectors.wallet_license(principal=request.principal, address=address, uscc=uscc)
    uses = selectors.license_uses(principal=request.principal, address=address, uscc=uscc)
    return {**detail.__dict__, "uses": uses}


@router.post("/{address}/show", response={201: ShowOut}, summary="亮证：生成 5 分钟有效的出示码")
def wallet_show(request: HttpRequest, address: str, payload: ShowIn, uscc: str = ""):
    token = services.license_show_token(
        principal=request.principal, address=address, fields=payload.fields, uscc=uscc
    )
    url = request.build_absolute_uri(reverse("web:license_show", kwargs={"token": token.token}))
    return Status(201, {**token.__dict__, "url": url})


@router.get("/{address}/download", summary="下载签名 JSON 或 PDF（记入用证记录）")
def wallet_download(request: HttpRequest, address: str, format: str = "json", uscc: str = ""):
    download = services.license_download(
        principal=request.principal, address=address, file_format=format, uscc=uscc
    )
    response = HttpResponse(download.content, content_type=download.content_type)
    response["Content-Disposition"] = f'attachment; filename="{download.filename}"'
    return response
