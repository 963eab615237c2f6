"""粤政易 · 开放广东: a department's open datasets with their usage, publishing a catalog
resource as an open dataset (choose the fields; personal and sensitive ones are dropped by
the backend and shown as such), the data bureau's review queue, and the publisher's inbox of
conditional-access applications. Thin: parse the form, call one service or selector, render;
who may is decided there (the page guards only spare a useless form)."""

from __future__ import annotations

import re

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from digigov.data.catalog.selectors.resources import (
    ResourceFilters,
    resource_by_code,
    resource_field_list,
    resource_list,
)
from digigov.data.opendata.models import AccessApplication, Frequency, License, OpenDataset, Theme
from digigov.data.opendata.selectors.access import (
    ANSWER_PERMISSION,
    MODERATE_PERMISSION,
    PUBLISH_PERMISSION,
    REVIEW_PERMISSION,
    may_publish,
    may_review,
)
from digigov.data.opendata.selectors.datasets import (
    applications_for_publisher,
    applications_pending_count,
    dataset_get_for_staff,
    dataset_usage,
    datasets_of_publisher,
    review_queue,
)
from digigov.data.opendata.selectors.portal import opened_resource_ids
from digigov.data.opendata.services.applications import application_decide
from digigov.data.opendata.services.publishing import (
    dataset_refresh,
    dataset_review,
    dataset_submit,
    dataset_withdraw,
    field_is_open,
)
from digigov.kernel.errors import DomainError, NotFound, PermissionDenied, Unauthenticated
from digigov.kernel.ids import mask_phone
from digigov.kernel.principals import Principal, request_principal
from digigov.portals.web.opendata_common import form_errors, page_number, pager, usage_chart

from .views import PORTAL, staff_required

NAV = "opendata"
PERMISSIONS = (PUBLISH_PERMISSION, REVIEW_PERMISSION, ANSWER_PERMISSION, MODERATE_PERMISSION)
PAGE_SIZE = 20
OPEN_CONDITIONS = ("unconditional", "conditional")


def refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    body = {**PORTAL, "nav": NAV, "page_title": "无权访问", "message": error.message}
    return render(request, "staff/refused.html", body, status=403)


def not_found(request: HttpRequest, error: DomainError) -> HttpResponse:
    body = {**PORTAL, "nav": NAV, "page_title": "不存在", "message": error.message}
    return render(request, "staff/opendata/missing.html", body, status=404)


def roles(principal: Principal) -> dict[str, bool]:
    """Which tabs the person gets (the selectors and services check again)."""
    return {
        "publisher": principal.has_perm(PUBLISH_PERMISSION) and bool(principal.organization_id),
        "reviewer": principal.has_perm(REVIEW_PERMISSION),
        "answerer": principal.has_perm(ANSWER_PERMISSION),
        "moderator": principal.has_perm(MODERATE_PERMISSION),
    }


def page_context(principal: Principal, tab: str, page_title: str, **extra) -> dict:
    return {
        **PORTAL,
        "nav": NAV,
        "tab": tab,
        "page_title": page_title,
        "can": roles(principal),
        **extra,
    }


def _any_role(principal: Principal) -> bool:
    return any(principal.has_perm(p) for p in PERMISSIONS)


@require_safe
@staff_required
def overview(request: HttpRequest) -> HttpResponse:
    """The department's datasets (publishers); the other roles get their queues' links."""
    principal = request_principal(request)
    if not _any_role(principal):
        return refused(request, PermissionDenied("只有开放数据发布或审核人员可以使用开放广东"))
    can = roles(principal)
    state = request.GET.get("state", "")
    state = state if state in OpenDataset.State.values else ""
    page = page_number(request.GET.get("page")) or 1
    rows, total, pending = [], 0, 0
    if can["publisher"]:
        rows, total = datasets_of_publisher(
            principal=principal, state=state, page=page, page_size=PAGE_SIZE
        )
        pending = applications_pending_count(principal=principal)
    body = page_context(
        principal,
        "overview",
        "开放广东",
        rows=rows,
        total=total,
        state=state,
        states=OpenDataset.State.choices,
        pending_applications=pending,
        **pager(page, total, PAGE_SIZE, state=state),
    )
    return render(request, "staff/opendata/overview.html", body)


