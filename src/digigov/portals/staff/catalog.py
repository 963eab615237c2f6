"""粤政易 · 数据目录: the catalog (数据清单: search, filters, pages), one resource with its
fields and the actions the clerk may take, the register/edit form (fields as a table), the
dataset upload with its per-row report, the data bureau's review queue and the systems list
(系统清单); the needs list (需求清单) is the sharing area's page. Thin: parse the form, call
one service or selector, render. Who may is decided there."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from digigov.data.catalog.models import DataResource, ResourceField
from digigov.data.catalog.selectors.lists import (
    NEEDS_LIST_URL,
    catalog_organizations,
    catalog_overview,
    system_list,
    systems_of,
)
from digigov.data.catalog.selectors.resources import (
    REGISTER_PERMISSION,
    REVIEW_PERMISSION,
    ResourceFilters,
    resource_get,
    resource_list,
    review_queue,
    subject_classes,
)
from digigov.data.catalog.services import datasets
from digigov.data.catalog.services import resources as resource_services
from digigov.data.catalog.services.systems import source_system_register
from digigov.data.sharing.selectors.access import may_view_needs
from digigov.kernel.errors import DomainError, NotFound, PermissionDenied, Unauthenticated
from digigov.kernel.principals import request_principal

from .views import PORTAL, staff_required

NAV = "catalog"
EMPTY_FIELD_ROWS = 3  # blank rows under the registered fields; "增加数据项行" adds more
MAX_FIELD_ROWS = 200
VALUE_NAMES = (
    "code",
    "name",
    "description",
    "layer",
    "storage",
    "subject_class",
    "industry_class",
    "update_frequency",
    "data_format",
    "source_system",
    "share_condition",
    "share_terms",
    "open_condition",
    "grade",
    "key_field",
    "api_url",
)
FIELD_NAMES = (
    "name",
    "label",
    "data_type",
    "standard_element",
    "code_list",
    "sensitivity",
    "masking",
)
CHOICES = {
    "layers": DataResource.Layer.choices,
    "storages": DataResource.Storage.choices,
    "share_conditions": DataResource.ShareCondition.choices,
    "open_conditions": DataResource.OpenCondition.choices,
    "grades": DataResource.Grade.choices,
    "statuses": DataResource.Status.choices,
    "frequencies": DataResource.Frequency.choices,
    "data_types": ResourceField.DataType.choices,
    "sensitivities": ResourceField.Sensitivity.choices,
    "maskings": ResourceField.Masking.choices,
}
ACTIONS = {"submit": "提交审核", "review": "审核", "retire": "下线", "withdraw": "撤回修改"}


def _context(request: HttpRequest, title: str, **extra) -> dict:
    principal = request_principal(request)
    return {
        **PORTAL,
        "nav": NAV,
        "page_title": title,
        "may_register": principal.has_perm(REGISTER_PERMISSION),
        "may_review": principal.has_perm(REVIEW_PERMISSION),
        # only to those the needs list lets in (no link to a 403)
        "needs_list_url": NEEDS_LIST_URL if may_view_needs(principal) else "",
        **extra,
    }


def _refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    context = {**PORTAL, "nav": NAV, "page_title": "无权访问", "message": error.message}
    return render(request, "staff/refused.html", context, status=403)


def _resource_or_response(request: HttpRequest, principal, code: str):
    """The resource's detail, or the page that answers instead (refused, or back to the list
    when it does not exist or is not visible)."""
    try:
        return resource_get(principal=principal, code=code)
    except (PermissionDenied, Unauthenticated) as error:
        return _refused(request, error)
    except NotFound:
        messages.error(request, "数据资源不存在或无权查看。")
        return redirect("staff:catalog")


def _int(value: str | None, default: int = 1) -> int:
    try:
        return max(1, int(value or default))
    except (TypeError, ValueError):
        return default


@require_safe
@staff_required
def catalog_list(request: HttpRequest) -> HttpResponse:
    """数据清单: search and filter the catalog."""
    principal = request_principal(request)
    chosen = {
        name: request.GET.get(name, "").strip()[:100]
        for name in (
            "q",
            "layer",
            "organization",
            "share_condition",
            "open_condition",
            "grade",
            "subject_class",
            "status",
        )
    }
    organization_id = _int(chosen["organization"], 0) if chosen["organization"] else None
    try:
        page = resource_list(
            principal=principal,
            filters=ResourceFilters(
                query=chosen["q"],
                layer=chosen["layer"],
                organization_id=organization_id,
                share_condition=chosen["share_condition"],
                open_condition=chosen["open_condition"],
                grade=chosen["grade"],
                subject_class=chosen["subject_class"],
                status=chosen["status"],
            ),
            page=_int(request.GET.get("page")),
        )
        overview = catalog_overview(principal=principal)
    except (PermissionDenied, Unauthenticated) as error:
        return _refused(request, error)
    context = _context(
        request,
        "数据目录",
        page=page,
        overview=overview,
        chosen=chosen,
        query=urlencode({k: v for k, v in chosen.items() if v}),
        subject_classes=subject_classes(),
        organizations=catalog_organizations(),
        **CHOICES,
    )
    return render(request, "staff/catalog/list.html", context)


@require_safe
@staff_required
def catalog_detail(request: HttpRequest, code: str) -> HttpResponse:
    principal = request_principal(request)
    detail = _resource_or_response(request, principal, code)
    if isinstance(detail, HttpResponse):
        return detail
    context = _context(request, detail.resource.name, detail=detail, resource=detail.resource)
    return render(request, "staff/catalog/detail.html", context)


def _posted(request: HttpRequest) -> tuple[dict, list[dict], int]:
    """The form's resource values, its non-blank field rows and how many rows it showed."""
    post = request.POST
    values = {name: post.get(name, "").strip() for name in VALUE_NAMES}
    values["has_personal_info"] = post.get("has_personal_info") == "on"
    shown = min(_int(post.get("field_rows"), EMPTY_FIELD_ROWS), MAX_FIELD_ROWS)
    fields = []
    for index in range(shown):
        row = {name: post.get(f"f-{index}-{name}", "").strip() for name in FIELD_NAMES}
        row["is_required"] = post.get(f"f-{index}-is_required") == "on"
        if row["name"] or row["label"]:
            fields.append(row)
    return values, fields, shown


