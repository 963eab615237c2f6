"""开放广东 (public): data requests (see what others asked and the answers, ask for a
dataset), the showcase of apps (browse, submit for review), the developer area (register a
key shown once, quota and usage per key) and a person's own applications."""

from __future__ import annotations

import re

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from digigov.data.opendata.models import DataRequest
from digigov.data.opendata.selectors.datasets import (
    applications_of_applicant,
    data_requests,
    developer_key_usage,
    developer_keys,
    organization_counts,
)
from digigov.data.opendata.selectors.portal import showcase_page, showcases_of_author
from digigov.data.opendata.services.community import data_request_submit, showcase_submit
from digigov.data.opendata.services.keys import (
    DEFAULT_QUOTA,
    developer_key_create,
    developer_key_revoke,
)
from digigov.kernel.errors import DomainError, NotFound
from digigov.kernel.principals import request_principal

from .opendata_common import (
    context,
    error_page,
    form_errors,
    page_number,
    pager,
    signed_in,
    with_masked_names,
)

PAGE_SIZE = 20


@require_safe
def requests_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    state = request.GET.get("state", "")
    state = state if state in DataRequest.State.values else ""
    page = page_number(request.GET.get("page"))
    status = 200
    error = ""
    if page is None:
        page, status, error = 1, 400, "页码不正确，已显示第 1 页"
    rows, total = data_requests(page=page, page_size=PAGE_SIZE, state=state, query=query)
    body = context(
        "requests",
        "数据需求",
        rows=with_masked_names(rows, "requester_label"),
        total=total,
        query=query,
        state=state,
        states=DataRequest.State.choices,
        error=error,
        **pager(page, total, PAGE_SIZE, q=query, state=state),
    )
    return render(request, "web/opendata/requests.html", body, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in
def request_new(request: HttpRequest) -> HttpResponse:
    organizations = organization_counts(only_publishing=True)
    values = {k: request.POST.get(k, "").strip() for k in ("title", "description", "organization")}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        organization = page_number(values["organization"]) if values["organization"] else None
        try:
            data_request_submit(
                principal=request_principal(request),
                title=values["title"],
                description=values["description"],
                organization_id=organization,
            )
        except DomainError as error:
            errors, status = form_errors(error), error.status
        else:
            messages.success(request, "数据需求已提交，数据管理机构答复后在本页公开。")
            return redirect("web:opendata_requests")
    body = context(
        "requests", "提出数据需求", organizations=organizations, values=values, errors=errors
    )
    return render(request, "web/opendata/request_new.html", body, status=status)


@require_safe
def showcase_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    page = page_number(request.GET.get("page"))
    status, error = 200, ""
    if page is None:
        page, status, error = 1, 400, "页码不正确，已显示第 1 页"
    found = showcase_page(query=query, page=page, page_size=12)
    body = context(
        "showcases",
        "数据应用",
        found=found,
        rows=with_masked_names(found.rows, "author_label"),
        query=query,
        error=error,
        mine=showcases_of_author(principal=request_principal(request)),
        **pager(page, found.total, found.page_size, q=query),
    )
    return render(request, "web/opendata/showcases.html", body, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in
def showcase_new(request: HttpRequest) -> HttpResponse:
    values = {k: request.POST.get(k, "").strip() for k in ("title", "description", "url")}
    source = request.POST if request.method == "POST" else request.GET
    datasets_text = source.get("datasets", "").strip()[:2000]
    chosen = [n for n in re.split(r"[,，\s]+", datasets_text) if n]
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        try:
            showcase_submit(principal=request_principal(request), dataset_names=chosen, **values)
        except DomainError as error:
            errors, status = form_errors(error), error.status
        else:
            messages.success(request, "应用已提交，审核通过后在数据应用栏目展示。")
            return redirect("web:opendata_showcases")
    body = context(
        "showcases",
        "提交数据应用",
        values=values,
        datasets_text=datasets_text,
        errors=errors,
    )
    return render(request, "web/opendata/showcase_new.html", body, status=status)


def _developer(request: HttpRequest, *, issued=None, errors=None, values=None, status=200):
    principal = request_principal(request)
    body = context(
        "developer",
        "开发者中心",
        keys=developer_keys(principal=principal),
        issued=issued,
        errors=errors or {},
        values=values or {"name": "", "daily_quota": str(DEFAULT_QUOTA)},
        api_base=request.build_absolute_uri("/api/3/action/"),
    )
    response = render(request, "web/opendata/developer.html", body, status=status)
    if issued is not None:
        response["Cache-Control"] = "no-store"  # the secret is shown once: never cached
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in
def developer(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _developer(request)
    values = {k: request.POST.get(k, "").strip() for k in ("name", "daily_quota")}
    try:
        quota = int(values["daily_quota"] or DEFAULT_QUOTA)
    except ValueError:
        quota = 0
    try:
        issued = developer_key_create(
            principal=request_principal(request), name=values["name"], daily_quota=quota
        )
    except DomainError as error:
        return _developer(request, errors=form_errors(error), values=values, status=error.status)
    return _developer(request, issued=issued)


@require_POST
@signed_in
def developer_revoke(request: HttpRequest, key_id: int) -> HttpResponse:
    try:
        developer_key_revoke(principal=request_principal(request), key_id=key_id)
    except NotFound as error:
        return error_page(request, error, title="密钥不存在")
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "密钥已停用，使用它的调用将被拒绝。")
    return redirect("web:opendata_developer")


@require_safe
@signed_in
def developer_usage(request: HttpRequest, key_id: int) -> HttpResponse:
    principal = request_principal(request)
    try:
        rows = developer_key_usage(principal=principal, key_id=key_id, days=30)
    except NotFound as error:
        return error_page(request, error, title="密钥不存在")
    key = next((k for k in developer_keys(principal=principal) if k.id == key_id), None)
    if key is None:
        return error_page(request, NotFound("密钥不存在", code="key_unknown"))
    body = context(
        "developer",
        f"密钥用量：{key.name}",
        key=key,
        rows=rows,
        chart={
            "days": [day.isoformat() for day, _, _ in rows],
            "calls": [calls for _, calls, _ in rows],
            "refused": [refused for _, _, refused in rows],
        },
    )
    return render(request, "web/opendata/developer_usage.html", body)


@require_safe
@signed_in
def my_applications(request: HttpRequest) -> HttpResponse:
    rows = applications_of_applicant(principal=request_principal(request))
    body = context("mine", "我的开放申请", rows=rows)
    return render(request, "web/opendata/applications.html", body)