def _openable(resource) -> bool:
    return resource.open_condition in OPEN_CONDITIONS and resource.storage != "api"


@require_safe
@staff_required
def publish_pick(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    if not (principal.organization_id and may_publish(principal, principal.organization_id)):
        return refused(request, PermissionDenied("只有开放数据发布人员可以发布本单位的数据资源"))
    found = resource_list(
        principal=principal,
        filters=ResourceFilters(status="published", organization_id=principal.organization_id),
        page_size=100,
    )
    resources = [r for r in found.rows if _openable(r)]
    opened = opened_resource_ids(resource_ids=[r.pk for r in resources])
    rows = [(r, opened.get(r.pk, "")) for r in resources]
    body = page_context(principal, "publish", "发布开放数据集", rows=rows)
    return render(request, "staff/opendata/publish_pick.html", body)


def _publish_values(post) -> dict:
    spatial = [c for c in re.split(r"[,，\s]+", post.get("spatial", "").strip()) if c]
    return {
        "title": post.get("title", "").strip(),
        "notes": post.get("notes", "").strip(),
        "tags": post.get("tags", "").strip(),
        "theme": post.get("theme", ""),
        "license_id": post.get("license_id", ""),
        "update_frequency": post.get("update_frequency", ""),
        "temporal_start": post.get("temporal_start", "").strip(),
        "temporal_end": post.get("temporal_end", "").strip(),
        "spatial": spatial[:50],
    }


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def publish_form(request: HttpRequest, code: str) -> HttpResponse:
    principal = request_principal(request)
    resource = resource_by_code(code=code[:60])
    if resource is None or resource.status != "published":
        return not_found(request, NotFound("数据资源不存在或未在数据目录发布"))
    if not may_publish(principal, resource.organization_id):
        return refused(
            request, PermissionDenied("只有本单位的开放数据发布人员可以发布本单位的数据资源")
        )
    fields = resource_field_list(resource_id=resource.pk)
    open_fields = [f for f in fields if field_is_open(f)]
    closed_fields = [f for f in fields if not field_is_open(f)]
    errors: dict[str, list[str]] = {}
    status = 200
    post = request.POST
    name = post.get("name", "").strip()
    chosen = post.getlist("fields") if request.method == "POST" else [f.name for f in open_fields]
    aggregate_by = post.getlist("aggregate_by")
    values = (
        _publish_values(post)
        if request.method == "POST"
        else {
            "title": resource.name,
            "notes": resource.description,
            "tags": resource.subject_class,
            "theme": "",
            "license_id": License.GD_OPEN,
            "update_frequency": resource.update_frequency
            if resource.update_frequency in Frequency.values
            else Frequency.IRREGULAR,
            "temporal_start": "",
            "temporal_end": "",
            "spatial": [resource.organization.region_id],
        }
    )
    if request.method == "POST":
        try:
            dataset = dataset_submit(
                principal=principal,
                resource_code=resource.code,
                name=name,
                values=values,
                fields=chosen,
                aggregate_by=aggregate_by or None,
            )
        except (PermissionDenied, Unauthenticated) as error:
            return refused(request, error)
        except DomainError as error:
            errors, status = form_errors(error), error.status
        else:
            dropped = "、".join(dataset.dropped_fields) or "无"
            messages.success(
                request,
                f"已提交数据管理机构审核：{dataset.title}。不开放的数据项：{dropped}。",
            )
            return redirect("staff:opendata")
    body = page_context(
        principal,
        "publish",
        f"发布开放数据集：{resource.name}",
        resource=resource,
        open_fields=open_fields,
        closed_fields=closed_fields,
        chosen=chosen,
        aggregate_by=aggregate_by,
        name=name or resource.code.lower(),
        values={**values, "spatial": " ".join(values["spatial"])},
        themes=Theme.choices,
        licenses=License.choices,
        frequencies=Frequency.choices,
        errors=errors,
    )
    return render(request, "staff/opendata/publish_form.html", body, status=status)


@require_safe
@staff_required
def review(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    try:
        queue = review_queue(principal=principal)
    except (PermissionDenied, Unauthenticated) as error:
        return refused(request, error)
    body = page_context(principal, "review", "开放数据集审核", queue=queue)
    return render(request, "staff/opendata/review.html", body)


@require_POST
@staff_required
def review_decide(request: HttpRequest, dataset_id) -> HttpResponse:
    principal = request_principal(request)
    approve = request.POST.get("decision") == "approve"
    try:
        dataset = dataset_review(
            principal=principal,
            dataset_id=dataset_id,
            approve=approve,
            note=request.POST.get("note", ""),
        )
    except (PermissionDenied, Unauthenticated) as error:
        return refused(request, error)
    except NotFound as error:
        return not_found(request, error)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        done = "已发布" if approve else "已退回"
        messages.success(request, f"{done}：{dataset.title}。")
    return redirect("staff:opendata_review")


@require_safe
@staff_required
def applications(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    state = request.GET.get("state", "submitted")
    state = state if state in AccessApplication.State.values else ""
    try:
        rows = applications_for_publisher(principal=principal, state=state, limit=200)
    except (PermissionDenied, Unauthenticated) as error:
        return refused(request, error)
    for row in rows:
        # contact details are personal: masked unless they are not a phone number
        row.contact_shown = mask_phone(row.contact) if row.contact.isdigit() else row.contact
    body = page_context(
        principal,
        "applications",
        "有条件开放申请",
        rows=rows,
        state=state,
        states=AccessApplication.State.choices,
    )
    return render(request, "staff/opendata/applications.html", body)


@require_POST
@staff_required
def application_decide_view(request: HttpRequest, application_id: int) -> HttpResponse:
    principal = request_principal(request)
    post = request.POST
    approve = post.get("decision") == "approve"
    try:
        valid_days = int(post.get("valid_days", "") or 180)
    except ValueError:
        valid_days = 0
    try:
        application = application_decide(
            principal=principal,
            application_id=application_id,
            approve=approve,
            reason=post.get("reason", ""),
            valid_days=valid_days,
        )
    except (PermissionDenied, Unauthenticated) as error:
        return refused(request, error)
    except NotFound as error:
        return not_found(request, error)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"申请 #{application.pk} {application.get_state_display()}。")
    return redirect("staff:opendata_applications")


@require_safe
@staff_required
def dataset_usage_page(request: HttpRequest, dataset_id) -> HttpResponse:
    principal = request_principal(request)
    try:
        dataset = dataset_get_for_staff(principal=principal, key=str(dataset_id))
    except NotFound as error:
        return not_found(request, error)
    is_publisher = may_publish(principal, dataset.organization_id)
    if not (is_publisher or may_review(principal, dataset)):
        return refused(request, PermissionDenied("只有发布单位或数据管理机构可以查看使用统计"))
    usage = dataset_usage(dataset=dataset, days=30)
    body = page_context(
        principal,
        "overview",
        f"使用统计：{dataset.title}",
        dataset=dataset,
        usage=usage,
        chart=usage_chart(usage),
        may_refresh=is_publisher and dataset.state == OpenDataset.State.PUBLISHED,
        may_withdraw=dataset.state == OpenDataset.State.PUBLISHED,
    )
    return render(request, "staff/opendata/usage.html", body)


@require_POST
@staff_required
def dataset_action(request: HttpRequest, dataset_id, action: str) -> HttpResponse:
    principal = request_principal(request)
    try:
        if action == "withdraw":
            dataset = dataset_withdraw(
                principal=principal, dataset_id=dataset_id, note=request.POST.get("note", "")
            )
            done = "已下线"
        elif action == "refresh":
            dataset = dataset_refresh(principal=principal, dataset_id=dataset_id)
            done = "已按数据目录的最新数据更新"
        else:
            raise NotFound("操作不存在")
    except (PermissionDenied, Unauthenticated) as error:
        return refused(request, error)
    except NotFound as error:
        return not_found(request, error)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("staff:opendata_usage", dataset_id=dataset_id)
    messages.success(request, f"{done}：{dataset.title}。")
    return redirect("staff:opendata_usage", dataset_id=dataset_id)
