"""广东政务服务网 · 办事指南: search the catalog (Chinese full text, filters, life events and
enterprise stages as browsable categories) and read an item's full guide. Public."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from digigov.apps.services.constants import (
    APPROVAL_MODES,
    CROSS_REGION_SCOPES,
    ENTERPRISE_STAGES,
    ITEM_TYPES,
    LIFE_EVENTS,
    SUBJECT_KINDS,
)
from digigov.apps.services.selectors.items import item_departments, item_guide, item_search
from digigov.kernel.errors import NotFound
from digigov.kernel.principals import request_principal
from digigov.kernel.regions.selectors import region_children

from .views import PORTAL

FILTERS = (
    "q",
    "line",
    "region",
    "item_type",
    "subject_kind",
    "life_event",
    "enterprise_stage",
    "approval_mode",
    "zero_visit",
    "cross_region",
)
PAGE_SIZE = 20


def _int(value: str, default: int) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return default


@require_safe
def guide_list(request: HttpRequest) -> HttpResponse:
    chosen = {name: request.GET.get(name, "").strip()[:100] for name in FILTERS}
    page = _int(request.GET.get("page", "1"), 1)
    result = item_search(
        principal=request_principal(request),
        query=chosen["q"],
        line=chosen["line"],
        region=chosen["region"],
        item_type=chosen["item_type"] if chosen["item_type"] in ITEM_TYPES else "",
        subject_kind=chosen["subject_kind"] if chosen["subject_kind"] in SUBJECT_KINDS else "",
        life_event=chosen["life_event"] if chosen["life_event"] in LIFE_EVENTS else "",
        enterprise_stage=chosen["enterprise_stage"]
        if chosen["enterprise_stage"] in ENTERPRISE_STAGES
        else "",
        approval_mode=chosen["approval_mode"] if chosen["approval_mode"] in APPROVAL_MODES else "",
        zero_visit=True if chosen["zero_visit"] == "1" else None,
        cross_region=chosen["cross_region"]
        if chosen["cross_region"] in CROSS_REGION_SCOPES
        else "",
        page=page,
        page_size=PAGE_SIZE,
    )
    kept = {k: v for k, v in chosen.items() if v}
    context = {
        **PORTAL,
        "page_title": "办事指南",
        "result": result,
        "chosen": chosen,
        "is_filtered": bool(kept),
        "life_events": LIFE_EVENTS.items(),
        "enterprise_stages": ENTERPRISE_STAGES.items(),
        "item_types": ITEM_TYPES.items(),
        "subject_kinds": SUBJECT_KINDS.items(),
        "approval_modes": APPROVAL_MODES.items(),
        "cross_regions": CROSS_REGION_SCOPES.items(),
        "departments": item_departments(),
        "regions": region_children(parent_code="440000").values_list("code", "name"),
        "previous_url": "?" + urlencode({**kept, "page": page - 1}) if page > 1 else "",
        "next_url": "?" + urlencode({**kept, "page": page + 1}) if result.has_next else "",
        "pages": (result.total + PAGE_SIZE - 1) // PAGE_SIZE,
    }
    return render(request, "web/guides/list.html", context)


@require_safe
def guide_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        guide = item_guide(code=code, principal=request_principal(request))
    except NotFound:
        context = {**PORTAL, "page_title": "事项不存在", "code": code}
        return render(request, "web/guides/missing.html", context, status=404)
    context = {**PORTAL, "page_title": guide.name, "guide": guide}
    return render(request, "web/guides/detail.html", context)
