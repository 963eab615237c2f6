"""粤政易 · 城市事件 catalogue and grids: the event types (routing, SLAs per stage and level,
duplicate window), editable by those who hold manage_eventtype, and the grids with their
workers and statistics (and their GeoJSON for the map)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from digigov.apps.cityevents.models import LEVEL_LABELS, OPEN_STAGES, STAGE_LABELS
from digigov.apps.cityevents.selectors.catalog import event_type_get, event_type_rows
from digigov.apps.cityevents.selectors.stats import grid_geojson, grid_list
from digigov.apps.cityevents.services.catalog import event_type_update
from digigov.kernel.errors import DomainError, PermissionDenied
from digigov.kernel.principals import request_principal

from .cityevents import NAV, _page, _refused
from .views import PORTAL, staff_required

GRID_VIEW_PERMS = ("cityevents.view_grid", "cityevents.manage_grid", "cityevents.view_cityevent")


def _may_view(principal, perms) -> bool:
    return principal.kind == "staff" and any(principal.has_perm(p) for p in perms)


@require_safe
@staff_required
def types(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    if not _may_view(principal, ("cityevents.view_cityevent", "cityevents.manage_eventtype")):
        return _refused(request, PermissionDenied("无权查看事件类型目录"))
    context = {
        **PORTAL,
        "nav": NAV,
        "page_title": "城市事件类型",
        "rows": event_type_rows(),
        "may_edit": principal.has_perm("cityevents.manage_eventtype"),
    }
    return render(request, "staff/cityevents/types.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def type_edit(request: HttpRequest, code: str) -> HttpResponse:
    principal = request_principal(request)
    if not principal.has_perm("cityevents.manage_eventtype"):
        return _refused(request, PermissionDenied("只有事件类型管理员可以修改事件类型"))
    event_type = event_type_get(code=code)
    if event_type is None:
        return _refused(request, PermissionDenied("事件类型不存在"))
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        post = request.POST
        sla = {
            level: {
                stage: post.get(f"sla-{level}-{stage}", "").strip()
                for stage in OPEN_STAGES
                if post.get(f"sla-{level}-{stage}", "").strip()
            }
            for level in LEVEL_LABELS
        }
        try:
            event_type_update(
                principal=principal,
                code=code,
                name=post.get("name", ""),
                department_function=post.get("department_function", ""),
                handling_level=post.get("handling_level", ""),
                sla_hours={level: stages for level, stages in sla.items() if stages},
                duplicate_radius_m=int(post.get("duplicate_radius_m") or 0),
                duplicate_window_hours=int(post.get("duplicate_window_hours") or 0),
                is_active=bool(post.get("is_active")),
            )
        except ValueError:
            errors = {"duplicate_radius_m": ["应为整数"]}
            status = 422
        except DomainError as error:
            messages.error(request, error.message)
            errors = error.fields
            status = 422
        else:
            messages.success(request, "已保存事件类型")
            return redirect("staff:cityevent_types")
        event_type = event_type_get(code=code)
    context = {
        **PORTAL,
        "nav": NAV,
        "page_title": f"编辑事件类型 {event_type.name}",
        "event_type": event_type,
        "errors": errors,
        "levels": LEVEL_LABELS,
        "stages": [(stage, STAGE_LABELS[stage]) for stage in OPEN_STAGES],
        "sla_rows": [
            (
                level,
                label,
                [
                    (stage, (event_type.sla_hours.get(level) or {}).get(stage, ""))
                    for stage in OPEN_STAGES
                ],
            )
            for level, label in LEVEL_LABELS.items()
        ],
        "handling_levels": [
            ("province", "省级"),
            ("city", "市级"),
            ("county", "县级"),
            ("town", "镇街"),
        ],
    }
    return render(request, "staff/cityevents/type_edit.html", context, status=status)


@require_safe
@staff_required
def grids(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    if not _may_view(principal, GRID_VIEW_PERMS):
        return _refused(request, PermissionDenied("无权查看网格"))
    search = request.GET.get("q", "").strip()[:40]
    context = {
        **PORTAL,
        "nav": NAV,
        "page_title": "网格",
        "page": grid_list(search=search, page=_page(request.GET.get("page"))),
        "q": search,
    }
    return render(request, "staff/cityevents/grids.html", context)


@require_safe
@staff_required
def grids_geojson(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    if not _may_view(principal, GRID_VIEW_PERMS):
        return JsonResponse({"error": {"code": "forbidden", "message": "无权查看网格"}}, status=403)
    return HttpResponse(
        json.dumps(grid_geojson(), ensure_ascii=False), content_type="application/geo+json"
    )
