"""/api/v1/governance: 一网统管 indicators, their history, the dashboard's chart data,
reports of the hand-reported indicators, and topics. Thin: parse, call one service or
selector, render. Who may is decided there (machine clients: scope governance:read)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from digigov.kernel.api.auth import require_scope

from .constants import PROVINCE_CODE, SCOPE_READ
from .schemas import BoardOut, HistoryPointOut, PanelsOut, ReportIn, ReportOut, TopicIn, TopicOut
from .selectors.dashboard import dashboard_panels
from .selectors.indicators import indicator_board, indicator_history
from .selectors.topics import topic_fields, topic_get, topic_list
from .services.reports import indicator_report
from .services.topics import TopicInput, topic_save

router = Router(tags=["一网统管"])


@router.get("/indicators", response=BoardOut, summary="21 项指标：现状值、目标值、最新值与进度")
def indicators(request: HttpRequest, region: str = PROVINCE_CODE):
    principal = require_scope(request, SCOPE_READ)
    board = indicator_board(principal=principal, region_code=region)
    return {
        "region_code": board.region_code,
        "region_name": board.region_name,
        "region_level": board.region_level,
        "rows": [{**row.__dict__, "status_label": row.status_label} for row in board.rows],
    }


@router.get("/indicators/{number}/history", response=list[HistoryPointOut], summary="指标逐日历史")
def history(request: HttpRequest, number: int, region: str = PROVINCE_CODE, days: int = 30):
    principal = require_scope(request, SCOPE_READ)
    return indicator_history(principal=principal, number=number, region_code=region, days=days)


@router.post(
    "/indicators/{number}/reports", response={201: ReportOut}, summary="填报人工指标（审计）"
)
def report(request: HttpRequest, number: int, body: ReportIn):
    principal = require_scope(request, SCOPE_READ)
    created = indicator_report(principal=principal, number=number, **body.dict())
    return Status(
        201,
        {
            "id": created.pk,
            "indicator": number,
            "region_code": created.region_id,
            "value": created.value,
            "source": created.source,
            "as_of": created.as_of,
            "reported_by_label": created.reported_by_label,
            "reported_at": created.reported_at,
        },
    )


@router.get("/dashboard", response=PanelsOut, summary="驾驶舱图表数据：事件分布、告警、办件量")
def dashboard(request: HttpRequest, region: str = PROVINCE_CODE, topic: str = ""):
    principal = require_scope(request, SCOPE_READ)
    chosen = topic_get(principal=principal, code=topic) if topic else None
    panels = dashboard_panels(principal=principal, region_code=region, topic=chosen)
    return {
        **panels.chart_data(),
        "eventSummary": panels.event_summary,
        "slaWarnings": panels.sla_warnings,
        "alerts": panels.alerts,
    }


@router.get("/topics", response=list[TopicOut], summary="专题驾驶舱列表")
def topics(request: HttpRequest):
    principal = require_scope(request, SCOPE_READ)
    return [topic_fields(topic) for topic in topic_list(principal=principal)]


@router.get("/topics/{code}", response=TopicOut, summary="专题配置")
def topic(request: HttpRequest, code: str):
    principal = require_scope(request, SCOPE_READ)
    return topic_fields(topic_get(principal=principal, code=code))


@router.put("/topics/{code}", response=TopicOut, summary="新建或修改专题（审计）")
def topic_put(request: HttpRequest, code: str, body: TopicIn):
    principal = require_scope(request, SCOPE_READ)
    saved = topic_save(principal=principal, code=code, data=TopicInput(**body.dict()))
    return topic_fields(topic_get(principal=principal, code=saved.code))
