"""/api/v1/catalog/resources: thin — parse, call one service or selector, render."""

from __future__ import annotations

import json

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from digigov.kernel.api.auth import require_scope
from digigov.kernel.errors import NotFound, ValidationFailed
from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import Principal

from ..models import DataResource
from ..selectors.resources import (
    READ_SCOPE,
    WRITE_SCOPE,
    ResourceFilters,
    resource_get,
    resource_list,
)
from ..services import datasets, resources
from .schemas import (
    CatalogNoteIn,
    CatalogResourceDetailOut,
    CatalogResourceIn,
    CatalogResourcePageOut,
    CatalogReviewIn,
    CatalogUploadReportOut,
)

router = Router()


def reader(request: HttpRequest) -> Principal:
    """Machines read the catalog with catalog:read (or catalog:write)."""
    principal: Principal = request.principal
    if principal.kind == "machine" and not principal.has_scope(WRITE_SCOPE):
        require_scope(request, READ_SCOPE)
    return principal


def organization_id(principal: Principal, code: str) -> int:
    """The organization a write is for: the named one, else the caller's own."""
    if not code:
        if principal.organization_id is None:
            raise ValidationFailed("请指定单位", fields={"organization": ["必填"]})
        return principal.organization_id
    found = Organization.objects.filter(code=code).values_list("pk", flat=True).first()
    if found is None:
        raise ValidationFailed("单位不存在", fields={"organization": ["机构代码不存在"]})
    return found


def resource_out(resource: DataResource) -> dict:
    return {
        **{
            name: getattr(resource, name)
            for name in (
                "code",
                "name",
                "description",
                "layer",
                "storage",
                "subject_class",
                "industry_class",
                "update_frequency",
                "data_format",
                "share_condition",
                "share_terms",
                "open_condition",
                "grade",
                "has_personal_info",
                "key_field",
                "api_url",
                "status",
                "review_note",
                "published_at",
                "row_count",
                "data_updated_at",
                "updated_at",
            )
        },
        "organization_code": resource.organization.code,
        "organization_name": resource.organization.name,
        "source_system": resource.source_system.code if resource.source_system_id else None,
        "layer_label": resource.get_layer_display(),
        "share_condition_label": resource.get_share_condition_display(),
        "open_condition_label": resource.get_open_condition_display(),
        "grade_label": resource.get_grade_display(),
        "status_label": resource.get_status_display(),
    }


def detail_out(principal: Principal, code: str) -> dict:
    detail = resource_get(principal=principal, code=code)
    return {
        **resource_out(detail.resource),
        "fields": [
            {
                name: getattr(item, name)
                for name in (
                    "position",
                    "name",
                    "label",
                    "data_type",
                    "standard_element",
                    "code_list",
                    "sensitivity",
                    "masking",
                    "is_required",
                )
            }
            for item in detail.fields
        ],
        "actions": detail.actions,
    }


class ResourceQuery(Schema):
    q: str = ""
    layer: str = ""
    organization: str = ""
    share_condition: str = ""
    open_condition: str = ""
    grade: str = ""
    subject_class: str = ""
    status: str = ""
    storage: str = ""
    page: int = 1
    page_size: int = 20


@router.get(
    "/resources",
    response=CatalogResourcePageOut,
    summary="数据清单：检索数据资源",
    description="按名称、代码、摘要和数据项中文名称检索（q），可按层级、提供单位（机构代码）、共享属性、"
    "开放属性、分级、主题分类、状态、存储方式筛选。已发布资源所有公职人员可见；未发布的仅本单位"
    "和数据管理机构可见。每页至多 100 条。",
)
def resource_list_api(request: HttpRequest, filters: Query[ResourceQuery]):
    principal = reader(request)
    organization = None
    if filters.organization:
        organization = (
            Organization.objects.filter(code=filters.organization)
            .values_list("pk", flat=True)
            .first()
            or -1
        )
    page = resource_list(
        principal=principal,
        filters=ResourceFilters(
            query=filters.q[:100],
            layer=filters.layer,
            organization_id=organization,
            share_condition=filters.share_condition,
            open_condition=filters.open_condition,
            grade=filters.grade,
            subject_class=filters.subject_class,
            status=filters.status,
            storage=filters.storage,
        ),
        page=filters.page,
        page_size=filters.page_size,
    )
    return {
        "total": page.total,
        "page": page.page,
        "page_size": page.page_size,
        "items": [resource_out(r) for r in page.rows],
    }


@router.get(
    "/resources/{code}", response=CatalogResourceDetailOut, summary="数据资源详情（含数据项）"
)
def resource_detail_api(request: HttpRequest, code: str):
    return detail_out(reader(request), code)


def _values(payload: CatalogResourceIn) -> tuple[dict, list[dict]]:
    data = payload.dict()
    fields = data.pop("fields")
    data.pop("organization")
    return data, fields


@router.post(
    "/resources",
    response={201: CatalogResourceDetailOut},
    summary="登记数据资源（草稿）",
    description="本单位的数据目录管理员，或本单位具有 catalog:write 授权范围的系统。",
)
def resource_register_api(request: HttpRequest, payload: CatalogResourceIn):
    principal = require_scope(request, WRITE_SCOPE)
    values, fields = _values(payload)
    resource = resources.resource_register(
        principal=principal,
        organization_id=organization_id(principal, payload.organization),
        values=values,
        fields=fields,
    )
    return Status(201, detail_out(principal, resource.code))


