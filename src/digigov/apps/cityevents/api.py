"""/api/v1 router of 城市事件: the 12345 hotline interface (scope cityevents:report, idempotent
on the ticket number, with a status endpoint it polls) and the staff API for the event list,
one event and its stage actions. Thin: parse, call one service or selector, answer."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from digigov.kernel.api.auth import require_scope
from digigov.kernel.errors import PermissionDenied

from .schemas import (
    EventDetailOut,
    EventPageOut,
    EventRefOut,
    EventTypeOut,
    MergeIn,
    TicketIn,
    TicketOut,
)
from .selectors.events import (
    EventFilters,
    event_detail,
    event_list,
    event_status_for_source,
    ticket_progress,
)
from .selectors.stats import event_type_choices
from .services.events import city_event_act, city_event_merge, city_event_report

router = Router(tags=["城市事件"])
SCOPE = "cityevents:report"


def _hotline(request: HttpRequest):
    principal = require_scope(request, SCOPE)
    if principal.kind != "machine":
        raise PermissionDenied("该接口供 12345 热线系统调用", code="cityevents/machine_only")
    return principal


def _ticket(ticket_number: str) -> dict:
    return ticket_progress(source="hotline", external_ref=ticket_number)


@router.post(
    "/tickets",
    response={201: TicketOut, 200: TicketOut},
    summary="12345 热线转办城市事件（按工单编号幂等）",
)
def ticket_submit(request: HttpRequest, payload: TicketIn):
    principal = _hotline(request)
    existed = event_status_for_source(source="hotline", external_ref=payload.ticket_number)
    city_event_report(
        source="hotline",
        event_type_code=payload.event_type_code,
        lng=payload.lng,
        lat=payload.lat,
        title=payload.title,
        description=payload.description,
        level=payload.level,
        reporter=principal,
        external_ref=payload.ticket_number,
    )
    return Status(200 if existed else 201, _ticket(payload.ticket_number))


@router.get("/tickets/{ticket_number}", response=TicketOut, summary="查询工单对应事件的办理进度")
def ticket_status(request: HttpRequest, ticket_number: str):
    _hotline(request)
    return _ticket(ticket_number)


@router.get("/types", response=list[EventTypeOut], summary="城市事件类型目录")
def types(request: HttpRequest):
    return [{"code": code, "name": name} for code, name in event_type_choices()]


@router.get("/events", response=EventPageOut, summary="城市事件列表（按管辖范围，可筛选）")
def events(
    request: HttpRequest,
    stage: str = "",
    event_type: str = "",
    level: str = "",
    source: str = "",
    region: str = "",
    q: str = "",
    overdue: bool = False,
    page: int = Query(1, ge=1),
):
    filters = EventFilters(
        stage=stage,
        event_type_code=event_type,
        level=level,
        source=source,
        region_code=region,
        search=q,
        overdue_only=overdue,
    )
    return event_list(principal=request.principal, filters=filters, page=page)


def _detail(request: HttpRequest, number: str) -> dict:
    detail = event_detail(principal=request.principal, number=number)
    return {**detail, "event": detail["row"]}


@router.get("/events/{number}", response=EventDetailOut, summary="城市事件详情与流转记录")
def event(request: HttpRequest, number: str):
    return _detail(request, number)


@router.post(
    "/events/{number}/actions",
    response=EventRefOut,
    summary="阶段操作：register 立案 / reject 不予立案 / dispatch 派遣 / return 退回 / "
    "handle 处置 / verify 核查通过 / verify_fail 核查不通过 / close 结案",
)
def event_act(
    request: HttpRequest,
    number: str,
    action: Form[str],
    note: Form[str] = "",
    photos: File[list[UploadedFile]] = None,
):
    return city_event_act(
        principal=request.principal,
        number=number,
        action=action,
        note=note,
        photos=photos or [],
    )


@router.post("/events/{number}/merge", response=EventRefOut, summary="将重复上报合并到存续事件")
def event_merge(request: HttpRequest, number: str, payload: MergeIn):
    return city_event_merge(
        principal=request.principal, duplicate_number=number, into_number=payload.into
    )
