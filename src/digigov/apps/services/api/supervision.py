"""/api/v1/services/supervision: 政务服务监督 (figures, warnings, drill-down) and the statutory
clock's staff actions (特别程序). Thin: parse, call one service or selector, render.
Machine clients need the scope services:supervise (read) or services:apply (actions)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router

from digigov.kernel.api.auth import require_scope

from ..schemas.supervision import CasePageOut, ClockOut, OverviewOut, SpecialProcedureIn
from ..selectors.supervision import (
    CASE_STATES,
    SupervisionFilter,
    supervision_cases,
    supervision_overview,
)
from ..services.clock import clock_special_procedure_start, clock_special_procedure_stop

router = Router()
SUPERVISE = "services:supervise"
APPLY = "services:apply"


def _filters(
    region: str, line: str, organization: int | None, since: dt.date | None, until: dt.date | None
) -> SupervisionFilter:
    return SupervisionFilter(
        region_code=region, line=line, organization_id=organization, since=since, until=until
    )


@router.get(
    "/overview",
    response=OverviewOut,
    summary="监督总览：在办、办结、按时办结率、红黄牌、平均办结工作日、跨域办件、好差评",
)
def overview(
    request: HttpRequest,
    region: str = "",
    line: str = "",
    organization: int | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
):
    principal = require_scope(request, SUPERVISE)
    return supervision_overview(
        principal=principal, filters=_filters(region, line, organization, since, until)
    )


@router.get(
    "/cases",
    response=CasePageOut,
    summary=f"办件清单（下钻）：state = {' | '.join(CASE_STATES)}",
)
def cases(
    request: HttpRequest,
    state: str = "open",
    region: str = "",
    line: str = "",
    organization: int | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    page: int = 1,
    page_size: int = 20,
):
    principal = require_scope(request, SUPERVISE)
    return supervision_cases(
        principal=principal,
        filters=_filters(region, line, organization, since, until),
        state=state,
        page=page,
        page_size=page_size,
    )


@router.post(
    "/clock/{number}/special-procedure",
    response=ClockOut,
    summary="启动特别程序（办理机构工作人员）：计时暂停，所需时间不计入办理时限",
)
def special_procedure_start(request: HttpRequest, number: str, body: SpecialProcedureIn):
    principal = require_scope(request, APPLY)
    return clock_special_procedure_start(principal=principal, number=number, reason=body.reason)


@router.post(
    "/clock/{number}/special-procedure/stop",
    response=ClockOut,
    summary="结束特别程序：办结期限按暂停的工作日顺延",
)
def special_procedure_stop(request: HttpRequest, number: str, body: SpecialProcedureIn):
    principal = require_scope(request, APPLY)
    return clock_special_procedure_stop(principal=principal, number=number, reason=body.reason)
