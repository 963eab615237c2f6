"""/api/v1/sharing: 供需对接 (requests, decisions, grants, the needs list, indicator 11).
Thin: parse, call one service or selector, render. Who may is decided there."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from digigov.kernel.api.auth import require_scope

from .schemas import (
    DecisionIn,
    GrantsOut,
    IndicatorOut,
    LogPageOut,
    RequestOut,
    RequestPageOut,
    RevokeIn,
    SharingRequestIn,
)
from .selectors.access import REQUEST_SCOPE
from .selectors.grants import grants_for_organization
from .selectors.log import exchange_log_for_owner
from .selectors.requests import (
    NeedsFilters,
    sharing_inbox,
    sharing_needs,
    sharing_request_get,
    sharing_satisfaction_rate,
)
from .services.requests import (
    grant_revoke,
    sharing_request_decide,
    sharing_request_submit,
    sharing_request_withdraw,
)

router = Router(tags=["共享交换：供需对接"])


class NeedsQuery(Schema):
    requester_id: int | None = None
    owner_id: int | None = None
    resource: str = ""
    state: str = ""
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = None
    page: int = 1
    page_size: int = 20


@router.post("/requests", response={201: RequestOut}, summary="申请共享数据（本单位，按数据项）")
def request_submit(request: HttpRequest, body: SharingRequestIn):
    principal = require_scope(request, REQUEST_SCOPE)
    created = sharing_request_submit(principal=principal, **body.dict())
    return Status(201, sharing_request_get(principal=principal, request_id=created.pk))


@router.get(
    "/requests", response=RequestPageOut, summary="需求清单（可按单位、资源、状态、时间筛选）"
)
def request_list(request: HttpRequest, filters: Query[NeedsQuery]):
    principal = require_scope(request, REQUEST_SCOPE)
    return sharing_needs(
        principal=principal,
        filters=NeedsFilters(
            requester_id=filters.requester_id,
            owner_id=filters.owner_id,
            resource_code=filters.resource,
            state=filters.state,
            submitted_from=filters.submitted_from,
            submitted_to=filters.submitted_to,
        ),
        page=filters.page,
        page_size=filters.page_size,
    )


@router.get("/inbox", response=RequestPageOut, summary="待本单位审批的共享申请")
def inbox(request: HttpRequest, page: int = 1):
    return sharing_inbox(principal=request.principal, page=page)


@router.get("/requests/{request_id}", response=RequestOut, summary="一件共享申请")
def request_get(request: HttpRequest, request_id: int):
    principal = require_scope(request, REQUEST_SCOPE)
    return sharing_request_get(principal=principal, request_id=request_id)


@router.post(
    "/requests/{request_id}/decision",
    response=RequestOut,
    summary="审批共享申请（按数据项同意或不予同意，可指定不脱敏数据项与批量导出）",
)
def request_decide(request: HttpRequest, request_id: int, body: DecisionIn):
    principal = request.principal
    sharing_request_decide(principal=principal, request_id=request_id, **body.dict())
    return sharing_request_get(principal=principal, request_id=request_id)


@router.post("/requests/{request_id}/withdraw", response=RequestOut, summary="撤回待审批的申请")
def request_withdraw(request: HttpRequest, request_id: int):
    principal = require_scope(request, REQUEST_SCOPE)
    sharing_request_withdraw(principal=principal, request_id=request_id)
    return sharing_request_get(principal=principal, request_id=request_id)


@router.get("/grants", response=GrantsOut, summary="本单位的共享授权（提供的与获得的）")
def grants(request: HttpRequest):
    return grants_for_organization(principal=request.principal)


@router.post("/grants/{grant_id}/revoke", response={204: None}, summary="撤销共享授权（提供单位）")
def revoke(request: HttpRequest, grant_id: int, body: RevokeIn):
    grant_revoke(principal=request.principal, grant_id=grant_id, reason=body.reason)
    return Status(204, None)


@router.get("/access-log", response=LogPageOut, summary="本单位数据被调用的记录（交换日志）")
def access_log(request: HttpRequest, resource: str = "", page: int = 1):
    return exchange_log_for_owner(principal=request.principal, resource_code=resource, page=page)


@router.get(
    "/indicator",
    response=IndicatorOut,
    summary="指标 11：应共享的数据需求满足率（按需求单位所在区划、提交时间）",
)
def indicator(
    request: HttpRequest,
    region: str = "",
    submitted_from: dt.date | None = None,
    submitted_to: dt.date | None = None,
):
    principal = require_scope(request, REQUEST_SCOPE)
    # the same readers as the needs list it is computed from
    sharing_needs(principal=principal, page_size=1)
    period = None
    if submitted_from or submitted_to:
        period = (submitted_from or dt.date.min, submitted_to or dt.date.max)
    return sharing_satisfaction_rate(region_code=region or None, period=period)
