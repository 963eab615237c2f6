"""/api/v1/services/items: thin, parse, call one service or selector, render.

Public (no authentication): the catalog search and the published guides. Staff: drafts,
review and versions; who may do what is decided by services/items.py."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema

from digigov.kernel.api.auth import require_scope
from digigov.kernel.principals import ANONYMOUS

from ..models import ServiceItem, ServiceItemVersion
from ..schemas.items import (
    ItemCreateIn,
    ItemDraftEditIn,
    ItemGuideOut,
    ItemPageOut,
    ItemRejectIn,
    ItemStaffOut,
    VersionOut,
)
from ..selectors import items as selectors
from ..services import items as services

router = Router()
SCOPE = "services:items"


class SearchQuery(Schema):
    q: str = ""
    line: str = ""
    organization: str = ""
    region: str = ""
    item_type: str = ""
    subject_kind: str = ""
    life_event: str = ""
    enterprise_stage: str = ""
    approval_mode: str = ""
    zero_visit: bool | None = None
    cross_region: str = ""
    page: int = 1
    page_size: int = 20


def _version_out(version: ServiceItemVersion | None) -> dict | None:
    if version is None:
        return None
    return {
        "number": version.number,
        "status": version.status,
        "status_label": version.get_status_display(),
        "name": version.name,
        "change_note": version.change_note,
        "created_by": version.created_by,
        "reviewed_by": version.reviewed_by,
        "review_comment": version.review_comment,
        "created_at": version.created_at,
        "published_at": version.published_at,
    }


def _staff_out(item: ServiceItem) -> dict:
    item = ServiceItem.objects.select_related("published").get(pk=item.pk)
    return {
        "code": item.code,
        "standard_code": item.standard_code,
        "is_standard": item.is_standard,
        "is_active": item.is_active,
        "published_version": item.published.number if item.published_id else None,
        "draft": _version_out(selectors.item_open_version(item)),
    }


@router.get("", response=ItemPageOut, auth=None, summary="检索办事指南（中文全文检索与筛选）")
def item_list(request: HttpRequest, filters: Query[SearchQuery]):
    params = filters.dict()
    return selectors.item_search(principal=ANONYMOUS, query=params.pop("q"), **params)


@router.get("/{code}", response=ItemGuideOut, auth=None, summary="办事指南（现行发布版本）")
def item_detail(request: HttpRequest, code: str):
    return selectors.item_guide(code=code)


@router.post("", response={201: ItemStaffOut}, summary="新建事项（草稿 v1）")
def item_create(request: HttpRequest, payload: ItemCreateIn):
    principal = require_scope(request, SCOPE)
    item = services.item_create(
        principal=principal,
        code=payload.code,
        organization_code=payload.organization_code,
        standard_code=payload.standard_code,
        fields=payload.fields,
        change_note=payload.change_note,
    )
    return 201, _staff_out(item)


@router.patch(
    "/{code}/draft", response=ItemStaffOut, summary="修改事项草稿（无草稿时据现行版本新建）"
)
def item_draft_edit(request: HttpRequest, code: str, payload: ItemDraftEditIn):
    principal = require_scope(request, SCOPE)
    services.item_draft_edit(
        principal=principal, code=code, changes=payload.changes, change_note=payload.change_note
    )
    return _staff_out(ServiceItem.objects.get(code=code))


@router.post("/{code}/submit", response=ItemStaffOut, summary="提交审核")
def item_submit(request: HttpRequest, code: str):
    principal = require_scope(request, SCOPE)
    services.item_submit_review(principal=principal, code=code)
    return _staff_out(ServiceItem.objects.get(code=code))


@router.post("/{code}/publish", response=ItemStaffOut, summary="审核发布（双人复核）")
def item_publish(request: HttpRequest, code: str):
    principal = require_scope(request, SCOPE)
    services.item_publish(principal=principal, code=code)
    return _staff_out(ServiceItem.objects.get(code=code))


@router.post("/{code}/reject", response=ItemStaffOut, summary="审核退回")
def item_reject(request: HttpRequest, code: str, payload: ItemRejectIn):
    principal = require_scope(request, SCOPE)
    services.item_reject(principal=principal, code=code, comment=payload.comment)
    return _staff_out(ServiceItem.objects.get(code=code))


@router.get("/{code}/versions", response=list[VersionOut], summary="事项的全部版本（事项管理人员）")
def item_version_list(request: HttpRequest, code: str):
    principal = require_scope(request, SCOPE)
    return [_version_out(v) for v in selectors.item_versions(principal=principal, code=code)]