def _field_rows(fields: list[dict], errors: dict, extra: int) -> list[dict]:
    """The table rows the form shows: the fields, then blank rows; errors by row."""
    rows = [*fields, *({} for _ in range(extra))]
    return [
        {
            "index": index,
            **{name: row.get(name, "") for name in FIELD_NAMES},
            "is_required": row.get("is_required", False),
            "errors": [
                message
                for key, messages_ in errors.items()
                if key.startswith(f"fields[{index}]")
                for message in messages_
            ],
        }
        for index, row in enumerate(rows)
    ]


def _form(request, *, title, values, fields, errors, problem, resource=None, extra=None):
    principal = request_principal(request)
    extra = EMPTY_FIELD_ROWS if extra is None else extra
    rows = _field_rows(fields, errors, extra)
    context = _context(
        request,
        title,
        values=values,
        rows=rows,
        field_rows=len(rows),
        errors={k: v for k, v in errors.items() if not k.startswith("fields[")},
        problem=problem,
        resource=resource,
        systems=systems_of(organization_id=principal.organization_id or 0),
        **CHOICES,
    )
    return render(request, "staff/catalog/form.html", context, status=422 if problem else 200)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def catalog_new(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    if not principal.has_perm(REGISTER_PERMISSION):
        return _refused(request, PermissionDenied("只有数据目录管理员可以登记数据资源"))
    if request.method != "POST":
        values = {"layer": "topic", "storage": "dataset", "open_condition": "none"}
        return _form(
            request, title="登记数据资源", values=values, fields=[], errors={}, problem="", extra=6
        )
    values, fields, shown = _posted(request)
    if request.POST.get("more"):
        return _form(
            request,
            title="登记数据资源",
            values=values,
            fields=fields,
            errors={},
            problem="",
            extra=max(shown - len(fields), 0) + EMPTY_FIELD_ROWS,
        )
    try:
        resource = resource_services.resource_register(
            principal=principal,
            organization_id=principal.organization_id or 0,
            values=values,
            fields=fields,
        )
    except (PermissionDenied, Unauthenticated) as error:
        return _refused(request, error)
    except DomainError as error:
        return _form(
            request,
            title="登记数据资源",
            values=values,
            fields=fields,
            errors=error.fields,
            problem=error.message,
        )
    messages.success(request, f"已登记“{resource.name}”（草稿）。上传数据或提交审核。")
    return redirect("staff:catalog_resource", code=resource.code)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def catalog_edit(request: HttpRequest, code: str) -> HttpResponse:
    principal = request_principal(request)
    detail = _resource_or_response(request, principal, code)
    if isinstance(detail, HttpResponse):
        return detail
    if not detail.may_edit:
        return _refused(
            request, PermissionDenied("只有本单位数据目录管理员可以修改草稿或已退回的数据资源")
        )
    resource = detail.resource
    title = f"修改：{resource.name}"
    if request.method != "POST":
        values = {name: getattr(resource, name) for name in VALUE_NAMES if name != "source_system"}
        values["source_system"] = resource.source_system.code if resource.source_system_id else ""
        values["has_personal_info"] = resource.has_personal_info
        fields = [
            {name: getattr(item, name) for name in (*FIELD_NAMES, "is_required")}
            for item in detail.fields
        ]
        return _form(
            request, title=title, values=values, fields=fields, errors={}, problem="",
            resource=resource,
        )  # fmt: skip
    values, fields, shown = _posted(request)
    values["code"] = resource.code
    if request.POST.get("more"):
        return _form(
            request, title=title, values=values, fields=fields, errors={}, problem="",
            resource=resource, extra=max(shown - len(fields), 0) + EMPTY_FIELD_ROWS,
        )  # fmt: skip
    try:
        resource_services.resource_update(
            principal=principal, code=code, values=values, fields=fields
        )
    except (PermissionDenied, Unauthenticated) as error:
        return _refused(request, error)
    except DomainError as error:
        return _form(
            request, title=title, values=values, fields=fields, errors=error.fields,
            problem=error.message, resource=resource,
        )  # fmt: skip
    messages.success(request, "已保存修改。")
    return redirect("staff:catalog_resource", code=code)


@require_POST
@staff_required
def catalog_action(request: HttpRequest, code: str, action: str) -> HttpResponse:
    principal = request_principal(request)
    note = request.POST.get("note", "").strip()
    try:
        if action == "submit":
            resource_services.resource_submit(principal=principal, code=code)
            done = "已提交审核。"
        elif action == "review":
            approve = request.POST.get("decision") == "approve"
            resource = DataResource.objects.filter(code=code).values_list("pk", flat=True).first()
            if resource is None:
                raise NotFound()
            resource_services.resource_review(
                principal=principal, resource_id=resource, approve=approve, note=note
            )
            done = "已发布。" if approve else "已退回提供单位。"
        elif action == "retire":
            resource_services.resource_retire(principal=principal, code=code, note=note)
            done = "已下线。"
        elif action == "withdraw":
            resource_services.resource_withdraw(principal=principal, code=code, note=note)
            done = "已撤回为草稿，修改后请重新提交审核。"
        else:
            messages.error(request, "未知的操作。")
            return redirect("staff:catalog_resource", code=code)
    except (PermissionDenied, Unauthenticated) as error:
        return _refused(request, error)
    except NotFound:
        messages.error(request, "数据资源不存在。")
        return redirect("staff:catalog")
    except DomainError as error:
        problems = "；".join(m for ms in error.fields.values() for m in ms)
        messages.error(
            request,
            f"未能{ACTIONS[action]}：{error.message}" + (f"（{problems}）" if problems else ""),
        )
        return redirect("staff:catalog_resource", code=code)
    messages.success(request, done)
    if action == "review":
        return redirect("staff:catalog_review")
    return redirect("staff:catalog_resource", code=code)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def catalog_upload(request: HttpRequest, code: str) -> HttpResponse:
    principal = request_principal(request)
    detail = _resource_or_response(request, principal, code)
    if isinstance(detail, HttpResponse):
        return detail
    if not detail.may_upload:
        return _refused(
            request, PermissionDenied("只有本单位数据目录管理员可以为上传数据集类资源上传数据")
        )
    report = None
    problem = ""
    mode = request.POST.get("mode", "all_or_nothing")
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            problem = "请选择要上传的 CSV 或 JSON 文件。"
        elif upload.size > datasets.MAX_FILE_BYTES:
            problem = "文件过大：至多 20 MB。"
        else:
            try:
                report = datasets.dataset_file_load(
                    principal=principal,
                    resource_id=detail.resource.pk,
                    content=upload.read(),
                    file_name=upload.name or "",
                    mode=mode,
                )
            except (PermissionDenied, Unauthenticated) as error:
                return _refused(request, error)
            except DomainError as error:
                problem = error.message
        if report is not None and report.loaded:
            messages.success(
                request,
                f"已载入 {report.accepted} 行"
                + (f"，跳过有误的 {report.rejected_rows} 行" if report.rejected_rows else "")
                + "。",
            )
    context = _context(
        request,
        f"上传数据：{detail.resource.name}",
        resource=detail.resource,
        fields=detail.fields,
        report=report,
        problems=report.rejected[:200] if report else [],
        problem=problem,
        mode=mode,
        max_mb=datasets.MAX_FILE_BYTES // (1024 * 1024),
    )
    failed = bool(problem) or (report is not None and not report.loaded)
    return render(request, "staff/catalog/upload.html", context, status=422 if failed else 200)


@require_safe
@staff_required
def catalog_review(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    try:
        queue = review_queue(principal=principal)
    except (PermissionDenied, Unauthenticated) as error:
        return _refused(request, error)
    return render(
        request, "staff/catalog/review.html", _context(request, "数据资源审核", queue=queue)
    )


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def catalog_systems(request: HttpRequest) -> HttpResponse:
    """系统清单, and registering one of the clerk's department."""
    principal = request_principal(request)
    errors: dict[str, list[str]] = {}
    problem = ""
    posted = {name: request.POST.get(name, "").strip() for name in ("code", "name", "description")}
    if request.method == "POST":
        try:
            system = source_system_register(
                principal=principal, organization_id=principal.organization_id or 0, **posted
            )
        except (PermissionDenied, Unauthenticated) as error:
            return _refused(request, error)
        except DomainError as error:
            errors, problem = error.fields, error.message
        else:
            messages.success(request, f"已登记信息系统“{system.name}”。")
            return redirect("staff:catalog_systems")
    query = request.GET.get("q", "").strip()[:60]
    try:
        systems = system_list(principal=principal, query=query)
    except (PermissionDenied, Unauthenticated) as error:
        return _refused(request, error)
    context = _context(
        request, "系统清单", systems=systems, q=query, posted=posted, errors=errors, problem=problem
    )
    return render(request, "staff/catalog/systems.html", context, status=422 if problem else 200)
