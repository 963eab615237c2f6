"""粤政易 · 一网统管 (粤治慧): the situation dashboards (驾驶舱) of the province and each city,
one indicator's history, drill-down and records, the report form of the hand-reported
indicators, topic dashboards (专题) and their configuration, and the phone view (看数).
Thin: parse, call one service or selector, render. Who may is decided there."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from digigov.apps.governance.constants import (
    FUNCTIONS,
    MANAGE_TOPICS,
    PROVINCE_CODE,
    REPORT_INDICATOR,
    VIEW_PROVINCE,
)
from digigov.apps.governance.selectors.access import dashboard_scope
from digigov.apps.governance.selectors.dashboard import dashboard_panels
from digigov.apps.governance.selectors.indicators import (
    indicator_board,
    indicator_detail,
    indicator_records,
)
from digigov.apps.governance.selectors.topics import (
    sector_labels,
    topic_choices,
    topic_fields,
    topic_get,
    topic_list,
)
from digigov.apps.governance.services.reports import indicator_report
from digigov.apps.governance.services.topics import TopicInput, topic_save
from digigov.kernel.errors import DomainError, NotFound, PermissionDenied, Unauthenticated
from digigov.kernel.principals import request_principal
from digigov.kernel.regions.selectors import region_children

from .views import PORTAL, staff_required

NAV = "governance"
GEO_URL = "digigov/vendor/geo/guangdong.json"


def _refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    context = {**PORTAL, "nav": NAV, "page_title": "无权访问", "message": error.message}
    return render(request, "staff/refused.html", context, status=403)


def _missing(request: HttpRequest, error: DomainError) -> HttpResponse:
    context = {**PORTAL, "nav": NAV, "page_title": "未找到", "message": error.message}
    return render(request, "staff/refused.html", context, status=404)


def _failed(request: HttpRequest, error: DomainError) -> HttpResponse:
    if isinstance(error, (PermissionDenied, Unauthenticated)):
        return _refused(request, error)
    if isinstance(error, NotFound):
        return _missing(request, error)
    raise error


def _url_or_blank(name: str) -> str:
    """Another area's page, while that area may still be renaming its URLs."""
    try:
        return reverse(name) if name else ""
    except NoReverseMatch:
        return ""


def _int(value: str | None, default: int = 1) -> int:
    try:
        return max(1, int(value or ""))
    except ValueError:
        return default


def _dashboard(request: HttpRequest, *, region_code: str, topic_code: str = "") -> HttpResponse:
    principal = request_principal(request)
    try:
        scope = dashboard_scope(principal=principal)
        if region_code == PROVINCE_CODE and not scope.province and not topic_code:
            return redirect("staff:governance_city", code=scope.city_code)
        topic = topic_get(principal=principal, code=topic_code) if topic_code else None
        board = indicator_board(principal=principal, region_code=region_code or scope.home)
        panels = dashboard_panels(principal=principal, region_code=board.region_code, topic=topic)
    except DomainError as error:
        return _failed(request, error)
    rows = board.rows
    if topic is not None:
        chosen = {indicator.number for indicator in topic.indicators.all()}
        rows = [row for row in rows if row.number in chosen]
    cities = list(region_children(parent_code=PROVINCE_CODE)) if scope.province else []
    context = {
        **PORTAL,
        "nav": NAV,
        "page_title": f"{topic.name}专题" if topic else f"{board.region_name}一网统管驾驶舱",
        "board": board,
        "rows": rows,
        "by_category": [
            (label, [row for row in group if row in rows]) for label, group in board.by_category
        ],
        "panels": panels,
        "chart_data": {
            **panels.chart_data(),
            "geoUrl": GEO_URL,
            "cityUrl": reverse("staff:governance_city", args=["000000"]),
        },
        "topic": topic,
        "topics": topic_list(principal=principal),
        "cities": cities,
        "may_report": principal.has_perm(REPORT_INDICATOR),
        "may_manage_topics": principal.has_perm(MANAGE_TOPICS),
        "is_province_viewer": principal.has_perm(VIEW_PROVINCE),
    }
    return render(request, "staff/governance/dashboard.html", context)


