"""/api/v1/services/ratings: 好差评. Thin: parse, call one service or selector, render.
Machine clients need services:read (panel), services:supervise (statistics)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router

from digigov.kernel.api.auth import require_scope

from ..schemas.ratings import (
    RatingIn,
    RatingPanelOut,
    RatingStatisticsOut,
    RectificationOut,
    RectificationTaskOut,
    ReplyIn,
    VocabularyOut,
)
from ..selectors import ratings as selectors
from ..selectors.supervision import SupervisionFilter
from ..services import ratings as services

router = Router()
READ = "services:read"
APPLY = "services:apply"
SUPERVISE = "services:supervise"


@router.get("/vocabulary", response=VocabularyOut, auth=None, summary="评价等级、原因与渠道")
def vocabulary(request: HttpRequest):
    return selectors.rating_vocabulary()


@router.get(
    "/applications/{number}",
    response=RatingPanelOut,
    summary="办件的评价：能否评价、已有评价及差评整改答复",
)
def panel(request: HttpRequest, number: str):
    principal = require_scope(request, READ)
    return selectors.rating_panel(principal=principal, number=number)


@router.post(
    "/applications/{number}",
    response={201: RatingPanelOut},
    summary="评价已办结的办件（申请人，每件一次）；1-2 分为差评，转办理机构整改",
)
def submit(request: HttpRequest, number: str, body: RatingIn):
    principal = require_scope(request, APPLY)
    services.rating_submit(
        principal=principal,
        number=number,
        grade=body.grade,
        reasons=body.reasons,
        comment=body.comment,
        channel=body.channel,
    )
    return 201, selectors.rating_panel(principal=principal, number=number)


@router.get(
    "/rectifications",
    response=list[RectificationTaskOut],
    summary="差评整改任务（本机构；监督人员含下级）",
)
def rectifications(request: HttpRequest, status: str = ""):
    principal = require_scope(request, SUPERVISE)
    return [
        selectors.rectification_task(rectification)
        for rectification in selectors.rectifications_for(principal=principal, status=status)[:200]
    ]


@router.post(
    "/rectifications/{rectification_id}/reply",
    response=RectificationOut,
    summary="答复差评整改（办理机构工作人员），申请人可在办件页看到",
)
def reply(request: HttpRequest, rectification_id: int, body: ReplyIn):
    principal = require_scope(request, APPLY)
    rectification = services.rectification_reply(
        principal=principal, rectification_id=rectification_id, reply=body.reply
    )
    return selectors.rectification_view(rectification)


@router.get(
    "/statistics",
    response=RatingStatisticsOut,
    summary="好差评统计：按事项 item、部门 organization、条线 line、地区 region",
)
def statistics(
    request: HttpRequest,
    group_by: str = "organization",
    region: str = "",
    line: str = "",
    organization: int | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
):
    principal = require_scope(request, SUPERVISE)
    summary, groups = selectors.rating_statistics(
        principal=principal,
        group_by=group_by,
        filters=SupervisionFilter(
            region_code=region, line=line, organization_id=organization, since=since, until=until
        ),
    )
    return {"group_by": group_by, "summary": summary, "groups": groups}