@router.put(
    "/resources/{code}",
    response=CatalogResourceDetailOut,
    summary="修改草稿或已退回的数据资源（整体替换属性与数据项）",
)
def resource_update_api(request: HttpRequest, code: str, payload: CatalogResourceIn):
    principal = require_scope(request, WRITE_SCOPE)
    values, fields = _values(payload)
    resources.resource_update(principal=principal, code=code, values=values, fields=fields)
    return detail_out(principal, code)


@router.post("/resources/{code}/submit", response=CatalogResourceDetailOut, summary="提交审核")
def resource_submit_api(request: HttpRequest, code: str):
    principal = require_scope(request, WRITE_SCOPE)
    resources.resource_submit(principal=principal, code=code)
    return detail_out(principal, code)


@router.post(
    "/resources/{code}/review",
    response=CatalogResourceDetailOut,
    summary="审核：发布或退回（数据管理机构，提交人不能审核）",
)
def resource_review_api(request: HttpRequest, code: str, payload: CatalogReviewIn):
    principal: Principal = request.principal
    resource = DataResource.objects.filter(code=code).values_list("pk", flat=True).first()
    if resource is None:
        raise NotFound("数据资源不存在", code="resource_unknown")
    resources.resource_review(
        principal=principal, resource_id=resource, approve=payload.approve, note=payload.note
    )
    return detail_out(principal, code)


@router.post("/resources/{code}/retire", response=CatalogResourceDetailOut, summary="下线")
def resource_retire_api(request: HttpRequest, code: str, payload: CatalogNoteIn):
    principal = require_scope(request, WRITE_SCOPE)
    resources.resource_retire(principal=principal, code=code, note=payload.note)
    return detail_out(principal, code)


@router.post(
    "/resources/{code}/withdraw",
    response=CatalogResourceDetailOut,
    summary="撤回已发布资源修改（无生效共享授权时）",
)
def resource_withdraw_api(request: HttpRequest, code: str, payload: CatalogNoteIn):
    principal = require_scope(request, WRITE_SCOPE)
    resources.resource_withdraw(principal=principal, code=code, note=payload.note)
    return detail_out(principal, code)


UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["rows"],
                    "properties": {
                        "rows": {"type": "array", "items": {"type": "object"}},
                        "mode": {"type": "string", "enum": list(datasets.MODES)},
                        "file_name": {"type": "string"},
                    },
                }
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "mode": {"type": "string", "enum": list(datasets.MODES)},
                    },
                }
            },
        },
    }
}


def _report_out(report: datasets.UploadReport) -> dict:
    return {
        "loaded": report.loaded,
        "total": report.total,
        "accepted": report.accepted,
        "rejected_rows": report.rejected_rows,
        "rejected": [vars(problem) for problem in report.rejected],
        "truncated": report.truncated,
    }


@router.post(
    "/resources/{code}/rows",
    response=CatalogUploadReportOut,
    summary="上传数据集（整体替换）：JSON 数据行或 CSV/JSON 文件",
    description='JSON：{"rows": [...], "mode": ...}；或 multipart/form-data 的 file（UTF-8/GB18030 '
    "CSV，首行为字段名或中文名称；或 JSON 对象数组，至多 20 MB）与 mode。只检查结构（未登记的列、"
    "类型、必填）；all_or_nothing（默认）有任一行有误则不载入并返回 422，fields 按 rows[序号].字段 "
    "列出问题；skip_rejected 载入无误的行并在报告中列出有误的行。",
    openapi_extra=UPLOAD_BODY,
)
def resource_rows_api(request: HttpRequest, code: str):
    principal = require_scope(request, WRITE_SCOPE)
    resource = DataResource.objects.filter(code=code).values_list("pk", flat=True).first()
    if resource is None:
        raise NotFound("数据资源不存在", code="resource_unknown")
    if request.content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationFailed("请上传文件", fields={"file": ["必填"]})
        if upload.size > datasets.MAX_FILE_BYTES:
            raise ValidationFailed("文件过大：至多 20 MB", code="upload_too_large")
        report = datasets.dataset_file_load(
            principal=principal,
            resource_id=resource,
            content=upload.read(),
            file_name=upload.name or "",
            mode=request.POST.get("mode", "all_or_nothing"),
        )
    else:
        try:
            body = json.loads(request.body or b"null")
        except ValueError:
            raise ValidationFailed("请求体不是有效的 JSON", code="upload_malformed") from None
        if not isinstance(body, dict) or not isinstance(body.get("rows"), list):
            raise ValidationFailed('请求体应为 {"rows": [...]}', fields={"rows": ["应为列表"]})
        report = datasets.dataset_rows_replace(
            principal=principal,
            resource_id=resource,
            rows=body["rows"],
            file_name=str(body.get("file_name", ""))[:200],
            mode=body.get("mode", "all_or_nothing"),
        )
    if not report.loaded:
        fields: dict[str, list[str]] = {}
        for problem in report.rejected:
            fields.setdefault(f"rows[{problem.row_number}].{problem.field}", []).append(
                problem.message
            )
        raise ValidationFailed(
            f"共 {report.total} 行，其中 {report.rejected_rows} 行有误，未载入任何数据",
            code="upload_rejected",
            fields=fields,
        )
    return _report_out(report)