@require_safe
@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    city = request.GET.get("city", "").strip()
    if city.isdigit() and len(city) == 6:  # the city picker without script
        return redirect("staff:governance_city", code=city)
    return _dashboard(request, region_code=PROVINCE_CODE)


@require_safe
@staff_required
def city_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    return _dashboard(request, region_code=code)


@require_safe
@staff_required
def topic_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    principal = request_principal(request)
    try:
        home = dashboard_scope(principal=principal).home
    except DomainError as error:
        return _failed(request, error)
    region = request.GET.get("region", "").strip()[:6] or home
    return _dashboard(request, region_code=region, topic_code=code)


@require_safe
@staff_required
def indicator(request: HttpRequest, number: int) -> HttpResponse:
    principal = request_principal(request)
    try:
        home = dashboard_scope(principal=principal).home
        region = request.GET.get("region", "").strip()[:6] or home
        detail = indicator_detail(principal=principal, number=number, region_code=region)
    except DomainError as error:
        return _failed(request, error)
    context = {
        **PORTAL,
        "nav": NAV,
        "page_title": f"指标 {number}：{detail.row.name}",
        "detail": detail,
        "row": detail.row,
        "chart_data": {
            "history": [
                [p.day.isoformat(), float(p.value) if p.value is not None else None]
                for p in detail.history
            ],
            "unit": detail.row.unit,
            "target": float(detail.row.target),
        },
        "may_report": principal.has_perm(REPORT_INDICATOR) and detail.row.kind == "reported",
        "back_url": reverse("staff:governance")
        if detail.region_code == PROVINCE_CODE
        else reverse("staff:governance_city", args=[detail.region_code[:4] + "00"]),
    }
    return render(request, "staff/governance/indicator.html", context)


