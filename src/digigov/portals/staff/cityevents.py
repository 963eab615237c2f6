"""粤政易 · 城市事件: the event list (filters, search, pages), one event with its timeline and
the stage actions its viewer is responsible for, merging duplicates, the photo view, and the
grid worker's mobile page (patrol report, my grids' events). Thin: parse, call one service or
selector, render; who may is decided there."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from digigov.apps.cityevents.models import LEVEL_LABELS, SOURCE_LABELS, STAGE_LABELS
from digigov.apps.cityevents.selectors.events import (
    EventFilters,
    event_detail,
    event_list,
    photo_for_viewer,
)
from digigov.apps.cityevents.selectors.stats import event_summary, event_type_choices
from digigov.apps.cityevents.services.events import (
    city_event_act,
    city_event_merge,
    city_event_report,
    event_reporter_reveal,
)
from digigov.apps.cityevents.services.photos import photo_path
from digigov.kernel.errors import DomainError, NotFound, PermissionDenied, Unauthenticated
from digigov.kernel.principals import request_principal

from .views import PORTAL, staff_required

NAV = "cityevents"


def _refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    context = {**PORTAL, "nav": NAV, "page_title": "无权访问", "message": error.message}
    return render(request, "staff/refused.html", context, status=403)


def _page(value: str | None) -> int:
    try:
        return max(1, int(value or "1"))
    except ValueError:
        return 1


@require_safe
@staff_required
def events(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    get = request.GET
    chosen = {
        "stage": get.get("stage", "").strip()[:12],
        "type": get.get("type", "").strip()[:40],
        "level": get.get("level", "").strip()[:20],
        "source": get.get("source", "").strip()[:20],
        "region": get.get("region", "").strip()[:12],
        "q": get.get("q", "").strip()[:60],
        "overdue": "1" if get.get("overdue") else "",
        "mine": "1" if get.get("mine") else "",
    }
    try:
        page = event_list(
            principal=principal,
            filters=EventFilters(
                stage=chosen["stage"],
                event_type_code=chosen["type"],
                level=chosen["level"],
                source=chosen["source"],
                region_code=chosen["region"],
                search=chosen["q"],
                overdue_only=bool(chosen["overdue"]),
                mine_only=bool(chosen["mine"]),
            ),
            page=_page(get.get("page")),
        )
    except (PermissionDenied, Unauthenticated) as error:
        return _refused(request, error)
    context = {
        **PORTAL,
        "nav": NAV,
        "page_title": "城市事件",
        "page": page,
        "chosen": chosen,
        "stages": {"open": "办理中", **STAGE_LABELS},
        "levels": LEVEL_LABELS,
        "sources": SOURCE_LABELS,
        "types": event_type_choices(),
        "summary": event_summary(region_code=principal.region_code or None),
        "query": urlencode({k: v for k, v in chosen.items() if v}),
    }
    return render(request, "staff/cityevents/list.html", context)


@require_safe
@staff_required
def event(request: HttpRequest, number: str) -> HttpResponse:
    principal = request_principal(request)
    try:
        detail = event_detail(principal=principal, number=number)
    except (NotFound, PermissionDenied, Unauthenticated) as error:
        return _refused(request, error)
    context = {
        **PORTAL,
        "nav": NAV,
        "page_title": f"城市事件 {number}",
        **detail,
        "reporters_full": None,
    }
    return render(request, "staff/cityevents/detail.html", context)


@require_POST
@staff_required
def event_act(request: HttpRequest, number: str) -> HttpResponse:
    principal = request_principal(request)
    action = request.POST.get("action", "")
    try:
        result = city_event_act(
            principal=principal,
            number=number,
            action=action,
            note=request.POST.get("note", ""),
            photos=request.FILES.getlist("photos"),
        )
    except (PermissionDenied, Unauthenticated) as error:
        return _refused(request, error)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"已完成：{STAGE_LABELS.get(result.stage, result.stage)}")
    target = request.POST.get("next", "")
    if target == "grid":
        return redirect("staff:cityevent_grid_worker")
    return redirect("staff:cityevent", number=number)


@require_POST
@staff_required
def event_merge(request: HttpRequest, number: str) -> HttpResponse:
    principal = request_principal(request)
    into = request.POST.get("into", "").strip()[:24]
    try:
        city_event_merge(principal=principal, duplicate_number=number, into_number=into)
    except (PermissionDenied, Unauthenticated) as error:
        return _refused(request, error)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("staff:cityevent", number=number)
    messages.success(request, f"已将 {number} 合并到 {into}")
    return redirect("staff:cityevent", number=into)


@require_POST
@staff_required
def event_reporters(request: HttpRequest, number: str) -> HttpResponse:
    principal = request_principal(request)
    try:
        reporters = event_reporter_reveal(principal=principal, number=number)
        detail = event_detail(principal=principal, number=number)
    except DomainError as error:
        return _refused(request, error)
    context = {
        **PORTAL,
        "nav": NAV,
        "page_title": f"城市事件 {number}",
        **detail,
        "reporters_full": reporters,
    }
    return render(request, "staff/cityevents/detail.html", context)


@require_safe
@staff_required
def photo(request: HttpRequest, photo_id: int) -> HttpResponse:
    try:
        stored = photo_for_viewer(principal=request_principal(request), photo_id=photo_id)
    except DomainError as error:
        return _refused(request, error)
    return photo_response(stored)


def photo_response(stored) -> FileResponse:
    """An image the service sniffed and stored: inline, never sniffed again, never cached."""
    response = FileResponse(photo_path(stored.sha256).open("rb"), content_type=stored.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def grid_worker(request: HttpRequest) -> HttpResponse:
    """The grid worker's mobile page: patrol report with photo and location, my grids' events
    waiting for 核查."""
    principal = request_principal(request)
    if not principal.has_perm("cityevents.patrol_report"):
        return _refused(request, PermissionDenied("只有网格员可以使用网格巡查页面"))
    values = {
        k: request.POST.get(k, "").strip() for k in ("type", "title", "description", "lng", "lat")
    }
    status = 200
    if request.method == "POST":
        try:
            ref = city_event_report(
                source="grid_worker",
                event_type_code=values["type"],
                lng=values["lng"] or "nan",
                lat=values["lat"] or "nan",
                title=values["title"],
                description=values["description"],
                reporter=principal,
                photos=request.FILES.getlist("photos"),
            )
        except DomainError as error:
            messages.error(request, error.message)
            status = 422
        else:
            messages.success(request, f"已上报，事件编号 {ref.number}")
            return redirect("staff:cityevent_grid_worker")
    page = event_list(
        principal=principal,
        filters=EventFilters(stage="open", mine_only=False),
        page=_page(request.GET.get("page")),
    )
    context = {
        **PORTAL,
        "nav": NAV,
        "page_title": "网格巡查",
        "page": page,
        "types": event_type_choices(),
        "values": values,
    }
    return render(request, "staff/cityevents/grid_worker.html", context, status=status)