@require_safe
@staff_required
def records(request: HttpRequest, number: int) -> HttpResponse:
    principal = request_principal(request)
    try:
        home = dashboard_scope(principal=principal).home
        region = request.GET.get("region", "").strip()[:6] or home
        only = request.GET.get("counted") == "1"
        search = request.GET.get("q", "").strip()[:60]
        page = indicator_records(
            principal=principal,
            number=number,
            region_code=region,
            only_counted=only,
            search=search,
            page=_int(request.GET.get("page")),
        )
        board = indicator_board(principal=principal, region_code=region)
    except DomainError as error:
        return _failed(request, error)
    row = next(r for r in board.rows if r.number == number)
    context = {
        **PORTAL,
        "nav": NAV,
        "page_title": f"指标 {number} 的统计记录",
        "page": page,
        "row": row,
        "region_name": board.region_name,
        "only_counted": only,
        "search": search,
        "link": _url_or_blank(page.link),
    }
    return render(request, "staff/governance/records.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def report(request: HttpRequest, number: int) -> HttpResponse:
    principal = request_principal(request)
    if not principal.has_perm(REPORT_INDICATOR):
        return _refused(request, PermissionDenied("只有指标填报人员可以填报"))
    try:
        home = dashboard_scope(principal=principal).home
        source = request.POST if request.method == "POST" else request.GET
        region = source.get("region", "").strip()[:6] or home
        detail = indicator_detail(principal=principal, number=number, region_code=region)
    except DomainError as error:
        return _failed(request, error)
    values = {
        "value": request.POST.get("value", "").strip(),
        "source": request.POST.get("source", "").strip(),
        "as_of": request.POST.get("as_of", "").strip() or timezone.localdate().isoformat(),
        "note": request.POST.get("note", "").strip(),
    }
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        try:
            try:
                as_of = dt.date.fromisoformat(values["as_of"])
            except ValueError:
                as_of = None
            indicator_report(
                principal=principal,
                number=number,
                value=values["value"],
                source=values["source"],
                as_of=as_of,
                region_code=detail.region_code,
                note=values["note"],
            )
        except DomainError as error:
            if isinstance(error, (PermissionDenied, Unauthenticated)):
                return _refused(request, error)
            errors = {**error.fields, "form": [error.message]}
            status = 422
        else:
            messages.success(request, f"已填报指标 {number}。")
            return redirect(
                f"{reverse('staff:governance_indicator', args=[number])}?region={detail.region_code}"
            )
    context = {
        **PORTAL,
        "nav": NAV,
        "page_title": f"填报指标 {number}",
        "detail": detail,
        "row": detail.row,
        "values": values,
        "errors": errors,
    }
    return render(request, "staff/governance/report.html", context, status=status)


@require_safe
@staff_required
def topics(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    try:
        found = list(topic_list(principal=principal, include_inactive=True))
    except DomainError as error:
        return _failed(request, error)
    context = {
        **PORTAL,
        "nav": NAV,
        "page_title": "专题驾驶舱",
        "topics": [
            {
                "topic": topic,
                "sector_labels": sector_labels(topic.sectors),
                "function_label": FUNCTIONS.get(topic.function, topic.function),
                "numbers": sorted(i.number for i in topic.indicators.all()),
            }
            for topic in found
        ],
        "may_manage": principal.has_perm(MANAGE_TOPICS),
    }
    return render(request, "staff/governance/topics.html", context)


def _topic_input(post) -> TopicInput:
    numbers = []
    for value in post.getlist("indicators"):
        if value.isdigit():
            numbers.append(int(value))
    return TopicInput(
        name=post.get("name", ""),
        function=post.get("function", ""),
        description=post.get("description", ""),
        sectors=post.getlist("sectors"),
        indicators=numbers,
        event_types=post.getlist("event_types"),
        sensor_kinds=post.getlist("sensor_kinds"),
        datasets=post.getlist("datasets"),
        is_active=post.get("is_active") == "on",
    )


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def topic_edit(request: HttpRequest, code: str = "") -> HttpResponse:
    principal = request_principal(request)
    if not principal.has_perm(MANAGE_TOPICS):
        return _refused(request, PermissionDenied("只有专题配置人员可以配置专题"))
    topic = None
    if code:
        try:
            topic = topic_get(principal=principal, code=code)
        except DomainError as error:
            return _failed(request, error)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        data = _topic_input(request.POST)
        new_code = code or request.POST.get("code", "").strip()
        try:
            saved = topic_save(principal=principal, code=new_code, data=data)
        except DomainError as error:
            if isinstance(error, (PermissionDenied, Unauthenticated)):
                return _refused(request, error)
            errors = {**error.fields, "form": [error.message]}
            status = 422
        else:
            messages.success(request, f"已保存专题“{saved.name}”。")
            return redirect("staff:governance_topic", code=saved.code)
        values = {**data.__dict__, "code": new_code}
    elif topic is not None:
        values = topic_fields(topic)
    else:
        values = {"code": "", "name": "", "function": "", "description": "", "sectors": [],
                  "indicators": [], "event_types": [], "sensor_kinds": [], "datasets": [],
                  "is_active": True}  # fmt: skip
    context = {
        **PORTAL,
        "nav": NAV,
        "page_title": f"配置专题：{topic.name}" if topic else "新建专题",
        "topic": topic,
        "values": values,
        "choices": topic_choices(),
        "errors": errors,
    }
    return render(request, "staff/governance/topic_form.html", context, status=status)


@require_safe
@staff_required
def mobile(request: HttpRequest) -> HttpResponse:
    """粤政易·看数: the key figures on a phone."""
    principal = request_principal(request)
    try:
        home = dashboard_scope(principal=principal).home
        board = indicator_board(principal=principal, region_code=home)
        panels = dashboard_panels(principal=principal, region_code=home)
    except DomainError as error:
        return _failed(request, error)
    context = {
        **PORTAL,
        "nav": NAV,
        "page_title": "粤政易·看数",
        "board": board,
        "panels": panels,
    }
    return render(request, "staff/governance/mobile.html", context)
